"""plugin.boundary.forkwatch: a followed process's children that never exec are told from the kernel's
events, however short their lives; everything else a process starts (programs, threads, pools under
forkserver and spawn, a program that fails to start) is not."""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import threading

import pytest

from plugin.boundary import forkwatch
from plugin.boundary.forkwatch import ForkEvents

EVENTS = ForkEvents.listen()
pytestmark = pytest.mark.skipif(EVENTS is None, reason="the kernel's process events do not reach this process")


def fork_child() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)  # at once: no sample of /proc would see it
    os.waitpid(pid, 0)
    return pid


@pytest.fixture
def followed():
    EVENTS.drain()  # what happened before this test is not its business
    EVENTS.follow(os.getpid())
    yield EVENTS
    EVENTS.forget(os.getpid())


def test_a_fork_that_ends_at_once_is_seen(followed):
    children = {fork_child() for _ in range(3)}
    assert followed.forked(os.getpid()) == children


def test_a_disowned_fork_is_not_counted_but_a_later_fork_is(followed):
    """The kit's own fork of a followed process (the learner's warm forkserver) is disowned while it runs."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.read(read, 1)  # until disowned
        os._exit(0)
    followed.disown(pid)
    os.write(write, b"x")
    os.waitpid(pid, 0)
    os.close(read)
    os.close(write)
    later = fork_child()
    assert followed.forked(os.getpid()) == {later}


def test_programs_threads_and_pools_are_not_forks(followed):
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    with pytest.raises(OSError):
        subprocess.run(["/nonexistent/program"])  # its child exits without exec, as a failed exec does
    thread = threading.Thread(target=sum, args=([1, 2],))
    thread.start()
    thread.join()
    for method in ("forkserver", "spawn"):
        with multiprocessing.get_context(method).Pool(2) as pool:
            assert pool.map(abs, [-1, -2]) == [1, 2]
    assert followed.forked(os.getpid()) == set()


def test_an_unfollowed_process_or_a_forgotten_one_is_not_watched():
    EVENTS.drain()
    fork_child()
    assert EVENTS.forked(os.getpid()) == set()
    EVENTS.follow(os.getpid())
    EVENTS.forget(os.getpid())
    fork_child()
    assert EVENTS.forked(os.getpid()) == set()


def test_a_socket_that_hears_nothing_is_not_taken_for_a_listener(monkeypatch):
    monkeypatch.setattr(forkwatch, "SELF_CHECK_S", 0.1)
    silent, other_end = socket.socketpair()
    with silent, other_end:
        silent.setblocking(False)
        assert not forkwatch._hears_itself(silent)
