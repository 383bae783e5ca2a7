"""Step 1 — processes (reference solutions)."""
