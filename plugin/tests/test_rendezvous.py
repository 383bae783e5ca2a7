"""plugin.safety.rendezvous: the session's barrier manager."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import psutil
import pytest

ABANDONED = textwrap.dedent(
    """
    import multiprocessing, os, sys
    multiprocessing.set_start_method(sys.argv[1])
    from plugin.safety.rendezvous import RendezvousService

    service = RendezvousService()
    service.barrier(2)
    print(service._manager._process.pid, flush=True)
    os._exit(0)  # as an xdist worker whose controller was killed: the manager is never shut down
    """
)


def ended(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize("method", ["forkserver", "spawn", "fork"])
def test_the_manager_ends_with_the_process_that_started_it(method):
    completed = subprocess.run(
        [sys.executable, "-c", ABANDONED, method], capture_output=True, text=True, timeout=60, check=True
    )
    manager = int(completed.stdout)
    deadline = time.monotonic() + 10
    while not ended(manager) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ended(manager), "the rendezvous manager outlived the process that started it"
