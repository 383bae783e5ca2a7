"""Scores: points and partial credit, the platforms' documents, and the grading command against cheats."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import jsonschema
import psutil
import pytest

from plugin.catalog import Catalog, Exercise
from plugin.grading import scores as grading
from plugin.outputs import classroom as classroom_format
from plugin.outputs import gradescope as gradescope_format
from plugin.outputs.result import RunResult
from plugin.progress import ExerciseProgress, Ledger
from plugin.progress import TestRecord as Record  # not "Test…": pytest would try to collect it
from plugin.tests.minikit import CLOCK_CHEAT, SOLUTION, STUB, add_speed_step, processes_marked, run, write

pytestmark = pytest.mark.timeout(180)

# Gradescope's results.json, from "Autograder Specifications: Output format" (gradescope-autograders docs).
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["score", "tests"],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "test_output_format": FORMAT,
        "test_name_format": FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "name_format": FORMAT,
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": FORMAT,
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": VISIBILITY,
                    "extra_data": {"type": "object"},
                },
            },
        },
        "leaderboard": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "value"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string"},
                    "value": {"type": ["number", "string"]},
                    "order": {"enum": ["asc", "desc"]},
                },
            },
        },
    },
}

# What GitHub Classroom's autograding-grading-reporter reads from <RUNNER>_RESULTS (base64 JSON): it
# sums tests[].score against max_score and fails the check on status "fail" or "error".
CLASSROOM_SCHEMA = {
    "type": "object",
    "required": ["version", "status", "max_score", "tests"],
    "properties": {
        "version": {"const": 3},
        "status": {"enum": ["pass", "fail", "error"]},
        "max_score": {"type": "number", "minimum": 0},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "status", "score", "message", "line_no", "duration"],
                "properties": {
                    "name": {"type": "string"},
                    "status": {"enum": ["pass", "fail", "error"]},
                    "score": {"type": "number", "minimum": 0},
                    "message": {"type": "string"},
                    "line_no": {"type": "integer", "minimum": 0},
                    "duration": {"type": "number", "minimum": 0},
                    "test_code": {"type": "string"},
                    "filename": {"type": "string"},
                },
            },
        },
    },
}

HALF_DONE = STUB.replace(
    '    raise NotImplementedError("step1.double: see the docstring")',
    "    return 2 * x if x < 10 else 0  # right only for small numbers: one of its two tests fails",
)


# -- points and partial credit ------------------------------------------------------------------------


def _scored(outcomes: list[str], verdicts=None, all_or_nothing=False, points=4.0) -> grading.ExerciseScore:
    exercise = Exercise("step9.demo", "step9", "demo", "Demo", "Do it.", "demo", points, all_or_nothing)
    tests = tuple(
        Record(
            f"t.py::test_{n}",
            exercise.id,
            outcome,
            "" if outcome == "passed" else "boom",
            0.1,
            tuple(verdicts[n]) if verdicts else (),
        )
        for n, outcome in enumerate(outcomes)
    )
    return grading.score_exercise(ExerciseProgress(exercise, "", tests), "9.1", 7)


def test_partial_credit_is_the_fraction_of_tests_passed():
    assert _scored(["passed", "failed", "passed", "todo"]).score == 2.0
    assert _scored(["passed"] * 4).score == 4.0
    assert _scored(["error"] * 4).score == 0.0


def test_all_or_nothing_scores_only_when_every_test_passes():
    assert _scored(["passed", "passed", "failed"], all_or_nothing=True).score == 0.0
    assert _scored(["passed", "passed"], all_or_nothing=True).score == 4.0
    assert "only when every test passes" in _scored(["passed", "failed"], all_or_nothing=True).output()


def test_a_not_measured_speedup_neither_earns_nor_loses_points():
    verdicts = [[], [], ["not-measured"]]
    assert _scored(["passed", "passed", "passed"], verdicts).score == 4.0  # not counted among the passes
    assert _scored(["passed", "failed", "passed"], verdicts).score == 2.0  # 1 of the 2 that count
    scored = _scored(["passed", "passed", "passed"], verdicts)
    assert (scored.counted, scored.not_measured) == (2, 1)
    assert "1 speedup test(s) not measured" in scored.output()
    assert _scored(["passed", "failed"], [["pass"], ["fail"]]).score == 2.0  # a measured verdict counts
    only_unmeasured = _scored(["passed"], [["not-measured"]])
    assert (only_unmeasured.score, only_unmeasured.max_score) == (0, 0)  # nothing at stake either way


# -- the documents, from a pytest run ------------------------------------------------------------------


def _documents(kit, *args: str) -> tuple[pytest.RunResult, dict, dict, dict]:
    result = run(kit, "--lab-json=lab.json", "--gradescope=gradescope.json", "--classroom=classroom.json", *args)
    return result, *(json.loads((kit.path / f"{name}.json").read_text()) for name in ("lab", "gradescope", "classroom"))


def _per_exercise(lab: dict, gradescope: dict, classroom: dict) -> list[dict]:
    """{exercise: score} in each format; the three must agree."""
    in_lab = {e["id"]: e["score"] for s in lab["steps"] for e in s["exercises"]}
    in_gradescope = {t["name"].split(":")[0]: t["score"] for t in gradescope["tests"]}
    in_classroom = {t["name"].split(":")[0]: t["score"] for t in classroom["tests"]}
    return [in_lab, in_gradescope, in_classroom]


@pytest.mark.parametrize(
    ("target", "scores", "total"),
    [
        ([], {"step1.double": 0, "step1.pids": 0}, 0),
        (["--solutions"], {"step1.double": 3, "step1.pids": 2}, 5),
        (["--submission=half"], {"step1.double": 1.5, "step1.pids": 0}, 1.5),
    ],
    ids=["stubs", "solutions", "half-done"],
)
def test_every_format_carries_the_same_valid_scores(kit, target, scores, total):
    write(kit.path / "half" / "step1" / "demo.py", HALF_DONE)
    _, lab, gradescope, classroom = _documents(kit, *target)
    jsonschema.validate(gradescope, GRADESCOPE_SCHEMA)
    jsonschema.validate(classroom, CLASSROOM_SCHEMA)
    assert _per_exercise(lab, gradescope, classroom) == [scores] * 3
    assert lab["summary"]["score"] == gradescope["score"] == total
    assert sum(t["score"] for t in classroom["tests"]) == total  # what the Classroom reporter adds up
    assert lab["summary"]["max_score"] == classroom["max_score"] == 5
    assert sum(t["max_score"] for t in gradescope["tests"]) == 5
    assert [t["number"] for t in gradescope["tests"]] == ["1.1", "1.2"]
    assert classroom["status"] == ("pass" if total == 5 else "fail")
    for test in gradescope["tests"]:
        if test["score"] < test["max_score"]:
            assert "hint: " in test["output"] and "tests passed" in test["output"]


def _result(scores, speedups=(), elapsed_s=1.5, notes=(), run_error="") -> RunResult:
    """A finished run made of hand-made scores, for the document builders alone."""
    return RunResult(
        catalog=Catalog(steps=()),
        ledger=Ledger(),
        target=None,
        environment={},
        speedups=list(speedups),
        scores=scores,
        elapsed_s=elapsed_s,
        seed=7,
        rootdir=Path("."),
        notes=list(notes),
        run_error=run_error,
    )


def test_gradescope_leaderboard_lists_measured_speedups():
    """The run that produces the rows is test_speedup's; its leaderboard is checked there too."""
    speedups = [
        {"exercise": "step2.parallel_map", "verdict": "pass", "speedup": 1.8},
        {"exercise": "step3.async_results", "verdict": "fail", "speedup": 1.1},
        {"exercise": "step4.filter_folder_parallel", "verdict": "not-measured", "speedup": 1.05},
        {"exercise": "step3.compare_strategies", "verdict": "fail", "speedup": None},
    ]
    document = gradescope_format.build(_result([_scored(["passed"])], speedups))
    jsonschema.validate(document, GRADESCOPE_SCHEMA)
    assert document["leaderboard"] == [
        {"name": "step2.parallel_map speedup", "value": 1.8, "order": "desc"},
        {"name": "step3.async_results speedup", "value": 1.1, "order": "desc"},
    ]


