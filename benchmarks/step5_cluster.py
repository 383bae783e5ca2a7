"""Step 5's cost, measured: ``python benchmarks/step5_cluster.py [ROUNDS]`` from the kit's root.

1. What step 5 adds to ``pytest exercises --solutions``: the run with and without exercises/step5.
2. Under ``-n 2``: one embedded LocalCluster per xdist worker (what the kit does) against one cluster
   shared by both xdist workers (a LocalCluster started here, passed with ``--dask-scheduler``).

Runs are interleaved and repeated; the median of each is printed. On a shared machine the figures
are only as quiet as the machine.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# --no-speedup: a speedup verdict that a busy machine turns into a failure must not end the benchmark.
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--solutions", "--no-speedup"]


def seconds(args: list[str]) -> float:
    started = time.perf_counter()
    completed = subprocess.run([*PYTEST, *args], cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    print(f"{elapsed:6.1f} s  pytest {' '.join(args)}", flush=True)
    if completed.returncode != 0:
        sys.exit(f"pytest {' '.join(args)} failed:\n{completed.stdout[-2000:]}")
    return elapsed


def median_of(label: str, times: list[float]) -> None:
    print(f"{label:<52} median {statistics.median(times):6.1f} s   runs {', '.join(f'{t:.1f}' for t in times)}")


def main(rounds: int) -> None:
    import logging

    from distributed import LocalCluster

    logging.getLogger("distributed").setLevel(logging.CRITICAL)  # the shared cluster's task errors are the tests'

    with_step5, without_step5, per_worker, shared = [], [], [], []
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as cluster:
        for _ in range(rounds):
            with_step5.append(seconds(["exercises"]))
            without_step5.append(seconds(["exercises", "--ignore=exercises/step5"]))
            per_worker.append(seconds(["exercises/step5", "-n", "2"]))
            shared.append(seconds(["exercises/step5", "-n", "2", f"--dask-scheduler={cluster.scheduler_address}"]))
    median_of("pytest exercises --solutions", with_step5)
    median_of("pytest exercises --solutions --ignore=exercises/step5", without_step5)
    print(f"{'step 5 adds':<52} median {statistics.median(with_step5) - statistics.median(without_step5):6.1f} s")
    median_of("step 5, -n 2, one LocalCluster per xdist worker", per_worker)
    median_of("step 5, -n 2, one shared cluster (started beforehand)", shared)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
