"""The grading command's end of the result channel: bounded lines, bounded volume, validated events."""

from __future__ import annotations

import json
import os
import select
import threading

import pytest

from plugin.grading import channel, stream
from plugin.progress import phase_fields

KEY = b"k" * 32
PHASE = {
    "event": "phase",
    "nodeid": "exercises/step1/test_demo.py::test_double",
    "exercise": "step1.double",
    "outcome": "passed",
    "message": "",
    "duration": 0.1,
    "speedups": [],
    "output": "",
}
SPEEDUP = {
    "exercise": "step2.total_work",
    "nodeid": "n",
    "workers": 2,
    "capacity": 1.9,
    "speedup": 1.8,
    "required": 1.5,
    "verdict": "pass",
    "reason": "",
}


def _feed(data: bytes) -> channel.ResultChannel:
    """``data`` through the pipe, written by a thread while this one reads, as the child and grader do."""
    results = channel.ResultChannel()
    writer = threading.Thread(target=_write_and_close, args=(results.write_fd, data))
    results.write_fd = -1  # the writer thread closes it
    writer.start()
    while not results.eof:
        select.select([results.read_fd], [], [], 5)
        results.pump()
    writer.join()
    results.close()
    return results


def _write_and_close(fd: int, data: bytes) -> None:
    with os.fdopen(fd, "wb") as pipe:
        pipe.write(data)


def test_only_complete_lines_signed_with_the_key_are_events():
    genuine = stream.sign(KEY, {"event": "finished", "exitstatus": 0})
    forged = stream.sign(b"x" * 32, PHASE)
    results = _feed(f"{genuine}\n{forged}\nnot json\n{genuine[:20]}".encode())  # the last line was cut short
    events, rejected = channel.read_events(results.lines, KEY)
    assert events == [{"event": "finished", "exitstatus": 0}]
    assert rejected == 2
    assert results.eof and not results.oversized and not results.flooded


def test_a_line_longer_than_the_limit_is_dropped_and_counted_and_the_next_line_still_arrives():
    genuine = stream.sign(KEY, {"event": "finished", "exitstatus": 0})
    huge = b"x" * (channel.MAX_LINE_BYTES + 10)
    results = _feed(huge + b"\n" + genuine.encode() + b"\n" + huge)  # the second one is still unfinished
    assert results.oversized == 2
    assert channel.read_events(results.lines, KEY) == ([{"event": "finished", "exitstatus": 0}], 0)


def test_a_flood_is_drained_but_nothing_past_the_limit_is_kept(monkeypatch):
    monkeypatch.setattr(channel, "MAX_CHANNEL_BYTES", 1000)
    results = _feed(b"line\n" * 1000)
    assert results.flooded and results.received == 5000
    assert len(results.lines) < 250


@pytest.mark.parametrize(
    "body",
    [
        1,
        [],
        {"event": "phase"},
        {**PHASE, "outcome": "won"},
        {**PHASE, "outcome": ["passed"]},  # unhashable where a string belongs
        {**PHASE, "duration": float("nan")},
        {**PHASE, "duration": -1},
        {**PHASE, "duration": True},
        {**PHASE, "nodeid": "x" * (channel.MAX_ID + 1)},
        {**PHASE, "speedups": [{**SPEEDUP, "verdict": "great"}]},
        {**PHASE, "speedups": [{**SPEEDUP, "capacity": {"nested": 1}}]},
        {**PHASE, "speedups": [SPEEDUP] * (channel.MAX_SPEEDUPS + 1)},
        {**PHASE, "speedups": [{**SPEEDUP, "attempts": [{"capacity": {"nested": 1}}]}]},
        {**PHASE, "speedups": [{**SPEEDUP, "attempts": [{}] * (channel.MAX_ATTEMPTS + 1)}]},
        {**PHASE, "extra": 1},
        {"event": ["phase"]},
        {"event": "finished", "exitstatus": "0"},
        {"event": "collected", "tests": [{"nodeid": "a"}]},
        {"event": "tampered", "changes": ["hook pytest_runtest_call"]},  # a kind the kit no longer writes
    ],
)
def test_a_signed_event_of_the_wrong_shape_is_rejected(body):
    line = stream.sign(KEY, body).encode()
    assert channel.parse_line(line, KEY) is None


@pytest.mark.parametrize(
    "line",
    [
        b'{"body": 1, "mac": "x"}',  # the line that crashed the grader before the channel was validated
        b'{"body": "{}", "mac": 7}',
        b'{"body": "{}"}',
        b"[" * 100_000 + b"]" * 100_000,  # nested past the parser's recursion limit
        b"\xff\xfe not UTF-8",
        b'{"body": "\\ud800", "mac": "\\ud800"}',  # lone surrogates
        b"null",
    ],
)
def test_malformed_lines_are_rejected_without_raising(line):
    assert channel.parse_line(line, KEY) is None


def test_every_kind_of_event_the_kit_writes_is_accepted():
    for event in (
        {"event": "collected", "tests": [{"nodeid": PHASE["nodeid"], "exercise": "step1.double"}]},
        {"event": "collect-error", "nodeid": "exercises/step1/test_demo.py", "message": "SyntaxError"},
        {**PHASE, "speedups": [SPEEDUP, {**SPEEDUP, "verdict": "not-measured", "speedup": None}]},
        {**PHASE, "speedups": [{**SPEEDUP, "attempts": [{"capacity": 1.9, "speedup": 1.8, "required": 1.45}]}]},
        {"event": "finished", "exitstatus": 1},
    ):
        assert channel.parse_line(stream.sign(KEY, event).encode(), KEY) == json.loads(json.dumps(event))


def test_the_phase_event_the_kit_writes_today_has_the_shape_the_channel_accepts():
    """``progress.phase_fields`` may grow a field: the channel must learn it, or every honest run is voided."""
    report = pytest.TestReport(
        "exercises/step1/test_demo.py::test_double",
        ("test_demo.py", 1, "test_double"),
        {},
        "passed",
        None,
        "call",
        sections=[("Captured stdout call", "printed by the test\n" * 5000)],
        duration=0.2,
    )
    report.lab_exercise = "step1.double"
    report.lab_speedups = [SPEEDUP]
    event = {"event": "phase", **phase_fields(report)}
    event["output"] = event["output"][: channel.MAX_TEXT]  # as plugin.grading.stream sends it
    assert channel.parse_line(stream.sign(KEY, event).encode(), KEY) == event
