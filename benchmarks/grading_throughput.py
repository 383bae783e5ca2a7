"""How long a class takes to grade: ``python benchmarks/grading_throughput.py [--repeat N] [--workers 1 4 10]``.

Grades the reference solutions (the slowest kind of submission: every speedup is measured) and the
pristine stubs (the fastest) exactly as ``python -m plugin.grade --class`` grades each submission,
and times the parts that are not measurement: copying the kit and starting pytest to collect its
tests (both done once per submission by the grading command). Then estimates a class of 200 on one
machine and on N Dask workers (one grading per machine, so N machines).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT))

from plugin.grading.classbook import grade_files  # noqa: E402 - after the sys.path line
from plugin.grading.command import copy_kit  # noqa: E402 - after the sys.path line
from plugin.grading.uploads import Submission, read_upload  # noqa: E402 - after the sys.path line
from plugin.safety.start_method import unforked_start_method  # noqa: E402 - after the sys.path line
from plugin.targets import exercise_modules  # noqa: E402 - after the sys.path line

CLASS_SIZE = 200


def time_grading(folder: str, repeat: int, timeout: float) -> list[float]:
    files = read_upload(Submission(folder, KIT / folder), {f"{module}.py" for _, module in exercise_modules(KIT)})
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = grade_files(files, str(KIT), timeout, unforked_start_method(), "en")
        seconds.append(time.perf_counter() - started)
        summary = result["documents"]["lab"]["summary"] if result["documents"] else {}
        print(f"  {folder}: {seconds[-1]:.1f} s, {summary.get('score')}/{summary.get('max_score')} {result['error']}")
    return seconds


def time_overheads(repeat: int) -> tuple[float, float]:
    copies, collections = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as work:
            started = time.perf_counter()
            copy_kit(KIT, Path(work) / "kit")
            copies.append(time.perf_counter() - started)
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "pytest", "exercises", "--collect-only", "-q", "-p", "no:cacheprovider"],
                cwd=Path(work) / "kit",
                capture_output=True,
                check=False,
            )
            collections.append(time.perf_counter() - started)
            shutil.rmtree(Path(work) / "kit")
    return statistics.median(copies), statistics.median(collections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4, 10, 20])
    parser.add_argument("--timeout", type=float, default=600)
    options = parser.parse_args()
    print(f"grading each submission {options.repeat} time(s) (numbers vary with the machine's load):")
    solutions = statistics.median(time_grading("solutions", options.repeat, options.timeout))
    stubs = statistics.median(time_grading("exercises", options.repeat, options.timeout))
    copy_s, collect_s = time_overheads(max(options.repeat, 3))
    print(f"\nper submission: solutions {solutions:.1f} s, stubs {stubs:.1f} s")
    print(
        f"not measurement, per submission: copying the kit {copy_s:.2f} s, "
        f"starting pytest to collect its tests {collect_s:.1f} s"
    )
    print(f"\na class of {CLASS_SIZE} (every submission complete: the slowest case; all stubs: the fastest):")
    for workers in options.workers:
        slowest, fastest = CLASS_SIZE * solutions / workers, CLASS_SIZE * stubs / workers
        print(f"  {workers:>3} grading machine(s): {slowest / 3600:5.2f} h at most, {fastest / 3600:5.2f} h at least")


if __name__ == "__main__":
    main()
