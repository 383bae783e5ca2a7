"""The objects one pytest session registers, each owning one job: collection checks, report
stamping, and the explanations of failures."""
