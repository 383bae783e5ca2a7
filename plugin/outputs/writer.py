"""The end of a pytest session: every report file the options ask for, from one ``RunResult``."""

from __future__ import annotations

import pytest

from plugin.grading.scores import score_run
from plugin.measure import clock
from plugin.outputs import lab_json
from plugin.outputs.formats import write_all
from plugin.outputs.result import RunResult
from plugin.session.run import LabRun


def run_result(run: LabRun) -> RunResult:
    settings = run.settings
    return RunResult(
        catalog=run.catalog,
        ledger=run.ledger,
        target=run.target,
        environment=lab_json.environment(run.cpus, run.xdist_workers(), settings.seed),
        speedups=run.speedups,
        scores=score_run(run.catalog, run.ledger, run.target),
        elapsed_s=clock.perf_counter() - run.started,
        seed=settings.seed,
        rootdir=settings.rootdir,
    )


class ReportWriter:
    def __init__(self, run: LabRun):
        self.run = run

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.run.is_controller and self.run.settings.outputs:
            write_all(run_result(self.run), self.run.settings.outputs)
