#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image: the kit and its
# dependencies go into a virtual environment. The kit itself is in /autograder/source/kit.
set -euo pipefail
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --disable-pip-version-check -e /autograder/source/kit
