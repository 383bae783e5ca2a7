"""Common multiprocessing mistakes, recognised from the exception a test failed with, and explained
in a line or two that say what to do."""

from __future__ import annotations

import pickle
import threading
from concurrent.futures.process import BrokenProcessPool

from plugin.messages import say

SHARED_MEMORY_PREFIXES = ("psm_", "wnsm_")  # the names multiprocessing.shared_memory gives segments

PICKLING = (
    "something sent to another process could not be pickled ({error}). Lambdas and functions defined "
    "inside other functions have no importable name: define the function at module level, and fix "
    "arguments with functools.partial."
)
INHERITANCE = (
    "a Lock, Value, Array or Queue was sent as a task argument ({error}). Synchronized objects are "
    "shared only through inheritance: hand them to the workers with Pool(initializer=..., initargs=...) "
    "or Process(args=...), or use a Manager's proxies."
)
MAIN_GUARD = (
    "a child process started processes while importing the main module. Under spawn and forkserver every "
    'child imports it: put the code that starts processes under if __name__ == "__main__":'
)
NOT_TOGETHER = (
    "the tasks never ran at the same time: the test's barrier lets them through only when all of them "
    "wait at it together. Run them in parallel: start every process before joining any, or use a pool "
    "with enough workers."
)
WORKER_DIED = (
    "a worker process died abruptly ({error}): it was killed, crashed, or called os._exit(), and the "
    "pool cannot finish its tasks."
)
TIMEOUT_START = "timed out after"
TIMEOUT = (
    TIMEOUT_START + " {seconds:g} s{terminated}. A multiprocessing program that never ends usually has: "
    "a join() on a process that never finishes; a queue.get() or pool result that never comes (a worker "
    "crashed, or left with os._exit, and the pool waits forever); a join() before reading a queue that "
    "holds large results; or a lock that is never released."
)


def _chain(error: BaseException):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _is_pickling_error(error: BaseException) -> bool:
    text = str(error)
    return isinstance(error, pickle.PicklingError) or (
        isinstance(error, (AttributeError, TypeError))
        and any(mark in text for mark in ("Can't pickle", "Can't get local object", "cannot pickle"))
    )


def _is_missing_segment(error: BaseException) -> bool:
    """A shared-memory segment opened or unlinked after it was unlinked (by a worker, or twice)."""
    name = str(getattr(error, "filename", None) or "").lstrip("/")
    return isinstance(error, FileNotFoundError) and name.startswith(SHARED_MEMORY_PREFIXES)


def _worker_traceback(error: BaseException) -> str | None:
    """The traceback a pool worker sent along with its exception, without multiprocessing's own frames."""
    cause = error.__cause__
    if type(cause).__name__ != "RemoteTraceback":
        return None
    lines = str(cause).strip().strip('"').splitlines()
    kept, skipping = [], False
    for line in lines:
        if line.startswith('  File "'):
            skipping = (
                "/multiprocessing/" in line
                or "/concurrent/futures/" in line
                or ("/plugin/workers.py" in line and line.rstrip().endswith("in __call__"))  # the pool spy's wrapper
            )
        if not skipping and line.strip():
            kept.append(line)
    return "\n".join(kept)


def explain(error: BaseException) -> str | None:
    """A short explanation of a recognised mistake, or None to let pytest show the failure as usual."""
    timeouts = [str(link) for link in _chain(error) if str(link).startswith(TIMEOUT_START)]
    if timeouts:
        return timeouts[-1]  # the first timeout; later ones only interrupted the unwinding
    for link in _chain(error):
        text = f"{type(link).__name__}: {link}"
        if _is_pickling_error(link):
            return PICKLING.format(error=text)
        if isinstance(link, RuntimeError) and "through inheritance" in str(link):
            return INHERITANCE.format(error=text)
        if isinstance(link, RuntimeError) and "bootstrapping phase" in str(link):
            return MAIN_GUARD
        if isinstance(link, threading.BrokenBarrierError):
            return NOT_TOGETHER
        if isinstance(link, BrokenProcessPool):
            return WORKER_DIED.format(error=text)
        if _is_missing_segment(link):
            return say("segment_already_unlinked", error=text)
    remote = _worker_traceback(error)
    if remote is not None:
        return f"{type(error).__name__}: {error} — raised inside a worker process. The worker's traceback:\n{remote}"
    return None


WORKER_EXITED = (
    TIMEOUT_START + " {seconds:g} s{terminated}: a pool worker exited with code {codes} while it held a task, "
    "and the pool waits forever for its result. Did a task call os._exit() or sys.exit(), or crash, or does "
    'your module start processes at import time, outside if __name__ == "__main__": ?'
)


def timeout_message(seconds: float, terminated: int, worker_exit_codes=()) -> str:
    note = f", and {terminated} child process(es) were terminated" if terminated else ""
    if worker_exit_codes:
        codes = ", ".join(str(code) for code in sorted(set(worker_exit_codes)))
        return WORKER_EXITED.format(seconds=seconds, terminated=note, codes=codes)
    return TIMEOUT.format(seconds=seconds, terminated=note)
