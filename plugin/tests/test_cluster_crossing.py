"""A step-5 client crossing the process boundary (plugin/cluster/crossing.py): it arrives in another
process as a client of the same cluster, a task's exception comes back from there as plain data, and
the client is closed when asked."""

from __future__ import annotations

import multiprocessing
import pickle

import pytest

from plugin.boundary import plain
from plugin.cluster import crossing, leftovers
from plugin.cluster.tasks import fragile

NO_HTTP_PORT_CLASH = {"dashboard_address": "127.0.0.1:0"}


def use_the_client_there(connection, client) -> None:
    """In the other process: the same cluster's scheduler, a task's error pickled as the learner
    process would send it back, and whether ``close_clients`` closed the client."""
    try:
        client.submit(fragile, -1).result()
    except KeyError as error:
        raised = pickle.dumps(error)
    address = client.scheduler.address
    crossing.close_clients()
    connection.send((address, raised, client.status))


@pytest.fixture
def cluster_client():
    from distributed import Client, LocalCluster

    crossing.allow_clients_to_cross()
    cluster = LocalCluster(
        n_workers=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs=NO_HTTP_PORT_CLASH,
    )
    with cluster, Client(cluster) as client:
        leftovers.session_owned.update({cluster, client})  # the test's own, not a learner's left open
        yield client


def test_a_client_crosses_as_a_client_of_the_same_cluster_and_is_closed(cluster_client):
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=use_the_client_there, args=(theirs, cluster_client))
    process.start()
    try:
        assert ours.poll(60), "the other process did not answer"
        address, raised, status = ours.recv()
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
    assert address == cluster_client.scheduler.address
    error = plain.loads(raised)  # tblib's reducers would make this "not plain data"
    assert isinstance(error, KeyError) and "negative input -1" in str(error)
    assert status in ("closing", "closed")


class Payload:
    """What a scheduler the learner's code took over could send: unpickling it would run os.system."""

    def __reduce__(self):
        import os

        return os.system, ("echo taken over",)


def test_the_deciding_client_unpickles_plain_data_only():
    import distributed.client
    import distributed.protocol.pickle
    from distributed.protocol import deserialize, serialize

    restore = crossing.unpickle_plain_data_only()
    with pytest.raises(plain.NotPlainData, match="posix.system"):
        distributed.protocol.pickle.loads(pickle.dumps(Payload()))
    with pytest.raises(plain.NotPlainData):
        distributed.client.pickle.loads(pickle.dumps(Payload()))
    with pytest.raises(plain.NotPlainData):
        deserialize(*serialize(Payload(), serializers=("pickle",)))
    assert deserialize(*serialize({"pid": 42, "name": [b"x"]}, serializers=("pickle",))) == {"pid": 42, "name": [b"x"]}
    restore()
    assert distributed.protocol.pickle.pickle is distributed.client.pickle is pickle
