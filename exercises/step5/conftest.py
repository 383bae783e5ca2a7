"""Fixtures of the step-5 tests (nothing here for you to edit). The cluster itself, ``dask_client``,
comes from the kit's plugin; your functions receive a client of the same cluster in their own process."""

from __future__ import annotations

import itertools

import pytest
from dask.sizeof import sizeof
from distributed import Client, Future

from plugin.boundary.guard import learner_key
from plugin.cluster.crossing import close_clients
from plugin.cluster.tasks import ClusterBarrier

RENDEZVOUS_TIMEOUT_S = 5.0


@pytest.fixture
def cluster_rendezvous(dask_client):
    """``cluster_rendezvous(parties)``: a barrier that Dask tasks can receive as an argument; only
    ``parties`` tasks running at the same time pass it, else it raises TimeoutError."""

    def barrier(parties: int, timeout: float = RENDEZVOUS_TIMEOUT_S) -> ClusterBarrier:
        return ClusterBarrier.open(dask_client, parties, timeout)

    return barrier


@pytest.fixture
def cluster_workers(dask_cluster, dask_client) -> set[int]:
    """The pids of the cluster's worker processes, as the deciding process sees them."""
    return dask_cluster.worker_pids()


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_call(item: pytest.Item):
    """Before the boundary ends the learner process (this wrapper runs inside the boundary's own), the
    Clients and clusters it holds are closed: the one your function received, so the scheduler forgets
    its tasks at once, and any your code started itself, which fails a test that passed."""
    try:
        result = yield
    except Exception:
        _close_learner_clients(item)  # the learner answered (an assertion failed): it can still close
        raise
    # Not after a timeout or an interrupt (BaseException): the learner may still be busy and never answer.
    left_open = _close_learner_clients(item)
    if left_open:
        pytest.fail(left_open, pytrace=False)
    return result


def _close_learner_clients(item: pytest.Item) -> str | None:
    learner = item.stash.get(learner_key, None)
    if learner is None or not learner.started or learner.end is not None:
        return None
    try:
        left_open = learner.run(close_clients)
    except Exception:  # noqa: BLE001 - a learner process that died has no client left to close
        return None
    return left_open if isinstance(left_open, str) else None


# -- traffic: recorded in the learner process, read back as plain data ------------------------------

_seen: dict | None = None  # in the learner process: what its Client calls sent and received


def _arguments_size(values) -> int:
    """Bytes of task arguments; a future is a key (its data stays on the cluster)."""
    return sum(0 if isinstance(value, Future) else sizeof(value) for value in values)


def _futures(values) -> int:
    return sum(isinstance(value, Future) for value in values)


def record_traffic() -> None:
    """Probe, installed in the learner process: ``Client.submit``/``map``/``scatter`` and
    ``gather``/``Future.result`` record what they send and bring back. The process ends with the test,
    so nothing is undone."""
    from dask.utils import funcname

    global _seen
    _seen = {
        "calls": [],
        "functions": [],
        "future_arguments": [],
        "task_argument_bytes": [],
        "scattered_bytes": [],
        "received_bytes": [],
    }
    submit, map_, scatter, gather, result = Client.submit, Client.map, Client.scatter, Client.gather, Future.result

    def note_tasks(call, func, arguments):
        _seen["calls"].append(call)
        _seen["functions"].append(funcname(func))
        _seen["future_arguments"].append(_futures(arguments))
        _seen["task_argument_bytes"].append(_arguments_size(arguments))

    def recording_submit(self, func, *args, **kwargs):
        note_tasks("submit", func, [*args, *kwargs.values()])
        return submit(self, func, *args, **kwargs)

    def recording_map(self, func, *iterables, **kwargs):
        iterables = [list(iterable) for iterable in iterables]  # read once here, handed on as lists
        note_tasks("map", func, [*itertools.chain(*iterables), *kwargs.values()])
        return map_(self, func, *iterables, **kwargs)

    def recording_scatter(self, data, *args, **kwargs):
        _seen["calls"].append("scatter")
        _seen["scattered_bytes"].append(sizeof(data))
        return scatter(self, data, *args, **kwargs)

    def recording_gather(self, futures, *args, **kwargs):
        _seen["calls"].append("gather")
        values = gather(self, futures, *args, **kwargs)
        if not kwargs.get("asynchronous") and not self.asynchronous:
            _seen["received_bytes"].append(sizeof(values))
        return values

    def recording_result(self, *args, **kwargs):
        _seen["calls"].append("result")
        value = result(self, *args, **kwargs)
        _seen["received_bytes"].append(sizeof(value))
        return value

    Client.submit, Client.map, Client.scatter = recording_submit, recording_map, recording_scatter
    Client.gather, Future.result = recording_gather, recording_result


def traffic_seen() -> dict:
    return _seen


class Traffic:
    """What the learner's code sent to the cluster and got back, in bytes (Dask's own size estimate),
    read from the learner process when asked.

    ``calls``: client methods called, in order; per ``submit``/``map`` call, ``functions`` (the task
    function's name), ``future_arguments`` (how many arguments were futures) and
    ``task_argument_bytes``; ``scattered_bytes`` per scatter call, ``received_bytes`` per gather/result.
    """

    def __init__(self, learner):
        self._learner = learner

    def __getattr__(self, name: str) -> list:
        seen = self._learner.run(traffic_seen)
        if not isinstance(seen, dict) or name not in seen:
            raise AttributeError(name)
        return seen[name]


@pytest.fixture
def traffic(learner) -> Traffic:
    """Records, in the learner process, the data that ``Client.submit``/``map``/``scatter`` send and
    ``gather``/``result`` bring back while the test runs."""
    learner.install(record_traffic)
    return Traffic(learner)
