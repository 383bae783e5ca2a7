"""Step 5 — beyond one machine: Dask distributed (reference solutions)."""
