"""Fixtures of the step-5 tests (nothing here for you to edit). The cluster itself, ``dask_client``,
comes from the kit's plugin."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from dask.sizeof import sizeof
from distributed import Client, Future

from plugin.cluster.tasks import ClusterBarrier

RENDEZVOUS_TIMEOUT_S = 5.0


@pytest.fixture
def cluster_rendezvous(dask_client):
    """``cluster_rendezvous(parties)``: a barrier that Dask tasks can receive as an argument; only
    ``parties`` tasks running at the same time pass it, else it raises TimeoutError."""

    def barrier(parties: int, timeout: float = RENDEZVOUS_TIMEOUT_S) -> ClusterBarrier:
        return ClusterBarrier.open(dask_client, parties, timeout)

    return barrier


@dataclasses.dataclass
class Traffic:
    """What this process sent to the cluster and got back, in bytes (Dask's own size estimate)."""

    calls: list[str] = dataclasses.field(default_factory=list)  # client methods called, in order
    task_argument_bytes: list[int] = dataclasses.field(default_factory=list)  # per submit/map call
    scattered_bytes: list[int] = dataclasses.field(default_factory=list)  # per scatter call
    received_bytes: list[int] = dataclasses.field(default_factory=list)  # per gather/result value


def _arguments_size(values) -> int:
    """Bytes of task arguments; a future is a key (its data stays on the cluster)."""
    return sum(0 if isinstance(value, Future) else sizeof(value) for value in values)


@pytest.fixture
def traffic(monkeypatch: pytest.MonkeyPatch) -> Traffic:
    """Records the data that ``Client.submit``/``map``/``scatter`` send and ``gather``/``result``
    bring back, while the test runs."""
    seen = Traffic()
    submit, map_, scatter, gather, result = Client.submit, Client.map, Client.scatter, Client.gather, Future.result

    def recording_submit(self, func, *args, **kwargs):
        seen.calls.append("submit")
        seen.task_argument_bytes.append(_arguments_size([*args, *kwargs.values()]))
        return submit(self, func, *args, **kwargs)

    def recording_map(self, func, *iterables, **kwargs):
        iterables = [list(iterable) for iterable in iterables]  # read once here, handed on as lists
        seen.calls.append("map")
        seen.task_argument_bytes.append(_arguments_size([*itertools.chain(*iterables), *kwargs.values()]))
        return map_(self, func, *iterables, **kwargs)

    def recording_scatter(self, data, *args, **kwargs):
        seen.calls.append("scatter")
        seen.scattered_bytes.append(sizeof(data))
        return scatter(self, data, *args, **kwargs)

    def recording_gather(self, futures, *args, **kwargs):
        seen.calls.append("gather")
        values = gather(self, futures, *args, **kwargs)
        if not kwargs.get("asynchronous") and not self.asynchronous:
            seen.received_bytes.append(sizeof(values))
        return values

    def recording_result(self, *args, **kwargs):
        seen.calls.append("result")
        value = result(self, *args, **kwargs)
        seen.received_bytes.append(sizeof(value))
        return value

    monkeypatch.setattr(Client, "submit", recording_submit)
    monkeypatch.setattr(Client, "map", recording_map)
    monkeypatch.setattr(Client, "scatter", recording_scatter)
    monkeypatch.setattr(Client, "gather", recording_gather)
    monkeypatch.setattr(Future, "result", recording_result)
    return seen