def test_gradescope_document_of_a_full_and_a_partial_exercise():
    full, partial = _scored(["passed", "passed"]), _scored(["passed", "failed"])
    document = gradescope_format.build(_result([full, partial], elapsed_s=12.3456, notes=["step9/demo.py is missing"]))
    jsonschema.validate(document, GRADESCOPE_SCHEMA)
    assert (document["score"], document["execution_time"]) == (6.0, 12.346)
    assert document["output"].splitlines() == [
        "Parallel Lab: 6 / 8 points; 1 of 2 exercises complete (seed 7)",
        "step9/demo.py is missing",
    ]
    assert [(t["name"], t["number"], t["score"], t["max_score"], t["status"]) for t in document["tests"]] == [
        ("step9.demo: Demo", "9.1", 4.0, 4.0, "passed"),
        ("step9.demo: Demo", "9.1", 2.0, 4.0, "failed"),
    ]
    assert document["tests"][0]["output"] == "2 of 2 tests passed"
    assert document["tests"][1]["output"].splitlines() == ["1 of 2 tests passed", "test_1: boom", "hint: Do it."]


@pytest.mark.parametrize(
    ("outcomes", "run_error", "status"),
    [(["passed"], "", "pass"), (["passed", "failed"], "", "fail"), (["passed"], "the run ended early", "error")],
)
def test_classroom_document_status_scores_and_milliseconds(outcomes, run_error, status):
    document = classroom_format.build(_result([_scored(outcomes)], run_error=run_error))
    jsonschema.validate(document, CLASSROOM_SCHEMA)
    assert (document["status"], document["max_score"]) == (status, 4.0)
    (test,) = document["tests"]
    assert test["status"] == ("pass" if outcomes == ["passed"] else "fail")
    assert (test["line_no"], test["duration"]) == (7, round(100 * len(outcomes)))  # 0.1 s a test, in ms


