"""A learner's own Dask ``Client`` or ``LocalCluster`` left open by a test: reported like an unjoined
pool, and closed (which also ends the cluster's worker processes)."""

from __future__ import annotations

import contextlib
import sys
import weakref

from plugin.messages import say

# The session's own client and cluster (plugin.cluster.fixture): never a learner's leftover.
session_owned: weakref.WeakSet = weakref.WeakSet()

_CLOSED = ("closing", "closed")


def _is_open(thing) -> bool:
    status = getattr(thing, "status", None)
    return getattr(status, "name", status) not in _CLOSED


def close_left_open() -> str | None:
    """Close every Dask client and cluster in this process that the session does not own; the message
    that says so, or None when there were none."""
    if "distributed" not in sys.modules:  # no test imported Dask: nothing can be open
        return None
    from distributed import Client
    from distributed.deploy.spec import SpecCluster

    clients = [c for c in list(Client._instances) if c not in session_owned and _is_open(c)]
    clusters = [c for c in list(SpecCluster._instances) if c not in session_owned and _is_open(c)]
    for thing in clients + clusters:
        # A half-started cluster may fail to close: the leftover-process check then ends its processes.
        with contextlib.suppress(Exception):
            thing.close()
    if not clients and not clusters:
        return None
    return say("dask.left_open", clients=len(clients), clusters=len(clusters))
