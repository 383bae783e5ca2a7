"""Common multiprocessing mistakes, recognised from the exception a test failed with, and explained
in a line or two that say what to do (the sentences are messages ``failure.*`` and ``timeout*``)."""

from __future__ import annotations

import gc
import pickle
import threading
from concurrent.futures.process import BrokenProcessPool

from plugin.messages import say

TIMED_OUT = "lab_timed_out"  # attribute the hang guard sets on the failure it raises
SHARED_MEMORY_PREFIXES = ("psm_", "wnsm_")  # the names multiprocessing.shared_memory gives segments


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


def _recognised(link: BaseException) -> str | None:
    text = f"{type(link).__name__}: {link}"
    if _is_pickling_error(link):
        return say("failure.pickling", error=text)
    if isinstance(link, RuntimeError) and "through inheritance" in str(link):
        return say("failure.inheritance", error=text)
    if isinstance(link, RuntimeError) and "bootstrapping phase" in str(link):
        return say("failure.main_guard")
    if isinstance(link, threading.BrokenBarrierError):
        return say("failure.not_together")
    if isinstance(link, BrokenProcessPool):
        return say("failure.worker_died", error=text)
    if isinstance(link, AssertionError) and "result_hander not alive" in str(link):  # sic, Lib/multiprocessing/pool.py
        return say("failure.callback_raised", failure=text)
    if _is_missing_segment(link):
        return say("failure.segment_already_unlinked", error=text)
    return None


def explain(error: BaseException) -> str | None:
    """A short explanation of a recognised mistake, or None to let pytest show the failure as usual."""
    told = getattr(error, "lab_explanation", None)  # explained in the learner process, where it was raised
    if isinstance(told, str):
        return told
    timeouts = [str(link) for link in _chain(error) if getattr(link, TIMED_OUT, False)]
    if timeouts:
        return timeouts[-1]  # the first timeout; later ones only interrupted the unwinding
    for link in _chain(error):
        explanation = _recognised(link)
        if explanation is not None:
            return explanation
    remote = _worker_traceback(error)
    if remote is not None:
        return say("failure.in_worker", error=f"{type(error).__name__}: {error}", traceback=remote)
    return None


def callback_raised_in_a_pool() -> bool:
    """True when a running pool holds an apply_async result that arrived but was never completed: its
    callback raised (Lib/multiprocessing/pool.py: ApplyResult._set stores the outcome, calls the
    callback, and only then completes the result; the exception either kills the result-handler thread
    or, a KeyError, is swallowed by it)."""
    from multiprocessing.pool import ApplyResult, MapResult, Pool

    def stranded(pool: Pool) -> bool:
        if not any(worker.is_alive() for worker in getattr(pool, "_pool", ())):
            return False  # a pool that is gone waits for nothing
        return any(
            isinstance(result, ApplyResult)
            and not isinstance(result, MapResult)
            and hasattr(result, "_success")
            and not result.ready()
            for result in list(pool._cache.values())
        )

    return any(isinstance(obj, Pool) and stranded(obj) for obj in gc.get_objects())


def timeout_message(seconds: float, terminated: int, worker_exit_codes=(), callback_raised=False) -> str:
    note = say("timeout.terminated", count=terminated) if terminated else ""
    if callback_raised:
        return say("failure.callback_raised", failure=say("timeout.callback", seconds=seconds, terminated=note))
    if worker_exit_codes:
        codes = ", ".join(str(code) for code in sorted(set(worker_exit_codes)))
        return say("timeout.worker_exited", seconds=seconds, terminated=note, codes=codes)
    return say("timeout", seconds=seconds, terminated=note)
