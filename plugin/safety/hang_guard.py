"""A hung test: pytest-timeout's ``signal`` method, run by the plugin so that the hung process tree is
terminated before the test fails with an explanation."""

from __future__ import annotations

import contextlib
import signal

import pytest

from plugin.boundary import proxies
from plugin.safety.process_tree import TERMINATE_GRACE_S, descendants, terminate
from plugin.safety.worker_deaths import PoolWorkerDeaths
from plugin.session import failures


class HangGuard:
    """pytest-timeout's ``signal`` method, with the hung process tree terminated before the test fails."""

    def __init__(self) -> None:
        self._armed: set[str] = set()
        self._previous = None
        self.deaths = PoolWorkerDeaths()

    @staticmethod
    def available(settings) -> bool:
        return settings.method == "signal" and hasattr(signal, "SIGALRM") and settings.timeout > 0

    def arm(self, item: pytest.Item, seconds: float) -> bool:
        self.deaths.exit_codes.clear()

        def on_alarm(signum, frame):
            learner = proxies.running()  # the test's learner process: its code is what hangs
            exit_codes = list(self.deaths.exit_codes)  # before the terminations below add their own
            if learner is not None:
                exit_codes += learner.worker_exit_codes()
            callback_raised = failures.callback_raised_in_a_pool()  # before the pools' workers are gone
            hung = descendants()
            # The learner is told of the processes their code started, not of the kit's own (known while
            # they run: a pid and its start time).
            kit_pids = learner.kit_pids() if learner is not None else set()
            terminate(hung)
            hung = [process for process in hung if process.pid not in kit_pids]
            # If unwinding blocks again (a pool waiting on a dead worker), fail once more.
            signal.setitimer(signal.ITIMER_REAL, TERMINATE_GRACE_S * 5)
            message = failures.timeout_message(seconds, len(hung), exit_codes, callback_raised)
            timed_out = pytest.fail.Exception(message, pytrace=False)
            setattr(timed_out, failures.TIMED_OUT, True)  # how explain() tells it from other failures
            raise timed_out

        self._previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        self._armed.add(item.nodeid)
        return True

    def time_left(self) -> float | None:
        """Seconds before the armed test times out; None when none is armed (another timeout method)."""
        return signal.getitimer(signal.ITIMER_REAL)[0] if self._armed else None

    @contextlib.contextmanager
    def not_counting(self):
        """The block's time does not count against the armed test's timeout: a test that waits for another
        worker's speedup measurement is not slow itself. The waited-for worker's own timer runs meanwhile."""
        left = signal.setitimer(signal.ITIMER_REAL, 0)[0] if self._armed else 0.0
        try:
            yield
        finally:
            if left > 0:
                signal.setitimer(signal.ITIMER_REAL, left)

    def disarm(self, item: pytest.Item) -> bool | None:
        if item.nodeid not in self._armed:
            return None  # not ours: pytest-timeout cancels its own
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous or signal.SIG_DFL)
        self._armed.discard(item.nodeid)
        return True

    def close(self) -> None:
        self.deaths.close()
