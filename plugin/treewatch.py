"""Processes forked straight from the test run, seen from the grading process.

Under forkserver and spawn, every worker the kit's tests start is either forked by the forkserver or
runs a fresh interpreter with multiprocessing's own command line; the test run itself never forks a
copy of itself. A direct child of the test run with the test run's own program and command line is
therefore one that ``set_start_method("fork", force=True)`` (or ``os.fork``) made: code that works
only under fork would earn points it does not earn under the grading rules.

The watch is sampled from outside (learner code cannot hide from it or patch it) while the child runs.
A sighting is confirmed at a later sample, still alive with the same start time and command line, so
the instant between a ``subprocess`` fork and its ``exec`` is never mistaken for one.
"""

from __future__ import annotations

import os
import sys

import psutil

SAMPLE_S = 0.02  # Linux reads one small /proc file per thread of the test run
SAMPLE_S_PORTABLE = 0.1  # elsewhere psutil scans every process of the machine


class ForkWatch:
    def __init__(self, pid: int):
        self._root = psutil.Process(pid)
        self._linux_tasks = f"/proc/{pid}/task" if sys.platform.startswith("linux") else None
        self._sighted: set[tuple[int, float]] = set()  # copies seen at the last sample
        self.forked: set[tuple[int, float]] = set()  # (pid, start time) of each confirmed copy
        self.interval = SAMPLE_S if self._linux_tasks else SAMPLE_S_PORTABLE

    def _children(self) -> list[int]:
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
        seen = set()
        for pid in children:
            try:
                child = psutil.Process(pid)
                key = (pid, child.create_time())
                cmdline = child.cmdline()
            except psutil.Error:
                continue
            if cmdline != root_cmdline:
                continue
            if key in self._sighted:
                self.forked.add(key)
            seen.add(key)
        self._sighted = seen  # one gone or exec'd before a second look is not confirmed
