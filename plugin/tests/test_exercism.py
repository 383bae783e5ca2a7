"""Exercism's results.json v3: the document of a hand-made ledger, and of real runs of the mini kit."""

from __future__ import annotations

import json

import jsonschema
import pytest

from plugin.catalog import load_catalog
from plugin.outputs import exercism
from plugin.progress import Ledger
from plugin.tests.minikit import run, write

# exercism.org/docs/building/tooling/test-runners/interface, "Output format", for version 3.
STATUS = {"enum": ["pass", "fail", "error"]}
EXERCISM_SCHEMA = {
    "type": "object",
    "required": ["version", "status"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 3},
        "status": STATUS,
        "message": {"type": ["string", "null"], "maxLength": 65535},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "status", "test_code"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "status": STATUS,
                    "message": {"type": ["string", "null"]},
                    "output": {"type": ["string", "null"], "maxLength": 500},
                    "test_code": {"type": "string"},
                    "task_id": {"type": "integer", "minimum": 1},
                },
                # A test that did not pass says why.
                "if": {"properties": {"status": {"enum": ["fail", "error"]}}},
                "then": {"required": ["message"], "properties": {"message": {"type": "string", "minLength": 1}}},
            },
        },
    },
    "allOf": [
        {"if": {"properties": {"status": {"const": "error"}}}, "then": {"required": ["message"]}},
        {"if": {"properties": {"status": {"enum": ["pass", "fail"]}}}, "then": {"required": ["tests"]}},
    ],
}

CATALOG = """
TITLE = "Demo"
EXERCISES = {"first": {"title": "First", "hint": ""}, "second": {"title": "Second", "hint": ""}}
"""

TESTS = """
import pytest


@pytest.mark.exercise("step1.second")
def test_second_comes_first_in_the_file():
    assert second() == 2


@pytest.mark.exercise("step1.first")
@pytest.mark.parametrize("n", [1, 2])
def test_first(n):
    assert first(n) == n


class TestGrouped:
    @pytest.mark.exercise("step1.first")
    def test_in_a_class(self):
        assert first(0) == 0
"""


@pytest.fixture
def course(tmp_path):
    write(tmp_path / "exercises" / "step1" / "__init__.py", CATALOG)
    write(tmp_path / "exercises" / "step1" / "demo.py", "def first(n):\n    pass\n\n\ndef second():\n    pass\n")
    write(tmp_path / "exercises" / "step1" / "test_demo.py", TESTS)
    return tmp_path


def test_tests_in_file_order_with_task_ids_statuses_and_code(course):
    ledger = Ledger()
    path = "exercises/step1/test_demo.py"
    # Logged in completion order, as under xdist: the document follows the file instead (the cases of one
    # parametrized test keep the order they were logged in).
    ledger.add(f"{path}::TestGrouped::test_in_a_class", "step1.first", "error", "fixture broke", 0.1)
    ledger.add(f"{path}::test_first[1]", "step1.first", "passed", "", 0.1, output="hello\n")
    ledger.add(f"{path}::test_first[2]", "step1.first", "todo", "not implemented yet: exercises/step1/demo.py:2", 0.1)
    ledger.add(f"{path}::test_second_comes_first_in_the_file", "step1.second", "failed", "assert 1 == 2", 0.1)
    ledger.add(f"{path}::test_skipped_one", "step1.second", "skipped", "one CPU", 0.0)
    document = exercism.exercism_document(load_catalog(course), ledger, course)
    jsonschema.validate(document, EXERCISM_SCHEMA)
    assert document["status"] == "fail" and "message" not in document
    assert [(t["name"], t["status"], t.get("message"), t["task_id"]) for t in document["tests"]] == [
        ("step1.second: second comes first in the file", "fail", "assert 1 == 2", 2),
        ("step1.first: first[1]", "pass", None, 1),
        ("step1.first: first[2]", "fail", "not implemented yet: exercises/step1/demo.py:2", 1),
        ("step1.first: in a class", "error", "fixture broke", 1),
    ]
    first = document["tests"][1]
    assert first["output"] == "hello\n"
    assert first["test_code"] == "def test_first(n):\n    assert first(n) == n"
    assert document["tests"][3]["test_code"] == "    def test_in_a_class(self):\n        assert first(0) == 0"
    assert "output" not in document["tests"][0]


