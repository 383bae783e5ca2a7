"""Real components: a ``dask scheduler`` and two ``dask worker`` processes started from the command
line on 127.0.0.1 (random ports), the step-5 tests run against them through ``--dask-scheduler``, and
every process gone afterwards.

The target is a submission (a copy of the solutions) on purpose: the workers, started outside the
kit's folder, cannot import it, so the kit must upload it to them (``Client.upload_file``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid

import psutil
import pytest

from plugin.tests.minikit import REPO, processes_still_running

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

STARTUP_TIMEOUT_S = 60
SHUTDOWN_TIMEOUT_S = 30


def dask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "dask", *args]


def wait_for_workers(scheduler_file, count: int) -> str:
    """The scheduler's address, once ``count`` workers have registered with it."""
    from distributed import Client

    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not scheduler_file.exists():
        assert time.monotonic() < deadline, "dask scheduler wrote no scheduler file"
        time.sleep(0.1)
    address = json.loads(scheduler_file.read_text())["address"]
    assert address.startswith("tcp://127.0.0.1:"), address
    with Client(address, timeout=STARTUP_TIMEOUT_S) as client:
        client.wait_for_workers(count, timeout=STARTUP_TIMEOUT_S)
    return address


def stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM (dask's clean shutdown: a worker's nanny closes its worker), then what is left is killed."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_step5_on_a_real_scheduler_and_two_real_workers(tmp_path, monkeypatch):
    mark = uuid.uuid4().hex
    monkeypatch.setenv("PARALLEL_LAB_SELF_TEST", mark)  # inherited by every process started below
    monkeypatch.delenv("LAB_DASK_SCHEDULER", raising=False)
    submission = tmp_path / "submission"
    shutil.copytree(REPO / "solutions" / "step5", submission / "step5", ignore=shutil.ignore_patterns("__pycache__"))
    scheduler_file = tmp_path / "scheduler.json"
    logs = tmp_path / "logs"
    logs.mkdir()
    cluster_dir = tmp_path / "cluster"  # outside the kit: the workers cannot import the submission from here
    cluster_dir.mkdir()

    def start(name: str, *args: str) -> subprocess.Popen:
        log = open(logs / f"{name}.log", "w")  # noqa: SIM115 - closed with the process below
        return subprocess.Popen(dask_command(*args), cwd=cluster_dir, stdout=log, stderr=subprocess.STDOUT)

    started = [
        start(
            "scheduler",
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(scheduler_file),
        )
    ]
    try:
        started += [
            start(
                f"worker-{n}",
                "worker",
                "--scheduler-file",
                str(scheduler_file),
                "--host",
                "127.0.0.1",
                "--nthreads",
                "1",
                "--no-dashboard",
            )
            for n in range(2)
        ]
        address = wait_for_workers(scheduler_file, 2)
        report = tmp_path / "report.json"
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "exercises/step5",
                "-p",
                "no:cacheprovider",
                "-q",
                f"--submission={submission}",
                f"--dask-scheduler={address}",
                f"--lab-json={report}",
            ],
            check=False,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=240,
        )
        cluster_pids = {
            p.pid
            for process in started
            for p in [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
        }
    finally:
        stop(started)
    document = json.loads(report.read_text())
    step5 = next(step for step in document["steps"] if step["step"] == "step5")
    not_done = {
        e["id"]: [t for t in e["tests"] if t["outcome"] != "passed"]
        for e in step5["exercises"]
        if e["status"] != "done"
    }
    assert not not_done, f"{not_done}\n{completed.stdout[-3000:]}"
    assert step5["done"] == step5["total"] == 7
    assert len(cluster_pids) >= 5, f"expected a scheduler, two nannies and their workers: {cluster_pids}"
    left = processes_still_running(mark, within=SHUTDOWN_TIMEOUT_S)
    for process in left:
        process.kill()
    assert not left, f"processes of the cluster or the run outlived it: {[p.pid for p in left]}"
