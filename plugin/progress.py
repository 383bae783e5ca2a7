"""What happened to each exercise test, and what that makes of each exercise.

The test's own process stamps every report with plain attributes (``lab_exercise``,
``lab_outcome``, ``lab_message``); the process that logs reports (the xdist controller, or the only
process) keeps a ledger of them. Under xdist the attributes travel with the serialized report.
"""

from __future__ import annotations

import dataclasses

import pytest

from plugin.catalog import Catalog, Exercise
from plugin.measure.speedup import NOT_MEASURED

# Which outcome a test keeps when its phases disagree: the most telling one wins.
_PRECEDENCE = {"passed": 0, "skipped": 1, "failed": 2, "todo": 3, "error": 4}
OUTCOMES = tuple(_PRECEDENCE)
# An exercise's status (the contract's words), and NOT_RUN: none of its tests ran this session.
DONE, TODO, FAILING, NOT_RUN = "done", "todo", "failing", "not-run"
MESSAGE_LIMIT = 400
OUTPUT_LIMIT = 2000  # what the ledger keeps of a test's printed output (the grading stream carries it)


@dataclasses.dataclass
class TestRecord:
    nodeid: str
    exercise: str
    outcome: str  # passed | failed | todo | skipped | error
    message: str = ""
    duration: float = 0.0
    speedup_verdicts: tuple[str, ...] = ()
    output: str = ""  # what the test printed (captured stdout, all phases so far)

    @property
    def speedup_not_measured(self) -> bool:
        """A speedup test the machine could not judge: it neither earns nor loses points."""
        return bool(self.speedup_verdicts) and set(self.speedup_verdicts) == {NOT_MEASURED}


def one_paragraph(text: str) -> str:
    """The first paragraph of ``text``, cut at ``MESSAGE_LIMIT`` characters."""
    paragraph = text.strip().split("\n\n")[0]
    return paragraph if len(paragraph) <= MESSAGE_LIMIT else paragraph[: MESSAGE_LIMIT - 1] + "…"


def short_message(report: pytest.TestReport) -> str:
    """The crash line pytest would show in its short summary."""
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    crash = getattr(report.longrepr, "reprcrash", None)
    return crash.message if crash is not None else str(report.longrepr or "")


def phase_outcome(report: pytest.TestReport) -> str | None:
    """The outcome one phase contributes, or None when it says nothing (a passing setup/teardown)."""
    if report.when == "call":
        if report.failed:
            return "todo" if getattr(report, "lab_todo", False) else "failed"
        return "skipped" if report.skipped else "passed"
    if report.failed:
        return "error"
    if report.skipped:
        return "skipped"
    return None


def phase_fields(report: pytest.TestReport) -> dict | None:
    """What the ledger keeps of one phase report of an exercise test (plain builtins), or None."""
    exercise = getattr(report, "lab_exercise", None)
    outcome = phase_outcome(report)
    if exercise is None or outcome is None:
        return None
    return {
        "nodeid": report.nodeid,
        "exercise": exercise,
        "outcome": outcome,
        "message": one_paragraph(
            getattr(report, "lab_message", None) or ("" if outcome == "passed" else short_message(report))
        ),
        "duration": report.duration,
        "speedups": list(getattr(report, "lab_speedups", None) or []),
        "output": report.capstdout[:OUTPUT_LIMIT],
    }


class Ledger:
    def __init__(self) -> None:
        self.tests: dict[str, TestRecord] = {}
        self.collection_errors: dict[str, list[str]] = {}  # step -> "test file: why it could not be collected"

    def record_collection_error(self, step: str, path: str, message: str) -> None:
        self.collection_errors.setdefault(step, []).append(f"{path}: {message}")

    def record(self, report: pytest.TestReport) -> None:
        phase = phase_fields(report)
        if phase is not None:
            self.add(**phase)

    def add(
        self, nodeid: str, exercise: str, outcome: str, message: str, duration: float, speedups=(), output: str = ""
    ) -> None:
        """One phase of one test; the phases of a test merge into its record."""
        verdicts = tuple(row["verdict"] for row in speedups)
        current = self.tests.get(nodeid)
        if current is None:
            self.tests[nodeid] = TestRecord(nodeid, exercise, outcome, message, duration, verdicts, output)
            return
        current.duration += duration
        current.speedup_verdicts += verdicts
        current.output = output or current.output  # a later phase's report repeats the earlier phases' output
        if _PRECEDENCE[outcome] > _PRECEDENCE[current.outcome]:
            current.outcome, current.message = outcome, message

    def for_exercise(self, exercise_id: str) -> list[TestRecord]:
        return [record for record in self.tests.values() if record.exercise == exercise_id]

    def steps_run(self, catalog: Catalog) -> list[str]:
        steps = {record.exercise.split(".")[0] for record in self.tests.values()} | set(self.collection_errors)
        return [step.name for step in catalog.steps if step.name in steps]


def exercise_status(records: list[TestRecord]) -> str:
    outcomes = {record.outcome for record in records}
    if "todo" in outcomes:
        return TODO
    if outcomes & {"failed", "error"}:
        return FAILING
    if "passed" in outcomes:
        return DONE
    return NOT_RUN


@dataclasses.dataclass(frozen=True)
class ExerciseProgress:
    exercise: Exercise
    status: str
    tests: tuple[TestRecord, ...]


def progress(catalog: Catalog, ledger: Ledger) -> list[tuple[str, list[ExerciseProgress]]]:
    """Per step that ran in this session, every exercise of it with its status, in catalog order."""
    result = []
    run = set(ledger.steps_run(catalog))
    for step in catalog.steps:
        if step.name not in run:
            continue
        rows = []
        for exercise in step.exercises:
            records = ledger.for_exercise(exercise.id)
            rows.append(ExerciseProgress(exercise, exercise_status(records), tuple(records)))
        result.append((step.name, rows))
    return result
