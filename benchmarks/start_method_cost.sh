#!/usr/bin/env bash
# What the start method costs the solutions run: `pytest exercises --solutions` under fork and under
# forkserver, interleaved (so load changes hit both alike), N rounds; prints each run's wall time.
# Usage: benchmarks/start_method_cost.sh [ROUNDS]   (from the kit's root, with its venv's python)
set -uo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
python="${PYTHON:-.venv/bin/python}"
for round in $(seq "$rounds"); do
  for method in fork forkserver; do
    started=$(date +%s.%N)
    "$python" -m pytest exercises --solutions -q -p no:cacheprovider --start-method "$method" >/dev/null 2>&1
    status=$?
    printf '%s round %s: %.1f s (exit %s)\n' "$method" "$round" "$(echo "$(date +%s.%N) - $started" | bc)" "$status"
  done
done
