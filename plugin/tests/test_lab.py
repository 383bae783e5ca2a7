"""lab's parts: finding a function in a module mid-edit, reset, the pristine copy, the solution gate."""

from __future__ import annotations

import io
import textwrap

import pytest

from plugin.lab import cli
from plugin.lab.pristine import differences, pristine_file
from plugin.lab.reset import ResetError, reset_function
from plugin.lab.results import ExerciseResult
from plugin.lab.session import Lab
from plugin.lab.solutions import solution_source
from plugin.lab.source import function_span, function_text
from plugin.lab.watch import WatchScreen
from plugin.tests.labkit import copy_kit, implement
from plugin.tests.minikit import PID_TESTS, REPO

MODULE = textwrap.dedent(
    '''
    import os


    @decorated
    def first(x):
        """Doc."""
        return x


    def second(y):
        text = """
    column-0 text inside a string
    """
        return y  # comment


    # a comment about third
    def third():
        pass
    '''
).lstrip()


def test_function_span_of_a_module_that_parses_includes_decorators():
    lines = MODULE.splitlines()
    start, end = function_span(MODULE, "first")
    assert lines[start:end] == ["@decorated", "def first(x):", '    """Doc."""', "    return x"]
    assert function_span(MODULE, "missing") is None


@pytest.mark.parametrize(
    "broken",
    [
        "def fourth(:\n    pass\n",  # the error after the function
        "x = (\n",  # an unclosed bracket at the end
    ],
)
def test_function_span_survives_a_syntax_error_elsewhere(broken):
    text = MODULE + "\n\n" + broken
    assert function_text(text, "second") == function_text(MODULE, "second")
    assert function_text(text, "first") == function_text(MODULE, "first")
    assert function_text(text, "third") == "def third():\n    pass\n"


def test_function_span_of_a_function_with_its_own_syntax_error_stops_at_the_next_def():
    text = MODULE.replace("    return y  # comment", "    return [y  # unclosed")
    assert function_text(text, "second").splitlines()[-1] == "    return [y  # unclosed"
    assert "third" not in function_text(text, "second")


# -- reset, on a copy of the real step-1 module -------------------------------------------------

WRONG_PIDS = "return os.getpid(), os.getpid()"
WORKERS = "return [0 for _ in args_list]"


@pytest.fixture
def kit_copy(tmp_path):
    return copy_kit(tmp_path / "kit")


def test_reset_restores_only_that_function(kit_copy):
    module = kit_copy / "exercises" / "step1" / "processes.py"
    pristine = module.read_text(encoding="utf-8")
    implement(module, "step1.parent_and_child_pids", WRONG_PIDS)
    implement(module, "step1.run_workers", WORKERS)
    lab = Lab(kit_copy)
    reset_function(kit_copy, lab.exercise("step1.parent_and_child_pids"))
    expected = pristine.replace('raise NotImplementedError("step1.run_workers: see the docstring")', WORKERS)
    assert module.read_text(encoding="utf-8") == expected


def test_reset_works_when_another_function_does_not_parse(kit_copy):
    module = kit_copy / "exercises" / "step1" / "processes.py"
    pristine = module.read_text(encoding="utf-8")
    broken = "return [0 for _ in args_list"  # unclosed: the module does not parse
    implement(module, "step1.parent_and_child_pids", WRONG_PIDS)
    implement(module, "step1.run_workers", broken)
    lab = Lab(kit_copy)
    reset_function(kit_copy, lab.exercise("step1.parent_and_child_pids"))
    expected = pristine.replace('raise NotImplementedError("step1.run_workers: see the docstring")', broken)
    assert module.read_text(encoding="utf-8") == expected
    # and the broken function itself is reset, the other functions kept
    implement(module, "step1.completion_order", "return []")
    reset_function(kit_copy, lab.exercise("step1.run_workers"))
    expected = pristine.replace('raise NotImplementedError("step1.completion_order: see the docstring")', "return []")
    assert module.read_text(encoding="utf-8") == expected


def test_reset_of_a_deleted_function_says_what_to_do(kit_copy):
    module = kit_copy / "exercises" / "step1" / "processes.py"
    exercise = Lab(kit_copy).exercise("step1.run_workers")
    module.write_text(module.read_text(encoding="utf-8").replace("def run_workers(", "def run_all("), encoding="utf-8")
    with pytest.raises(
        ResetError,
        match=r"exercises/step1/processes.py has no function run_workers\(\) to reset: write `def run_workers",
    ):
        reset_function(kit_copy, exercise)


def test_packaged_pristine_stubs_equal_the_kits_stubs():
    """The authoring check of lab reset's copy: after editing a stub, run python -m plugin.lab.pristine."""
    assert differences(REPO) == []
    assert pristine_file("step1", "processes").read_text() == (REPO / "exercises/step1/processes.py").read_text()


# -- the solution gate ------------------------------------------------------------------------------

RUN_WORKERS = """
processes = [multiprocessing.Process(target=target, args=args) for args in args_list]
for process in processes:
    process.start()
for process in processes:
    process.join()
return [process.exitcode for process in processes]
"""


