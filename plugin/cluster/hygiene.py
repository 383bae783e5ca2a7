"""Between tests, the embedded cluster's workers as the deciding process sees them (psutil, never what a
worker reports): a task may leave a thread, a process or a busy loop in the worker that ran it, which would
then run on through the tests that follow. Such a worker is restarted before the next test uses the
cluster; a clean one is not (a restart costs about two seconds).

A worker's steady state is taken once it is up and has run a task (a worker starts its task thread on
first use): its thread count, and the processes under it (none). Between tests, a worker is soiled when
it has more threads or processes than then, or when it burned more than ``BURN_SHARE`` of a core while
no test ran (between the end of one test that used the cluster and the start of the next).
"""

from __future__ import annotations

import dataclasses
import os
import time

import psutil

from plugin.safety.process_tree import descendants_of, is_multiprocessing_helper, terminate

BURN_SHARE = 0.25  # an idle worker uses about 5% of a core (heartbeats, its profiler); a busy one on a
# loaded machine gets well under all of one
BURN_FLOOR_S = 0.002  # less is a worker finishing what the last test asked (forgetting its results)


@dataclasses.dataclass(frozen=True)
class Steady:
    threads: int
    processes: int


def worker_processes(cluster_pid: int) -> list[psutil.Process]:
    """The worker processes of the embedded cluster: the children of its process (which runs the
    scheduler and the nannies), but multiprocessing's helpers."""
    try:
        children = psutil.Process(cluster_pid).children()
    except psutil.Error:
        return []
    return [child for child in children if not is_multiprocessing_helper(child)]


def _cpu_s(process: psutil.Process) -> float | None:
    """The CPU time of ``process``'s live threads, in nanoseconds' resolution where Linux gives it (the
    window between two tests is a few milliseconds; psutil counts in 10 ms ticks there)."""
    try:
        threads = os.listdir(f"/proc/{process.pid}/task")
    except OSError:
        threads = None
    if threads is not None:
        total = 0
        for thread in threads:
            try:
                with open(f"/proc/{process.pid}/task/{thread}/schedstat") as schedstat:
                    total += int(schedstat.read().split()[0])
            except (OSError, ValueError, IndexError):
                continue
        return total / 1e9
    try:
        times = process.cpu_times()
    except psutil.Error:
        return None
    return times.user + times.system


class WorkerHygiene:
    """The steady state of each worker process, and its CPU time when the cluster last went idle."""

    def __init__(self):
        self.steady: dict[int, Steady] = {}
        self._idle_since: float | None = None
        self._idle_cpu: dict[int, float] = {}

    def unknown(self, workers: list[psutil.Process]) -> bool:
        """Whether some worker is new (the cluster just started, or a nanny replaced a worker)."""
        return any(worker.pid not in self.steady for worker in workers)

    def take_steady(self, workers: list[psutil.Process]) -> None:
        """Note each worker's state now: call once every worker has run a task."""
        steady = {}
        for worker in workers:
            try:
                steady[worker.pid] = Steady(worker.num_threads(), len(descendants_of(worker)))
            except psutil.Error:
                continue
        self.steady = steady
        self._idle_since = None

    def went_idle(self, workers: list[psutil.Process]) -> None:
        """A test that used the cluster ended: its CPU times from now on are burned while no test runs."""
        self._idle_since = time.monotonic()
        self._idle_cpu = {worker.pid: cpu for worker in workers if (cpu := _cpu_s(worker)) is not None}

    def soiled(self, workers: list[psutil.Process]) -> list[psutil.Process]:
        """The workers seen steady that are no longer as they were then."""
        window = time.monotonic() - self._idle_since if self._idle_since is not None else 0.0
        soiled = []
        for worker in workers:
            steady = self.steady.get(worker.pid)
            if steady is None:
                continue  # new: its steady state is taken next
            try:
                threads = worker.num_threads()
            except psutil.Error:
                continue
            cpu, before = _cpu_s(worker), self._idle_cpu.get(worker.pid)
            burned = cpu is not None and before is not None and cpu - before > max(BURN_SHARE * window, BURN_FLOOR_S)
            if threads > steady.threads or len(descendants_of(worker)) > steady.processes or burned:
                soiled.append(worker)
        return soiled

    def end_what_they_started(self, workers: list[psutil.Process]) -> None:
        """The processes under the workers: a restart ends a worker, not what it started."""
        terminate([p for worker in workers for p in descendants_of(worker)])
