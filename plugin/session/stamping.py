"""Report stamping: each test report carries what the ledger and the learner need (its exercise, a
todo line for a stub, an explanation of a recognised mistake, the seed, the leftovers it left)."""

from __future__ import annotations

import shlex

import pytest

from plugin.boundary.guard import learner_end_key
from plugin.catalog import MARKER, Exercise, edit_location, stub_that_raised
from plugin.cluster import leftovers as dask_leftovers
from plugin.messages import say
from plugin.safety.leftovers import collect_leftovers
from plugin.safety.start_method import default_start_method
from plugin.session import failures
from plugin.session.run import LabRun, segments_key, speedups_key
from plugin.targets import SOLUTIONS

SECTION = "parallel-lab"


class ReportStamper:
    def __init__(self, run: LabRun):
        self.run = run

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        self.stamp(item, call, report)
        return report

    def stamp(self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> None:
        if report.when == "call":
            report.lab_speedups = [m.as_dict() for m in item.stash.get(speedups_key, [])]
            if self.run.in_kit:
                self.stamp_open_pools(item, report)
                self.stamp_leftovers(item, report)
        exercise = self.exercise_of(item)
        if exercise is None:
            return
        report.lab_exercise = exercise.id
        error = call.excinfo.value if call.excinfo is not None and report.failed else None
        if isinstance(error, NotImplementedError):
            self.stamp_todo(exercise, error, report)
            return
        if error is not None:
            self.stamp_explanation(exercise, error, report)
        if report.failed and "lab_seed" in getattr(item, "fixturenames", ()):
            report.sections.append(
                (SECTION, say("seed.rerun", seed=self.run.settings.seed, command=self.rerun_command(item)))
            )

    def exercise_of(self, item: pytest.Item) -> Exercise | None:
        marker = item.get_closest_marker(MARKER)
        if marker is None or not self.run.is_exercise_test(item.path):
            return None
        return self.run.catalog.exercises[marker.args[0]]

    def stamp_todo(self, exercise: Exercise, error: NotImplementedError, report: pytest.TestReport) -> None:
        """A stub is one line naming the file and line to edit, not a traceback."""
        run = self.run
        stub, line = stub_that_raised(error, run.target, run.catalog) or (exercise, None)
        location = edit_location(stub, run.target, run.settings.rootdir, line)
        report.lab_todo = True
        if stub is exercise:
            report.lab_message = say("todo", location=location)
            report.longrepr = say("todo.detail", location=location, exercise=exercise.id, title=exercise.title)
        else:
            report.lab_message = say("todo.other_stub", location=location, stub=stub.id)
            report.longrepr = say("todo.detail_other_stub", location=location, stub=stub.id, exercise=exercise.id)

    def stamp_explanation(self, exercise: Exercise, error: BaseException, report: pytest.TestReport) -> None:
        explanation = failures.explain(error)
        if explanation is None:
            return
        explanation = self.run.relative_paths(explanation)
        report.lab_message = explanation
        report.longrepr = say("failure.with_hint", explanation=explanation, exercise=exercise.id, hint=exercise.hint)

    def stamp_open_pools(self, item: pytest.Item, report: pytest.TestReport) -> None:
        """A pool the test's code never closed fails the test (the garbage collector would hide it)."""
        end = item.stash.get(learner_end_key, None)
        count = end.open_pools if end is not None else 0
        if not count:
            return
        message = say("leftovers.pool_never_closed", count=count)
        if report.passed:
            report.outcome = "failed"
            report.longrepr = report.lab_message = message
        else:
            report.sections.append((SECTION, message))

    def stamp_leftovers(self, item: pytest.Item, report: pytest.TestReport) -> None:
        """Child processes, shared memory or Dask clusters left behind fail the test; they are cleaned up
        either way (a Dask cluster first, as closing it ends its processes)."""
        left_open = dask_leftovers.close_left_open()
        end = item.stash.get(learner_end_key, None)
        left_by_learner = end.leftovers if end is not None else None
        leftovers = collect_leftovers(item.stash.get(segments_key, set()))  # the kit's own, as a safety net
        message = "; ".join(
            filter(None, [left_open, *(found.message() for found in (left_by_learner, leftovers) if found)])
        )
        if not message:
            return
        if report.passed:
            report.outcome = "failed"
            report.longrepr = message
            report.lab_message = message
        else:
            report.sections.append((SECTION, message))

    def rerun_command(self, item: pytest.Item) -> str:
        """The command that runs this test again with the same inputs, target and start method."""
        settings = self.run.settings
        words = ["pytest", f"--lab-seed {settings.seed}"]
        if settings.target == SOLUTIONS:
            words.append("--solutions")
        elif settings.submission is not None:
            words.append(shlex.quote(f"--submission={settings.submission}"))
        if settings.start_method != default_start_method():
            words.append(f"--start-method {settings.start_method}")
        return " ".join(words + [shlex.quote(item.nodeid)])
