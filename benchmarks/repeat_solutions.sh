#!/usr/bin/env bash
# False failures of the solutions: `pytest exercises --solutions` N times under each start method,
# serially and with xdist (-n 2), tallying the runs that did not pass (and their failed tests).
# Usage: benchmarks/repeat_solutions.sh [N] [METHODS...]   (default: 10 runs; fork spawn forkserver)
# Run it on a quiet machine; timing-sensitive failures under load are what it is meant to find.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
shift || true
methods=("${@:-fork spawn forkserver}")
python="${PYTHON:-.venv/bin/python}"
log_dir="$(mktemp -d -t parallel-lab-repeat-XXXX)"
total_failures=0
for method in ${methods[@]}; do
  for mode in serial xdist; do
    extra=()
    [ "$mode" = xdist ] && extra=(-n 2)
    failures=0
    seconds=()
    for run in $(seq "$runs"); do
      log="$log_dir/$method-$mode-$run.log"
      started=$(date +%s)
      "$python" -m pytest exercises --solutions -q -p no:cacheprovider --start-method "$method" "${extra[@]}" >"$log" 2>&1
      status=$?
      seconds+=("$(( $(date +%s) - started ))")
      if [ "$status" -ne 0 ]; then
        failures=$((failures + 1))
        echo "  $method $mode run $run: exit $status; $(grep -E '^FAILED|^ERROR' "$log" | tr '\n' ' ')"
      fi
    done
    total_failures=$((total_failures + failures))
    echo "$method $mode: $failures of $runs runs failed; seconds per run: ${seconds[*]}"
  done
done
echo "logs: $log_dir"
[ "$total_failures" -eq 0 ]
