"""The processes a test run starts: start method, the plugin's own helpers, and the learner's leftovers.

After every test the plugin looks for child processes and shared-memory segments the learner's code
left behind, reports them as a failure of that test, and cleans them up. A hung test is interrupted
by a SIGALRM timer (pytest-timeout's ``signal`` method, run by this module so that the hung process
tree is terminated first), and at the end of the session no process started by the run survives.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import multiprocessing.managers
import os
import signal
import time
from pathlib import Path

import psutil
import pytest

from plugin import failures
from plugin.settings import LabSettings

RENDEZVOUS_TIMEOUT_S = 5.0
TERMINATE_GRACE_S = 1.0
SHM_DIR = Path("/dev/shm")  # where POSIX shared memory shows up on Linux
SHM_PREFIXES = ("psm_", "wnsm_")  # names multiprocessing.shared_memory gives its segments
UNLINK_SETTLE_S = 0.05

# Pids of the helper processes the plugin itself runs: never a learner's leak.
_plugin_pids: set[int] = set()


def unforked_start_method() -> str:
    """This session's start method, or where it is fork, forkserver (spawn where there is none): for
    pools that must not fork a process with threads, and for graders who want every target pickled."""
    method = multiprocessing.get_start_method()
    if method != "fork":
        return method
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def apply_start_method(settings: LabSettings) -> None:
    """Run the whole session under the chosen start method (the grading command's unless one is chosen)."""
    multiprocessing.set_start_method(settings.start_method, force=True)


def _helper_pids() -> set[int]:
    """The plugin's helpers and multiprocessing's own: the forkserver and the resource tracker."""
    from multiprocessing import forkserver, resource_tracker

    pids = set(_plugin_pids)
    pids.add(getattr(forkserver._forkserver, "_forkserver_pid", None))
    pids.add(getattr(resource_tracker._resource_tracker, "_pid", None))
    pids.discard(None)
    return pids


def assert_no_children_left(advice: str) -> None:
    """Fail, with ``advice``, when the learner's code left child processes running or never joined."""
    # multiprocessing's own list of started, unjoined processes (read directly: active_children() would
    # drop the ones that exited without join(), and a forkserver's children never become this process's
    # zombies), and psutil's view of this process's tree.
    helpers = _helper_pids()
    unjoined = {child.pid for child in list(getattr(multiprocessing.process, "_children", ())) if child.pid not in helpers}
    left = unjoined | {process.pid for process in _descendants()}
    if left:
        raise AssertionError(f"{len(left)} child process(es) still running or never joined: {advice}")


def _descendants() -> list[psutil.Process]:
    helpers = _helper_pids()
    try:
        return [p for p in psutil.Process().children(recursive=True) if p.pid not in helpers]
    except psutil.Error:
        return []


def shared_memory_segments() -> set[str]:
    if not SHM_DIR.is_dir():
        return set()  # macOS keeps no listing: segment leaks go unseen there
    return {entry.name for entry in SHM_DIR.iterdir() if entry.name.startswith(SHM_PREFIXES)}


@dataclasses.dataclass
class Leftovers:
    pool_workers: int = 0
    running: int = 0
    unjoined: int = 0
    segments: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.pool_workers or self.running or self.unjoined or self.segments)

    def message(self) -> str:
        parts = []
        if self.pool_workers:
            parts.append(
                f"{self.pool_workers} pool worker process(es) were still running: use the pool as a context "
                "manager (with Pool(...) as pool:) or call close() and join()"
            )
        if self.running:
            parts.append(f"{self.running} child process(es) were still running: join() every process you start")
        if self.unjoined:
            parts.append(f"{self.unjoined} child process(es) had finished but were never joined: call join()")
        if self.segments:
            parts.append(
                f"{len(self.segments)} shared-memory segment(s) were never unlinked ({', '.join(self.segments)}): "
                "close() them in every process and unlink() once, when the work is done"
            )
        return "; ".join(parts) + " (cleaned up by the kit)"


def terminate(processes: list[psutil.Process]) -> None:
    for process in processes:
        try:
            process.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(processes, timeout=TERMINATE_GRACE_S)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=TERMINATE_GRACE_S)
    multiprocessing.active_children()  # lets multiprocessing reap the ones it started
    for process in processes:
        try:
            os.waitpid(process.pid, os.WNOHANG)
        except (ChildProcessError, OSError):
            pass


def _unlink_segment(name: str) -> None:
    from multiprocessing import resource_tracker

    try:
        (SHM_DIR / name).unlink()
    except OSError:
        return
    try:  # the tracker would warn at exit about a segment it thinks still exists
        resource_tracker.unregister("/" + name, "shared_memory")
    except Exception:  # noqa: BLE001 - best effort: no tracker may be running
        pass


def _mapped_by(pid: int) -> set[str]:
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return set()
    return {line.rsplit("/", 1)[-1] for line in maps.splitlines() if str(SHM_DIR) + "/" in line}


