"""Step 5's cluster: where the scheduler address comes from, what is uploaded to a real cluster's
workers, a learner's own Client/LocalCluster left open, and (end to end) a session's cluster that
serves tests serially and under xdist and leaves no process behind."""

from __future__ import annotations

import json
import types
import uuid
from pathlib import Path

import psutil
import pytest

from plugin.cluster import fixture, leftovers
from plugin.cluster.address import ENVIRONMENT_VARIABLE, INI_KEY
from plugin.settings import resolve_dask_scheduler as scheduler_address
from plugin.tests.minikit import processes_still_running, run, write

pytestmark = pytest.mark.timeout(180)
NO_HTTP_PORT_CLASH = {"dashboard_address": "127.0.0.1:0"}  # a scheduler's health routes, on any free port


class FakeConfig:
    def __init__(self, option=None, ini=""):
        self.option, self.ini = types.SimpleNamespace(dask_scheduler=option), ini

    def getini(self, name):
        assert name == INI_KEY
        return self.ini


def test_the_option_wins_over_the_ini_key_and_the_environment(monkeypatch):
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "tcp://127.0.0.3:8786")
    assert scheduler_address(FakeConfig("tcp://127.0.0.1:8786", "tcp://127.0.0.2:8786")) == "tcp://127.0.0.1:8786"
    assert scheduler_address(FakeConfig(None, "tcp://127.0.0.2:8786")) == "tcp://127.0.0.2:8786"
    assert scheduler_address(FakeConfig(None, "")) == "tcp://127.0.0.3:8786"


def test_no_address_anywhere_means_an_embedded_cluster(monkeypatch):
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    assert scheduler_address(FakeConfig(None, "  ")) is None


@pytest.mark.parametrize("address", ["localhost", "tcp://:", "8786", "http://example"])
def test_a_malformed_address_is_a_usage_error_naming_its_source(monkeypatch, address):
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    with pytest.raises(pytest.UsageError, match=f"--dask-scheduler = '{address}' is not a Dask scheduler address"):
        scheduler_address(FakeConfig(address))


def test_an_unreachable_scheduler_fails_the_tests_saying_what_to_check(monkeypatch):
    import socket

    with socket.socket() as probe:  # a loopback port that nothing listens on once this closes
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setattr(fixture, "CONNECT_TIMEOUT_S", 1)
    with pytest.raises(pytest.fail.Exception, match=f"could not connect to the Dask scheduler at {address}"):
        fixture.SessionCluster(address, []).start()


def test_an_uploaded_module_carries_the_init_files_of_its_packages():
    files = fixture._module_files("plugin.cluster.tasks")
    assert sorted(name for _, name in files) == [
        "plugin/__init__.py",
        "plugin/cluster/__init__.py",
        "plugin/cluster/tasks.py",
    ]
    assert all(path.is_file() for path, _ in files)


def test_modules_the_workers_cannot_import_are_uploaded_to_them(tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, scheduler_kwargs=NO_HTTP_PORT_CLASH
    ) as cluster:
        # The package appears after the workers started: they cannot import it from their sys.path.
        write(tmp_path / "lab_upload_probe" / "__init__.py", "")
        write(tmp_path / "lab_upload_probe" / "step5" / "__init__.py", "")
        write(tmp_path / "lab_upload_probe" / "step5" / "cluster.py", "ANSWER = 42\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        session_cluster = fixture.SessionCluster(cluster.scheduler_address, ["lab_upload_probe.step5.cluster"])
        session_cluster.client = Client(cluster)
        try:
            assert session_cluster.unimportable(["lab_upload_probe.step5.cluster", "json"]) == [
                "lab_upload_probe.step5.cluster"
            ]
            session_cluster.make_importable(["lab_upload_probe.step5.cluster", fixture.TASKS_MODULE])
            assert session_cluster.unimportable(["lab_upload_probe.step5.cluster"]) == []
            probe = "import lab_upload_probe.step5.cluster as m; assert m.ANSWER == 42"
            answers = session_cluster.client.run(exec, probe)
            assert list(answers.values()) == [None]
        finally:
            session_cluster.close()


def test_the_clusters_capacity_is_read_with_the_reference_work_on_its_workers():
    """The reader behind a step-5 retry's bar (plugin.measure.speedup.ClusterReader): the tasks run on the
    cluster's workers it names, every time, never cached, and the reading is a ratio the workers can give."""
    from distributed import Client, LocalCluster, get_task_stream

    from plugin.measure.speedup import ClusterReader, SpeedupMeter

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, scheduler_kwargs=NO_HTTP_PORT_CLASH
    ) as cluster:
        session_cluster = fixture.SessionCluster(cluster.scheduler_address, [])
        session_cluster.client = Client(cluster)
        try:
            ran_on = []
            for workers in (2, 1, 2):
                run = session_cluster.reference_on_workers([20_000] * 4, workers)
                with get_task_stream(session_cluster.client) as stream:
                    run()
                ran_on.append((len(stream.data), len({task["worker"] for task in stream.data})))
            assert ran_on == [(4, 2), (4, 1), (4, 2)], ran_on
            meter = SpeedupMeter(2, 0.4, Path("."))
            meter._cluster = ClusterReader(session_cluster.reference_on_workers)
            assert 0 < meter.read_cluster_capacity(2) <= 2
        finally:
            session_cluster.close()


