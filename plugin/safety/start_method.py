"""The start method a session runs under: chosen once, for the whole session, never at import time."""

from __future__ import annotations

import multiprocessing

START_METHODS = ("fork", "spawn", "forkserver")


def default_start_method() -> str:
    """The start method of a learner's run and of the grading command alike, so a local done is a graded
    full mark: forkserver (spawn where there is none), which pickles every target and task argument as
    macOS and Python 3.14 do, so code that works only under fork fails here too."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def unforked_start_method() -> str:
    """This session's start method, or where it is fork, forkserver (spawn where there is none): for
    pools that must not fork a process with threads, and for graders who want every target pickled."""
    method = multiprocessing.get_start_method()
    if method != "fork":
        return method
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def apply_start_method(start_method: str) -> None:
    """Run the whole session under ``start_method`` (the grading command's unless one is chosen)."""
    multiprocessing.set_start_method(start_method, force=True)