# -- the grading command ---------------------------------------------------------------------------------


def grade(kit, submission, *args: str) -> tuple[subprocess.CompletedProcess, dict, dict, dict]:
    """``python -m plugin.grade`` on the mini kit; returns its output and its three documents."""
    paths = {name: kit.path / f"graded-{name}.json" for name in ("lab", "gradescope", "classroom")}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "plugin.grade",
            str(submission),
            f"--kit={kit.path}",
            f"--lab-json={paths['lab']}",
            f"--gradescope={paths['gradescope']}",
            f"--classroom={paths['classroom']}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode in (0, 1), completed.stdout + completed.stderr
    documents = [json.loads(path.read_text()) for path in paths.values()]
    jsonschema.validate(documents[1], GRADESCOPE_SCHEMA)
    jsonschema.validate(documents[2], CLASSROOM_SCHEMA)
    return completed, *documents


def submission(kit, name: str, module: str, extra_files: dict[str, str] = ()) -> object:
    folder = kit.path / name
    write(folder / "step1" / "demo.py", module)
    for relative, text in dict(extra_files).items():
        write(folder / relative, text)
    return folder


def test_grading_scores_stubs_zero_solutions_full_and_half_done_in_between(kit):
    for module, expected in ((STUB, 0), (SOLUTION, 5), (HALF_DONE, 1.5)):
        completed, lab, gradescope, classroom = grade(kit, submission(kit, "learner", module))
        assert lab["summary"]["score"] == gradescope["score"] == expected, completed.stdout
        assert sum(t["score"] for t in classroom["tests"]) == expected
        assert completed.returncode == (0 if expected == 5 else 1)
        assert "tampering" not in gradescope["output"]


@pytest.mark.slow  # a cheat: answers memorised from an earlier grading
def test_grading_uses_a_new_seed_each_run_so_memorised_answers_fail(kit):
    _, first, _, _ = grade(kit, submission(kit, "learner", SOLUTION))
    seed = first["environment"]["seed"]
    memorised = SOLUTION.replace(
        "def double(x):\n    return 2 * x", f"def double(x):\n    return {{{seed}: {2 * seed}, 1: 2, 2: 4, 3: 6}}[x]"
    )
    assert memorised != SOLUTION
    _, second, gradescope, _ = grade(kit, submission(kit, "memoriser", memorised))
    assert second["environment"]["seed"] != seed and str(second["environment"]["seed"]) in gradescope["output"]
    assert second["summary"]["score"] < 5


@pytest.mark.slow  # a tamper case
def test_a_learner_conftest_is_ignored(kit):
    forcing = (
        "import pytest\n\n@pytest.hookimpl(wrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
        "    report = yield\n    report.outcome = 'passed'\n    return report\n"
    )
    folder = submission(kit, "learner", STUB, {"conftest.py": forcing, "step1/conftest.py": forcing})
    _, lab, _, _ = grade(kit, folder)
    assert lab["summary"]["score"] == 0


@pytest.mark.slow  # a tamper case
def test_a_fake_results_file_and_an_early_exit_score_nothing(kit):
    results = kit.path / "graded-gradescope.json"
    cheat = SOLUTION + (
        "\nimport json, os\n"
        "try:  # refused where the grader is root: the learner's code runs as another account\n"
        f"    open({str(results)!r}, 'w').write(json.dumps({{'score': 5, 'tests': []}}))\n"
        "except PermissionError:\n"
        "    pass\n"
        "os._exit(0)  # ends the learner process: the test that called it, not the run\n"
    )
    completed, lab, gradescope, classroom = grade(kit, submission(kit, "learner", cheat))
    assert gradescope["score"] == 0 and lab["summary"]["score"] == 0
    outputs = "\n".join(test["output"] for test in gradescope["tests"])
    assert "the process running your code ended unexpectedly" in outputs, outputs
    assert completed.returncode == 1


