"""``--gradescope PATH``: the scores as Gradescope's ``results.json``
(https://gradescope-autograders.readthedocs.io, "Output format")."""

from __future__ import annotations

from plugin.grading.scores import summary_line, totals
from plugin.measure.speedup import NOT_MEASURED
from plugin.messages import say
from plugin.outputs.result import RunResult


def build(result: RunResult) -> dict:
    scores = result.scores
    score, _ = totals(scores)
    return {
        "score": score,
        "execution_time": round(result.elapsed_s, 3),
        "output": "\n".join([summary_line(scores, result.seed), *result.notes]),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": say("exercise.name", exercise=s.exercise.id, title=s.exercise.title),
                "number": s.number,
                "score": s.score,
                "max_score": s.max_score,
                "status": "passed" if s.full else "failed",
                "output": s.output(),
                "visibility": "visible",
            }
            for s in scores
        ],
        "leaderboard": [
            {"name": f"{row['exercise']} speedup", "value": row["speedup"], "order": "desc"}
            for row in result.speedups
            if row.get("verdict") != NOT_MEASURED and isinstance(row.get("speedup"), (int, float))
        ],
    }