def test_solution_is_refused_until_done_then_shown(kit_copy, monkeypatch, capsys):
    monkeypatch.chdir(kit_copy)
    assert cli.main(["solution", "step1.run_workers"]) == 1
    out = capsys.readouterr().out
    assert "shown once it is done: it is todo now (0 of 3 tests pass)" in out
    assert "process.start()" not in out

    implement(kit_copy / "exercises" / "step1" / "processes.py", "step1.run_workers", RUN_WORKERS)
    assert cli.main(["run", "step1.run_workers"]) == 0
    assert "status: done (3/3 tests pass)" in capsys.readouterr().out
    assert cli.main(["solution", "step1.run_workers"]) == 0
    out = capsys.readouterr().out
    assert "def run_workers(target, args_list):" in out
    assert (kit_copy / "solutions/step1/processes.py").read_text().count(out.split("\n\n", 1)[1].strip()) == 1
    assert "def collect_results" not in out  # never another exercise's solution


def test_a_kit_without_solutions_says_the_teacher_reveals_them(kit_copy, monkeypatch, capsys):
    monkeypatch.chdir(kit_copy)
    implement(kit_copy / "exercises" / "step1" / "processes.py", "step1.run_workers", RUN_WORKERS)
    assert cli.main(["run", "step1.run_workers"]) == 0
    for path in (kit_copy / "solutions").rglob("*.py"):
        path.unlink()
    assert solution_source("step1.run_workers", kit_copy) is None
    capsys.readouterr()
    assert cli.main(["solution", "step1.run_workers"]) == 1
    assert "your teacher reveals them" in capsys.readouterr().out


def test_helpers_the_solution_calls_are_shown_with_it():
    source = solution_source("step1.collect_results", REPO)
    assert source.index("def _compute_and_send(") < source.index("def collect_results(")
    assert "def report_pid" not in solution_source("step1.parent_and_child_pids", REPO)  # given by the stub


def test_usage_errors_exit_2(kit_copy, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(kit_copy)
    assert cli.main(["hint", "step1.nothing"]) == 2
    assert "is not an exercise. Run `lab list`" in capsys.readouterr().err
    monkeypatch.chdir(tmp_path)
    assert cli.main(["list"]) == 2
    assert "no Parallel Lab checkout here" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--start-method", "thread"])
    assert exit_info.value.code == 2
    monkeypatch.chdir(kit_copy)
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO())  # no terminal, even under pytest -s
    assert cli.main(["watch"]) == 2
    assert "lab watch needs a terminal" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--start-method", "spawn", "run"], ["run", "--start-method", "spawn"]])
def test_start_method_is_passed_on_to_pytest(kit_copy, monkeypatch, capsys, args):
    monkeypatch.chdir(kit_copy)
    assert cli.main(args) == 1
    assert f"status: todo (0/{PID_TESTS} tests pass)" in capsys.readouterr().out
    assert "start method spawn" in (kit_copy / ".lab-last-run.log").read_text()


def test_a_module_that_does_not_parse_is_reported_as_such(kit_copy, monkeypatch, capsys):
    monkeypatch.chdir(kit_copy)
    module = kit_copy / "exercises" / "step1" / "processes.py"
    module.write_text(module.read_text(encoding="utf-8") + "\ndef broken(:\n", encoding="utf-8")
    assert cli.main(["run", "step1.run_workers"]) == 1
    out = capsys.readouterr().out
    assert "status: failing\n" in out
    assert "its tests could not be loaded: exercises/step1/test_processes.py: SyntaxError" in out


def test_watch_moves_on_when_done_checks_the_step_and_says_what_broke(kit_copy):
    lab = Lab(kit_copy)
    screen = WatchScreen(lab, manual=True, out=io.StringIO())
    started = []
    screen.start_run = lambda exercise=None, step=None: started.append((exercise, step))
    pids, workers = lab.exercise("step1.parent_and_child_pids"), lab.exercise("step1.run_workers")
    lab.state.record({pids.id: ExerciseResult("done", 2, 2), workers.id: ExerciseResult("failing", 1, 2, "boom")})
    screen.on_finished(pids, done_before={workers.id})
    assert lab.current is workers
    assert started == [(None, "step1")]
    text = "\n".join(screen.lines())
    assert "step1.parent_and_child_pids is done: on to step1.run_workers." in text
    assert "Careful: step1.run_workers passed before and fail now" in text
    assert "status: failing (1/2 tests pass)" in text and "boom" in text


def test_list_of_a_fresh_kit_shows_every_exercise_todo_without_running_anything(kit_copy, monkeypatch, capsys):
    monkeypatch.chdir(kit_copy)
    assert cli.main(["list"]) == 1
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    stubs = sum(
        path.read_text().count("raise NotImplementedError(")
        for path in (kit_copy / "exercises").glob("step*/*.py")
        if not path.name.startswith(("test_", "conftest", "__init__"))
    )
    assert len(rows) == stubs > 20
    assert all(" todo " in row for row in rows), rows
    assert "exercises/step1/processes.py:24" in rows[0]
    assert not (kit_copy / ".lab-last-run.log").exists()  # statuses of untouched stubs need no run
