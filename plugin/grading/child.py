"""One pytest child of the grading command: learner code runs only there; its results come back as
signed events (``plugin.grading.stream``) through a pipe whose read end only the grader holds
(``plugin.grading.channel``), and how it ended explains any result that never came."""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import signal
import subprocess
import sys
import time

import psutil

from plugin.grading import channel, sandbox, stream
from plugin.measure import clock
from plugin.messages import say
from plugin.safety.process_tree import become_subreaper, terminate

CHILD_PLUGINS = (
    "-p",
    "plugin.pytest_plugin",
    "-p",
    "pytest_timeout",
    "-p",
    "plugin.grading.stream",
    "-p",
    "no:cacheprovider",
)
KILL_GRACE_S = 5.0
SUPERVISE_S = 0.2  # how often the whole-run timeout is looked at while the channel is quiet
DRAIN_S = 2.0  # after the test run ends, how long what it left behind may keep the channel open


class ChildRun:
    """One pytest child: its signed events, and how it ended.

    ``workplace``: where it runs, and whom its learner processes run as (``plugin.boundary``).
    """

    def __init__(self, workplace: sandbox.Workplace, args: list[str], timeout: float, output=None):
        key = secrets.token_bytes(32)
        read_end, write_end = os.pipe()
        os.write(write_end, key)
        os.close(write_end)
        results = channel.ResultChannel()
        environment = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
        environment.update(workplace.environment())
        environment.update({"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", stream.KEY_FD_ENV: str(read_end)})
        command = [sys.executable, "-m", "pytest", *CHILD_PLUGINS, f"--lab-stream-fd={results.write_fd}", *args]
        become_subreaper()  # what the child leaves behind, in any session, is adopted here and ended
        self._others = {child.pid for child in psutil.Process().children(recursive=True)}
        started = clock.perf_counter()
        try:
            process = subprocess.Popen(
                command,
                cwd=workplace.kit,
                env=environment,
                pass_fds=(read_end, results.write_fd),
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=output,
            )
        finally:
            os.close(read_end)
            results.close_write_end()  # the child holds the only write end
        self._follow(process, results, key, timeout)
        self.elapsed = clock.perf_counter() - started

    def _follow(self, process, results: channel.ResultChannel, key: bytes, timeout: float):
        """Read the channel until the child ends (or ``timeout`` ends it), then take what it said."""
        self.timed_out = True
        try:
            self.timed_out = _supervise(process, results, timeout)
        finally:  # also when the grading's own time limit interrupts the wait
            self.returncode = _stop(process)
            left = [p for p in psutil.Process().children(recursive=True) if p.pid not in self._others]
            terminate(left)  # and reaped: no zombie is left either
            _drain(results)
            results.close()
        self.events, self.forged = channel.read_events(results.lines, key)
        self.oversized, self.flooded = results.oversized, results.flooded
        self.forks = sum(event["count"] for event in self.of("forked"))

    def of(self, kind: str) -> list[dict]:
        return [event for event in self.events if event.get("event") == kind]

    @property
    def finished(self) -> bool:
        return bool(self.of("finished"))

    def ending(self, timeout: float, which: str = "grade.this_test") -> str:
        """Why a test (``which``: "grade.this_test" or "grade.every_test") never reported: how the run ended."""
        if self.timed_out:
            return say("grade.whole_run_timeout", timeout=timeout, which=say(which))
        if self.returncode < 0:
            return say("grade.killed", signal=-self.returncode, which=say(which))
        if not self.finished:
            return say("grade.ended_early", code=self.returncode, which=say(which))
        return say("grade.did_not_run")


def _supervise(process: subprocess.Popen, results: channel.ResultChannel, timeout: float) -> bool:
    """Read the channel until the child exits; True when ``timeout`` ended it."""
    deadline = clock.perf_counter() + timeout
    while process.poll() is None:
        remaining = deadline - clock.perf_counter()
        if remaining <= 0:
            return True
        if results.eof:  # the learner closed its end: nothing to wait on but time
            time.sleep(min(remaining, SUPERVISE_S))
        else:
            select.select([results.read_fd], [], [], min(remaining, SUPERVISE_S))
        results.pump()
    return False


def _drain(results: channel.ResultChannel) -> None:
    """What the child wrote just before it ended; a process it left holding the pipe ends this in DRAIN_S."""
    deadline = clock.perf_counter() + DRAIN_S
    results.pump()
    while not results.eof and (remaining := deadline - clock.perf_counter()) > 0:
        select.select([results.read_fd], [], [], remaining)
        results.pump()


def _stop(process: subprocess.Popen) -> int:
    """Terminate the child's whole process group, then kill what is left (also what an ended run left)."""
    if process.poll() is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # its pid stays the group's while members are alive
        return process.returncode
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            return process.wait(timeout=KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            continue
    return process.wait()