def test_a_run_where_every_test_passed_is_pass(course):
    ledger = Ledger()
    ledger.add("exercises/step1/test_demo.py::test_first[1]", "step1.first", "passed", "", 0.1)
    document = exercism.exercism_document(load_catalog(course), ledger, course)
    jsonschema.validate(document, EXERCISM_SCHEMA)
    assert document["status"] == "pass"


def test_output_is_capped_at_500_characters_and_says_so():
    assert exercism.capped_output("x" * 500) == "x" * 500
    capped = exercism.capped_output("y" * 2000)
    assert len(capped) <= 500 and capped.startswith("y" * 400)
    assert capped.endswith("Output was truncated. Please limit to 500 chars.")


def test_no_test_ran_is_an_error_that_says_why(course):
    ledger = Ledger()
    ledger.record_collection_error("step1", "exercises/step1/test_demo.py", "SyntaxError: invalid syntax")
    document = exercism.exercism_document(load_catalog(course), ledger, course)
    jsonschema.validate(document, EXERCISM_SCHEMA)
    assert document["status"] == "error" and document["tests"] == []
    assert document["message"] == "no test could run:\nexercises/step1/test_demo.py: SyntaxError: invalid syntax"


def test_a_step_that_could_not_be_collected_is_an_error_entry_beside_the_others(course):
    ledger = Ledger()
    ledger.add("exercises/step1/test_demo.py::test_first[1]", "step1.first", "passed", "", 0.1)
    ledger.record_collection_error("step2", "exercises/step2/test_pool.py", "SyntaxError: invalid syntax")
    document = exercism.exercism_document(load_catalog(course), ledger, course)
    jsonschema.validate(document, EXERCISM_SCHEMA)
    assert document["status"] == "fail"
    assert document["tests"][-1] == {
        "name": "step2: the tests could not be collected",
        "status": "error",
        "message": "exercises/step2/test_pool.py: SyntaxError: invalid syntax",
        "test_code": "",
    }


def test_a_run_that_went_wrong_is_an_error_with_its_reason(course):
    ledger = Ledger()
    ledger.add("exercises/step1/test_demo.py::test_first[1]", "step1.first", "passed", "", 0.1)
    document = exercism.exercism_document(load_catalog(course), ledger, course, run_error="tampering detected")
    jsonschema.validate(document, EXERCISM_SCHEMA)
    assert (document["status"], document["message"]) == ("error", "tampering detected")
    assert [t["status"] for t in document["tests"]] == ["pass"]


PRINTING_TEST = """

@pytest.mark.exercise("step1.double")
def test_double_prints_a_lot():
    print("z" * 600)
    assert double(4) == 8
"""


@pytest.mark.parametrize(("target", "status"), [((), "fail"), (("--solutions",), "pass")])
def test_a_real_run_of_the_stubs_and_of_the_solutions(kit, target, status):
    tests = kit.path / "exercises" / "step1" / "test_demo.py"
    tests.write_text(tests.read_text() + PRINTING_TEST)
    result = run(kit, "--exercism=exercism.json", *target)
    assert result.ret == (pytest.ExitCode.OK if status == "pass" else pytest.ExitCode.TESTS_FAILED)
    document = json.loads((kit.path / "exercism.json").read_text())
    jsonschema.validate(document, EXERCISM_SCHEMA)
    assert document["status"] == status
    names = ["double", "double in a pool", "pids are children", "double prints a lot"]
    assert [t["name"].split(": ")[1] for t in document["tests"]] == names
    assert [t["task_id"] for t in document["tests"]] == [1, 1, 2, 1]
    assert {t["status"] for t in document["tests"]} == {status}
    if status == "fail":
        assert all(t["message"].startswith("not implemented yet: exercises/step1/demo.py:") for t in document["tests"])
    printed = document["tests"][-1]["output"]
    assert printed.startswith("z" * 400) and printed.endswith("Please limit to 500 chars.") and len(printed) <= 500
