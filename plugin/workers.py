"""Picklable helpers that exercise tests hand to the learner's code.

They live at module level in a module that imports nothing of the learner's, so a child process of
any start method can import them by reference.
"""

from __future__ import annotations

import os
from pathlib import Path


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


def note_pid(folder, *_args):
    """Leave a file named after the pid of the process that runs this in ``folder``: the test reads
    the folder afterwards to see which processes did the work (and that the caller was not one)."""
    (Path(folder) / str(os.getpid())).touch()


class InWorker:
    """``func``, which first notes the pid of the process it runs in (see ``note_pid``).

    The pool spy hands this to the pool in place of the learner's function; it pickles by reference
    under every start method, and pickling fails exactly where ``func`` itself would.
    """

    def __init__(self, func, folder):
        self.func = func
        self.folder = folder

    def __call__(self, *args, **kwargs):
        note_pid(self.folder)
        return self.func(*args, **kwargs)
