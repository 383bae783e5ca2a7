"""Runs pytest, with the plugin, in a child process that has started before it is needed.

Starting Python and importing pytest and NumPy takes most of a second on a busy 2-core machine,
longer than the tests of a step-1 exercise. So a spare runner process is started ahead of time and
waits, warm, for its one run; each run gets a fresh process (the learner's modules are imported
anew, and nothing of one run leaks into the next), and the next spare is started once the run is
over, so that it does not compete with it for the CPUs. The kit's own packages are left for pytest
to import, so that it rewrites their asserts as in a plain ``pytest`` run.

The child (``plugin/lab/runner_child.py``) sends its standard output and error (pytest's report, and
whatever the learner's code prints) to a log file; it sends its events, one JSON object a line, over
the pipe that was its stdout: ``ready``, ``collected`` (how many tests), ``test`` (one more done),
``finished`` (pytest's exit code, sent once the plugin has written its report, before pytest's own
tidy-up). The child is the leader of its own process group: ending a run ends everything it started.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from plugin.lab.child_process import end, events, start_child, wait_for


@dataclasses.dataclass
class RunOutcome:
    exit_code: int
    document: dict | None  # the run's --lab-json report; None when pytest wrote none
    seconds: float


class Runner:
    """Runs pytest on the kit at ``root``, one fresh warm process per run; ``marker``: the name of the
    plugin's exercise marker, which selects one exercise's tests."""

    def __init__(
        self,
        root: Path,
        log_path: Path,
        marker: str,
        start_method: str | None = None,
        warm: bool = True,
        language: str | None = None,
    ):
        self.root = root
        self.language = language  # of the run's messages (pytest's --lang); None: pytest's own choice
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
        return start_child(self.root, self.log_path)

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
        started = time.perf_counter()
        exit_code = None
        try:
            exit_code = self._exchange(process, self._request(paths, exercise, report), on_event)
        finally:
            self._active = None
            if exit_code is None:  # it died, or the run was cancelled
                end(process, interrupt=False)
        seconds = time.perf_counter() - started
        document = json.loads(report.read_text(encoding="utf-8")) if report.is_file() else None
        self._release(process, finished=exit_code is not None)
        return RunOutcome(3 if exit_code is None else exit_code, document, seconds)

    def _request(self, paths: list[str], exercise: str | None, report: Path) -> dict:
        args = [*paths, "-p", "no:cacheprovider", "--lab-json", str(report)]
        if self.language:
            args += ["--lang", self.language]
        if self.start_method:
            args += ["--start-method", self.start_method]
        return {"args": args, "exercise": exercise, "marker": self.marker, "log": str(self.log_path)}

    @staticmethod
    def _exchange(process: subprocess.Popen, request: dict, on_event: Callable[[dict], None]) -> int | None:
        """Hand ``request`` to ``process`` and pass on its events; pytest's exit code, or None when
        the process ended without one."""
        try:
            if wait_for(process, "ready") is not None:
                process.stdin.write(json.dumps(request) + "\n")
                process.stdin.flush()
                for event in events(process):
                    if event["event"] == "finished":
                        return event["exit"]
                    on_event(event)
        except (BrokenPipeError, OSError):
            pass
        return None

    def _release(self, process: subprocess.Popen, finished: bool) -> None:
        """Let the run's process go, and start the next spare."""
        if finished:
            # The result is known: the process's own exit (interpreter shutdown) need not delay the screen.
            self._retiring = threading.Thread(target=self._retire, args=(process,), daemon=True)
            self._retiring.start()
        elif self.warm and not self._closed:
            self._spare = self._start()

    def _retire(self, process: subprocess.Popen) -> None:
        end(process, interrupt=False)
        if self.warm and not self._closed:
            self._spare = self._start()

    def cancel(self) -> None:
        """Stop the run in progress (from another thread): pytest's own clean-up first, then its group."""
        self.cancelled = True
        process = self._active
        if process is not None:
            end(process, interrupt=True)

    def close(self) -> None:
        """End the run in progress and the spare; no run starts after this."""
        self._closed = True
        self.cancel()
        if self._retiring is not None:
            self._retiring.join()
        if self._spare is not None:
            end(self._spare, interrupt=False)
            self._spare = None
        shutil.rmtree(self._folder, ignore_errors=True)
