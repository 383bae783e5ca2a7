"""The deciding process's side of one test's learner process: start it, send it requests, read its
replies as plain data, watch its process tree from outside, pause it, and end it.

The process starts at the test's first call into the learner's code, so that the call's arguments can
be objects shared only through inheritance (a ``multiprocessing.Array``, ``Lock`` or ``Queue``): they
travel as the new process's argument. Module attributes set before then (``monkeypatch.setattr``) and
probes installed before then are applied first, in order.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import signal
import stat
import tempfile
import threading
import time
from pathlib import Path

import psutil

from plugin.boundary import plain, server
from plugin.boundary.forkwatch import fork_events
from plugin.messages import language, say
from plugin.safety.leftovers import Leftovers, segments_left_by, shared_memory_segments, unlink_segment
from plugin.safety.process_tree import TERMINATE_GRACE_S, descendants_of, terminate
from plugin.safety.signals import TERMINATION, unwinding_on

REPLY_POLL_S = 0.005  # also how often the learner's tree is looked at while it works
FINISH_TIMEOUT_S = 5.0
STOP_TIMEOUT_S = 1.0
OUTPUT_LIMIT_BYTES = 64 * 1024  # the learner's prints shown with a failure: the end of them
# A direct child of the learner process that has not called exec (the kernel's PF_FORKNOEXEC flag) is a
# copy of it made by fork: what set_start_method("fork") or get_context("fork") does. Under forkserver and
# spawn every process multiprocessing starts from there execs at once (a forkserver, a resource tracker, a
# spawned interpreter) after a vfork, while the thread that started it waits in the kernel (state D): a
# child not yet exec'd whose starting thread is not waiting so, in two samples (FORK_CONFIRM_S apart at
# least: the next one), is a fork.
PF_FORKNOEXEC = 0x40
FORK_CONFIRM_S = 0.001
DEATHS_LIMIT_BYTES = 4096


class LearnerError(Exception):
    """The learner's code raised an exception of a type the deciding process does not admit, or sent
    back something that is not plain data; the message says which, in the learner's terms."""


class LearnerTraceback(Exception):
    """The learner process's traceback, shown as the cause of the exception raised again here."""


@dataclasses.dataclass
class LearnerContext:
    """What every learner process of a session shares: resolved once, when the session starts."""

    start_method: str
    aliases: dict
    folder: Path  # the learner processes' output files
    account: server.Account | None = None  # where this process is root: whom the learner's code runs as

    def setup(self, requests: list, output: Path) -> server.Setup:
        import sys

        return server.Setup(
            self.start_method,
            list(sys.path),
            os.getcwd(),
            self.aliases,
            str(output),
            server.Deferred(requests),
            language(),
            self.account,
        )


@dataclasses.dataclass
class LearnerEnd:
    """What one test's learner process left behind, seen from outside (but ``open_pools``, which the
    learner process reports: the pools the learner's code never closed), and the end of its output."""

    open_pools: int = 0
    leftovers: Leftovers = dataclasses.field(default_factory=Leftovers)
    output: str = ""
    forked: int = 0  # copies of the learner process made by fork (counted only where fork is not the rule)


