"""Unit tests of termination signals turned into an unwinding (plugin/safety/signals.py)."""

from __future__ import annotations

import signal
import threading

import pytest

from plugin.safety.signals import unwinding_on


@pytest.fixture
def sigterm_restored():
    before = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, before)


def test_the_default_action_becomes_an_interrupt_after_first_and_the_handler_is_restored(sigterm_restored):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    calls = []
    with pytest.raises(KeyboardInterrupt), unwinding_on([signal.SIGTERM], first=lambda: calls.append("first")):
        signal.raise_signal(signal.SIGTERM)
    assert calls == ["first"]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_a_python_handler_installed_before_is_called_after_first(sigterm_restored):
    calls = []
    previous = lambda signum, frame: calls.append(signum)  # noqa: E731 - a handler of one line
    signal.signal(signal.SIGTERM, previous)
    with unwinding_on([signal.SIGTERM], first=lambda: calls.append("first")):
        signal.raise_signal(signal.SIGTERM)
    assert calls == ["first", signal.SIGTERM]
    assert signal.getsignal(signal.SIGTERM) is previous


def test_an_ignored_signal_stays_ignored(sigterm_restored):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    calls = []
    with unwinding_on([signal.SIGTERM], first=lambda: calls.append("first")):
        signal.raise_signal(signal.SIGTERM)
    assert calls == ["first"]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN


def test_outside_the_main_thread_nothing_is_installed_and_nothing_fails():
    before = signal.getsignal(signal.SIGTERM)
    seen, errors = [], []

    def enter() -> None:
        try:
            with unwinding_on([signal.SIGTERM], first=lambda: None):
                seen.append(signal.getsignal(signal.SIGTERM))
        except Exception as error:  # noqa: BLE001 - reported to the test's thread
            errors.append(error)

    thread = threading.Thread(target=enter)
    thread.start()
    thread.join()
    assert errors == [] and seen == [before]
