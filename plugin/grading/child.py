"""One pytest child of the grading command: learner code runs only there; its results come back as
signed events (``plugin.grading.stream``), and how it ended explains any result that never came."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from plugin.grading import stream
from plugin.measure import clock
from plugin.messages import say

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


class ChildRun:
    """One pytest child: its signed events, and how it ended."""

    def __init__(self, kit_copy: Path, args: list[str], timeout: float, output=None):
        self.stream_path = kit_copy / f"stream-{secrets.token_hex(4)}.jsonl"
        key = secrets.token_bytes(32)
        read_end, write_end = os.pipe()
        os.write(write_end, key)
        os.close(write_end)
        environment = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
        environment.update({"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", stream.KEY_FD_ENV: str(read_end)})
        command = [sys.executable, "-m", "pytest", *CHILD_PLUGINS, f"--lab-stream={self.stream_path}", *args]
        started = clock.perf_counter()
        process = subprocess.Popen(
            command, cwd=kit_copy, env=environment, pass_fds=(read_end,), start_new_session=True, stdout=output
        )
        os.close(read_end)
        self.timed_out = False
        try:
            self.returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.timed_out = True
            self.returncode = _stop(process)
        self.elapsed = clock.perf_counter() - started
        self.events, self.forged = stream.read_events(self.stream_path, key)

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


def _stop(process: subprocess.Popen) -> int:
    """Terminate the child's whole process group, then kill what is left."""
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
