"""A learner process's first pool under forkserver: with the warm forkserver (plugin.boundary.warm_forkserver,
forked from the learner process) against multiprocessing's own (a new interpreter importing NumPy).

Each try forks a fresh process from this one, which has imported what a learner process has (the kit's
learner server, NumPy, pytest), as the kit's forkserver does; it starts a pool of two workers, maps one
task to each and closes the pool. The two kinds alternate, so that load changes hit both alike.

Usage: python benchmarks/first_pool.py [TRIES]   (from the kit's root, with its venv's python; Linux)
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import time

import plugin.boundary.server  # noqa: F401 - what a learner process has imported when it starts
from plugin.boundary import server, warm_forkserver


def first_pool(warm: bool, report) -> None:
    multiprocessing.set_start_method("forkserver", force=True)
    multiprocessing.set_forkserver_preload(server.LEARNER_PRELOAD)
    started = time.perf_counter()
    if warm and warm_forkserver.start() is None:
        raise SystemExit("this Python's forkserver is not the one warm_forkserver knows")
    with multiprocessing.Pool(2) as pool:
        pool.map(abs, range(2), chunksize=1)
    os.write(report, f"{time.perf_counter() - started}\n".encode())


def timed_in_a_child(warm: bool) -> float:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            first_pool(warm, write)
        except BaseException:  # noqa: BLE001 - the parent reports the failed try
            code = 1
        os._exit(code)
    os.close(write)
    with os.fdopen(read) as answer:
        text = answer.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not text:
        raise SystemExit(f"a {'warm' if warm else 'stock'} try failed")
    return float(text)


def main() -> None:
    tries = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(tries):
        for warm in (False, True):
            times[warm].append(timed_in_a_child(warm))
    for warm, label in ((False, "multiprocessing's forkserver"), (True, "warm forkserver")):
        values = times[warm]
        print(f"{label:30} first pool of two: median {statistics.median(values):.3f} s, min {min(values):.3f} s")
    print(f"saved per test that makes a pool: {statistics.median(times[False]) - statistics.median(times[True]):.3f} s")


if __name__ == "__main__":
    main()
