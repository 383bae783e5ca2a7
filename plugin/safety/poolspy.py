"""What the learner's code asked of ``multiprocessing.Pool``, and where the tasks really ran.

Results and rendezvous pass with threads (``multiprocessing.dummy``, ``ThreadPool``) and with other
executors, so a test that asks for worker processes and a named pool method checks it here:

- ``PoolSpy``, installed in the learner process: every public ``Pool`` method the code under test calls
  is recorded (the method, the function handed over, the pool's size, the tasks and the size of the
  largest pickled task), and the function is wrapped so that each task notes the pid of the process it
  ran in. Calls the pool makes to itself (``apply`` goes through ``apply_async``) are not counted twice.
- ``pool_calls`` (fixture), in the deciding process: the spy's records as plain data (``CallRecord``),
  and the pids the tasks noted, which must belong to processes seen in the learner's tree.
- ``OpenPools``: the pools created while a test runs, strongly held, so that a pool its code never
  closed is seen running after the test instead of being hidden by the garbage collector.
"""

from __future__ import annotations

import dataclasses
import functools
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

    def plain(self) -> dict:
        """This call as plain data, for the deciding process."""
        return {
            "method": self.method,
            "func": describe(self.func),
            "func_id": id(self.func),
            "pool_size": self.pool_size,
            "tasks": [_plain_or_repr(task) for task in self.tasks],
            "largest_task_bytes": self.largest_task_bytes,
            "threads": self.threads,
            "initializer": None if self.initializer is None else describe(self.initializer),
        }


@dataclasses.dataclass(frozen=True)
class CallRecord:
    """A ``PoolCall`` as the deciding process sees it: ``func`` and ``initializer`` as ``describe`` gives
    them, ``func_id`` the function's ``id()`` in the learner process."""

    method: str
    func: object
    func_id: int
    pool_size: int
    tasks: list
    largest_task_bytes: int | None
    threads: bool
    initializer: object


def describe(func) -> object:
    """A function as plain data that both processes compute alike: ``step.module.name`` (whatever package
    the learner's module was imported from), and a ``functools.partial`` as its parts."""
    if isinstance(func, functools.partial):
        return {
            "partial": describe(func.func),
            "args": [_plain_or_repr(arg) for arg in func.args],
            "keywords": {key: _plain_or_repr(value) for key, value in func.keywords.items()},
        }
    module = getattr(func, "__module__", None) or ""
    parts = module.split(".")
    if len(parts) == 3 and parts[1].startswith("step"):
        module = ".".join(parts[1:])
    return f"{module}.{getattr(func, '__qualname__', type(func).__qualname__)}"


def _plain_or_repr(value):
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_plain_or_repr(item) for item in value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return repr(value)


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

    def expect(self, methods, **wanted) -> list[PoolCall]:
        """``check_calls`` on this spy's calls, in this process (the spy's own tests)."""
        records = [CallRecord(**call.plain()) for call in self]
        check_calls(records, self.worker_pids(), {os.getpid()}, None, methods, **wanted)
        return list(self)


