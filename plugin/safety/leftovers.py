"""What a test leaves behind: child processes and shared-memory segments.

After every test the plugin looks for child processes and shared-memory segments the learner's code
left behind, reports them as a failure of that test, and cleans them up.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time
from pathlib import Path

import psutil

from plugin.messages import say
from plugin.safety.process_tree import descendants, terminate

SHM_DIR = Path("/dev/shm")  # where POSIX shared memory shows up on Linux
SHM_PREFIXES = ("psm_", "wnsm_")  # names multiprocessing.shared_memory gives its segments
UNLINK_SETTLE_S = 0.05
EXIT_SETTLE_S = 0.2


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
        counts = (
            ("leftovers.pool_workers", self.pool_workers),
            ("leftovers.running", self.running),
            ("leftovers.unjoined", self.unjoined),
        )
        problems = [say(key, count=count) for key, count in counts if count]
        if self.segments:
            problems.append(say("leftovers.segments", count=len(self.segments), names=", ".join(self.segments)))
        return say("leftovers.cleaned", problems=say("list.separator").join(problems))


def unlink_segment(name: str) -> None:
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


def _owned_by(name: str, uid: int) -> bool:
    try:
        return (SHM_DIR / name).stat().st_uid == uid
    except OSError:  # unlinked meanwhile
        return False


def segments_left_by(segments_before: set[str], test_pids: set[int], owner: int | None = None) -> set[str]:
    """The segments this test created and did not unlink: those of account ``owner`` (the account its
    processes run as; this process's by default).

    Under xdist another worker's test may hold a segment at this moment: one mapped by a process
    outside this test's process tree is that worker's, and one that vanishes a moment later was
    between its close() and its unlink(). One owned by another account (whose processes' maps this
    one may not read, as when the grading command runs the tests unprivileged) is not this test's.
    """
    owner = os.geteuid() if owner is None else owner
    new = {name for name in shared_memory_segments() - segments_before if _owned_by(name, owner)}
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
    children = descendants()
    ended = [p for p in children if _status(p) == psutil.STATUS_ZOMBIE]
    running = [p for p in children if p not in ended]
    if running:  # one that is exiting by itself (an adopted orphan winding down) is not left behind
        exited, running = psutil.wait_procs(running, timeout=EXIT_SETTLE_S)
        ended += exited
    # As a child subreaper this process also adopts the orphans of any process it ran (a subprocess's
    # resource tracker, a learner process's tree): ended, they only wait to be reaped (terminate()
    # does). Never joined is said of the processes started here with multiprocessing.
    started_here = {child.pid for child in getattr(multiprocessing.process, "_children", ())}
    zombies = [p for p in ended if p.pid in started_here]
    names = {child.pid: child.name for child in multiprocessing.active_children()}  # e.g. ForkPoolWorker-3
    pool_workers = sum("PoolWorker" in names.get(p.pid, "") for p in running)
    if pool_workers:
        _terminate_open_pools()  # else the pools' handler threads would start new workers
    leftovers = Leftovers(
        pool_workers=pool_workers,
        running=len(running) - pool_workers,
        unjoined=len(zombies),
        segments=tuple(sorted(segments_left_by(segments_before, {os.getpid(), *(p.pid for p in children)}))),
    )
    terminate(children)
    for name in leftovers.segments:
        unlink_segment(name)
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
