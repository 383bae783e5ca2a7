"""The documents the grading command writes when it could not grade: every format, saying why.

A platform that finds no results file shows the learner a bare error (Gradescope) or nothing (a CI
job): instead each exercise is listed at 0 of its points with the reason, and the run is marked as an
error where the format has one (Classroom's ``status``, the lab JSON's ``error``).
"""

from __future__ import annotations

from pathlib import Path

from plugin import grading, reports
from plugin.exercises import load_catalog
from plugin.machine import usable_cpus
from plugin.messages import say
from plugin.progress import ExerciseProgress, Ledger
from plugin.targets import SUBMISSION_PACKAGE, Target


def could_not_grade(kit: Path, reason: str, seed: int, start_method: str | None, elapsed: float) -> dict:
    """``{"scores", "notes", "lab", "gradescope", "classroom"}`` like ``grade.grade`` returns."""
    note = say("grade_could_not_grade", reason=reason)
    try:
        catalog = load_catalog(kit)
    except Exception:  # noqa: BLE001 - the catalog may be what failed: the documents are written anyway
        catalog = None
    scores = _zeros(catalog, note) if catalog is not None else []
    environment = reports.environment(usable_cpus(), 0, seed, start_method)
    target = Target("submission", SUBMISSION_PACKAGE, kit, kit)
    if catalog is not None:
        lab = reports.build_json(catalog, Ledger(), target, environment, [], scores)
    else:
        lab = {"schema": reports.SCHEMA, "target": target.kind, "environment": environment,
               "summary": {"exercises": 0, "score": 0, "max_score": 0}, "steps": [], "speedups": []}
    lab["error"] = note
    return {
        "scores": scores,
        "notes": [note],
        "lab": lab,
        "gradescope": grading.gradescope_document(scores, [], elapsed, seed, [note]),
        "classroom": grading.classroom_document(scores, run_error=True),
    }


def _zeros(catalog, note: str) -> list[grading.ExerciseScore]:
    """Every exercise of the catalog at 0 of its points, none of its tests run."""
    scores = []
    for step in catalog.steps:
        for position, exercise in enumerate(step.exercises, start=1):
            row = ExerciseProgress(exercise, "todo", ())
            number = f"{step.name.removeprefix('step')}.{position}"
            scores.append(grading.ExerciseScore(row, number, 0.0, 0, 0, 0, 0, problem=note))
    return scores
