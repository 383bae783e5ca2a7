"""The lessons themselves: their examples run, their hints nudge without giving the code away.

Convention for the lessons' fenced code (every ``README*.md`` of the kit, translations included):

- a block whose info string is ``python`` is a complete script, meant to run as it is: it is run as
  ``__main__`` under each start method (fork, spawn, forkserver), in a fresh interpreter, and must
  exit 0 within ``EXAMPLE_TIMEOUT`` seconds without a traceback or a leak warning. Code that starts
  processes sits under ``if __name__ == "__main__":``, as the lessons teach.
- a block marked ``python no-run`` is a fragment (names defined elsewhere) or a deliberate mistake:
  it is shown, never run. Any other info string (``sh``, none) is not Python.
"""

from __future__ import annotations

import ast
import multiprocessing
import re
import subprocess
import sys
from pathlib import Path

import pytest

from plugin.catalog import load_catalog
from plugin.tests.minikit import NEEDS_SOLUTIONS, REPO

EXAMPLE_TIMEOUT = 15  # seconds; the slowest example starts a spawn pool with NumPy in each worker
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<code>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
# Runs the example file given as argv[2] as __main__ under the start method argv[1]; a spawned child
# finds the example's functions by re-importing that file, as it would for a learner's script.
RUNNER = (
    "import multiprocessing, runpy, sys; multiprocessing.set_start_method(sys.argv[1]); "
    "runpy.run_path(sys.argv[2], run_name='__main__')"
)
LESSONS = sorted(REPO.glob("exercises/step*/README*.md")) + sorted(REPO.glob("README*.md"))


def fenced_blocks(path: Path) -> list[tuple[int, str, str]]:
    """(line, info string, code) of every fenced block of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m["info"].strip(), m["code"]) for m in FENCE.finditer(text)]


def runnable_examples() -> list:
    examples = []
    for path in LESSONS:
        for line, info, code in fenced_blocks(path):
            words = info.split()
            if words[:1] == ["python"] and "no-run" not in words:
                examples.append(pytest.param(code, id=f"{path.relative_to(REPO)}:{line}"))
    return examples


EXAMPLES = runnable_examples()
START_METHODS = [
    method for method in ("fork", "spawn", "forkserver") if method in multiprocessing.get_all_start_methods()
]


def test_the_lessons_have_examples_to_run():
    assert len(EXAMPLES) >= 8, [example.id for example in EXAMPLES]


@pytest.mark.parametrize("start_method", START_METHODS)
@pytest.mark.parametrize("code", EXAMPLES)
def test_lesson_example_runs(code, start_method, tmp_path):
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    try:
        completed = subprocess.run(
            [sys.executable, "-c", RUNNER, start_method, str(script)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=EXAMPLE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed the example by now
        pytest.fail(f"the example did not finish within {EXAMPLE_TIMEOUT} s under {start_method}")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"exit code {completed.returncode} under {start_method}:\n{output}"
    assert "Traceback" not in output and "leaked" not in output, output


def test_an_example_that_crashes_fails_its_check(tmp_path):
    """The check above can fail: a segment closed under a live NumPy view is caught (exit code or traceback)."""
    code = (
        "import numpy as np\nfrom multiprocessing.shared_memory import SharedMemory\n"
        "segment = SharedMemory(create=True, size=80)\nview = np.frombuffer(segment.buf)\n"
        "try:\n    segment.close()\nfinally:\n    del view\n    segment.close()\n    segment.unlink()\n"
    )
    with pytest.raises(AssertionError, match="BufferError"):
        test_lesson_example_runs(code, "fork", tmp_path)


def test_fences_are_told_apart(tmp_path):
    lesson = tmp_path / "README.md"
    lesson.write_text("```python\nprint(1)\n```\n\n```python no-run\nundefined()\n```\n\n```sh\nls\n```\n")
    assert [(line, info) for line, info, _ in fenced_blocks(lesson)] == [(1, "python"), (5, "python no-run"), (9, "sh")]


# -- hints ------------------------------------------------------------------------------------------

CATALOG = load_catalog(REPO)


def solution_lines(step: str, module: str, function: str) -> list[str]:
    """The code lines of one solution function's body: a nudge that quotes one gives the answer away."""
    path = REPO / "solutions" / step / f"{module}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    (node,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    lines = ast.get_source_segment(path.read_text(encoding="utf-8"), node).splitlines()[1:]
    return [line.strip() for line in lines if len(line.strip()) > 12 and not line.strip().startswith(("#", '"'))]


def normalized(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("'", '"')


@NEEDS_SOLUTIONS
@pytest.mark.parametrize("exercise", CATALOG.exercises.values(), ids=lambda exercise: exercise.id)
def test_the_default_hint_is_a_nudge_not_the_code(exercise):
    assert exercise.hint and exercise.hint_full != exercise.hint, "give a nudge and a fuller hint_full"
    quoted = [
        line
        for line in solution_lines(exercise.step, exercise.module, exercise.name)
        if normalized(line) in normalized(exercise.hint)
    ]
    assert not quoted, f"the nudge of {exercise.id} quotes the solution: {quoted}"


@pytest.mark.parametrize("step", CATALOG.steps, ids=lambda step: step.name)
def test_each_lesson_lists_its_exercises_in_catalog_order(step):
    lesson = (REPO / "exercises" / step.name / "README.md").read_text(encoding="utf-8")
    listed = lesson[lesson.rindex("\n## Exercises") :]
    names = [exercise.name for exercise in step.exercises]
    positions = [listed.find(f"`{name}`") for name in names]
    assert -1 not in positions, f"exercises missing from the lesson's list: {names}"
    assert positions == sorted(positions), f"the lesson lists the exercises in another order than the catalog: {names}"
