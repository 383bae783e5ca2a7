"""Step 3 — advanced argument passing (reference solutions)."""
