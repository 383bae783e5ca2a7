"""Grading: scores, and the command that grades an untrusted submission from outside its process."""
