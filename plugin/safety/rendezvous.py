"""Barriers that prove concurrency: only tasks running at the same time can all pass one."""

from __future__ import annotations

import multiprocessing
import multiprocessing.managers

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
            self._manager = multiprocessing.get_context(unforked_start_method()).Manager()
            plugin_pids.add(self._manager._process.pid)
        return self._manager.Barrier(parties, timeout=timeout)

    def shutdown(self) -> None:
        if self._manager is not None:
            plugin_pids.discard(self._manager._process.pid)
            self._manager.shutdown()
            self._manager = None