def learner_context():
    """The context learner processes start with (forkserver, spawn where there is none): a test makes the
    Arrays, Locks and Barriers it hands to the learner's code with it, as a fork context's are refused."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


class Learner:
    """One test's learner process (started at the first call) and everything sent to it."""

    def __init__(self, context: LearnerContext):
        self._context = context
        self._process = None
        self._connection = None
        self._pending: list = []
        self._lock = threading.RLock()
        self._segments_before = shared_memory_segments()
        self.output = Path(tempfile.mkstemp(prefix="learner-", suffix=".out", dir=context.folder)[1])
        self.end: LearnerEnd | None = None
        self.seen: set[int] = set()  # every pid seen in the learner process's tree while it worked
        self._watch_forks = context.start_method != "fork"
        self._fork_events = fork_events() if self._watch_forks else None  # None: sampling alone
        self._unexeced: dict[int, float] = {}  # direct children not exec'd yet: since when
        self.forked: set[int] = set()
        self._also_paused: list = []  # callables naming more processes that run the learner's code
        self.pool_server: int | None = None  # the pid of the forkserver forked from the learner process, as it reported
        self._pool_server_started: float | None = None  # and its start time: a pid given again is not it

    @property
    def started(self) -> bool:
        return self._process is not None

    @property
    def pid(self) -> int:
        """The learner process's pid (it is started if it was not yet)."""
        if not self.started:
            self.run(os.getpid)
        return self._process.pid

    def kit_pids(self) -> set[int]:
        """The processes of the learner's tree that the kit started, not the learner's code: the learner
        process itself and its pools' forkserver (none before it starts)."""
        if not self.started:
            return set()
        return {self._process.pid, self._live_pool_server()} - {None}

    def _live_pool_server(self) -> int | None:
        """The pid of the learner process's forkserver while it is still that process: the same pid and
        start time (the learner's code could end it and have its pid given to a process of its own)."""
        if self.pool_server is None or _start_time(self.pool_server) != self._pool_server_started:
            return None
        return self.pool_server

    def call(self, module: str, name: str, args: tuple, kwargs: dict):
        __tracebackhide__ = True  # pytest shows the test's line, not the kit's plumbing
        return self._request(("call", module, name, args, kwargs))

    def run(self, func, *args, **kwargs):
        """``func(*args, **kwargs)`` in the learner process (``func`` pickles by reference: a kit function)."""
        return self._request(("run", func, args, kwargs))

    def setattr(self, module: str, name: str, value) -> None:
        self._later_or_now(("setattr", module, name, value))

    def install(self, func, *args, **kwargs) -> None:
        """``func(*args, **kwargs)`` in the learner process before anything else runs there: now, or as
        soon as it starts."""
        self._later_or_now(("run", func, args, kwargs))

    def _later_or_now(self, request) -> None:
        with self._lock:
            if self.end is not None:
                return  # the test is over: a fixture undoing its patch
            if self.started:
                self._request(request)
            else:
                self._pending.append(request)

    def _request(self, request):
        __tracebackhide__ = True  # pytest shows the test's line, not the kit's plumbing
        with self._lock:
            if self.end is not None:
                raise LearnerError(say("boundary.ended"))
            if not self.started:
                requests, self._pending = [*self._pending, request], []
                self._start(requests)
                for _ in requests[:-1]:
                    self._receive()  # a pending patch or probe that failed fails the test here
            else:
                try:
                    self._connection.send(request)
                except RuntimeError as error:  # an Array, Lock or Queue after the start
                    raise LearnerError(say("boundary.inheritance_after_start", error=error)) from None
                except Exception as error:  # noqa: BLE001 - an argument that cannot be pickled
                    raise LearnerError(say("boundary.cannot_send", error=f"{type(error).__name__}: {error}")) from error
            return self._receive()

    def _start(self, requests: list) -> None:
        context = learner_context()
        ours, theirs = context.Pipe()
        setup = self._context.setup(requests, self.output)
        process = context.Process(target=server.serve, args=(theirs, setup), name="LearnerProcess")
        try:
            process.start()
        except Exception as error:
            ours.close()
            raise LearnerError(say("boundary.cannot_send", error=f"{type(error).__name__}: {error}")) from error
        finally:
            theirs.close()
        self._process, self._connection = process, ours
        if self._fork_events is not None:
            self._fork_events.follow(process.pid)
        server_pid = self._receive()  # reported before the learner's code is imported (server.serve)
        if type(server_pid) is int:
            self.pool_server, self._pool_server_started = server_pid, _start_time(server_pid)
            if self._fork_events is not None:
                self._fork_events.disown(server_pid)
            # The tree may have been looked at between the fork and the report: the server is not the learner's.
            self.seen.discard(server_pid)
            self.forked.discard(server_pid)

    def _receive(self):
        __tracebackhide__ = True  # pytest shows the test's line, not the kit's plumbing
        root = self._process.pid
        while not self._connection.poll(REPLY_POLL_S):
            self._look(root)
            if not self._process.is_alive():
                raise self._died()
        try:
            message = self._connection.recv_bytes(plain.MAX_MESSAGE_BYTES)
        except (EOFError, OSError) as error:
            raise self._died() from error
        try:
            outcome = plain.loads(message)
        except plain.NotPlainData as refused:
            raise LearnerError(say("boundary.not_plain", what=refused)) from None
        return _outcome(outcome)

    def _look(self, root: int) -> None:
        """Note the learner's tree, and each direct child that is a fork of the learner process: as the
        kernel reported them (``forkwatch``), and as sampled here (all there is where it reports none)."""
        pids, children = tree_pids(root)
        server = self._live_pool_server()
        self.seen |= pids - {server}  # the forkserver runs none of the learner's code
        if not self._watch_forks:
            return
        if self._fork_events is not None:
            self.forked |= self._fork_events.forked(root)
        now, unexeced = time.monotonic(), {}
        for pid, thread in children:
            if pid != server and _forked_without_exec(pid) and not _waits_for_vfork(root, thread):
                unexeced[pid] = self._unexeced.get(pid, now)
                if now - unexeced[pid] >= FORK_CONFIRM_S:
                    self.forked.add(pid)
        self._unexeced = unexeced

    def _died(self) -> LearnerError:
        self._process.join(TERMINATE_GRACE_S)  # its end of the pipe closes a moment before it is reaped
        return LearnerError(say("boundary.died", code=self._process.exitcode, output=self.output_tail()))

    def assert_no_children_left(self, advice: str) -> None:
        """Fail, with ``advice``, when the learner's code left child processes running or never joined:
        seen from outside (running or finished but unreaped), and as the learner process's
        multiprocessing counts the ones it started and never joined."""
        left = {process.pid for process in self.descendants()}
        unjoined = self.run(server.unjoined_children) if self.started else 0
        count = max(len(left), unjoined if isinstance(unjoined, int) else 0)
        if count:
            raise AssertionError(say("leftovers.children", count=count, advice=advice))

    def descendants(self) -> list[psutil.Process]:
        """The learner process's descendants, seen from outside, without multiprocessing's own helpers."""
        if not self.started:
            return []
        try:
            tree = descendants_of(psutil.Process(self._process.pid))
        except psutil.Error:
            return []
        server = self._live_pool_server()
        return [process for process in tree if process.pid != server]

    def own_cpu_seconds(self) -> float | None:
        """CPU seconds the learner process itself has used so far, all its threads and none of its
        children's: work done there ran in the caller, not in workers. None before it starts."""
        if not self.started:
            return None
        try:
            times = psutil.Process(self._process.pid).cpu_times()
        except psutil.Error:
            return None
        return times.user + times.system

    def pause_also(self, pids) -> None:
        """Stop the processes that ``pids()`` names too whenever this learner is ``paused()``: others that
        run the learner's code (step 5's embedded Dask cluster, whose workers run its tasks)."""
        self._also_paused.append(pids)

    @contextlib.contextmanager
    def paused(self):
        """The learner process and its whole tree stopped (SIGSTOP), and the processes named to
        ``pause_also``, so that none can take CPU time from the kit's sequential reference while that is
        timed; all resumed (SIGCONT) afterwards, whatever happened. A SIGTERM, SIGINT or SIGHUP that
        this process receives meanwhile resumes them at once, then unwinds it (``unwinding_on``): a
        process stopped when this one dies would stay stopped for good, never exiting, whereas the
        unwinding ends the learner's tree (``close``) and the session's cluster as a run ends."""
        stopped = self._whole_tree() if self.started else []
        for pids in self._also_paused:
            stopped += _processes(pids())
        with _stopped(stopped):
            yield

    def tree_paused(self):
        """The learner process and its whole tree stopped, as ``paused()`` stops them, but not the
        processes named to ``pause_also``: while the kit measures what those processes themselves can do
        now (step 5's cluster, reading its capacity with the kit's own tasks)."""
        return _stopped(self._whole_tree() if self.started else [])

    def _whole_tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self._process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def worker_exit_codes(self) -> list[int]:
        """Exit codes of the learner's pool workers that died while holding a task (recorded in the
        learner process as its pools replace them): read while the learner's code hangs, to explain it."""
        text = _read_regular(Path(f"{self.output}{server.DEATHS_SUFFIX}"), DEATHS_LIMIT_BYTES)
        return [int(line) for line in text.split() if line.lstrip("-").isdigit()]

    def output_tail(self) -> str:
        """The end of what the learner's code printed."""
        return _read_regular(self.output, OUTPUT_LIMIT_BYTES)

    def close(self) -> LearnerEnd:
        """End the learner process, its tree with it, and say what it left behind."""
        with self._lock:
            if self.end is not None:
                return self.end
            end = LearnerEnd()
            if self.started:
                end = self._finish()
            end.output = self.output_tail()
            self.end = end
        for path in (self.output, Path(f"{self.output}{server.DEATHS_SUFFIX}")):
            with contextlib.suppress(OSError):
                path.unlink()
        return end

    def _finish(self) -> LearnerEnd:
        open_pools = 0
        if self._process.is_alive():
            with contextlib.suppress(Exception):  # a learner process that no longer answers reports nothing
                self._connection.send(("finish",))
                if self._connection.poll(FINISH_TIMEOUT_S):
                    report = plain.loads(self._connection.recv_bytes(plain.MAX_MESSAGE_BYTES))
                    if report[0] == "ok" and isinstance(report[1], dict):
                        open_pools = int(report[1].get("open_pools", 0))
        left = self.descendants()
        zombies = [p for p in left if _status(p) == psutil.STATUS_ZOMBIE]
        tree = self._whole_tree()
        account = self._context.account  # a learner process that dropped to it creates its segments as it
        segments = segments_left_by(self._segments_before, {p.pid for p in tree}, account.uid if account else None)
        with contextlib.suppress(Exception):
            self._connection.send(("stop",))
        self._process.join(TERMINATE_GRACE_S)
        terminate([p for p in tree if p.is_running()])
        if self._process.is_alive():
            self._process.kill()
        self._process.join(TERMINATE_GRACE_S)
        self._connection.close()
        for name in segments:
            unlink_segment(name)
        leftovers = Leftovers(running=len(left) - len(zombies), unjoined=len(zombies), segments=tuple(sorted(segments)))
        self._look(self._process.pid)  # a fork still there at the end, or ended since the last look
        if self._fork_events is not None:
            self._fork_events.forget(self._process.pid)
        return LearnerEnd(open_pools, leftovers, forked=len(self.forked))


