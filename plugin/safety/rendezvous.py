"""Barriers that prove concurrency: only tasks running at the same time can all pass one."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import multiprocessing.managers
import os
import threading

from plugin.safety.process_tree import plugin_pids
from plugin.safety.start_method import unforked_start_method

RENDEZVOUS_TIMEOUT_S = 5.0


class RendezvousService:
    """One manager process per session, serving barriers that pool tasks can receive as arguments.

    A plain ``multiprocessing.Barrier`` is shared only through inheritance; a manager's barrier proxy
    pickles, so it can travel in ``Pool.map`` arguments under every start method.
    """

    def __init__(self) -> None:
        self._manager: multiprocessing.managers.SyncManager | None = None

    def barrier(self, parties: int, timeout: float = RENDEZVOUS_TIMEOUT_S):
        if self._manager is None:
            # Never forked from this process, which runs threads (xdist's, a Dask client's): a child forked
            # while one of them holds a lock can hang.
            context = multiprocessing.get_context(unforked_start_method())
            self._manager = multiprocessing.managers.SyncManager(ctx=context)
            self._manager.start(_end_with_the_process_that_started_it)
            plugin_pids.add(self._manager._process.pid)
        return self._manager.Barrier(parties, timeout=timeout)

    def shutdown(self) -> None:
        if self._manager is not None:
            plugin_pids.discard(self._manager._process.pid)
            self._manager.shutdown()
            self._manager = None


def _end_with_the_process_that_started_it() -> None:
    """In the manager's process: end it as soon as the process that started it has ended, however that
    ended (an xdist worker whose controller was killed never shuts its manager down, which would then
    outlive the run)."""
    started_it = multiprocessing.parent_process().sentinel  # ready once that process has ended

    def watch() -> None:
        multiprocessing.connection.wait([started_it])
        os._exit(0)

    threading.Thread(target=watch, name="ends-with-its-starter", daemon=True).start()
