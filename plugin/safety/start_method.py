"""The start method a session runs under: chosen once, for the whole session, never at import time."""

from __future__ import annotations

import multiprocessing

START_METHODS = ("fork", "spawn", "forkserver")


def unforked_start_method() -> str:
    """This session's start method, or where it is fork, forkserver (spawn where there is none): for
    pools that must not fork a process with threads, and for graders who want every target pickled."""
    method = multiprocessing.get_start_method()
    if method != "fork":
        return method
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def apply_start_method(start_method: str | None) -> None:
    """Run the whole session under ``start_method``; without one, Python's default stands."""
    if start_method is not None:
        multiprocessing.set_start_method(start_method, force=True)
