#!/usr/bin/env bash
# Builds the zip to upload to Gradescope as the autograder: setup.sh and run_autograder at its
# root, the committed kit (tests, stubs, plugin; not the solutions) under kit/.
#   bash grading/gradescope/make_autograder.sh [OUTPUT.zip]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
kit="$(git -C "$here" rev-parse --show-toplevel)"
out="$(realpath -m "${1:-autograder.zip}")"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp "$here/setup.sh" "$here/run_autograder" "$stage/"
mkdir "$stage/kit"
git -C "$kit" archive HEAD exercises plugin pyproject.toml conftest.py README.md | tar -x -C "$stage/kit"
rm -rf "$stage/kit/plugin/tests"
(cd "$stage" && python3 -m zipfile -c "$out" setup.sh run_autograder kit)
echo "wrote $out: upload it as the Gradescope autograder (Ubuntu base image, Python 3.10 or newer)"
