"""The authoring check: every exercise test fails on the pristine stubs and passes on the solutions.

    python -m plugin.authoring STUBS_JSON SOLUTIONS_JSON

reads two ``--lab-json`` reports of the same tests (one run on ``exercises/``, one with
``--solutions``) and exits non-zero, listing each offender, unless every test was ``todo`` on the
stubs and ``passed`` on the solutions and every exercise of the catalog has tests.
"""

from __future__ import annotations

import json
import sys


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


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as stubs, open(argv[1], encoding="utf-8") as solutions:
        stub_doc, solution_doc = json.load(stubs), json.load(solutions)
    found = problems(stub_doc, solution_doc)
    for problem in found:
        print(f"authoring check: {problem}")
    count = len(_tests(solution_doc))
    print(f"authoring check: {count} exercise tests, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
