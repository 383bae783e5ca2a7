"""Scores: the points of each exercise earned by its tests, and the documents graders' platforms read.

An exercise is worth its ``points`` (declared with its title and hint; default 1). It earns the
fraction of its tests that passed, or all or nothing when declared ``all_or_nothing``. A speedup test
the machine could not judge (``not-measured``) is left out of that fraction: it neither earns nor
loses points.
"""

from __future__ import annotations

import dataclasses

from plugin.catalog import Catalog, locate
from plugin.messages import say
from plugin.progress import ExerciseProgress, Ledger, progress
from plugin.targets import Target


@dataclasses.dataclass(frozen=True)
class ExerciseScore:
    row: ExerciseProgress
    number: str  # "3.2": the second exercise of step 3
    score: float
    passed: int
    counted: int
    not_measured: int
    line_no: int
    problem: str = ""  # why the score is what it is, when it is not the maximum

    @property
    def exercise(self):
        return self.row.exercise

    @property
    def max_score(self) -> float:
        if self.row.tests and not self.counted:  # only not-measured speedups: nothing to earn or lose
            return 0.0
        return self.exercise.points

    @property
    def full(self) -> bool:
        return self.score >= self.max_score

    @property
    def duration(self) -> float:
        return sum(test.duration for test in self.row.tests)

    def output(self) -> str:
        """What the learner reads next to the score: the first failure, its hint, and the tally."""
        lines = [say("grade.tally", passed=self.passed, counted=self.counted)]
        if self.not_measured:
            lines[0] += say("grade.not_measured", count=self.not_measured)
        if self.exercise.all_or_nothing and not self.full:
            lines[0] += say("grade.all_or_nothing")
        if self.problem:
            lines.append(self.problem)
        if not self.full and self.exercise.hint:
            lines.append(say("grade.hint", hint=self.exercise.hint))
        return "\n".join(lines)


def _first_problem(row: ExerciseProgress) -> str:
    for test in row.tests:
        if test.outcome != "passed" and not test.speedup_not_measured:
            return (
                say("grade.first_problem", test=test.nodeid.split("::")[-1], message=test.message)
                if test.message
                else test.nodeid
            )
    return "" if row.tests else say("grade.none_ran")


def score_exercise(row: ExerciseProgress, number: str, line_no: int) -> ExerciseScore:
    counted = [test for test in row.tests if not test.speedup_not_measured]
    passed = sum(test.outcome == "passed" for test in counted)
    if not counted:
        fraction = 0.0
    elif row.exercise.all_or_nothing:
        fraction = 1.0 if passed == len(counted) else 0.0
    else:
        fraction = passed / len(counted)
    return ExerciseScore(
        row=row,
        number=number,
        score=round(row.exercise.points * fraction, 4),
        passed=passed,
        counted=len(counted),
        not_measured=len(row.tests) - len(counted),
        line_no=line_no,
        problem=_first_problem(row),
    )


def score_run(catalog: Catalog, ledger: Ledger, target: Target) -> list[ExerciseScore]:
    """Every exercise of the steps that ran, scored, in catalog order."""
    scores = []
    for step, rows in progress(catalog, ledger):
        for position, row in enumerate(rows, start=1):
            _, line_no = locate(row.exercise, target)
            scores.append(score_exercise(row, f"{step.removeprefix('step')}.{position}", line_no))
    return scores


def void(scores: list[ExerciseScore], reason: str) -> list[ExerciseScore]:
    """The same exercises at zero points, each saying why (tampering detected)."""
    return [dataclasses.replace(score, score=0.0, problem=reason) for score in scores]


def totals(scores: list[ExerciseScore]) -> tuple[float, float]:
    return round(sum(s.score for s in scores), 4), round(sum(s.max_score for s in scores), 4)


def summary_line(scores: list[ExerciseScore], seed: int) -> str:
    score, max_score = totals(scores)
    full = sum(s.full for s in scores)
    return say("grade.summary", score=score, max_score=max_score, full=full, count=len(scores), seed=seed)