def _read_regular(path: Path, limit: int) -> str:
    """The last ``limit`` bytes of a file the learner could replace, read without following a link or
    blocking on a pipe (anything but a regular file reads as empty)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode):
            return ""
        file.seek(max(0, status.st_size - limit))
        return file.read(limit).decode("utf-8", "replace")


def tree_pids(root: int) -> tuple[set[int], list[tuple[int, str]]]:
    """The pids of ``root``'s descendants, and its direct children with the thread that started each,
    read from /proc (cheap enough to do every few milliseconds)."""
    found, todo, direct = set(), [root], []
    while todo:
        pid = todo.pop()
        try:
            threads = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for thread in threads:
            try:
                with open(f"/proc/{pid}/task/{thread}/children") as children:
                    pids = [int(child) for child in children.read().split()]
            except (OSError, ValueError):
                continue
            todo.extend(pids)
            if pid == root:
                direct.extend((child, thread) for child in pids)
        found.add(pid)
    found.discard(root)
    return found, direct


def _start_time(pid: int) -> float | None:
    """When ``pid`` started (None once it is gone): with the pid, what tells one process from another."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def _stat_fields(path: str) -> list[bytes]:
    """A /proc stat file's fields after the command's closing parenthesis: state, ppid, pgrp, session,
    tty, tpgid, flags, ...; empty when it is gone."""
    try:
        with open(path, "rb") as stat_file:
            return stat_file.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _forked_without_exec(pid: int) -> bool:
    """Whether ``pid`` is alive and has not called exec since it was forked."""
    fields = _stat_fields(f"/proc/{pid}/stat")
    return len(fields) > 6 and fields[0] not in (b"Z", b"X") and bool(int(fields[6]) & PF_FORKNOEXEC)


