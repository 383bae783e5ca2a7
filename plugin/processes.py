"""The session's multiprocessing start method, and the helper processes the plugin itself owns."""

from __future__ import annotations

import multiprocessing
import multiprocessing.managers

from plugin.settings import LabSettings

RENDEZVOUS_TIMEOUT_S = 5.0

# Pids of the helper processes the plugin itself runs: never a learner's leak.
_plugin_pids: set[int] = set()


def learner_children() -> list[multiprocessing.Process]:
    """The live child processes of this process, except the plugin's own helpers.

    ``multiprocessing.active_children()`` also reaps children that have finished.
    """
    return [child for child in multiprocessing.active_children() if child.pid not in _plugin_pids]


def assert_no_children_left(advice: str) -> None:
    """Fail, with ``advice``, when the learner's code left child processes running."""
    alive = learner_children()
    if alive:
        raise AssertionError(f"{len(alive)} child process(es) still running: {advice}")


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
            _plugin_pids.add(self._manager._process.pid)
        return self._manager.Barrier(parties, timeout=timeout)

    def shutdown(self) -> None:
        if self._manager is not None:
            _plugin_pids.discard(self._manager._process.pid)
            self._manager.shutdown()
            self._manager = None
