"""Step 2 — pools (reference solutions)."""
