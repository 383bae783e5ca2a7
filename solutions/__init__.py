"""Reference solutions, module for module like exercises/."""
