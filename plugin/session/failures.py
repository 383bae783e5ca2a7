"""Common multiprocessing mistakes, recognised from the exception a test failed with, and explained
in a line or two that say what to do (the sentences are messages ``failure.*`` and ``timeout*``)."""

from __future__ import annotations

import pickle
import threading
from concurrent.futures.process import BrokenProcessPool

from plugin.messages import say

TIMED_OUT = "lab_timed_out"  # attribute the hang guard sets on the failure it raises


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


def _worker_traceback(error: BaseException) -> str | None:
    """The traceback a pool worker sent along with its exception, without multiprocessing's own frames."""
    cause = error.__cause__
    if type(cause).__name__ != "RemoteTraceback":
        return None
    lines = str(cause).strip().strip('"').splitlines()
    kept, skipping = [], False
    for line in lines:
        if line.startswith('  File "'):
            skipping = "/multiprocessing/" in line or "/concurrent/futures/" in line
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
    return None


def explain(error: BaseException) -> str | None:
    """A short explanation of a recognised mistake, or None to let pytest show the failure as usual."""
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


def timeout_message(seconds: float, terminated: int, worker_exit_codes=()) -> str:
    note = say("timeout.terminated", count=terminated) if terminated else ""
    if worker_exit_codes:
        codes = ", ".join(str(code) for code in sorted(set(worker_exit_codes)))
        return say("timeout.worker_exited", seconds=seconds, terminated=note, codes=codes)
    return say("timeout", seconds=seconds, terminated=note)
