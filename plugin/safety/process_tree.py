"""This process's descendants, apart from the helpers the plugin and multiprocessing run themselves,
and how to end them."""

from __future__ import annotations

import multiprocessing
import os

import psutil

TERMINATE_GRACE_S = 1.0
# The command lines multiprocessing's helper processes run (Lib/multiprocessing/forkserver.py, resource_tracker.py).
HELPER_MARKS = ("multiprocessing.forkserver import main", "multiprocessing.resource_tracker import main")
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h

# Pids of the helper processes the plugin itself runs: never a learner's leak.
plugin_pids: set[int] = set()
# Callables naming more of them as they change (step 5's cluster workers, replaced when one dies).
helper_pid_sources: list = []


def helper_pids() -> set[int]:
    """The plugin's helpers and multiprocessing's own: the forkserver and the resource tracker."""
    from multiprocessing import forkserver, resource_tracker

    pids = set(plugin_pids).union(*(source() for source in helper_pid_sources))
    pids.add(getattr(forkserver._forkserver, "_forkserver_pid", None))
    pids.add(getattr(resource_tracker._resource_tracker, "_pid", None))
    pids.discard(None)
    return pids


def is_multiprocessing_helper(process: psutil.Process) -> bool:
    """A forkserver or resource tracker, whoever started it (this process, a learner process, a Python
    program a test ran, whose helpers this subreaper adopts as they wind down): it ends by itself.

    Told by its command line only where that line is its own (it exec'ed it): a process forked from a
    forkserver, or from a learner process that itself came from one, inherits the same line."""
    try:
        command = process.cmdline()
        parent = process.parent()
        forked = parent is not None and parent.cmdline() == command
    except psutil.Error:
        return False
    return not forked and any(mark in " ".join(command) for mark in HELPER_MARKS)


def descendants_of(process: psutil.Process) -> list[psutil.Process]:
    """``process``'s descendants but multiprocessing's helpers (empty when it is gone)."""
    try:
        tree = process.children(recursive=True)
    except psutil.Error:
        return []
    return [p for p in tree if not is_multiprocessing_helper(p)]


def descendants() -> list[psutil.Process]:
    """This process's descendants but the plugin's helpers and multiprocessing's."""
    helpers = helper_pids()
    return [p for p in descendants_of(psutil.Process()) if p.pid not in helpers]


def terminate(processes: list[psutil.Process]) -> None:
    for process in processes:
        try:
            process.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(processes, timeout=TERMINATE_GRACE_S)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=TERMINATE_GRACE_S)
    multiprocessing.active_children()  # lets multiprocessing reap the ones it started
    for process in processes:
        try:
            os.waitpid(process.pid, os.WNOHANG)
        except (ChildProcessError, OSError):
            pass


def terminate_everything() -> int:
    """End every process this one started (but multiprocessing's forkserver and resource tracker,
    which end with this process): the end of a session."""
    left = descendants()
    terminate(left)
    return len(left)


def become_subreaper() -> None:
    """Orphans of this process's descendants (a double fork) become this process's children rather than
    init's, so they stay in the tree that is watched and ended (Linux only; elsewhere nothing changes)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass
