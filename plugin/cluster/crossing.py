"""How a step-5 test's ``dask_client`` reaches the learner's functions across the process boundary.

A ``distributed.Client`` cannot be pickled. The deciding process pickles its requests to the learner
process with ``ForkingPickler``; ``allow_clients_to_cross`` registers a reducer there, so a client
crosses as its scheduler's address, and the learner process connects a client of its own to the same
cluster (one per address, kept for the life of the learner process; ``close_clients`` ends them, and
whatever Client or cluster the learner's code left open).
"""

from __future__ import annotations

import pickle
from multiprocessing import reduction

from plugin.boundary import plain

CONNECT_TIMEOUT_S = 30

_clients: dict = {}  # in the learner process: scheduler address -> the Client connected to it


def _as_address(client) -> tuple:
    return learner_client, (client.scheduler.address,)


class _PlainPickle:
    """The ``pickle`` module as ``distributed`` sees it in the deciding process: ``loads`` admits plain
    data only (``plugin.boundary.plain``); the rest is the standard module."""

    def __getattr__(self, name: str):
        return getattr(pickle, name)

    @staticmethod
    def loads(data, *, buffers=()):
        return plain.loads(bytes(data), buffers)


def unpickle_plain_data_only():
    """In the deciding process, while its Client is connected (undone by calling what this returns): the
    cluster's scheduler and workers run the learner's code (they unpickle its graphs), so what they send
    this process is unpickled as plain data only. ``distributed`` unpickles through
    ``distributed.protocol.pickle.loads`` (the protocol, its serializers, a task's error) and the client
    module's own ``pickle`` (its warnings)."""
    import distributed.client
    import distributed.protocol.pickle

    modules = (distributed.protocol.pickle, distributed.client)
    for module in modules:
        module.pickle = _PlainPickle()

    def restore() -> None:
        for module in modules:
            module.pickle = pickle

    return restore


def allow_clients_to_cross() -> None:
    """In the deciding process: a Client in a request to the learner process crosses as its address."""
    from distributed import Client

    reduction.ForkingPickler.register(Client, _as_address)


def learner_client(address: str):
    """In the learner process: the Client of the cluster at ``address`` (connected on first use)."""
    client = _clients.get(address)
    if client is None or client.status in ("closing", "closed"):
        from distributed import Client

        _exceptions_pickle_plainly()
        client = _clients[address] = Client(address, timeout=CONNECT_TIMEOUT_S)
    return client


def _no_install(*_exceptions, **_options) -> None:
    pass


def _exceptions_pickle_plainly() -> None:
    """``distributed`` has tblib make every exception type pickle through tblib's own functions (to
    carry tracebacks), which the deciding process does not admit: a task's KeyError would come back as
    "not plain data". In the learner process, exceptions pickle as Python's own again."""
    import copyreg

    from tblib import pickling_support

    for kind, reducer in list(copyreg.dispatch_table.items()):
        if getattr(getattr(reducer, "func", reducer), "__module__", None) == pickling_support.__name__:
            del copyreg.dispatch_table[kind]
    pickling_support.install = _no_install  # distributed installs it again for each error it receives


def close_clients() -> str | None:
    """In the learner process, before it ends: close the Clients and clusters the learner's code started
    itself (what it says about them, or None), then the clients that crossed, so the scheduler forgets
    their tasks now."""
    from plugin.cluster import leftovers

    leftovers.session_owned.update(_clients.values())
    left_open = leftovers.close_left_open()
    while _clients:
        _, client = _clients.popitem()
        client.close()
    return left_open
