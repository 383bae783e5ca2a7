"""The authoring check: the course is consistent, and every exercise test fails on the pristine stubs
and passes on the solutions.

    python -m plugin.authoring [--root DIR] [STUBS_JSON SOLUTIONS_JSON]

checks the course's own files under DIR (default: the current folder; see ``plugin.course_check``)
and, given two ``--lab-json`` reports of the same tests (one run on ``exercises/``, one with
``--solutions``), that every test was ``todo`` on the stubs and ``passed`` on the solutions and every
exercise of the catalog has tests. It exits non-zero, listing each offender, when anything is wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from plugin import course_check
from plugin.messages import say


def _tests(document: dict) -> dict[str, str]:
    return {
        test["nodeid"]: test["outcome"]
        for step in document["steps"]
        for exercise in step["exercises"]
        for test in exercise["tests"]
    }


def problems(stubs: dict, solutions: dict) -> list[str]:
    found = []
    stub_tests, solution_tests = _tests(stubs), _tests(solutions)
    if not stub_tests:
        found.append("the stub run holds no exercise test")
    for nodeid in sorted(stub_tests.keys() | solution_tests.keys()):
        on_stub, on_solution = stub_tests.get(nodeid, "not run"), solution_tests.get(nodeid, "not run")
        if on_stub != "todo":
            found.append(f"{nodeid}: {on_stub} on the pristine stub (must fail as todo)")
        if on_solution != "passed":
            found.append(f"{nodeid}: {on_solution} on the solutions (must pass)")
    for step in solutions["steps"]:
        found += [f"{exercise_id}: none of its tests ran on the solutions" for exercise_id in step.get("not_run", [])]
        found += [
            f"{exercise['id']}: {exercise['status']} on the solutions"
            for exercise in step["exercises"]
            if exercise["status"] != "done"
        ]
    return found


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m plugin.authoring", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="the kit's folder (default: the current one)")
    parser.add_argument("reports", nargs="*", type=Path, metavar="JSON", help="STUBS_JSON SOLUTIONS_JSON")
    options = parser.parse_args(argv)
    if len(options.reports) not in (0, 2):
        parser.error("give both reports, STUBS_JSON and SOLUTIONS_JSON, or neither")
    return options


def main(argv: list[str]) -> int:
    options = _parse(argv)
    course_problems = course_check.problems(options.root)
    for problem in course_problems:
        print(f"course check: {problem}")
    print(say("course_summary", problems=len(course_problems)))
    if not options.reports:
        return 1 if course_problems else 0
    with open(options.reports[0], encoding="utf-8") as stubs, open(options.reports[1], encoding="utf-8") as solutions:
        stub_doc, solution_doc = json.load(stubs), json.load(solutions)
    found = problems(stub_doc, solution_doc)
    for problem in found:
        print(f"authoring check: {problem}")
    count = len(_tests(solution_doc))
    print(f"authoring check: {count} exercise tests, {len(found)} problems")
    return 1 if found or course_problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
