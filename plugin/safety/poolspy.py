"""What the learner's code asked of ``multiprocessing.Pool``, and where the tasks really ran.

Results and rendezvous pass with threads (``multiprocessing.dummy``, ``ThreadPool``) and with other
executors, so a test that asks for worker processes and a named pool method checks it here:

- ``pool_calls`` (fixture): every public ``Pool`` method the code under test calls is recorded (the
  method, the function handed over, the pool's size, the tasks and the size of the largest pickled
  task), and the function is wrapped so that each task notes the pid of the process it ran in.
  Calls the pool makes to itself (``apply`` goes through ``apply_async``) are not counted twice.
- ``OpenPools``: the pools created while a test runs, strongly held, so that a pool its code never
  closed is seen running after the test instead of being hidden by the garbage collector.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import shutil
import tempfile
import threading
from multiprocessing import pool as mp_pool
from multiprocessing import reduction
from pathlib import Path

import pytest

from plugin.messages import say
from plugin.workers import InWorker

MAPPING_METHODS = ("map", "starmap", "map_async", "starmap_async", "imap", "imap_unordered")
APPLYING_METHODS = ("apply", "apply_async")
LARGE_TASK_BYTES = 64 * 1024  # a task that carries more is carrying data, not a reference to it


@dataclasses.dataclass
class PoolCall:
    method: str
    func: object  # what the code under test handed to the pool, unwrapped
    pool_size: int
    tasks: list  # one entry per task: the item (map), the argument tuple (starmap, apply)
    largest_task_bytes: int | None  # None: a task could not be pickled (the pool will say why)
    threads: bool  # a ThreadPool: the tasks run in threads of the caller
    initializer: object  # the pool's initializer, or None


def _pickled_size(func, task) -> int | None:
    try:
        return len(reduction.ForkingPickler.dumps((func, task)))
    except Exception:  # noqa: BLE001 - unpicklable: the real call raises the learner's error
        return None


class PoolSpy(list):
    """The ``PoolCall`` of each pool method call made while installed, in call order."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder
        self._inside = threading.local()

    def worker_pids(self) -> set[int]:
        """The pids of the processes that ran at least one recorded task."""
        return {int(entry.name) for entry in self.folder.iterdir()}

    def install(self, patch: pytest.MonkeyPatch) -> None:
        for method in MAPPING_METHODS + APPLYING_METHODS:
            patch.setattr(mp_pool.Pool, method, self._spying(method, getattr(mp_pool.Pool, method)))

    def _spying(self, method: str, original):
        signature = inspect.signature(original)
        spy = self

        def call(pool, *args, **kwargs):
            if getattr(spy._inside, "depth", 0):  # the pool calling its own public methods
                return original(pool, *args, **kwargs)
            bound = signature.bind(pool, *args, **kwargs)
            func = bound.arguments["func"]
            if method in APPLYING_METHODS:
                tasks = [tuple(bound.arguments.get("args", ()))]
            else:
                tasks = list(bound.arguments["iterable"])
                bound.arguments["iterable"] = tasks
            sizes = [_pickled_size(func, task) for task in tasks]
            spy.append(
                PoolCall(
                    method=method,
                    func=func,
                    pool_size=pool._processes,
                    tasks=tasks,
                    largest_task_bytes=None if None in sizes else max(sizes, default=0),
                    threads=isinstance(pool, mp_pool.ThreadPool),
                    initializer=pool._initializer,
                )
            )
            bound.arguments["func"] = InWorker(func, str(spy.folder))
            spy._inside.depth = 1
            try:
                return original(*bound.args, **bound.kwargs)
            finally:
                spy._inside.depth = 0

        return call

    def expect(
        self,
        methods: str | tuple[str, ...],
        *,
        calls: int | None = None,
        pool_size: int | None = None,
        tasks_per_call: int | None = None,
        references_only: bool = False,
    ) -> list[PoolCall]:
        """Assert that ``methods`` of a process pool did all the work, in worker processes; return the calls.

        ``calls``: how many calls; ``pool_size``: the size every pool must have; ``tasks_per_call``:
        how many tasks each call hands over; ``references_only``: no task carries more than
        ``LARGE_TASK_BYTES`` once pickled (paths and names, not pixels or arrays).
        """
        methods = (methods,) if isinstance(methods, str) else methods
        wanted = " or ".join(f"Pool.{name}" for name in methods)
        assert self, say("poolspy.not_used", wanted=wanted)
        assert not any(call.threads for call in self), say("poolspy.threads", wanted=wanted)
        used = sorted({call.method for call in self} - set(methods))
        assert not used, say("poolspy.wrong_method", used=", ".join(f"Pool.{name}" for name in used), wanted=wanted)
        if calls is not None:
            assert len(self) == calls, say("poolspy.call_count", count=len(self), wanted=wanted, expected=calls)
        if pool_size is not None:
            sizes = sorted({call.pool_size for call in self})
            assert sizes == [pool_size], say("poolspy.size", sizes=sizes, expected=pool_size)
        if tasks_per_call is not None:
            counts = [len(call.tasks) for call in self]
            assert set(counts) == {tasks_per_call}, say("poolspy.task_count", counts=counts, expected=tasks_per_call)
        if references_only:
            largest = max(call.largest_task_bytes or 0 for call in self)
            assert largest < LARGE_TASK_BYTES, say("poolspy.large_task", size=largest)
        pids = self.worker_pids()
        assert pids, say("poolspy.no_task_ran", wanted=wanted)
        assert os.getpid() not in pids, say("poolspy.ran_here", wanted=wanted)
        return list(self)


@pytest.fixture
def pool_calls():
    """The calls made to ``multiprocessing.Pool`` methods during the test, and where their tasks ran:
    ``pool_calls.expect("map", pool_size=3)`` after the code under test returned."""
    folder = Path(tempfile.mkdtemp(prefix="parallel-lab-pids-"))
    spy = PoolSpy(folder)
    try:
        with pytest.MonkeyPatch.context() as patch:
            spy.install(patch)
            yield spy
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class OpenPools:
    """The pools created while installed; ``still_running()`` ends the ones nobody closed."""

    def __init__(self) -> None:
        self._pools: list[mp_pool.Pool] = []
        self._original = mp_pool.Pool.__init__

    def install(self) -> None:
        original, pools = self._original, self._pools

        def tracking_init(pool, *args, **kwargs):
            pools.append(pool)  # held: a pool nobody closed must not be collected before it is seen
            original(pool, *args, **kwargs)

        mp_pool.Pool.__init__ = tracking_init

    def uninstall(self) -> None:
        mp_pool.Pool.__init__ = self._original

    def still_running(self) -> int:
        """How many of the pools were never closed nor terminated; each is terminated now."""
        running = [pool for pool in self._pools if getattr(pool, "_state", None) == mp_pool.RUN]
        for pool in running:
            pool.terminate()
        self._pools.clear()
        return len(running)
