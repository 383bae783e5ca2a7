"""The grading command's end of the result channel: a pipe whose read end only the grading process holds.

The child pytest (``-p plugin.grading.stream --lab-stream-fd N``) writes one signed JSON line per event into
the pipe's write end. Learner code runs only in that child's learner processes (``plugin.boundary``),
yet what arrives here is still handled as untrusted bytes: a line is bounded in size, the whole channel
in volume, and an event is used only once it is signed with this run's key and has the shape of an
event the kit writes (kinds, types, sizes, counts). Nothing here can block: the read end is
non-blocking, and the caller decides how long to wait for it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os

from plugin.measure.speedup import ATTEMPTS, BUSY_RETRIES
from plugin.progress import OUTCOMES

MAX_LINE_BYTES = 1024 * 1024  # the kit's longest line, the list of collected tests, is a few dozen KiB
MAX_CHANNEL_BYTES = 64 * 1024 * 1024  # the kit's whole run writes well under 1 MiB
READ_CHUNK = 64 * 1024

MAX_TESTS = 20_000
MAX_SPEEDUPS = 50
MAX_FIELDS = 40
MAX_ATTEMPTS = ATTEMPTS + BUSY_RETRIES  # a speedup row's ``attempts``: every try, each a flat row
MAX_ID = 1_000  # a node id, an exercise id, a field name
MAX_TEXT = 20_000  # a message, what a test printed (``plugin.grading.stream`` cuts it to this)
VERDICTS = ("pass", "fail", "not-measured")


class ResultChannel:
    """A pipe: the child writes into ``write_fd`` (handed over with ``pass_fds``), this process reads."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()  # both close-on-exec: only pass_fds hands one over
        os.set_blocking(self.read_fd, False)
        self.lines: list[bytes] = []
        self.oversized = 0  # lines longer than MAX_LINE_BYTES, dropped
        self.received = 0  # bytes, including those dropped
        self.eof = False
        self._pending = bytearray()
        self._skipping = False  # inside an oversized line: drop up to its newline

    @property
    def flooded(self) -> bool:
        return self.received > MAX_CHANNEL_BYTES

    def close_write_end(self) -> None:
        """Once the child holds its copy: the channel then ends when the child's processes close theirs."""
        if self.write_fd >= 0:
            os.close(self.write_fd)
            self.write_fd = -1

    def close(self) -> None:
        self.close_write_end()
        if self.read_fd >= 0:
            os.close(self.read_fd)
            self.read_fd = -1

    def pump(self) -> None:
        """Take whatever the pipe holds now, without waiting."""
        while not self.eof:
            try:
                chunk = os.read(self.read_fd, READ_CHUNK)
            except BlockingIOError:
                return
            if not chunk:
                self.eof = True
                return
            self.received += len(chunk)
            if not self.flooded:  # past the limit, keep draining so the writer never blocks, keep nothing
                self._split(chunk)

    def _split(self, chunk: bytes) -> None:
        *complete, rest = chunk.split(b"\n")
        for piece in complete:
            if self._skipping:
                self._skipping = False
            elif len(self._pending) + len(piece) > MAX_LINE_BYTES:
                self.oversized += 1
            else:
                self.lines.append(bytes(self._pending + piece))
            self._pending.clear()
        if self._skipping:
            return
        if len(self._pending) + len(rest) > MAX_LINE_BYTES:
            self.oversized += 1
            self._skipping = True
            self._pending.clear()
        else:
            self._pending += rest  # a line cut short by a crash stays here and is never read


def read_events(lines: list[bytes], key: bytes) -> tuple[list[dict], int]:
    """The authentic, well-formed events among complete lines, and how many lines were not."""
    events = [parse_line(line, key) for line in lines]
    return [event for event in events if event is not None], sum(event is None for event in events)


def parse_line(line: bytes, key: bytes) -> dict | None:
    """One event, or None when the line is not signed with ``key`` (``stream.sign``) or not shaped like a
    kit event."""
    try:
        signed = json.loads(line.decode("utf-8"))
        if not isinstance(signed, dict) or set(signed) != {"body", "mac"}:
            return None
        body, mac = signed["body"], signed["mac"]
        if not (isinstance(body, str) and isinstance(mac, str)):
            return None
        expected = hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac.encode("utf-8"), expected.encode("ascii")):
            return None
        event = json.loads(body)
    except (ValueError, RecursionError, UnicodeError):  # not JSON, nested past the parser, not UTF-8
        return None
    return event if is_event(event) else None


def _id(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID


def _text(value) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT


def _number(value) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _list_of(value, limit: int, check) -> bool:
    return isinstance(value, list) and len(value) <= limit and all(check(item) for item in value)


def _scalar(value) -> bool:
    return value is None or type(value) is bool or _number(value) or _text(value)


def _flat_row(row) -> bool:
    return isinstance(row, dict) and len(row) <= MAX_FIELDS and all(_id(k) and _scalar(v) for k, v in row.items())


def _speedup_field(name, value) -> bool:
    if name == "attempts":  # every try of the measurement, for graders
        return _list_of(value, MAX_ATTEMPTS, _flat_row)
    return _id(name) and _scalar(value)


def _speedup_row(row) -> bool:
    return (
        isinstance(row, dict)
        and len(row) <= MAX_FIELDS
        and all(_speedup_field(name, value) for name, value in row.items())
        and _id(row.get("exercise"))
        and row.get("verdict") in VERDICTS
    )


def _collected_test(test) -> bool:
    return (
        isinstance(test, dict) and set(test) == {"nodeid", "exercise"} and _id(test["nodeid"]) and _id(test["exercise"])
    )


_SHAPES = {
    "collected": {"tests": lambda v: _list_of(v, MAX_TESTS, _collected_test)},
    "collect-error": {"nodeid": _text, "message": _text},
    "phase": {
        "nodeid": _id,
        "exercise": _id,
        "outcome": lambda v: v in OUTCOMES,
        "message": _text,
        "duration": lambda v: _number(v) and v >= 0,
        "speedups": lambda v: _list_of(v, MAX_SPEEDUPS, _speedup_row),
        "output": _text,
    },
    "finished": {"exitstatus": lambda v: type(v) is int},
    "forked": {"nodeid": _id, "count": lambda v: type(v) is int and 0 < v <= MAX_TESTS},
}


def is_event(event) -> bool:
    """Exactly the fields the kit writes for its kind, each of the right type and size."""
    if not isinstance(event, dict):
        return False
    kind = event.get("event")
    shape = _SHAPES.get(kind) if isinstance(kind, str) else None
    if shape is None or set(event) != {"event", *shape}:
        return False
    return all(check(event[name]) for name, check in shape.items())
