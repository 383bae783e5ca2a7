"""The ``speedup`` fixture's callable: measure one exercise's speedup, record it on the test, and fail
the test when it is too low (unless the session does not enforce speedups)."""

from __future__ import annotations

import contextlib

import pytest

from plugin.boundary.guard import learner_key, pristine_file
from plugin.catalog import MARKER
from plugin.measure.speedup import FAIL, ClusterReader, Measurement
from plugin.messages import say
from plugin.session.run import LabRun, speedups_key


class SpeedupCheck:
    """``speedup(sequential=..., parallel=..., workers=2)``: measure, record and check a speedup
    (``workers_running=True``: the parallel side's workers are already up, as a Dask cluster's are)."""

    def __init__(self, run: LabRun, request: pytest.FixtureRequest):
        node = request.node
        marker = node.get_closest_marker(MARKER)
        exercise = run.catalog.exercises.get(marker.args[0]) if marker else None
        if exercise is None:
            raise pytest.UsageError(say("speedup.fixture_needs_marker", nodeid=node.nodeid))
        self.run, self.node, self.exercise = run, node, exercise
        # The start-up of the learner's pool is measured with workers that run the kit's own stub of the
        # module (the same imports): the learner's code runs only in the learner process.
        settings = run.settings
        self.module = str(pristine_file(settings.rootdir, run.target.kind, exercise.step, exercise.module))
        learner = node.stash.get(learner_key, None)
        # The learner process is stopped while the kit times alone, and its own CPU time is watched.
        self.watch = {} if learner is None else {"pause": learner.paused, "caller_cpu": learner.own_cpu_seconds}
        if "dask_cluster" in request.fixturenames:
            # A miss on the session's cluster also reads the cluster's own capacity, the learner stopped.
            cluster = request.getfixturevalue("dask_cluster")
            pause = contextlib.nullcontext if learner is None else learner.tree_paused
            self.watch["cluster"] = ClusterReader(cluster.reference_on_workers, pause)

    def __call__(self, *, sequential, parallel, workers: int = 2, workers_running: bool = False) -> Measurement:
        measurement = self.run.meter.compare(
            sequential,
            parallel,
            workers,
            self.exercise.id,
            self.node.nodeid,
            self.module,
            workers_running,
            **self.watch,
        )
        self.node.stash.setdefault(speedups_key, []).append(measurement)
        if measurement.verdict == FAIL and self.run.settings.enforce_speedup:
            pytest.fail(measurement.explain(), pytrace=False)
        return measurement
