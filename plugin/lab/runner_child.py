"""The runner's child: a warm interpreter that waits for its one pytest run and reports its progress.

Run as a script (``python plugin/lab/runner_child.py``), never imported by the kit's package: it
imports only the standard library and pytest, and leaves the kit's own packages for pytest to import,
so that it rewrites their asserts as in a plain ``pytest`` run. Its protocol is described in
``plugin.lab.runner``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

import pytest

# Not the kit's own packages, nor pytest's entry-point plugins (xdist, timeout): imported before pytest
# starts, their asserts could not be rewritten, and the run would differ from a plain pytest run.
PRELOAD = ("numpy", "PIL.Image", "psutil", "multiprocessing.managers", "multiprocessing.shared_memory")


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


def _preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # pytest's own import of it will report the problem in the run's log
            pass


def _redirect_to_log(log_path: str) -> None:
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # the learner's code never reads the pipe the request came on
    os.dup2(log, 1)
    os.dup2(log, 2)


def serve() -> int:
    sys.path[0] = os.getcwd()  # the kit's root, as with ``python -m``; not this file's folder
    events = os.fdopen(os.dup(1), "w", buffering=1)
    _preload()
    events.write(json.dumps({"event": "ready"}) + "\n")
    events.flush()
    line = sys.stdin.readline()
    if not line:
        return 0
    request = json.loads(line)
    _redirect_to_log(request["log"])
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
