"""``--lab-json PATH``: the whole run as JSON (its fields are fixed by DESIGN.md; more may be added)."""

from __future__ import annotations

import multiprocessing
import platform
import sys

from plugin.grading.scores import ExerciseScore, totals
from plugin.outputs.result import RunResult
from plugin.progress import DONE, FAILING, NOT_RUN, TODO, ExerciseProgress, progress

SCHEMA = 1


def _test_json(record) -> dict:
    return {"nodeid": record.nodeid, "outcome": record.outcome, "message": record.message}


def _exercise_json(row: ExerciseProgress, score: ExerciseScore) -> dict:
    return {
        "id": row.exercise.id,
        "title": row.exercise.title,
        "status": row.status,
        "points": score.max_score,
        "score": score.score,
        "tests": [_test_json(record) for record in row.tests],
    }


def build(result: RunResult) -> dict:
    steps = progress(result.catalog, result.ledger)
    score_of = {score.exercise.id: score for score in result.scores}
    titles = {step.name: step.title for step in result.catalog.steps}
    return {
        "schema": SCHEMA,
        "target": result.target.kind,
        "environment": result.environment,
        "summary": _summary(steps, result),
        "steps": [
            {
                "step": step,
                "title": titles[step],
                "done": sum(row.status == DONE for row in step_rows),
                "total": len(step_rows),
                "exercises": [
                    _exercise_json(row, score_of[row.exercise.id]) for row in step_rows if row.status != NOT_RUN
                ],
                "not_run": [row.exercise.id for row in step_rows if row.status == NOT_RUN],
                "collection_errors": result.ledger.collection_errors.get(step, []),
            }
            for step, step_rows in steps
        ],
        "speedups": result.speedups,
    }


def _summary(steps: list[tuple[str, list[ExerciseProgress]]], result: RunResult) -> dict:
    # An exercise none of whose tests ran (pytest -k, a run cut short) has no status: it is listed apart.
    ran = [row for _, step_rows in steps for row in step_rows if row.status != NOT_RUN]
    records = list(result.ledger.tests.values())
    score, max_score = totals(result.scores)
    return {
        "exercises": len(ran),
        "done": sum(row.status == DONE for row in ran),
        "todo": sum(row.status == TODO for row in ran),
        "failing": sum(row.status == FAILING for row in ran),
        "not_run": sum(len(step_rows) for _, step_rows in steps) - len(ran),
        "passed": sum(record.outcome == "passed" for record in records),
        "failed": sum(record.outcome in ("failed", "todo", "error") for record in records),
        "skipped": sum(record.outcome == "skipped" for record in records),
        "score": score,
        "max_score": max_score,
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
