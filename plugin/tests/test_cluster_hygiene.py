"""Between tests, the embedded cluster's workers are checked from outside: one left with a thread, a
process or a busy loop by a test's task is restarted before the next test; a clean one is not. And the
embedded cluster runs as the learner processes' account where they drop to one (only testable as root)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import psutil
import pytest

from plugin.boundary import guard
from plugin.boundary.server import Account
from plugin.cluster import fixture, hygiene
from plugin.grading import sandbox

pytestmark = pytest.mark.timeout(180)

# A stand-in for a worker: it does what a learner's task could leave behind, when told to on stdin.
STAND_IN = """
import subprocess, sys, threading, time
for line in sys.stdin:
    if line.strip() == "thread":
        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
    elif line.strip() == "process":
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    elif line.strip() == "burn":
        end = time.monotonic() + 5
        while time.monotonic() < end:
            pass
    print("done", flush=True)
"""


@contextlib.contextmanager
def stand_in():
    """``told(what)``: a process that leaves ``what`` behind ("thread", "process", "burn"), then itself."""
    process = subprocess.Popen(
        [sys.executable, "-c", STAND_IN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    worker = psutil.Process(process.pid)

    def told(what: str) -> psutil.Process:
        process.stdin.write(what + "\n")
        process.stdin.flush()
        if what != "burn":
            assert process.stdout.readline() == "done\n"
        return worker

    try:
        yield told
    finally:
        for child in worker.children(recursive=True):
            child.kill()
        process.kill()
        process.wait()


def steady_then_idle(worker: psutil.Process) -> hygiene.WorkerHygiene:
    checks = hygiene.WorkerHygiene()
    checks.take_steady([worker])
    checks.went_idle([worker])
    return checks


def test_an_idle_worker_as_it_was_is_clean():
    with stand_in() as told:
        worker = told("nothing")
        checks = steady_then_idle(worker)
        time.sleep(0.05)
        assert checks.soiled([worker]) == []
        assert not checks.unknown([worker])


@pytest.mark.parametrize("left_behind", ["thread", "process"])
def test_a_worker_left_with_a_thread_or_a_process_is_soiled(left_behind):
    with stand_in() as told:
        worker = told("nothing")
        checks = steady_then_idle(worker)
        told(left_behind)
        assert checks.soiled([worker]) == [worker]
        checks.end_what_they_started([worker])
        assert all(p.status() == psutil.STATUS_ZOMBIE for p in worker.children()), "ended (its parent reaps it)"


def test_a_worker_burning_cpu_while_no_test_runs_is_soiled():
    """Even in an existing thread (a busy loop in the worker's own event loop): its CPU time tells."""
    with stand_in() as told:
        worker = told("nothing")
        checks = steady_then_idle(worker)
        told("burn")
        time.sleep(0.2)
        assert checks.soiled([worker]) == [worker]


def test_a_worker_not_seen_steady_is_unknown_not_soiled():
    """A nanny replaced a worker that a test killed: the new one is not restarted, but noted as it is."""
    with stand_in() as told:
        worker = told("thread")
        checks = hygiene.WorkerHygiene()
        assert checks.unknown([worker]) and checks.soiled([worker]) == []


def leave_a_busy_thread() -> int:
    """A learner's task: a thread that hogs the CPU in the worker and outlives the task."""

    def hog():
        end = time.monotonic() + 60
        while time.monotonic() < end:
            pass

    threading.Thread(target=hog, daemon=True).start()
    return os.getpid()


def test_the_embedded_cluster_restarts_only_soiled_workers():
    session_cluster = fixture.SessionCluster(None, [])
    try:
        client = session_cluster.ready_client()
        workers = {p.pid for p in hygiene.worker_processes(session_cluster.cluster.pid)}
        assert len(workers) == fixture.LOCAL_WORKERS
        session_cluster.went_idle()
        started = time.perf_counter()
        session_cluster.ready_client()
        clean_s = time.perf_counter() - started
        assert session_cluster.restarts == 0, "a clean cluster was restarted"
        soiled = client.submit(leave_a_busy_thread, pure=False).result()
        assert soiled in workers
        session_cluster.went_idle()
        started = time.perf_counter()
        session_cluster.ready_client()
        restart_s = time.perf_counter() - started
        assert session_cluster.restarts == 1
        now = hygiene.worker_processes(session_cluster.cluster.pid)
        assert soiled not in {p.pid for p in now} and len(now) == fixture.LOCAL_WORKERS
        assert not psutil.pid_exists(soiled) or psutil.Process(soiled).status() == psutil.STATUS_ZOMBIE
        print(f"check of a clean cluster {clean_s:.3f} s, restart of a soiled one {restart_s:.2f} s")
    finally:
        session_cluster.close()


@pytest.fixture
def account():
    found = sandbox.learner_account()
    if found is None:
        pytest.skip("processes start as another account only where the grader is root")
    home = tempfile.mkdtemp(prefix="lab-account-home-")  # in a folder every account may pass
    os.chown(home, found.uid, found.gid)
    yield Account(found.uid, found.gid, home)
    shutil.rmtree(home, ignore_errors=True)


def test_as_account_starts_a_process_as_the_account_in_its_own_folder(account):
    """What the embedded cluster's process is started with: the account's uid and gid, no other group,
    its folder as working directory, HOME and TMPDIR."""
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    probe = (
        "import os, tempfile\n"
        "print(os.getuid(), os.getgid(), os.getgroups(), os.getcwd(), os.environ['HOME'], tempfile.gettempdir())"
    )
    options = guard.as_account(account, {"PATH": os.environ.get("PATH", "")})
    completed = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True, **options)
    assert completed.stdout.split() == [str(account.uid), str(account.gid), "[]", *[account.home] * 3]


@pytest.mark.skipif(
    sandbox.learner_account() is None or sandbox.python_unreachable(sandbox.learner_account()) is not None,
    reason="the learner's account runs this interpreter only where the grader is root and it may reach it",
)
def test_as_root_the_embedded_cluster_runs_as_the_learners_account(account):
    session_cluster = fixture.SessionCluster(None, [], account)
    try:
        session_cluster.ready_client()
        tree = [psutil.Process(pid) for pid in session_cluster.process_pids()]
        assert tree and {p.uids().real for p in tree} == {account.uid}
        assert {p.gids().real for p in tree} == {account.gid}
    finally:
        session_cluster.close()
    assert tempfile.gettempdir() != account.home
