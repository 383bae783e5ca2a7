#!/usr/bin/env bash
# CI of the learner edition: install from scratch as the README says, check that every exercise is
# still todo on the stubs, run the README's test command, and the grading command Classroom runs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.ci-out
rm -rf "$out" && mkdir -p "$out"

step() {{ printf '\n=== %s\n' "$*"; }}

step "install (README quick start)"
python3 -m venv .venv
. .venv/bin/activate
pip install --quiet --disable-pip-version-check -e ".[dev]"

step "the pristine stubs: every exercise is todo"
status=0
pytest exercises -p no:cacheprovider -q --lab-json "$out/stubs.json" >"$out/stubs.log" 2>&1 || status=$?
tail -n 25 "$out/stubs.log"
if [ "$status" -ne 1 ]; then echo "expected exit code 1 (failures) on the stubs, got $status"; exit 1; fi
python - "$out/stubs.json" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))["summary"]
if not summary["exercises"] or summary["todo"] != summary["exercises"]:
    sys.exit(f"expected every exercise todo on the stubs, got {{summary}}")
PY

step "README test command: {test_command}"
{test_command} -p no:cacheprovider -q

step "grading command (as Classroom runs it): the stubs earn no points"
status=0
python -m plugin.grade exercises --classroom "$out/classroom.json" >"$out/graded.log" 2>&1 || status=$?
tail -n 1 "$out/graded.log"
if [ "$status" -ne 1 ]; then echo "expected exit code 1 (fewer points) grading the stubs, got $status"; exit 1; fi