def test_a_client_and_cluster_left_open_are_reported_and_closed():
    from distributed import Client, LocalCluster

    ours = Client(
        LocalCluster(n_workers=1, processes=False, dashboard_address=None, scheduler_kwargs=NO_HTTP_PORT_CLASH)
    )
    leftovers.session_owned.update({ours, ours.cluster})
    try:
        cluster = LocalCluster(
            n_workers=1, processes=False, dashboard_address=None, scheduler_kwargs=NO_HTTP_PORT_CLASH
        )
        client = Client(cluster)
        message = leftovers.close_left_open()
        assert message is not None and "1 Dask Client(s) and 1 cluster(s)" in message, message
        assert client.status == "closed" and cluster.status.name == "closed"
        assert ours.status == "running", "the session's own client was closed"
        assert leftovers.close_left_open() is None
    finally:
        ours.close()
        ours.cluster.close()


CATALOG = """
TITLE = "Cluster"
EXERCISES = {"total": {"title": "Sum on the cluster", "hint": "client.submit(sum, items).result()"}}
"""

STUB = """
def total(client, items):
    raise NotImplementedError("step5.total: see the docstring")
"""

SOLUTION = """
import json
import os
from pathlib import Path


def total(client, items):
    if client is None:  # a cluster of its own, left open, as a learner's code might
        from distributed import Client, LocalCluster

        client = Client(LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None))
        Path("own-pids.json").write_text(json.dumps(sorted(client.run(os.getpid).values())))
    return client.submit(sum, items).result()
"""

TESTS = """
import json
import os
from pathlib import Path

import pytest

from exercises.step5.cluster import total


def record_pids(client, name):
    pids = sorted(client.run(os.getpid).values())
    Path(name).write_text(json.dumps(pids))
    return pids


@pytest.mark.exercise("step5.total")
@pytest.mark.parametrize("n", range(4))
def test_total(dask_client, n):
    Path(f"scheduler-{os.getpid()}-{n}.txt").write_text(dask_client.scheduler.address)
    pids = record_pids(dask_client, f"pids-{os.getpid()}-{n}.json")
    assert os.getpid() not in pids and len(pids) == 2
    assert total(dask_client, [1, 2, n]) == 3 + n


@pytest.mark.exercise("step5.total")
def test_own_cluster_left_open(dask_client):
    assert total(None, [1]) == 1
"""


SESSION_END_CHECK = '''
import json
import os
from pathlib import Path

import psutil


def pytest_sessionfinish(session):
    """After the session's fixtures are torn down, before the interpreter exits (where Dask's own atexit
    handlers would close a forgotten cluster): which of this process's cluster workers still run."""
    pids = {pid for path in Path().glob(f"pids-{os.getpid()}-*.json") for pid in json.loads(path.read_text())}
    alive = [pid for pid in pids if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    Path(f"alive-at-finish-{os.getpid()}.json").write_text(json.dumps(alive))
'''


def add_cluster_step(kit: pytest.Pytester) -> None:
    write(kit.path / "conftest.py", SESSION_END_CHECK)
    write(kit.path / "exercises" / "step5" / "__init__.py", CATALOG)
    write(kit.path / "exercises" / "step5" / "cluster.py", STUB)
    write(kit.path / "exercises" / "step5" / "test_cluster.py", TESTS)
    write(kit.path / "solutions" / "step5" / "__init__.py", "")
    write(kit.path / "solutions" / "step5" / "cluster.py", SOLUTION)


