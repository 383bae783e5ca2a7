"""``-p plugin.grading.stream --lab-stream-fd N``: the result of every exercise test, as it happens, for a grader.

The grading command (``python -m plugin.grade``) runs pytest in a child process with this plugin and
scores only what arrives here, so a run that crashes or ends early keeps the results it finished.
The lines go into an inherited pipe whose read end only the grading process holds (``plugin.grading.channel``
reads and validates them there): there is no file for learner code to replace, and nothing to read back.

No learner code runs in that child (``plugin.boundary`` runs it in learner processes, which hold no
descriptor of the pipe), so nothing here watches the child for changes. Each line carries an HMAC under
a key the grading process hands over through an inherited pipe (its number in
``PARALLEL_LAB_STREAM_KEY_FD``), read and closed when pytest configures, before the first test: a line
that any other process writes into the channel is rejected.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os

import pytest

from plugin.catalog import MARKER
from plugin.grading import channel
from plugin.messages import say

KEY_FD_ENV = "PARALLEL_LAB_STREAM_KEY_FD"


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
    def __init__(self, fd: int, key: bytes):
        self.key = key
        os.set_inheritable(fd, False)  # the pipe is the session's: no process it starts gets it by exec
        self._file = os.fdopen(fd, "w", encoding="utf-8")  # open for the whole session

    def emit(self, event: dict) -> None:
        self._file.write(sign(self.key, event) + "\n")
        self._file.flush()  # in the kernel's hands: a crash or os._exit right after loses nothing

    def pytest_collection_finish(self, session: pytest.Session) -> None:
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
        config.pluginmanager.register(Stream(config.option.lab_stream_fd, _take_key()), "lab-stream")
