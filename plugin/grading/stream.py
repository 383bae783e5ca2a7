"""``-p plugin.grading.stream --lab-stream-fd N``: the result of every exercise test, as it happens, for a grader.

The grading command (``python -m plugin.grade``) runs pytest in a child process with this plugin and
scores only what arrives here, so a run that crashes or ends early keeps the results it finished.
The lines go into an inherited pipe whose read end only the grading process holds (``plugin.grading.channel``
reads and validates them there): there is no file for learner code to replace, and nothing to read back.

Two defences against learner code, which runs inside that child process:

- **Signed lines.** Each line carries an HMAC under a key the grading process hands over through an
  inherited pipe (its number in ``PARALLEL_LAB_STREAM_KEY_FD``), read and closed when pytest
  configures, before any learner module is imported. A line written by anyone else is rejected.
- **Watched reporting.** The functions through which pytest and the kit make, judge and report a
  test's result are recorded when this module is imported (``-p`` imports it first); before each
  line they are compared with what is there now. A replaced one is reported as tampering.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import inspect
import json
import os

import pytest

from plugin.catalog import MARKER
from plugin.grading import channel
from plugin.messages import say

KEY_FD_ENV = "PARALLEL_LAB_STREAM_KEY_FD"

# Modules whose functions decide or carry a test's result.
WATCHED_MODULES = (
    "json",
    "json.encoder",
    "hmac",
    "hashlib",
    "pluggy._callers",
    "pluggy._hooks",
    "pluggy._manager",
    "_pytest.runner",
    "_pytest.reports",
    "_pytest.python",
    "_pytest.outcomes",
    "_pytest.skipping",
    "_pytest.main",
    "_pytest.fixtures",
    "pytest",
    "plugin.measure.clock",
    "plugin.measure.check",
    "plugin.measure.speedup",
    "plugin.measure.timing",
    "plugin.messages",
    "plugin.progress",
    "plugin.pytest_plugin",
    "plugin.safety.hang_guard",
    "plugin.safety.leftovers",
    "plugin.safety.poolspy",
    "plugin.safety.process_tree",
    "plugin.session.failures",
    "plugin.session.guard",
    "plugin.session.run",
    "plugin.session.stamping",
    "plugin.grading.stream",
)
# Hooks whose implementations decide or carry a test's result: no new one may join once tests load.
WATCHED_HOOKS = (
    "pytest_runtest_protocol",
    "pytest_runtest_setup",
    "pytest_runtest_call",
    "pytest_runtest_teardown",
    "pytest_runtest_makereport",
    "pytest_runtest_logreport",
    "pytest_pyfunc_call",
    "pytest_report_teststatus",
    "pytest_collection_modifyitems",
    "pytest_runtestloop",
    "pytest_sessionfinish",
)


def _members(module) -> dict[str, object]:
    """Every function, class and class attribute a module defines or imports, by dotted name."""
    found = {}
    for name, value in vars(module).items():
        if inspect.isroutine(value) or inspect.isclass(value):
            found[f"{module.__name__}.{name}"] = value
        if inspect.isclass(value) and value.__module__ == module.__name__:
            for attribute, member in vars(value).items():
                if inspect.isroutine(member) or isinstance(member, (property, classmethod, staticmethod)):
                    found[f"{module.__name__}.{name}.{attribute}"] = member
    return found


def _lookup(dotted: str, module_name: str):
    module = importlib.import_module(module_name)
    owner = module
    for part in dotted[len(module_name) + 1 :].split("."):
        namespace = vars(owner)
        if part not in namespace:
            return None
        owner = namespace[part]
    return owner


class Watchlist:
    """What the reporting functions were when this module was imported, and what differs now."""

    def __init__(self) -> None:
        self._recorded = {
            module_name: _members(importlib.import_module(module_name)) for module_name in WATCHED_MODULES
        }
        self._hooks: dict[str, list] | None = None

    def freeze_hooks(self, pluginmanager) -> None:
        """Called once collection is over: what the hooks are from then on."""
        self._hooks = {name: self._impls(pluginmanager, name) for name in WATCHED_HOOKS}

    @staticmethod
    def _impls(pluginmanager, name: str) -> list:
        caller = getattr(pluginmanager.hook, name, None)
        return [impl.function for impl in caller.get_hookimpls()] if caller is not None else []

    def changes(self, pluginmanager) -> list[str]:
        changed = [
            dotted
            for module_name, members in self._recorded.items()
            for dotted, value in members.items()
            if _lookup(dotted, module_name) is not value
        ]
        if self._hooks is not None:
            for name, impls in self._hooks.items():
                now = self._impls(pluginmanager, name)
                if len(now) != len(impls) or any(a is not b for a, b in zip(now, impls, strict=True)):
                    changed.append(f"hook {name}")
        return changed


_WATCHLIST = Watchlist()  # at import: before any learner code


def sign(key: bytes, event: dict) -> str:
    body = json.dumps(event, sort_keys=True)
    return json.dumps({"body": body, "mac": hmac.new(key, body.encode(), hashlib.sha256).hexdigest()})


def _take_key() -> bytes:
    fd = os.environ.pop(KEY_FD_ENV, None)
    if fd is None:
        raise pytest.UsageError(say("stream.key_missing", variable=KEY_FD_ENV))
    with os.fdopen(int(fd), "rb") as pipe:
        return pipe.read()


class Stream:
    def __init__(self, config: pytest.Config, fd: int, key: bytes):
        self.config = config
        self.key = key
        os.set_inheritable(fd, False)  # the pipe is the session's: no process it starts gets it by exec
        self._file = os.fdopen(fd, "w", encoding="utf-8")  # open for the whole session
        self._tampered = False

    def emit(self, event: dict) -> None:
        if not self._tampered:
            changes = _WATCHLIST.changes(self.config.pluginmanager)
            if changes:
                self._tampered = True
                self._write({"event": "tampered", "changes": changes[:20]})
        self._write(event)

    def _write(self, event: dict) -> None:
        self._file.write(sign(self.key, event) + "\n")
        self._file.flush()  # in the kernel's hands: a crash or os._exit right after loses nothing

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # After collection: the kit's conftest files (step 5's among them) register hooks while it runs,
        # and the learner's code never runs in this process (plugin/boundary), so nothing else can.
        _WATCHLIST.freeze_hooks(self.config.pluginmanager)
        tests = []
        for item in session.items:
            marker = item.get_closest_marker(MARKER)
            if marker is not None and marker.args:
                tests.append({"nodeid": item.nodeid, "exercise": marker.args[0]})
        self.emit({"event": "collected", "tests": tests})

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.emit({"event": "collect-error", "nodeid": report.nodeid, "message": str(report.longrepr)[-2000:]})

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from plugin.progress import phase_fields

        phase = phase_fields(report)
        if phase is not None:
            # What a test printed is the learner's and unbounded: the grader takes only so much of it.
            phase["output"] = phase["output"][: channel.MAX_TEXT]
            self.emit({"event": "phase", **phase})
        forked = sum(count for name, count in report.user_properties if name == "lab_forked")
        if forked:  # the learner process forked copies of itself: plugin.boundary.guard counted them
            self.emit({"event": "forked", "nodeid": report.nodeid, "count": forked})

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus) -> None:
        self.emit({"event": "finished", "exitstatus": int(exitstatus)})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("parallel-lab").addoption(
        "--lab-stream-fd", type=int, metavar="N", help="(grading command) write signed result events to descriptor N"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if config.option.lab_stream_fd is not None:
        config.pluginmanager.register(Stream(config, config.option.lab_stream_fd, _take_key()), "lab-stream")