@pytest.mark.parametrize(
    "options", [[], ["-n", "2", "-p", "xdist", "--start-method", "spawn"]], ids=["serial", "xdist-spawn"]
)
def test_the_session_cluster_serves_every_test_and_leaves_no_process(kit, monkeypatch, options):
    add_cluster_step(kit)
    mark = uuid.uuid4().hex
    monkeypatch.setenv("PARALLEL_LAB_SELF_TEST", mark)  # inherited by every process of the run
    monkeypatch.delenv("LAB_DASK_SCHEDULER", raising=False)
    run(kit, "exercises/step5", "--solutions", "--lab-json=report.json", *options)
    document = json.loads((kit.path / "report.json").read_text())
    tests = {t["nodeid"].split("::")[-1]: t for s in document["steps"] for e in s["exercises"] for t in e["tests"]}
    assert [tests[f"test_total[{n}]"]["outcome"] for n in range(4)] == ["passed"] * 4, tests
    left_open = tests["test_own_cluster_left_open"]
    assert left_open["outcome"] == "failed"
    # The kit's step 5 closes them with their own message (exercises/step5/conftest.py); this kit has no
    # such hook, and the cluster's processes are what the learner process leaves behind.
    assert "child process(es) were still running" in left_open["message"], left_open["message"]
    # One cluster per pytest process: serially one, under xdist one per xdist worker that ran a test. Its
    # schedulers tell the clusters apart: a cluster whose worker a test soiled restarts it, with a new pid.
    schedulers = {path.read_text() for path in Path(kit.path).glob("scheduler-*.txt")}
    assert 1 <= len(schedulers) <= (2 if options else 1), schedulers
    session_pids = {tuple(json.loads(path.read_text())) for path in Path(kit.path).glob("pids-*.json")}
    still_running = {path.name: json.loads(path.read_text()) for path in Path(kit.path).glob("alive-at-finish-*.json")}
    assert still_running and not any(still_running.values()), f"the session's cluster was not closed: {still_running}"
    own_pids = set(json.loads((kit.path / "own-pids.json").read_text()))
    every_pid = {pid for pids in session_pids for pid in pids} | own_pids
    alive = [
        pid for pid in every_pid if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    assert not alive, f"Dask worker processes {alive} outlived the run"
    left = processes_still_running(mark)
    assert not left, f"processes of the run outlived it: {left}"


SLOW_ON_THE_CLUSTER = """
import pytest

from plugin.workers import cpu_work


@pytest.mark.exercise("step5.total")
def test_all_the_work_in_one_task(dask_client, speedup):
    speedup(
        sequential=lambda: cpu_work(3_000_000),
        parallel=lambda: [dask_client.submit(cpu_work, 3_000_000, pure=False).result() for _ in range(2)][0],
        workers_running=True,
    )
"""

MACHINE_READS_1_9 = """
from plugin.measure.speedup import SpeedupMeter

SpeedupMeter.read_capacity = lambda self, workers: 1.9  # never busy: every miss reads the cluster itself
"""


def test_a_miss_on_the_session_cluster_reads_the_clusters_own_capacity(kit, monkeypatch):
    """The speedup fixture hands the meter the session's cluster (plugin.measure.check): at each miss of
    work done in one task, twice over (about 0.5x: a miss whatever the noise, where 1.0x once met the
    least bar of 1.12x), the JSON attempt carries the cluster's reading beside the machine's, and the next
    bar comes from it when it is lower, never below MIN_CAPACITY's."""
    from plugin.measure.speedup import ATTEMPTS, MIN_CAPACITY
    from plugin.measure.timing import required_speedup

    add_cluster_step(kit)
    write(kit.path / "conftest.py", MACHINE_READS_1_9)
    write(kit.path / "exercises" / "step5" / "test_cluster.py", SLOW_ON_THE_CLUSTER)
    monkeypatch.delenv("LAB_DASK_SCHEDULER", raising=False)
    run(kit, "exercises/step5", "--solutions", "--lab-json=report.json")
    (row,) = json.loads((kit.path / "report.json").read_text())["speedups"]
    attempts = row["attempts"]
    assert row["verdict"] == "fail" and len(attempts) == ATTEMPTS, row
    read = attempts[:-1]  # the last miss ends the measurement: no attempt follows to take a bar from it
    assert all(attempt["capacity_reading"] == 1.9 and 0 < attempt["cluster_capacity"] <= 2 for attempt in read)
    assert "cluster_capacity" not in attempts[-1]
    for attempt, following in zip(attempts, attempts[1:], strict=False):
        lower = attempt["cluster_capacity"] < 1.9
        bar = required_speedup(max(attempt["cluster_capacity"], MIN_CAPACITY), 0.4) if lower else 1.36
        assert following["required"] == pytest.approx(bar, abs=1e-3), row
