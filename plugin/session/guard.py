"""The guard around each test: the shared-memory listing its leftovers are judged against, the xdist
lock that keeps other workers idle while a speedup is measured, and the timeouts of hung tests."""

from __future__ import annotations

import pytest

from plugin.safety.hang_guard import HangGuard
from plugin.safety.leftovers import shared_memory_segments
from plugin.session.run import LabRun, segments_key


class RunGuard:
    def __init__(self, run: LabRun):
        self.run = run

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Speedup tests measure for seconds: they get a longer timeout than ordinary tests."""
        for item in items:
            if "speedup" in getattr(item, "fixturenames", ()) and item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(self.run.settings.speedup_timeout))

    # tryfirst: outside pytest-timeout's wrapper, so waiting for another worker's measurement is not
    # counted against this test's timeout.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem):
        if not self.run.in_kit:
            return (yield)
        item.stash[segments_key] = shared_memory_segments()
        lock = self.run.lock
        if lock is None:
            return (yield)
        lock.enter_test()
        try:
            return (yield)
        finally:
            lock.leave_test()

    @pytest.hookimpl(optionalhook=True)
    def pytest_timeout_set_timer(self, item: pytest.Item, settings):
        """pytest-timeout's signal method, run by the plugin so a hung process tree is terminated first."""
        hangs = self.run.hangs
        if hangs is None or not HangGuard.available(settings):
            return None
        return hangs.arm(item, settings.timeout)

    @pytest.hookimpl(optionalhook=True)
    def pytest_timeout_cancel_timer(self, item: pytest.Item):
        hangs = self.run.hangs
        return None if hangs is None else hangs.disarm(item)