def _segments_left_by_test(segments_before: set[str], test_pids: set[int]) -> set[str]:
    """The segments this test created and did not unlink.

    Under xdist another worker's test may hold a segment at this moment: one mapped by a process
    outside this test's process tree is that worker's, and one that vanishes a moment later was
    between its close() and its unlink().
    """
    new = shared_memory_segments() - segments_before
    if not new:
        return new
    for process in psutil.process_iter():
        if process.pid not in test_pids:
            new -= _mapped_by(process.pid)
    if new:
        time.sleep(UNLINK_SETTLE_S)
        new &= shared_memory_segments()
    return new


def collect_leftovers(segments_before: set[str]) -> Leftovers:
    """What the test left behind, which is then terminated and unlinked."""
    descendants = _descendants()
    zombies = [p for p in descendants if _status(p) == psutil.STATUS_ZOMBIE]
    running = [p for p in descendants if p not in zombies]
    names = {child.pid: child.name for child in multiprocessing.active_children()}  # e.g. ForkPoolWorker-3
    pool_workers = sum("PoolWorker" in names.get(p.pid, "") for p in running)
    if pool_workers:
        _terminate_open_pools()  # else the pools' handler threads would start new workers
    leftovers = Leftovers(
        pool_workers=pool_workers,
        running=len(running) - pool_workers,
        unjoined=len(zombies),
        segments=tuple(sorted(_segments_left_by_test(segments_before, {os.getpid(), *(p.pid for p in descendants)}))),
    )
    terminate(descendants)
    for name in leftovers.segments:
        _unlink_segment(name)
    return leftovers


def _terminate_open_pools() -> None:
    import gc
    from multiprocessing.pool import RUN, Pool

    for candidate in gc.get_objects():
        if isinstance(candidate, Pool) and candidate._state == RUN:
            candidate.terminate()


def _status(process: psutil.Process) -> str:
    try:
        return process.status()
    except psutil.Error:
        return psutil.STATUS_DEAD


def terminate_everything() -> int:
    """End every process this one started (but multiprocessing's forkserver and resource tracker,
    which end with this process): the end of a session."""
    descendants = _descendants()
    terminate(descendants)
    return len(descendants)


class PoolWorkerDeaths:
    """Exit codes of pool workers that ended on their own (``os._exit``, a crash, an error while a
    spawned worker imported the learner's module). ``Pool`` replaces such a worker silently, and
    waits forever for the task it held: the hang that follows is then explained by its exit code."""

    def __init__(self) -> None:
        from multiprocessing.pool import Pool

        self.exit_codes: list[int] = []
        self._original = getattr(Pool, "_join_exited_workers", None)  # absent: deaths go unexplained
        if self._original is None:
            return
        original, exit_codes = self._original, self.exit_codes

        def joining(pool):
            exit_codes.extend(worker.exitcode for worker in pool if worker.exitcode not in (None, 0))
            return original(pool)

        Pool._join_exited_workers = staticmethod(joining)

    def close(self) -> None:
        from multiprocessing.pool import Pool

        if self._original is not None:
            Pool._join_exited_workers = staticmethod(self._original)


class HangGuard:
    """pytest-timeout's ``signal`` method, with the hung process tree terminated before the test fails."""

    def __init__(self) -> None:
        self._armed: set[str] = set()
        self._previous = None
        self.deaths = PoolWorkerDeaths()

    @staticmethod
    def available(settings) -> bool:
        return settings.method == "signal" and hasattr(signal, "SIGALRM") and settings.timeout > 0

    def arm(self, item: pytest.Item, seconds: float) -> bool:
        self.deaths.exit_codes.clear()

        def on_alarm(signum, frame):
            exit_codes = list(self.deaths.exit_codes)  # before the terminations below add their own
            terminated = len(_descendants())
            terminate(_descendants())
            # If unwinding blocks again (a pool waiting on a dead worker), fail once more.
            signal.setitimer(signal.ITIMER_REAL, TERMINATE_GRACE_S * 5)
            pytest.fail(failures.timeout_message(seconds, terminated, exit_codes), pytrace=False)

        self._previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        self._armed.add(item.nodeid)
        return True

    def disarm(self, item: pytest.Item) -> bool | None:
        if item.nodeid not in self._armed:
            return None  # not ours: pytest-timeout cancels its own
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous or signal.SIG_DFL)
        self._armed.discard(item.nodeid)
        return True

    def close(self) -> None:
        self.deaths.close()


class RendezvousService:
    """One manager process per session, serving barriers that pool tasks can receive as arguments.

    A plain ``multiprocessing.Barrier`` is shared only through inheritance; a manager's barrier proxy
    pickles, so it can travel in ``Pool.map`` arguments under every start method.
    """

    def __init__(self) -> None:
        self._manager: multiprocessing.managers.SyncManager | None = None

    def barrier(self, parties: int, timeout: float = RENDEZVOUS_TIMEOUT_S):
        if self._manager is None:
            self._manager = multiprocessing.Manager()
            _plugin_pids.add(self._manager._process.pid)
        return self._manager.Barrier(parties, timeout=timeout)

    def shutdown(self) -> None:
        if self._manager is not None:
            _plugin_pids.discard(self._manager._process.pid)
            self._manager.shutdown()
            self._manager = None
