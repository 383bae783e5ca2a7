"""Picklable helpers that exercise tests hand to the learner's code.

They live at module level in a module that imports nothing of the learner's, so a child process of
any start method can import them by reference.
"""

from __future__ import annotations

import os


def wait_at_barrier(barrier, value):
    """Wait until every party has arrived, then return ``value``.

    Only tasks that run at the same time can all pass; a sequential implementation breaks the barrier.
    """
    barrier.wait()
    return value


def pid_at_barrier(barrier, _item):
    """Wait at the barrier, then return the pid of the process that ran this task."""
    barrier.wait()
    return os.getpid()


def pid_of(_item):
    return os.getpid()


def cpu_work(loops):
    """Pure-Python CPU-bound work: the task of the speedup tests that need a function to run."""
    total = 0
    for i in range(loops):
        total += i * i % 7
    return total
