"""The grading command's documents, always written (renamed into place, never opened where the
submission may have put something), even when it could not grade; and the time limit that guarantees
the command ends.

A platform that finds no results file shows the learner a bare error (Gradescope) or nothing (a CI
job): instead every format of ``plugin.outputs.formats.FORMATS`` is built from a ``RunResult`` that
lists each exercise at 0 of its points with the reason, and the run is marked as an error where the
format has one (Classroom's and Exercism's ``status``, the lab JSON's ``error``).
"""

from __future__ import annotations

import contextlib
import signal
import sys
from pathlib import Path

from plugin.catalog import Catalog, load_catalog
from plugin.grading import sandbox
from plugin.grading.scores import ExerciseScore
from plugin.measure.machine import usable_cpus
from plugin.messages import say
from plugin.outputs import lab_json
from plugin.outputs.formats import FORMATS
from plugin.outputs.result import RunResult
from plugin.progress import ExerciseProgress, Ledger
from plugin.targets import SUBMISSION, SUBMISSION_PACKAGE, Target


class GradingTimeLimit(Exception):
    """The whole grading outlived its limit (a wait that should have ended did not)."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise GradingTimeLimit in this (main) thread after ``seconds``, whatever it is waiting on."""

    def expire(signum, frame):
        raise GradingTimeLimit(say("grade.time_limit", seconds=seconds))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def could_not_grade(kit: Path, reason: str, seed: int, start_method: str | None, elapsed: float) -> RunResult:
    """The result of a grading that could not run: every exercise at 0 with the reason, as ``run_error``."""
    note = say("grade.could_not_grade", reason=reason)
    try:
        catalog = load_catalog(kit)
    except Exception:  # noqa: BLE001 - the catalog may be what failed: the documents are written anyway
        catalog = Catalog(steps=())
    return RunResult(
        catalog=catalog,
        ledger=Ledger(),
        target=Target(SUBMISSION, SUBMISSION_PACKAGE, kit, kit),
        environment=lab_json.environment(usable_cpus(), 0, seed, start_method),
        speedups=[],
        scores=_zeros(catalog, note),
        elapsed_s=elapsed,
        seed=seed,
        rootdir=kit,
        notes=[note],
        run_error=note,
    )


def documents(result: RunResult) -> dict[str, object]:
    """Every format's document of a grading that could not run (format name -> document)."""
    built = {output.name: output.build(result) for output in FORMATS}
    built["lab-json"]["error"] = result.run_error
    return built


def write_documents(result: RunResult, paths: dict[str, Path | None], failed: bool) -> bool:
    """Every document with a path in ``paths`` (format name -> path), built from ``result`` (by
    ``documents`` when ``failed``); False when one could not be written."""
    built = documents(result) if failed else {}
    written = True
    for output in FORMATS:
        path = paths.get(output.name)
        if path is None:
            continue
        try:
            document = built[output.name] if failed else output.build(result)
            sandbox.write_document(path, document, output.write)
        except OSError as error:
            print(say("grade.write_failed", path=path, error=error.strerror), file=sys.stderr)
            written = False
    return written


def _zeros(catalog: Catalog, note: str) -> list[ExerciseScore]:
    """Every exercise of the catalog at 0 of its points, none of its tests run."""
    scores = []
    for step in catalog.steps:
        for position, exercise in enumerate(step.exercises, start=1):
            row = ExerciseProgress(exercise, "todo", ())
            number = f"{step.name.removeprefix('step')}.{position}"
            scores.append(ExerciseScore(row, number, 0.0, 0, 0, 0, 0, problem=note))
    return scores
