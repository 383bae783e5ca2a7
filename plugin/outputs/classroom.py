"""``--classroom PATH``: the scores as the result document GitHub Classroom's
autograding-grading-reporter reads from ``<RUNNER>_RESULTS``."""

from __future__ import annotations

from plugin.grading.scores import totals
from plugin.messages import say
from plugin.outputs.result import RunResult

CLASSROOM_VERSION = 3


def build(result: RunResult) -> dict:
    """Status ``error`` when the run itself went wrong (ended early, tampering), not only some tests."""
    scores = result.scores
    _, max_score = totals(scores)
    return {
        "version": CLASSROOM_VERSION,
        "status": "error" if result.run_error else "pass" if all(s.full for s in scores) else "fail",
        "max_score": max_score,
        "tests": [
            {
                "name": say("exercise.name", exercise=s.exercise.id, title=s.exercise.title),
                "status": "pass" if s.full else "fail",
                "score": s.score,
                "message": s.output(),
                "line_no": s.line_no,
                "duration": round(s.duration * 1000),  # milliseconds, as the Classroom graders write it
            }
            for s in scores
        ],
    }
