"""End-to-end tests of the plugin core on a miniature kit: targets, marker, todo, progress, JSON."""

from __future__ import annotations

import json

import pytest

from plugin.safety.start_method import default_start_method
from plugin.tests.minikit import run, write

pytestmark = pytest.mark.timeout(120)


def lab_json(kit: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict]:
    result = run(kit, "--lab-json", "report.json", *args)
    return result, json.loads((kit.path / "report.json").read_text())


def outcomes(document: dict) -> dict[str, str]:
    return {
        test["nodeid"].split("::")[-1]: test["outcome"]
        for step in document["steps"]
        for exercise in step["exercises"]
        for test in exercise["tests"]
    }


def test_stubs_are_reported_todo_with_the_line_to_edit(kit):
    result, document = lab_json(kit)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["not implemented yet: exercises/step1/demo.py:3  (step1.double: Double a number)"])
    assert "Traceback" not in result.stdout.str() and "raise NotImplementedError" not in result.stdout.str()
    assert set(outcomes(document).values()) == {"todo"}
    assert document["summary"] == {
        "exercises": 2,
        "done": 0,
        "todo": 2,
        "failing": 0,
        "not_run": 0,
        "passed": 0,
        "failed": 3,
        "skipped": 0,
        "score": 0,
        "max_score": 5,
    }
    result.stdout.fnmatch_lines(["*3 failed in *"])  # pytest's own closing line is untouched


def test_the_learners_default_start_method_is_the_grading_commands(kit):
    """A local done must be a graded full mark: without --start-method, the run uses the grader's method."""
    result, document = lab_json(kit, "--solutions")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert document["environment"]["start_method"] == default_start_method() != "fork"


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_solutions_target_reaches_spawned_children(kit, method):
    """The pool test pickles ``double`` by reference: a child must import the solution, not the stub."""
    result, document = lab_json(kit, "--solutions", "--start-method", method)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert document["target"] == "solutions"
    assert document["environment"]["start_method"] == method
    assert set(outcomes(document).values()) == {"passed"}
    assert [e["status"] for e in document["steps"][0]["exercises"]] == ["done", "done"]


def test_submission_target_takes_only_exercise_modules(kit, tmp_path):
    submission = tmp_path / "alice"
    write(
        submission / "step1" / "demo.py",
        "import os\n\ndef double(x):\n    return x + x\n\n\ndef pids(items):\n    return [os.getpid()] * len(items)\n",
    )
    write(submission / "conftest.py", "raise SystemExit('a learner conftest must not be loaded')\n")
    write(submission / "step1" / "test_cheat.py", "def test_cheat():\n    pass\n")
    result, document = lab_json(kit, f"--submission={submission}")
    assert document["target"] == "submission"
    assert outcomes(document) == {
        "test_double": "passed",
        "test_double_in_a_pool": "passed",
        "test_pids_are_children": "failed",
    }
    statuses = {e["id"]: e["status"] for e in document["steps"][0]["exercises"]}
    assert statuses == {"step1.double": "done", "step1.pids": "failing"}
    result.stdout.fnmatch_lines(["Next: step1.pids — Report worker pids (failing)", "*edit */alice/step1/demo.py:7"])


def test_submission_without_equals_sign_is_explained(kit, tmp_path):
    (tmp_path / "bob").mkdir()
    result = run(kit, "--submission", str(tmp_path / "bob"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*write the option with '=', as in  pytest --submission={tmp_path / 'bob'}"])


def test_missing_marker_is_a_collection_error_that_says_how_to_fix_it(kit):
    write(kit.path / "exercises" / "step1" / "test_more.py", "def test_unmarked():\n    pass\n")
    result = run(kit, "--solutions")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting exercises/step1/test_more.py*",
            '*test_unmarked belongs to no exercise: decorate it with @pytest.mark.exercise("step1.<function_name>")'
            " (this step has: step1.double, step1.pids)",
        ]
    )


def test_marker_must_name_a_declared_exercise(kit):
    write(
        kit.path / "exercises" / "step1" / "test_more.py",
        "import pytest\n\n@pytest.mark.exercise('step1.tripple')\ndef test_typo():\n    pass\n",
    )
    result = run(kit, "--solutions")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*'step1.tripple' is not an exercise; declare it in exercises/step1/__init__.py*"])


@pytest.mark.parametrize(
    "pids",
    [
        "def pids(items):\n    return [double(i) for i in items]\n",
        "def pids(items):\n    import multiprocessing\n    with multiprocessing.Pool(2) as pool:\n"
        "        return pool.map(double, items)\n",
    ],
    ids=["here", "in-a-pool-worker"],
)
def test_a_stub_called_by_another_exercise_is_the_place_to_edit(kit, pids):
    demo = kit.path / "exercises" / "step1" / "demo.py"
    demo.write_text(demo.read_text().split("def pids")[0] + pids)
    result, document = lab_json(kit, "-k", "pids")
    result.stdout.fnmatch_lines(
        ["not implemented yet: exercises/step1/demo.py:3  (step1.double, which step1.pids uses)"]
    )
    (test,) = [t for s in document["steps"] for e in s["exercises"] for t in e["tests"]]
    assert test["outcome"] == "todo"
    assert test["message"] == "not implemented yet: exercises/step1/demo.py:3 (step1.double)"


