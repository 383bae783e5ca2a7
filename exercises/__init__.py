"""The exercises: one folder per step."""
