"""The run as the learner sees it (terminal sections) and as machines read it (``--lab-json``)."""

from __future__ import annotations

import json
import multiprocessing
import platform
import sys
import textwrap
from pathlib import Path

from plugin import grading
from plugin.exercises import Catalog, Exercise, locate
from plugin.progress import NOT_RUN, ExerciseProgress, Ledger, progress
from plugin.targets import Target

BAR_WIDTH = 20
SCHEMA = 1


def _bar(done: int, total: int) -> str:
    filled = round(BAR_WIDTH * done / total) if total else 0
    return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "]"


def _relative(path: Path, rootdir: Path) -> str:
    try:
        return str(path.relative_to(rootdir))
    except ValueError:
        return str(path)


def edit_location(exercise: Exercise, target: Target, rootdir: Path, line: int | None = None) -> str:
    """``file:line`` to edit for ``exercise``: ``line`` when known, else its stub's ``raise``."""
    path, stub_line = locate(exercise, target)
    return f"{_relative(path, rootdir)}:{line or stub_line}"


def _hint_lines(exercise: Exercise, full: bool, indent: str) -> list[str]:
    if not exercise.hint:
        return []
    text = exercise.hint.strip() if full else exercise.short_hint
    return textwrap.wrap("hint: " + text, width=100, initial_indent=indent, subsequent_indent=indent + "      ")


def progress_lines(
    catalog: Catalog, ledger: Ledger, target: Target, rootdir: Path, full_hints: bool
) -> list[tuple[str, dict]]:
    """(text, markup) lines of the progress section."""
    lines: list[tuple[str, dict]] = []
    steps = progress(catalog, ledger)
    titles = {step.name: step.title for step in catalog.steps}
    for step, rows in steps:
        done = sum(row.status == "done" for row in rows)
        markup = {"green": True} if done == len(rows) else {}
        lines.append((f"{step}  {titles[step]:<44} {_bar(done, len(rows))} {done}/{len(rows)} done", markup))
    for step, errors in ledger.collection_errors.items():
        for error in errors:
            lines.append(
                (f"{step}: could not collect {error}: fix that first (the error is shown above)", {"red": True})
            )
    if not ledger.tests:  # no test ran: nothing more to say
        return lines
    # Exercises that ran and are not done come first; then those that did not run this time.
    pending = [row for _, rows in steps for row in rows if row.status not in ("done", NOT_RUN)]
    pending += [row for _, rows in steps for row in rows if row.status == NOT_RUN]
    if not pending:
        lines.append(("All exercises of the steps you ran are done.", {"green": True, "bold": True}))
        return lines
    upcoming = pending[0]
    lines.append(("", {}))
    state = "not run this time" if upcoming.status == NOT_RUN else upcoming.status
    lines.append((f"Next: {upcoming.exercise.id} — {upcoming.exercise.title} ({state})", {"bold": True}))
    lines.append((f"      edit {edit_location(upcoming.exercise, target, rootdir)}", {}))
    lines.extend((line, {}) for line in _hint_lines(upcoming.exercise, True, "      "))
    failing = [row for row in pending if row.status == "failing" and row is not upcoming]
    if failing:
        lines.append(("Also failing:", {"red": True}))
        for row in failing:
            lines.append((f"  {row.exercise.id} — {row.exercise.title}", {"red": True}))
            lines.extend((line, {}) for line in _hint_lines(row.exercise, full_hints, "      "))
    return lines


_SPEEDUP_COLUMNS = (  # (heading, key, format)
    ("workers", "workers", "d"),
    ("seq s", "sequential_s", ".3f"),
    ("par s", "parallel_s", ".3f"),
    ("speedup", "speedup", ".2f"),
    ("required", "required", ".2f"),
    ("capacity", "capacity", ".2f"),
    ("of cap.", "of_capacity", ".0%"),
)


