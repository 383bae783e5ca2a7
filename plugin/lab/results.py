"""What one run says about each exercise, read from the plugin's ``--lab-json`` report of it."""

from __future__ import annotations

import dataclasses

from plugin.lab.kit import say

DONE, TODO, FAILING = "done", "todo", "failing"


@dataclasses.dataclass
class ExerciseResult:
    status: str  # done | todo | failing: the plugin's status
    passed: int  # tests that passed
    tests: int
    problem: str = ""  # the plugin's one-paragraph message of its first test that did not pass
    speedups: list[dict] = dataclasses.field(default_factory=list)  # the plugin's speedup rows

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, fields: dict) -> ExerciseResult:
        names = {field.name for field in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in fields.items() if name in names})


def results_of(document: dict, selected: set[str]) -> dict[str, ExerciseResult]:
    """Every exercise of ``selected`` that the run decided: those whose tests ran, and those whose test
    module could not be loaded (a syntax error in the learner's module), which are failing."""
    speedups: dict[str, list[dict]] = {}
    for row in document.get("speedups", []):
        speedups.setdefault(row["exercise"], []).append(row)
    found = {}
    for step in document["steps"]:
        for exercise in step["exercises"]:
            tests = exercise["tests"]
            problem = next((test["message"] for test in tests if test["outcome"] != "passed"), "")
            found[exercise["id"]] = ExerciseResult(
                exercise["status"],
                sum(test["outcome"] == "passed" for test in tests),
                len(tests),
                problem,
                speedups.get(exercise["id"], []),
            )
        errors = step.get("collection_errors", [])
        if errors:
            for exercise_id in step.get("not_run", []):
                if exercise_id in selected:
                    found[exercise_id] = ExerciseResult(FAILING, 0, 0, say("lab_collection_error", problem=errors[0]))
    return {exercise_id: result for exercise_id, result in found.items() if exercise_id in selected}
