"""The ``speedup`` fixture's callable: measure one exercise's speedup, record it on the test, and fail
the test when it is too low (unless the session does not enforce speedups)."""

from __future__ import annotations

import sys

import pytest

from plugin.catalog import MARKER
from plugin.measure.speedup import FAIL, Measurement
from plugin.messages import say
from plugin.session.run import LabRun, speedups_key
from plugin.targets import EXERCISES


class SpeedupCheck:
    """``speedup(sequential=..., parallel=..., workers=2)``: measure, record and check a speedup."""

    def __init__(self, run: LabRun, node: pytest.Item):
        marker = node.get_closest_marker(MARKER)
        exercise = run.catalog.exercises.get(marker.args[0]) if marker else None
        if exercise is None:
            raise pytest.UsageError(say("speedup.fixture_needs_marker", nodeid=node.nodeid))
        self.run, self.node, self.exercise = run, node, exercise
        # The module the learner's workers import: the target's, whatever name the test imported it by.
        alias = f"{EXERCISES}.{exercise.step}.{exercise.module}"
        self.module = getattr(sys.modules.get(alias), "__name__", alias)

    def __call__(self, *, sequential, parallel, workers: int = 2) -> Measurement:
        measurement = self.run.meter.compare(
            sequential, parallel, workers, self.exercise.id, self.node.nodeid, self.module
        )
        self.node.stash.setdefault(speedups_key, []).append(measurement)
        if measurement.verdict == FAIL and self.run.settings.enforce_speedup:
            pytest.fail(measurement.explain(), pytrace=False)
        return measurement
