"""How long the README's test command and the slow suite take here, with the machine's load beside it.

    python benchmarks/suite_time.py [--slow] [--durations N]

The README command (``pytest --solutions``) should stay under 180 s on a quiet 2-core machine; the
load average is printed because a figure taken while other work runs says little about that.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "README command": ["--solutions"],
    "slow suite": ["plugin/tests", "-m", "slow"],
}


def timed(name: str, args: list[str], durations: int) -> int:
    before = os.getloadavg()[0]
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "-p", "no:cacheprovider", "-q", f"--durations={durations}"],
        cwd=KIT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    slowest = [line for line in completed.stdout.splitlines() if line.split("s ", 1)[0].replace(".", "").isdigit()]
    print("\n".join(slowest))
    print(completed.stdout.strip().splitlines()[-1])
    print(
        f"{name}: {elapsed:.0f} s wall, exit {completed.returncode}, "
        f"load average {before:.1f} before and {os.getloadavg()[0]:.1f} after\n"
    )
    return completed.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slow", action="store_true", help="time the slow suite too")
    parser.add_argument("--durations", type=int, default=15, help="how many of the slowest tests to list")
    options = parser.parse_args()
    names = list(COMMANDS) if options.slow else ["README command"]
    return max(timed(name, COMMANDS[name], options.durations) for name in names)


if __name__ == "__main__":
    sys.exit(main())