def _waits_for_vfork(pid: int, thread: str) -> bool:
    """Whether ``pid``'s ``thread`` waits uninterruptibly: as it does until the child it vforked execs."""
    fields = _stat_fields(f"/proc/{pid}/task/{thread}/stat")
    return bool(fields) and fields[0] == b"D"


def _processes(pids) -> list[psutil.Process]:
    processes = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            processes.append(psutil.Process(pid))
    return processes


@contextlib.contextmanager
def _stopped(processes: list[psutil.Process]):
    """``processes`` stopped (SIGSTOP) inside, resumed (SIGCONT) afterwards whatever happened, and at once
    when this process receives a terminating signal meanwhile (``Learner.paused``)."""

    def resume() -> None:
        _signal_all(processes, signal.SIGCONT)

    with unwinding_on(TERMINATION, first=resume):
        _signal_all(processes, signal.SIGSTOP)
        _wait_stopped(processes)
        try:
            yield
        finally:
            resume()


def _signal_all(processes: list[psutil.Process], sig: int) -> None:
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.send_signal(sig)


def _wait_stopped(processes: list[psutil.Process]) -> None:
    """A signal is delivered asynchronously: wait (briefly) until the tree really stands still."""
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        if all(_status(p) in (psutil.STATUS_STOPPED, psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD) for p in processes):
            return
        time.sleep(REPLY_POLL_S)


