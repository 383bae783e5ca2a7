"""Unit tests of the learner process's warm forkserver (plugin/boundary/warm_forkserver.py); how learner
processes use it is in test_learner.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from multiprocessing import forkserver

import psutil
import pytest

from plugin.boundary import warm_forkserver

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


class UnknownServer:
    """A forkserver of another Python: not the state this module knows."""

    _lock = threading.Lock()


class AuthenticatingServerOf314:
    """Python 3.14's state, with a key to set."""

    _forkserver_address = _forkserver_alive_fd = _forkserver_pid = _forkserver_authkey = None
    _lock = threading.Lock()


class RunningServer:
    _forkserver_address, _forkserver_alive_fd, _forkserver_pid, _lock = "/tmp/x", 5, 1, threading.Lock()


class AuthenticatingServer:
    """Python 3.14's state, with a ``main`` that takes no key (as the running Python's does): a mismatch."""

    _forkserver_address = _forkserver_alive_fd = _forkserver_pid = _forkserver_authkey = None
    _lock = threading.Lock()


@pytest.mark.parametrize("server", [UnknownServer, RunningServer, AuthenticatingServer])
def test_nothing_is_forked_where_the_forkserver_is_not_the_known_one_or_runs_already(monkeypatch, server):
    if server is AuthenticatingServer and hasattr(forkserver._forkserver, "_forkserver_authkey"):
        pytest.skip("this Python's forkserver authenticates: its main takes the key")

    def no_fork():
        raise AssertionError("forked")

    monkeypatch.setattr(forkserver, "_forkserver", server())
    monkeypatch.setattr(warm_forkserver.os, "fork", no_fork)
    assert warm_forkserver.start() is None


CLIENT = textwrap.dedent(
    """
    import json, multiprocessing, os
    from plugin.boundary import warm_forkserver

    kept_r, kept_w = os.pipe()  # the client's own, as the learner process's pipe to the deciding process
    server = warm_forkserver.start()
    with multiprocessing.get_context("forkserver").Pool(1) as pool:  # served: the server's loop runs
        assert pool.apply(os.getppid) == server
    def targets(pid):
        return sorted({os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")})
    print(json.dumps({"server": server, "client_pipe": os.readlink(f"/proc/self/fd/{kept_r}"),
                      "server_targets": targets(server)}), flush=True)
    """
)


def test_the_server_keeps_none_of_the_clients_descriptors_and_ends_with_it():
    completed = subprocess.run([sys.executable, "-c", CLIENT], capture_output=True, text=True, timeout=30)
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["server"], report
    assert report["client_pipe"] not in report["server_targets"], report
    deadline = time.monotonic() + 5
    while not ended(report["server"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ended(report["server"]), "the server outlived the process it served"


def ended(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


KEYED_CLIENT = textwrap.dedent(
    """
    import os
    from multiprocessing import forkserver
    from plugin.boundary import warm_forkserver
    from plugin.tests.test_warm_forkserver import AuthenticatingServerOf314

    def main_of_314(listener_fd, alive_r, preload, main_path=None, sys_path=None, *, authkey_r=None):
        os.write(1, b"server " + os.read(authkey_r, 1024).hex().encode() + b"\\n")  # the key it was handed
        os._exit(0)

    forkserver._forkserver = AuthenticatingServerOf314()
    forkserver.main = main_of_314
    os.waitpid(warm_forkserver.start(), 0)
    print("client", forkserver._forkserver._forkserver_authkey.hex(), flush=True)
    """
)


def test_under_python_314_the_server_is_handed_the_key_its_clients_use():
    """Python 3.14's forkserver authenticates each client with a key the server reads from a pipe
    (``main(..., authkey_r=...)``): the key set for the clients is the one handed to the server."""
    completed = subprocess.run([sys.executable, "-c", KEYED_CLIENT], capture_output=True, text=True, timeout=30)
    assert completed.returncode == 0, completed.stderr
    keys = dict(line.split() for line in completed.stdout.splitlines())
    assert len(keys["client"]) == 2 * warm_forkserver.AUTHKEY_BYTES
    assert keys["server"] == keys["client"], keys


def no_process_left():
    raise BlockingIOError(11, "Resource temporarily unavailable")


@pytest.mark.parametrize("failure", ["socket-path-too-long", "no-process-left"])
def test_a_server_that_cannot_be_started_leaves_multiprocessing_to_start_its_own(monkeypatch, failure):
    """A socket path too long for AF_UNIX (a deep TMPDIR), or fork refused (a process limit): no server,
    and no descriptor left open."""
    monkeypatch.setattr(forkserver, "_forkserver", forkserver.ForkServer())  # none running yet
    if failure == "socket-path-too-long":
        monkeypatch.setattr(warm_forkserver.connection, "arbitrary_address", lambda family: "/tmp/" + "x" * 200)
    else:
        monkeypatch.setattr(warm_forkserver.os, "fork", no_process_left)
    before = sorted(os.listdir("/proc/self/fd"))
    assert warm_forkserver.start() is None
    assert sorted(os.listdir("/proc/self/fd")) == before
