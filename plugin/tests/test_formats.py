"""Output formats: each row of FORMATS builds its document from a RunResult, with no pytest run."""

from __future__ import annotations

import json

import jsonschema
import pytest

from plugin.catalog import load_catalog
from plugin.grading import command
from plugin.grading.arguments import arguments as grading_arguments
from plugin.grading.scores import score_run
from plugin.outputs import lab_json
from plugin.outputs.formats import FORMATS, write_all
from plugin.outputs.result import RunResult
from plugin.progress import Ledger
from plugin.targets import resolve
from plugin.tests.minikit import CATALOG, STUB, TESTS, write
from plugin.tests.test_exercism import EXERCISM_SCHEMA
from plugin.tests.test_grading import CLASSROOM_SCHEMA, GRADESCOPE_SCHEMA

SPEEDUP = {
    "exercise": "step1.pids",
    "nodeid": "t::s",
    "workers": 2,
    "capacity": 1.9,
    "sequential_s": 0.4,
    "parallel_s": 0.22,
    "speedup": 1.82,
    "required": 1.45,
    "verdict": "pass",
    "reason": "",
}


@pytest.fixture
def result(tmp_path) -> RunResult:
    """step1.double done (2 of 2 tests), step1.pids todo; one measured speedup; the tests in a file."""
    write(tmp_path / "exercises" / "step1" / "__init__.py", CATALOG)
    write(tmp_path / "exercises" / "step1" / "demo.py", STUB)
    write(tmp_path / "exercises" / "step1" / "test_demo.py", TESTS)
    catalog = load_catalog(tmp_path)
    target = resolve("exercises", tmp_path, None)
    ledger = Ledger()
    ledger.add("exercises/step1/test_demo.py::test_double", "step1.double", "passed", "", 0.1)
    ledger.add("exercises/step1/test_demo.py::test_double_in_a_pool", "step1.double", "passed", "", 0.2)
    ledger.add(
        "exercises/step1/test_demo.py::test_pids_are_children",
        "step1.pids",
        "todo",
        "not implemented yet: x.py:9",
        0.0,
        [SPEEDUP],
    )
    return RunResult(
        catalog=catalog,
        ledger=ledger,
        target=target,
        environment=lab_json.environment(2, 0, 42),
        speedups=[SPEEDUP],
        scores=score_run(catalog, ledger, target),
        elapsed_s=1.5,
        seed=42,
        rootdir=tmp_path,
        notes=["step1/demo.py is missing from the submission"],
    )


def test_lab_json_has_the_contract_fields(result):
    document = lab_json.build(result)
    assert document["schema"] == 1 and document["target"] == "exercises"
    assert set(document["environment"]) >= {"python", "platform", "start_method", "cpus", "xdist_workers"}
    expected = {"exercises": 2, "done": 1, "todo": 1, "failing": 0, "passed": 2, "failed": 1, "skipped": 0}
    assert {key: document["summary"][key] for key in expected} == expected
    exercises = {e["id"]: e for e in document["steps"][0]["exercises"]}
    assert (exercises["step1.double"]["status"], exercises["step1.pids"]["status"]) == ("done", "todo")
    assert exercises["step1.pids"]["tests"][0]["message"] == "not implemented yet: x.py:9"
    assert document["speedups"] == [SPEEDUP]


def test_every_format_builds_and_writes_its_document(result, tmp_path):
    paths = {output.name: tmp_path / "out" / f"{output.name}.out" for output in FORMATS}
    paths["speedup-plot"] = tmp_path / "out" / "speedups.png"  # matplotlib adds .png to a name without it
    write_all(result, paths)
    gradescope = json.loads(paths["gradescope"].read_text())
    jsonschema.validate(gradescope, GRADESCOPE_SCHEMA)
    assert gradescope["score"] == 3 and "step1/demo.py is missing" in gradescope["output"]
    assert gradescope["leaderboard"] == [{"name": "step1.pids speedup", "value": 1.82, "order": "desc"}]
    classroom = json.loads(paths["classroom"].read_text())
    jsonschema.validate(classroom, CLASSROOM_SCHEMA)
    assert [t["status"] for t in classroom["tests"]] == ["pass", "fail"] and classroom["status"] == "fail"
    assert json.loads(paths["lab-json"].read_text()) == json.loads(json.dumps(lab_json.build(result)))
    assert paths["speedup-plot"].read_bytes().startswith(b"\x89PNG")
    exercism = json.loads(paths["exercism"].read_text())
    jsonschema.validate(exercism, EXERCISM_SCHEMA)
    assert [(t["status"], t["task_id"]) for t in exercism["tests"]] == [("pass", 1), ("pass", 1), ("fail", 2)]
    assert set(paths) == {output.name for output in FORMATS}  # a new row must be checked here too


def test_a_run_that_went_wrong_is_an_error_for_classroom(result):
    classroom = next(output for output in FORMATS if output.name == "classroom")
    broken = RunResult(**{**result.__dict__, "run_error": "tampering detected"})
    assert classroom.build(broken)["status"] == "error"
    exercism = next(output for output in FORMATS if output.name == "exercism")
    assert (exercism.build(broken)["status"], exercism.build(broken)["message"]) == ("error", "tampering detected")


def test_formats_have_distinct_names_and_options_and_the_grading_command_offers_them(tmp_path):
    assert len({output.name for output in FORMATS}) == len({output.option for output in FORMATS}) == len(FORMATS)
    arguments = ["submission"] + [word for output in FORMATS for word in (output.option, str(tmp_path / output.name))]
    parsed = grading_arguments(arguments, doc=command.__doc__, kit=command.KIT)
    assert {output.name: getattr(parsed, output.dest) for output in FORMATS} == {
        output.name: tmp_path / output.name for output in FORMATS
    }