def speedup_lines(speedups: list[dict]) -> list[str]:
    """One row per measurement, a benchmark-style table."""
    width = max([len("exercise")] + [len(row["exercise"]) for row in speedups])
    lines = [f"{'exercise':<{width}} " + " ".join(f"{h:>8}" for h, _, _ in _SPEEDUP_COLUMNS) + "  verdict"]
    for row in speedups:
        cells = [
            format(row[key], fmt) if isinstance(row.get(key), (int, float)) else "-" for _, key, fmt in _SPEEDUP_COLUMNS
        ]
        verdict = row["verdict"] + (f" ({row['reason']})" if row["verdict"] != "pass" and row.get("reason") else "")
        lines.append(f"{row['exercise']:<{width}} " + " ".join(f"{cell:>8}" for cell in cells) + f"  {verdict}")
    return lines


def plot_speedups(speedups: list[dict], path: Path) -> None:
    """A PNG bar chart: the speedup of each measurement against the machine's capacity and the requirement."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [row["exercise"] for row in speedups]
    colours = {"pass": "tab:green", "fail": "tab:red", "not-measured": "tab:gray"}
    positions = range(len(speedups))
    axes.bar(positions, [row.get("speedup") or 0 for row in speedups],
             color=[colours[row["verdict"]] for row in speedups])
    axes.plot(positions, [row.get("capacity") or 0 for row in speedups], "k_", markersize=28, mew=2, label="capacity")
    axes.plot(positions, [row.get("required") or 0 for row in speedups], "_", color="tab:orange", markersize=28,
              mew=2, label="required")
    axes.axhline(1.0, color="gray", linewidth=0.8, linestyle="--")
    axes.set_xticks(list(positions), labels, rotation=20, ha="right", fontsize=8)
    axes.set_ylabel("speedup over sequential (x)")
    axes.set_title("Parallel Lab: measured speedups")
    axes.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)


def _test_json(record) -> dict:
    return {"nodeid": record.nodeid, "outcome": record.outcome, "message": record.message}


def _exercise_json(row: ExerciseProgress, score: grading.ExerciseScore) -> dict:
    return {
        "id": row.exercise.id,
        "title": row.exercise.title,
        "status": row.status,
        "points": score.max_score,
        "score": score.score,
        "tests": [_test_json(record) for record in row.tests],
    }


def build_json(
    catalog: Catalog,
    ledger: Ledger,
    target: Target,
    environment: dict,
    speedups: list[dict],
    scores: list[grading.ExerciseScore],
) -> dict:
    steps = progress(catalog, ledger)
    score_of = {score.exercise.id: score for score in scores}
    score, max_score = grading.totals(scores)
    titles = {step.name: step.title for step in catalog.steps}
    # An exercise none of whose tests ran (pytest -k, a run cut short) has no status: it is listed apart.
    ran = [row for _, step_rows in steps for row in step_rows if row.status != NOT_RUN]
    records = list(ledger.tests.values())
    return {
        "schema": SCHEMA,
        "target": target.kind,
        "environment": environment,
        "summary": {
            "exercises": len(ran),
            "done": sum(row.status == "done" for row in ran),
            "todo": sum(row.status == "todo" for row in ran),
            "failing": sum(row.status == "failing" for row in ran),
            "not_run": sum(len(step_rows) for _, step_rows in steps) - len(ran),
            "passed": sum(record.outcome == "passed" for record in records),
            "failed": sum(record.outcome in ("failed", "todo", "error") for record in records),
            "skipped": sum(record.outcome == "skipped" for record in records),
            "score": score,
            "max_score": max_score,
        },
        "steps": [
            {
                "step": step,
                "title": titles[step],
                "done": sum(row.status == "done" for row in step_rows),
                "total": len(step_rows),
                "exercises": [
                    _exercise_json(row, score_of[row.exercise.id]) for row in step_rows if row.status != NOT_RUN
                ],
                "not_run": [row.exercise.id for row in step_rows if row.status == NOT_RUN],
                "collection_errors": ledger.collection_errors.get(step, []),
            }
            for step, step_rows in steps
        ],
        "speedups": speedups,
    }


def environment(cpus: int, xdist_workers: int, seed: int, start_method: str | None = None) -> dict:
    """``start_method``: the one the run used, when it was not this process's (the grading command)."""
    return {
        "python": platform.python_version(),
        "platform": sys.platform,
        "start_method": start_method or multiprocessing.get_start_method(),
        "cpus": cpus,
        "xdist_workers": xdist_workers,
        "seed": seed,
    }


def write_json(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
