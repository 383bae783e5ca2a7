"""The run as the learner sees it: the header line, and the progress and speedup sections after
pytest's own output (its closing line is left as it is)."""

from __future__ import annotations

import multiprocessing
import textwrap

import pytest

from plugin.catalog import Exercise, edit_location
from plugin.measure.speedup import PASS
from plugin.messages import say
from plugin.progress import DONE, FAILING, NOT_RUN, ExerciseProgress, progress
from plugin.session.run import LabRun

BAR_WIDTH = 20
HINT_WIDTH = 100
INDENT = "      "
SPEEDUP_COLUMNS = (  # (measurement key, format); headings are messages "summary.column.<key>"
    ("workers", "d"),
    ("sequential_s", ".3f"),
    ("parallel_s", ".3f"),
    ("speedup", ".2f"),
    ("required", ".2f"),
    ("capacity", ".2f"),
    ("of_capacity", ".0%"),
)

Line = tuple[str, dict]  # text, and its terminal markup


def bar(done: int, total: int) -> str:
    filled = round(BAR_WIDTH * done / total) if total else 0
    return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "]"


def hint_lines(exercise: Exercise, full: bool) -> list[Line]:
    """The nudge (the catalog's ``hint``), or with ``--hints`` the fuller ``hint_full``."""
    hint = (exercise.hint_full if full else exercise.hint).strip()
    if not hint:
        return []
    text = say("summary.hint", hint=hint)
    wrapped = textwrap.wrap(text, width=HINT_WIDTH, initial_indent=INDENT, subsequent_indent=INDENT * 2)
    return [(line, {}) for line in wrapped]


class TerminalSummary:
    def __init__(self, run: LabRun):
        self.run = run

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        run = self.run
        header = say(
            "header",
            target=run.target.kind,
            start_method=multiprocessing.get_start_method(),
            cpus=run.cpus,
            seed=run.settings.seed,
        )
        return [header] + [say("header.note", note=note) for note in run.switch.notes]

    # Outermost wrapper: these sections come after pytest's failures and short summary.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter, exitstatus, config: pytest.Config):
        result = yield
        lines = self.progress_lines()
        if lines:
            terminalreporter.write_sep("=", say("summary.progress", target=self.run.target.kind))
            for text, markup in lines:
                terminalreporter.write_line(text, **markup)
        if self.run.speedups:
            terminalreporter.write_sep("=", say("summary.speedup"))
            for text in speedup_lines(self.run.speedups):
                terminalreporter.write_line(text)
        return result

    def progress_lines(self) -> list[Line]:
        run = self.run
        steps = progress(run.catalog, run.ledger)
        lines = step_lines(steps, {step.name: step.title for step in run.catalog.steps})
        for step, errors in run.ledger.collection_errors.items():
            lines += [(say("summary.collection_error", step=step, error=error), {"red": True}) for error in errors]
        if not run.ledger.tests:  # no test ran: nothing more to say
            return lines
        # Exercises that ran and are not done come first; then those that did not run this time.
        rows = [row for _, step_rows in steps for row in step_rows]
        pending = [row for row in rows if row.status not in (DONE, NOT_RUN)] + [r for r in rows if r.status == NOT_RUN]
        if not pending:
            return lines + [(say("summary.all_done"), {"green": True, "bold": True})]
        return lines + self.next_lines(pending[0]) + self.failing_lines(pending[1:])

    def next_lines(self, upcoming: ExerciseProgress) -> list[Line]:
        exercise = upcoming.exercise
        state = say(f"status.{upcoming.status}")
        location = edit_location(exercise, self.run.target, self.run.settings.rootdir)
        return [
            ("", {}),
            (say("summary.next", exercise=exercise.id, title=exercise.title, state=state), {"bold": True}),
            (say("summary.edit", location=location), {}),
            *hint_lines(exercise, self.run.settings.full_hints),
        ]

    def failing_lines(self, rows: list[ExerciseProgress]) -> list[Line]:
        failing = [row for row in rows if row.status == FAILING]
        if not failing:
            return []
        lines = [(say("summary.also_failing"), {"red": True})]
        for row in failing:
            lines.append(
                (say("summary.failing_exercise", exercise=row.exercise.id, title=row.exercise.title), {"red": True})
            )
            lines += hint_lines(row.exercise, self.run.settings.full_hints)
        return lines


def step_lines(steps: list[tuple[str, list[ExerciseProgress]]], titles: dict[str, str]) -> list[Line]:
    """One line per step that ran: its title, a bar, done/total; green when complete."""
    lines = []
    for step, rows in steps:
        done = sum(row.status == DONE for row in rows)
        text = say("summary.step", step=step, title=titles[step], bar=bar(done, len(rows)), done=done, total=len(rows))
        lines.append((text, {"green": True} if done == len(rows) else {}))
    return lines


def speedup_lines(speedups: list[dict]) -> list[str]:
    """One row per measurement, a benchmark-style table."""
    heading = say("summary.speedup_heading")
    width = max([len(heading)] + [len(row["exercise"]) for row in speedups])
    columns = " ".join(f"{say('summary.column.' + key):>8}" for key, _ in SPEEDUP_COLUMNS)
    lines = [f"{heading:<{width}} {columns}  {say('summary.verdict_heading')}"]
    for row in speedups:
        cells = [
            format(row[key], fmt) if isinstance(row.get(key), (int, float)) else "-" for key, fmt in SPEEDUP_COLUMNS
        ]
        verdict = say(f"verdict.{row['verdict']}")
        if row["verdict"] != PASS and row.get("reason"):
            verdict = say("summary.verdict_reason", verdict=verdict, reason=row["reason"])
        lines.append(f"{row['exercise']:<{width}} " + " ".join(f"{cell:>8}" for cell in cells) + f"  {verdict}")
    return lines
