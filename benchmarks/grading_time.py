"""Wall-clock time of ``python -m plugin.grade solutions`` (the full reference solutions), for comparing
two versions of the grading command: ``python benchmarks/grading_time.py [KIT ...] [--runs N]``.

Each kit (a checkout; default: this one) is graded with its own ``plugin.grade`` and this interpreter,
round-robin, so load from other work on the machine falls on every version alike. Prints each run and
the median per kit; a run that does not earn full marks is reported, not timed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def grade_once(kit: Path) -> float | None:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "plugin.grade", "solutions"], cwd=kit, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        print(f"  {kit}: exit {completed.returncode}, not full marks:")
        print(completed.stdout[-2000:] + completed.stderr[-2000:])
        return None
    return elapsed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kits", nargs="*", type=Path, default=[HERE])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args(argv)
    times: dict[Path, list[float]] = {kit: [] for kit in options.kits}
    for round_number in range(1, options.runs + 1):
        for kit in options.kits:
            elapsed = grade_once(kit)
            if elapsed is not None:
                times[kit].append(elapsed)
                print(f"round {round_number}: {kit}: {elapsed:.1f} s", flush=True)
    for kit, measured in times.items():
        median = f"{statistics.median(measured):.1f} s" if measured else "no full-marks run"
        print(f"{kit}: median {median} over {len(measured)} run(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
