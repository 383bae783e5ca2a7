"""Collection checks: every exercise test names exactly one declared exercise, and a step whose tests
cannot be collected is named in the summary instead of silently vanishing from it."""

from __future__ import annotations

import pytest

from plugin.catalog import ID_PATTERN, MARKER, Catalog
from plugin.messages import say
from plugin.session.run import LabRun


def marker_problem(item: pytest.Item, catalog: Catalog) -> str | None:
    """Why ``item`` does not belong to exactly one declared exercise, or None."""
    markers = list(item.iter_markers(MARKER))
    known = catalog.exercises
    if not markers:
        step = item.path.parent.name
        names = ", ".join(e for e in known if e.startswith(step + ".")) or f"{step}.<function_name>"
        return say("collection.no_marker", nodeid=item.nodeid, step=step, names=names)
    if len(markers) > 1:
        return say("collection.many_markers", nodeid=item.nodeid, count=len(markers))
    args = markers[0].args
    exercise_id = args[0] if len(args) == 1 and isinstance(args[0], str) else None
    if exercise_id is None or not ID_PATTERN.match(exercise_id):
        return say("collection.marker_form", nodeid=item.nodeid)
    if exercise_id not in known:
        return say(
            "collection.unknown_exercise", nodeid=item.nodeid, exercise=exercise_id, step=exercise_id.split(".")[0]
        )
    return None


class CollectionChecks:
    def __init__(self, run: LabRun):
        self.run = run

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector):
        report = yield
        if report.passed and self.run.is_exercise_test(collector.path):
            problems = [
                problem
                for node in report.result
                if isinstance(node, pytest.Item) and (problem := marker_problem(node, self.run.catalog))
            ]
            if problems:
                report.outcome = "failed"
                report.longrepr = "\n".join(problems)
                report.result = []
        return report

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A test module of a step that cannot be imported (a syntax error in the learner's module, a
        missing function) is named in the summary, so the step does not silently vanish from it."""
        path = self.run.config.rootpath / report.nodeid.split("::")[0]
        if report.failed and self.run.is_exercise_test(path) and path.suffix == ".py":
            lines = [line for line in str(report.longrepr).strip().splitlines() if line.strip()]
            cause = lines[-1].removeprefix("E").strip() if lines else say("collection.failed")
            self.run.ledger.record_collection_error(path.parent.name, report.nodeid, self.run.relative_paths(cause))
