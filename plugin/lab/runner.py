"""Runs pytest, with the plugin, in a child process that has started before it is needed.

Starting Python and importing pytest and NumPy takes most of a second on a busy 2-core machine,
longer than the tests of a step-1 exercise. So a spare runner process is started ahead of time and
waits, warm, for its one run; each run gets a fresh process (the learner's modules are imported
anew, and nothing of one run leaks into the next), and the next spare is started once the run is
over, so that it does not compete with it for the CPUs. The kit's own packages are left for pytest
to import, so that it rewrites their asserts as in a plain ``pytest`` run.

The child's standard output and error (pytest's report, and whatever the learner's code prints) go
to a log file; it sends its events, one JSON object a line, over the pipe that was its stdout:
``ready``, ``collected`` (how many tests), ``test`` (one more done), ``finished`` (pytest's exit code,
sent once the plugin has written its report, before pytest's own tidy-up).
The child is the leader of its own process group: ending a run ends everything it started.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

INTERRUPT_GRACE_S = 5.0  # pytest's own clean-up after Ctrl-C: its session end terminates the test's processes
TERMINATE_GRACE_S = 1.0
# Not the kit's own packages, nor pytest's entry-point plugins (xdist, timeout): imported before pytest
# starts, their asserts could not be rewritten, and the run would differ from a plain pytest run.
PRELOAD = ("numpy", "PIL.Image", "psutil", "multiprocessing.managers", "multiprocessing.shared_memory")


@dataclasses.dataclass
class RunOutcome:
    exit_code: int
    document: dict | None  # the run's --lab-json report; None when pytest wrote none
    seconds: float


class Runner:
    """Runs pytest on the kit at ``root``, one fresh warm process per run; ``marker``: the name of the
    plugin's exercise marker, which selects one exercise's tests."""

    def __init__(self, root: Path, log_path: Path, marker: str, start_method: str | None = None, warm: bool = True):
        self.root = root
        self.marker = marker
        self.log_path = log_path
        self.start_method = start_method
        self.warm = warm
        self._folder = Path(tempfile.mkdtemp(prefix="lab-run-"))
        self._spare: subprocess.Popen | None = None
        self._active: subprocess.Popen | None = None
        self._retiring: threading.Thread | None = None
        self._closed = False
        self.cancelled = False
        if warm:
            self._spare = self._start()

    def _start(self) -> subprocess.Popen:
        with open(self.log_path, "ab") as log:  # errors before the run (a broken install) land in the log
            return subprocess.Popen(
                # This file as a script, not ``-m plugin.lab.runner``, which would import the kit's package.
                [sys.executable, str(Path(__file__).resolve())],
                cwd=self.root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,
                text=True,
                bufsize=1,
            )

    def run(self, paths: list[str], exercise: str | None = None, on_event: Callable[[dict], None] = lambda e: None):
        """Run the exercise tests under ``paths`` (only ``exercise``'s when given) and report them."""
        if self._closed:  # lab is quitting: a run asked for at that moment never starts
            self.cancelled = True
            return RunOutcome(2, None, 0.0)
        if self._retiring is not None:  # the last run's process is still exiting, and starts the spare
            self._retiring.join()
        process, self._spare = self._spare or self._start(), None
        self._active = process
        self.cancelled = False
        report = self._folder / "run.json"
        report.unlink(missing_ok=True)
        args = [*paths, "-p", "no:cacheprovider", "--lab-json", str(report)]
        if self.start_method:
            args += ["--start-method", self.start_method]
        started = time.perf_counter()
        exit_code = None
        try:
            request = {"args": args, "exercise": exercise, "marker": self.marker, "log": str(self.log_path)}
            if _wait_for(process, "ready") is not None:
                process.stdin.write(json.dumps(request) + "\n")
                process.stdin.flush()
                for event in _events(process):
                    if event["event"] == "finished":
                        exit_code = event["exit"]
                        break
                    on_event(event)
        except (BrokenPipeError, OSError):
            pass
        finally:
            self._active = None
            if exit_code is None:
                _end(process, interrupt=False)
        seconds = time.perf_counter() - started
        document = json.loads(report.read_text(encoding="utf-8")) if report.is_file() else None
        if exit_code is not None:
            # The result is known: the process's own exit (interpreter shutdown) need not delay the screen.
            self._retiring = threading.Thread(target=self._retire, args=(process,), daemon=True)
            self._retiring.start()
        elif self.warm and not self._closed:
            self._spare = self._start()
        return RunOutcome(3 if exit_code is None else exit_code, document, seconds)

    def _retire(self, process: subprocess.Popen) -> None:
        _end(process, interrupt=False)
        if self.warm and not self._closed:
            self._spare = self._start()

    def cancel(self) -> None:
        """Stop the run in progress (from another thread): pytest's own clean-up first, then its group."""
        self.cancelled = True
        process = self._active
        if process is not None:
            _end(process, interrupt=True)

    def close(self) -> None:
        """End the run in progress and the spare; no run starts after this."""
        self._closed = True
        self.cancel()
        if self._retiring is not None:
            self._retiring.join()
        if self._spare is not None:
            _end(self._spare, interrupt=False)
            self._spare = None
        shutil.rmtree(self._folder, ignore_errors=True)


def _events(process: subprocess.Popen):
    for line in process.stdout:
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            continue


def _wait_for(process: subprocess.Popen, name: str) -> dict | None:
    return next((event for event in _events(process) if event["event"] == name), None)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _end(process: subprocess.Popen, interrupt: bool) -> None:
    """End ``process`` and every process of its group; ``interrupt`` lets pytest clean up first."""
    group = process.pid  # the leader of its own group (start_new_session)
    if process.poll() is None:
        try:
            if interrupt:
                process.send_signal(signal.SIGINT)
            else:
                process.stdin.close()  # an idle spare, or a finished run: it exits by itself
            process.wait(INTERRUPT_GRACE_S)
        except (subprocess.TimeoutExpired, OSError):
            pass
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
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        try:
            stream.close()
        except OSError:
            pass


# -- the child's side -------------------------------------------------------------------------------


class _Progress:
    """A pytest plugin object of the child: selects one exercise's tests and reports progress."""

    def __init__(self, events, exercise: str | None, marker: str):
        self.events = events
        self.exercise = exercise
        self.marker = marker
        self.done = 0
        self.finished = False

    def emit(self, **event) -> None:
        self.events.write(json.dumps(event) + "\n")
        self.events.flush()

    def pytest_collection_modifyitems(self, config, items) -> None:
        if self.exercise is not None:

            def belongs(item) -> bool:
                marker = item.get_closest_marker(self.marker)
                return marker is not None and marker.args[:1] == (self.exercise,)

            deselected = [item for item in items if not belongs(item)]
            items[:] = [item for item in items if belongs(item)]
            if deselected:
                config.hook.pytest_deselected(items=deselected)
        self.emit(event="collected", total=len(items))

    def pytest_runtest_logfinish(self, nodeid, location) -> None:
        self.done += 1
        self.emit(event="test", done=self.done, nodeid=nodeid)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus) -> None:
        # After the plugin's own sessionfinish has written the report: the result can be shown now,
        # while this process finishes pytest's summary and the plugin's end of session.
        self.emit(event="finished", exit=int(exitstatus))
        self.finished = True


def serve() -> int:
    sys.path[0] = os.getcwd()  # the kit's root, as with ``python -m``; not this file's folder
    events = os.fdopen(os.dup(1), "w", buffering=1)
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # pytest's own import of it will report the problem in the run's log
            pass
    events.write(json.dumps({"event": "ready"}) + "\n")
    events.flush()
    line = sys.stdin.readline()
    if not line:
        return 0
    request = json.loads(line)
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # the learner's code never reads the pipe the request came on
    os.dup2(log, 1)
    os.dup2(log, 2)
    progress = _Progress(events, request["exercise"], request["marker"])
    try:
        code = int(pytest.main(request["args"], plugins=[progress]))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    if not progress.finished:  # pytest stopped before its session began (a usage error)
        progress.emit(event="finished", exit=code)
    return 0


if __name__ == "__main__":
    sys.exit(serve())
