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


class CountingLock:
    """step3.count_with_lock: the shared counter's lock, which counts the outermost acquisitions made in
    processes other than ``owner`` (the learner process, which created the counter) into ``tally[0]``.

    ``counter.value`` takes the lock too, for each read and each write, but inside a held lock those are
    nested acquisitions and not counted: ``with counter.get_lock(): counter.value += 1`` counts one.
    ``tally`` is shared memory the deciding process created, so it reads the count from outside.
    """

    def __init__(self, lock, tally, owner):
        self.lock, self.tally, self.owner = lock, tally, owner
        self.depth = 0  # this process's nesting: each process has its own copy of this object

    def acquire(self, block=True, timeout=None):
        acquired = self.lock.acquire(block) if timeout is None else self.lock.acquire(block, timeout)
        if acquired:
            self.depth += 1
            if self.depth == 1 and os.getpid() != self.owner:
                self.tally[0] += 1  # the counter's lock is held: no other process changes the tally now
        return acquired

    def release(self):
        self.depth -= 1
        self.lock.release()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *_exception):
        self.release()

    def __getstate__(self):
        return {"lock": self.lock, "tally": self.tally, "owner": self.owner, "depth": 0}
