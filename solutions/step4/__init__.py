"""Step 4 — parallel image processing (reference solutions)."""