def test_a_step_whose_tests_cannot_import_the_learner_code_says_why(kit):
    demo = "def double(x):\n    return x *\n\n\ndef pids(items):\n    pass\n"
    write(kit.path / "exercises" / "step1" / "demo.py", demo)
    result, document = lab_json(kit)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "step1  Demo step * 0/2 done",
            "step1: could not collect exercises/step1/test_demo.py: SyntaxError: *: fix that first*",
        ]
    )
    assert "Next:" not in result.stdout.str()
    (step,) = document["steps"]
    assert step["collection_errors"] and "SyntaxError" in step["collection_errors"][0]
    assert step["not_run"] == ["step1.double", "step1.pids"]


def test_progress_summary_shows_bar_next_exercise_and_failing_hints(kit):
    demo = "def double(x):\n    return x * 3\n\n\ndef pids(items):\n    raise NotImplementedError\n"
    write(kit.path / "exercises" / "step1" / "demo.py", demo)
    result, document = lab_json(kit)
    statuses = {e["id"]: e["status"] for e in document["steps"][0]["exercises"]}
    assert statuses == {"step1.double": "failing", "step1.pids": "todo"}
    result.stdout.fnmatch_lines(
        [
            "*= Parallel Lab: progress (exercises) =*",
            "step1  Demo step * 0/2 done",
            "Next: step1.double — Double a number (failing)",
            "      edit exercises/step1/demo.py:1",
            "      hint: Think of multiplication.",
            "*= 3 failed in *",
        ]
    )
    assert "Return x * 2" not in result.stdout.str(), "by default the hint is the nudge, not the full hint"
    assert "[--------------------] 0/2 done" in result.stdout.str()
    failed = [t for s in document["steps"] for e in s["exercises"] for t in e["tests"] if t["outcome"] == "failed"]
    assert failed and all("assert" in t["message"] for t in failed)


def test_exercises_that_did_not_run_are_listed_apart_with_no_status(kit):
    result, document = lab_json(kit, "--solutions", "-k", "pids")
    step = document["steps"][0]
    assert [e["id"] for e in step["exercises"]] == ["step1.pids"] and step["not_run"] == ["step1.double"]
    assert (step["done"], step["total"]) == (1, 2)
    assert document["summary"]["exercises"] == 1 and document["summary"]["not_run"] == 1
    result.stdout.fnmatch_lines(["Next: step1.double — Double a number (not run this time)"])


def test_failing_seeded_test_prints_the_seed_and_the_rerun_command(kit, tmp_path):
    demo = "def double(x):\n    return x\n\n\ndef pids(items):\n    return []\n"
    write(kit.path / "exercises" / "step1" / "demo.py", demo)
    result = run(kit, "--lab-seed", "4242", "-k", "test_double and not pool")
    result.stdout.fnmatch_lines(["*inputs were seeded with 4242; rerun with: pytest --lab-seed 4242 *test_double*"])
    # A rerun tests the same target under the same start method.
    write(tmp_path / "work" / "step1" / "demo.py", (kit.path / "exercises" / "step1" / "demo.py").read_text())
    submission = f"--submission={tmp_path / 'work'}"
    result = run(kit, submission, "--start-method", "spawn", "--lab-seed", "77", "-k", "test_double and not pool")
    result.stdout.fnmatch_lines([f"*rerun with: pytest --lab-seed 77 {submission} --start-method spawn *test_double*"])


def test_xdist_aggregates_progress_on_the_controller(kit):
    result, document = lab_json(kit, "--solutions", "-n", "2")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert document["environment"]["xdist_workers"] == 2
    assert document["summary"]["done"] == 2 and document["summary"]["passed"] == 3
    assert "step1  Demo step" in result.stdout.str() and "[####################] 2/2 done" in result.stdout.str()


def test_hints_are_a_nudge_by_default_and_the_full_hint_with_hints(kit):
    demo = "def double(x):\n    raise NotImplementedError\n\n\ndef pids(items):\n    return None\n"
    write(kit.path / "exercises" / "step1" / "demo.py", demo)
    write(
        kit.path / "exercises" / "step1" / "__init__.py",
        'TITLE = "Demo step"\nEXERCISES = {"double": {"title": "Double", "hint": "Multiply.", '
        '"hint_full": "Return x * 2."},\n'
        '             "pids": {"title": "Pids", "hint": "Use a Pool.", '
        '"hint_full": "Use a Pool.\\nMap pid_of over the items."}}\n',
    )
    brief = run(kit)
    brief.stdout.fnmatch_lines(
        [
            "Next: step1.double — Double (todo)",
            "*",
            "      hint: Multiply.",
            "Also failing:",
            "  step1.pids — Pids",
            "      hint: Use a Pool.",
        ]
    )
    assert "Map pid_of" not in brief.stdout.str() and "x * 2" not in brief.stdout.str()
    full = run(kit, "--hints")
    full.stdout.fnmatch_lines(
        ["      hint: Return x * 2.", "Also failing:", "*", "      hint: Use a Pool. Map pid_of over the items."]
    )


def test_outside_a_kit_the_plugin_stays_out_of_the_way(pytester, monkeypatch):
    from plugin.tests.minikit import REPO

    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makepyfile(
        test_plain=(
            "import multiprocessing, time\n\n"
            "def test_plain():\n    assert True\n\n"
            "def test_leaves_a_child_behind():  # another project's business, not the kit's\n"
            "    multiprocessing.Process(target=time.sleep, args=(0.5,)).start()\n"
        )
    )
    result = run(pytester, "--lab-json=report.json")
    assert result.ret == 0, result.stdout.str()
    assert "Parallel Lab" not in result.stdout.str()
    assert json.loads((pytester.path / "report.json").read_text())["summary"]["exercises"] == 0
