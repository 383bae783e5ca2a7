"""The session's multiprocessing start method, and the helper processes the plugin itself owns."""

from __future__ import annotations

import multiprocessing
import multiprocessing.managers

from plugin.settings import LabSettings

RENDEZVOUS_TIMEOUT_S = 5.0


def apply_start_method(settings: LabSettings) -> None:
    """Run the whole session under the chosen start method; without one, Python's default stands."""
    if settings.start_method is not None:
        multiprocessing.set_start_method(settings.start_method, force=True)


class RendezvousService:
    """One manager process per session, serving barriers that pool tasks can receive as arguments.

    A plain ``multiprocessing.Barrier`` is shared only through inheritance; a manager's barrier proxy
    pickles, so it can travel in ``Pool.map`` arguments under every start method.
    """

    def __init__(self) -> None:
        self._manager: multiprocessing.managers.SyncManager | None = None

    def barrier(self, parties: int, timeout: float = RENDEZVOUS_TIMEOUT_S):
        if self._manager is None:
            self._manager = multiprocessing.Manager()
        return self._manager.Barrier(parties, timeout=timeout)

    @property
    def pid(self) -> int | None:
        return self._manager._process.pid if self._manager is not None else None

    def shutdown(self) -> None:
        if self._manager is not None:
            self._manager.shutdown()
            self._manager = None
