"""The authoring check's comparison of a stubs report and a solutions report."""

from __future__ import annotations

from plugin.authoring import problems


def report(outcomes: dict[str, str], status: str = "done", not_run=()) -> dict:
    """A --lab-json document with one step and one exercise holding ``outcomes`` (nodeid -> outcome)."""
    tests = [{"nodeid": nodeid, "outcome": outcome, "message": ""} for nodeid, outcome in outcomes.items()]
    exercise = {"id": "step1.double", "status": status, "tests": tests}
    return {"steps": [{"step": "step1", "exercises": [exercise], "not_run": list(not_run)}]}


def test_todo_on_the_stubs_and_passed_on_the_solutions_is_no_problem():
    stubs, solutions = report({"t::a": "todo", "t::b": "todo"}, "todo"), report({"t::a": "passed", "t::b": "passed"})
    assert problems(stubs, solutions) == []


def test_each_disagreement_is_named():
    stubs = report({"t::a": "passed", "t::b": "todo", "t::c": "failed"}, "failing")
    solutions = report({"t::a": "passed", "t::b": "failed", "t::d": "passed"}, "failing", not_run=["step1.triple"])
    assert problems(stubs, solutions) == [
        "t::a: passed on the pristine stub (must fail as todo)",
        "t::b: failed on the solutions (must pass)",
        "t::c: failed on the pristine stub (must fail as todo)",
        "t::c: not run on the solutions (must pass)",
        "t::d: not run on the pristine stub (must fail as todo)",
        "step1.triple: none of its tests ran on the solutions",
        "step1.double: failing on the solutions",
    ]


def test_a_stub_run_without_tests_is_a_problem():
    assert problems(report({}), report({})) == ["the stub run holds no exercise test"]
