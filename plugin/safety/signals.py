"""Termination signals turned into an unwinding: the ``finally`` blocks and pytest's teardown then run
(they resume, end and clean up what this process started), where dying on the spot would leave it behind."""

from __future__ import annotations

import contextlib
import signal
import threading

TERMINATION = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@contextlib.contextmanager
def unwinding_on(signals, first=None):
    """While inside, each of ``signals`` calls ``first()`` (when given), then the handler installed before:
    a Python handler is called (SIGINT's raises KeyboardInterrupt), the default action becomes a
    KeyboardInterrupt, an ignored signal stays ignored. The previous handlers are back on exit.

    Handlers can be installed in the main thread only: elsewhere nothing is installed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handle(signum, frame):
        if first is not None:
            first()
        before = previous[signum]
        if callable(before):
            before(signum, frame)
        elif before in (signal.SIG_DFL, None):  # None: installed outside Python, taken as the default
            raise KeyboardInterrupt

    try:
        for sig in signals:
            previous[sig] = signal.signal(sig, handle)
        yield
    finally:
        for sig, before in previous.items():
            signal.signal(sig, signal.SIG_DFL if before is None else before)