def _status(process: psutil.Process) -> str:
    try:
        return process.status()
    except psutil.Error:
        return psutil.STATUS_DEAD


def _admitted_exception(pickled):
    """The learner's exception, when it pickled and its type is admitted (a builtin or kit type)."""
    if not isinstance(pickled, bytes):
        return None
    try:
        return plain.loads(pickled)
    except plain.NotPlainData:
        return None


def _outcome(outcome):
    """The value of a well-formed reply, or the learner's exception raised again here."""
    __tracebackhide__ = True  # pytest shows the test's line, not the kit's plumbing
    if not isinstance(outcome, tuple) or not outcome or outcome[0] not in ("ok", "raised", "unpicklable"):
        raise LearnerError(say("boundary.not_plain", what=type(outcome).__name__))
    if outcome[0] == "ok" and len(outcome) == 2:
        return outcome[1]
    if outcome[0] == "unpicklable" and len(outcome) == 4 and all(isinstance(part, str) for part in outcome[1:]):
        raise LearnerError(say("boundary.unpicklable", type=f"{outcome[1]}.{outcome[2]}", value=outcome[3]))
    if outcome[0] == "raised" and len(outcome) == 7:
        _, module, qualname, message, text, explanation, error = outcome
        if not all(isinstance(part, str) for part in (module, qualname, message, text)):
            raise LearnerError(say("boundary.not_plain", what="an exception"))
        error = _admitted_exception(error)
        if not isinstance(error, Exception):  # not admitted, or SystemExit / KeyboardInterrupt
            error = LearnerError(say("boundary.raised", type=f"{module}.{qualname}", message=message))
        error.lab_explanation = explanation if isinstance(explanation, str) else None
        raise error from LearnerTraceback(text)
    raise LearnerError(say("boundary.not_plain", what=outcome[0]))
