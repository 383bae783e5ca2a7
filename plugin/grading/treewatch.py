"""Processes forked straight from the test run, seen from the grading process.

Under forkserver and spawn, every worker the kit's tests start is either forked by the forkserver or
runs a fresh interpreter with multiprocessing's own command line; the test run itself never forks a
copy of itself. A direct child of the test run with the test run's own program and command line is
therefore one that ``set_start_method("fork", force=True)`` (or ``os.fork``) made: code that works
only under fork would earn points it does not earn under the grading rules.

The watch is sampled from outside (learner code cannot hide from it or patch it) while the child runs.
A copy counts once it has kept the test run's command line for CONFIRM_S: a process the test run starts
with fork + exec (the forkserver, the resource tracker, every spawn worker) shows the same command line
until its exec, which on a loaded machine can take tens of milliseconds, so a short-lived copy is not
told apart from such a start and goes unseen (the README says so).
"""

from __future__ import annotations

import os
import sys
import time

import psutil

SAMPLE_S = 0.1
CONFIRM_S = 1.0  # far longer than any exec takes, even on a machine loaded many times over


class ForkWatch:
    def __init__(self, pid: int):
        self._root = psutil.Process(pid)
        self._linux_tasks = f"/proc/{pid}/task" if sys.platform.startswith("linux") else None
        self._sighted: dict[tuple[int, float], float] = {}  # copies seen at the last sample: since when
        self.forked: set[tuple[int, float]] = set()  # (pid, start time) of each confirmed copy
        self.interval = SAMPLE_S

    def _children(self) -> list[int]:
        """The direct children: on Linux from one small file per thread, elsewhere by psutil's scan of
        every process of the machine."""
        if self._linux_tasks is None:
            return [child.pid for child in self._root.children()]
        pids = []
        for task in os.listdir(self._linux_tasks):
            try:
                with open(f"{self._linux_tasks}/{task}/children", encoding="ascii") as listing:
                    pids += [int(pid) for pid in listing.read().split()]
            except FileNotFoundError:  # the thread ended since it was listed
                continue
        return pids

    def sample(self) -> None:
        """Look once; never raises once the test run has ended or is out of reach."""
        try:
            root_cmdline = self._root.cmdline()
            children = self._children()
        except (psutil.Error, OSError):
            return
        now, seen = time.monotonic(), {}
        for pid in children:
            try:
                child = psutil.Process(pid)
                key = (pid, child.create_time())
                cmdline = child.cmdline()
            except psutil.Error:
                continue
            if cmdline != root_cmdline:
                continue
            seen[key] = self._sighted.get(key, now)
            if now - seen[key] >= CONFIRM_S:
                self.forked.add(key)
        self._sighted = seen  # one gone or exec'd since the last look starts over