def check_calls(
    records: list[CallRecord],
    worker_pids: set[int],
    caller_pids: set[int],
    seen_pids: set[int] | None,
    methods: str | tuple[str, ...],
    *,
    calls: int | None = None,
    pool_size: int | None = None,
    tasks_per_call: int | None = None,
    references_only: bool = False,
) -> None:
    """Assert that ``methods`` of a process pool did all the work, in worker processes.

    ``calls``: how many calls; ``pool_size``: the size every pool must have; ``tasks_per_call``: how
    many tasks each call hands over; ``references_only``: no task carries more than ``LARGE_TASK_BYTES``
    once pickled (paths and names, not pixels or arrays). ``caller_pids``: processes the tasks must not
    have run in; ``seen_pids``: the processes seen in the learner's tree, which every worker must be.
    """
    methods = (methods,) if isinstance(methods, str) else methods
    wanted = " or ".join(f"Pool.{name}" for name in methods)
    assert records, say("poolspy.not_used", wanted=wanted)
    assert not any(call.threads for call in records), say("poolspy.threads", wanted=wanted)
    used = sorted({call.method for call in records} - set(methods))
    assert not used, say("poolspy.wrong_method", used=", ".join(f"Pool.{name}" for name in used), wanted=wanted)
    if calls is not None:
        assert len(records) == calls, say("poolspy.call_count", count=len(records), wanted=wanted, expected=calls)
    if pool_size is not None:
        sizes = sorted({call.pool_size for call in records})
        assert sizes == [pool_size], say("poolspy.size", sizes=sizes, expected=pool_size)
    if tasks_per_call is not None:
        counts = [len(call.tasks) for call in records]
        assert set(counts) == {tasks_per_call}, say("poolspy.task_count", counts=counts, expected=tasks_per_call)
    if references_only:
        largest = max(call.largest_task_bytes or 0 for call in records)
        assert largest < LARGE_TASK_BYTES, say("poolspy.large_task", size=largest)
    assert worker_pids, say("poolspy.no_task_ran", wanted=wanted)
    assert not worker_pids & caller_pids, say("poolspy.ran_here", wanted=wanted)
    if seen_pids is not None:
        assert worker_pids <= seen_pids, say("poolspy.unknown_workers", pids=sorted(worker_pids - seen_pids))


# The learner process's spy, installed there by ``install_spy`` and read by ``spied_calls``.
_installed: PoolSpy | None = None


def install_spy(folder: str) -> None:
    global _installed
    _installed = PoolSpy(Path(folder))
    _installed.install(pytest.MonkeyPatch())  # undone with the learner process itself


def spied_calls() -> list[dict]:
    return [call.plain() for call in _installed] if _installed is not None else []


def _record(entry) -> CallRecord:
    """A record from the learner process, checked field by field: it is untrusted."""
    fields = {field.name: field.type for field in dataclasses.fields(CallRecord)}
    if not isinstance(entry, dict) or set(entry) != set(fields):
        raise AssertionError(say("poolspy.malformed"))
    if not (isinstance(entry["method"], str) and isinstance(entry["pool_size"], int)):
        raise AssertionError(say("poolspy.malformed"))
    if not isinstance(entry["tasks"], list) or not isinstance(entry["threads"], bool):
        raise AssertionError(say("poolspy.malformed"))
    return CallRecord(**entry)


class PoolCalls:
    """The ``pool_calls`` fixture's object: the learner process's pool calls, read when asked."""

    def __init__(self, learner, folder: Path):
        self.learner = learner
        self.folder = folder

    def records(self) -> list[CallRecord]:
        return [_record(entry) for entry in self.learner.run(spied_calls)]

    def worker_pids(self) -> set[int]:
        """The pids the tasks noted (read from outside, in a folder of the deciding process's)."""
        return {int(entry.name) for entry in self.folder.iterdir() if entry.name.isdigit()}

    def expect(self, methods, **wanted) -> list[CallRecord]:
        """Assert that ``methods`` of a process pool did all the work, in worker processes of the learner
        process (see ``check_calls``); return the calls."""
        records = self.records()
        caller_pids = {os.getpid(), self.learner.pid}
        check_calls(records, self.worker_pids(), caller_pids, self.learner.seen, methods, **wanted)
        return records


@pytest.fixture
def pool_calls(learner):
    """The calls the learner's code makes to ``multiprocessing.Pool`` methods during the test, and where
    their tasks ran: ``pool_calls.expect("map", pool_size=3)`` after the code under test returned."""
    folder = Path(tempfile.mkdtemp(prefix="parallel-lab-pids-"))
    folder.chmod(0o777)  # the learner process may run as another account
    learner.install(install_spy, str(folder))
    try:
        yield PoolCalls(learner, folder)
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
