"""The runner's side of one child process: starting it, reading its events, ending its whole group."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

INTERRUPT_GRACE_S = 5.0  # pytest's own clean-up after Ctrl-C: its session end terminates the test's processes
TERMINATE_GRACE_S = 1.0
# Run as a script, not ``-m plugin.lab.runner_child``, which would import the kit's package.
CHILD_SCRIPT = Path(__file__).resolve().with_name("runner_child.py")


def start_child(root: Path, log_path: Path) -> subprocess.Popen:
    """Start a child that imports pytest and waits for its run's request on its stdin."""
    with open(log_path, "ab") as log:  # errors before the run (a broken install) land in the log
        return subprocess.Popen(
            [sys.executable, str(CHILD_SCRIPT)],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
            text=True,
            bufsize=1,
        )


def events(process: subprocess.Popen):
    """The child's events, one JSON object a line; lines that are not JSON are skipped."""
    for line in process.stdout:
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            continue


def wait_for(process: subprocess.Popen, name: str) -> dict | None:
    return next((event for event in events(process) if event["event"] == name), None)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _end_group(group: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not _group_alive(group):
            break
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + TERMINATE_GRACE_S
        while _group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.02)


def end(process: subprocess.Popen, interrupt: bool) -> None:
    """End ``process`` and every process of its group; ``interrupt`` lets pytest clean up first."""
    if process.poll() is None:
        try:
            if interrupt:
                process.send_signal(signal.SIGINT)
            else:
                process.stdin.close()  # an idle spare, or a finished run: it exits by itself
            process.wait(INTERRUPT_GRACE_S)
        except (subprocess.TimeoutExpired, OSError):
            pass
    _end_group(process.pid)  # the leader of its own group (start_new_session)
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        try:
            stream.close()
        except OSError:
            pass