# Learner code that tries, from the learner process, what once worked from inside the test run: none of it
# reaches the deciding process, so the wrong answer scores its honest 0 and nothing is flagged.
FROM_THE_LEARNER_PROCESS = {
    "forged-lines-into-every-pipe": (
        "\nimport glob, json, os, stat\n"
        "_LEARNER = multiprocessing.current_process().name == 'LearnerProcess'  # not its pool's workers\n"
        "for _path in glob.glob('/proc/self/fd/*') if _LEARNER else []:\n"
        "    _fd = int(_path.rsplit('/', 1)[1])\n"
        "    try:\n"
        "        if stat.S_ISFIFO(os.fstat(_fd).st_mode):\n"
        "            for _name in ('test_double', 'test_double_in_a_pool', 'test_pids_are_children'):\n"
        "                _body = json.dumps({'event': 'phase', 'nodeid': 'exercises/step1/test_demo.py::' + _name,\n"
        "                                    'exercise': 'step1.double', 'outcome': 'passed', 'message': ''})\n"
        "                os.write(_fd, (json.dumps({'body': _body, 'mac': '0' * 64}) + '\\n').encode())\n"
        "    except OSError:\n"
        "        pass\n"
    ),
    "pytest-reporting-patched": (
        "\nfrom _pytest.reports import TestReport\n"
        "_original = TestReport.from_item_and_call.__func__\n\n"
        "def _always_pass(cls, item, call):\n"
        "    report = _original(cls, item, call)\n    report.outcome = 'passed'\n    report.longrepr = None\n"
        "    return report\n\n"
        "TestReport.from_item_and_call = classmethod(_always_pass)\n"
    ),
    "hook-registered": (
        "\nimport gc\nimport pytest\nfrom _pytest.config import Config\n\n"
        "class _Cheat:\n"
        "    @pytest.hookimpl(wrapper=True)\n"
        "    def pytest_runtest_makereport(self, item, call):\n"
        "        report = yield\n        report.outcome = 'passed'\n        return report\n\n"
        "for _config in [o for o in gc.get_objects() if isinstance(o, Config)]:\n"
        "    _config.pluginmanager.register(_Cheat())\n"
    ),
}


@pytest.mark.slow  # a tamper case
@pytest.mark.parametrize("attempt", list(FROM_THE_LEARNER_PROCESS))
def test_what_once_reached_the_test_run_changes_nothing_from_the_learner_process(kit, attempt):
    cheat = SOLUTION.replace("return 2 * x", "return 0") + FROM_THE_LEARNER_PROCESS[attempt]
    completed, lab, gradescope, _ = grade(kit, submission(kit, "learner", cheat))
    double = next(test for test in gradescope["tests"] if test["name"].startswith("step1.double"))
    assert double["score"] == 0, double["output"]
    assert "tampering" not in gradescope["output"] and "could not grade" not in gradescope["output"]
    assert completed.returncode == 1


@pytest.mark.slow  # a tamper case
def test_patching_the_clock_cannot_fake_a_speedup(kit):
    add_speed_step(kit)
    folder = submission(kit, "learner", SOLUTION, {"step2/speed.py": CLOCK_CHEAT})
    _, lab, gradescope, _ = grade(kit, folder)
    total_work = next(t for t in gradescope["tests"] if t["name"].startswith("step2.total_work"))
    assert total_work["score"] == 0, total_work["output"]
    assert "tampering" not in gradescope["output"]  # the kit's own clock was never touched


@pytest.mark.slow  # a tamper case
def test_a_whole_run_timeout_keeps_what_finished_and_leaves_nothing_running(kit, monkeypatch):
    mark = uuid.uuid4().hex
    monkeypatch.setenv("PARALLEL_LAB_SELF_TEST", mark)
    hanging = SOLUTION.replace(
        "def pids(items):\n",
        "def pids(items):\n    import time\n    with multiprocessing.Pool(2):\n        time.sleep(1000)\n",
    )
    completed, lab, gradescope, _ = grade(kit, submission(kit, "learner", hanging), "--timeout=8")
    scores = {t["name"].split(":")[0]: t for t in gradescope["tests"]}
    assert scores["step1.double"]["score"] == 3
    assert scores["step1.pids"]["score"] == 0
    assert "the whole-run timeout (8 s) ended the run before this test finished" in scores["step1.pids"]["output"]
    _, survivors = psutil.wait_procs(processes_marked(mark), timeout=3)
    assert not survivors, [p.cmdline() for p in survivors]


def test_a_drag_and_drop_upload_of_bare_modules_is_graded(kit, tmp_path):
    upload = tmp_path / "upload"
    write(upload / "demo.py", SOLUTION)
    write(upload / "notes.txt", "not a module of the kit: ignored")
    completed, lab, _, _ = grade(kit, upload)
    assert lab["summary"]["score"] == 5, completed.stdout
