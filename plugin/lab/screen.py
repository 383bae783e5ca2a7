"""What ``lab`` shows, as lines of text: the same blocks for ``lab run``/``lab list`` and the watch screen."""

from __future__ import annotations

import textwrap
import time

from plugin.lab.kit import Exercise, bar, say
from plugin.lab.results import DONE, FAILING, TODO
from plugin.lab.session import Lab

WIDTH = 100
_MARKS = {DONE: "✓", TODO: "·", FAILING: "✗", None: "?"}


def status_word(status: str | None) -> str:
    return say(
        {DONE: "lab_status_done", TODO: "lab_status_todo", FAILING: "lab_status_failing"}.get(
            status, "lab_status_unknown"
        )
    )


def step_lines(lab: Lab) -> list[str]:
    lines = []
    for step in lab.catalog.steps:
        done = sum(lab.status(exercise) == DONE for exercise in step.exercises)
        total = len(step.exercises)
        lines.append(
            say("lab_step_line", step=step.name, title=step.title, bar=bar(done, total), done=done, total=total)
        )
    return lines


def list_lines(lab: Lab) -> list[str]:
    lines = []
    for step in lab.catalog.steps:
        lines.append(f"{step.name}  {step.title}")
        for exercise in step.exercises:
            status = lab.status(exercise)
            lines.append(
                say(
                    "lab_list_row",
                    mark=">" if exercise is lab.current else _MARKS.get(status, "?"),
                    exercise=exercise.id,
                    status=status_word(status),
                    points=exercise.points,
                    location=lab.where_to_edit(exercise),
                )
            )
    return lines


def _wrapped(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, width=WIDTH, initial_indent=indent, subsequent_indent=indent + "  ") or [indent]


def _clock(epoch_seconds: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch_seconds))


def speedup_lines(speedups: list[dict]) -> list[str]:
    lines = []
    for row in speedups:
        if row.get("verdict") == "not-measured":
            lines += _wrapped(say("lab_speedup_reason", reason=row.get("reason", "")))
            continue
        fields = {key: _number(row.get(key)) for key in ("speedup", "required", "capacity")}
        lines += _wrapped(
            say("lab_speedup", workers=row.get("workers", "?"), verdict=row.get("verdict", "?"), **fields)
        )
    return lines


def _number(value) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else "?"


def exercise_lines(lab: Lab, exercise: Exercise, full_hint: bool = False) -> list[str]:
    """The current exercise: title, where to edit, status, first problem, speedup verdict, hint."""
    lines = [
        say("lab_current", exercise=exercise.id, title=exercise.title),
        "  " + say("lab_edit", location=lab.where_to_edit(exercise)),
    ]
    result = lab.state.results.get(exercise.id)
    if result is None:
        status = lab.status(exercise)
        lines.append("  " + say("lab_status_only", status=status_word(status)))
        lines += _wrapped(say("lab_not_checked"))
    else:
        status = status_word(result.status)
        if result.tests:
            lines.append("  " + say("lab_status_line", status=status, tests_passed=result.passed, tests=result.tests))
        else:  # its tests could not even be loaded
            lines.append("  " + say("lab_status_only", status=status))
        checked = lab.state.checked.get(exercise.id)
        if checked:
            lines.append("  " + say("lab_checked", time=_clock(checked)))
        if result.problem:
            lines += [""] + _wrapped(result.problem)
        lines += speedup_lines(result.speedups)
        if result.status == FAILING:
            lines += _wrapped(say("lab_log", path=lab.log_path.name))
    if full_hint and exercise.hint_full:
        first, *more = exercise.hint_full.strip().splitlines()
        lines += [""] + _wrapped(say("lab_hint", hint=first))
        for paragraph in more:
            lines += _wrapped(paragraph, indent="        ")
    return lines
