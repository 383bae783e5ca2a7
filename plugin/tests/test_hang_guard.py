"""The hung-test guard's timer: what is left of it, and waits that do not count against it."""

from __future__ import annotations

import signal
import time

import pytest

from plugin.safety.hang_guard import HangGuard


class Item:
    nodeid = "test_x.py::test_x"


@pytest.fixture
def guard():
    hangs = HangGuard()
    hangs.arm(Item(), 30.0)
    yield hangs
    hangs.disarm(Item())


def test_time_left_is_what_remains_of_the_armed_timeout(guard):
    assert 29.0 < guard.time_left() <= 30.0


def test_nothing_is_left_to_count_when_no_test_is_armed():
    assert HangGuard().time_left() is None


def test_a_wait_that_does_not_count_stops_the_timer_and_gives_back_what_was_left(guard):
    before = guard.time_left()
    with guard.not_counting():
        assert signal.getitimer(signal.ITIMER_REAL)[0] == 0.0  # no alarm can come while waiting
        time.sleep(0.3)
    assert before - 0.1 < guard.time_left() <= before
