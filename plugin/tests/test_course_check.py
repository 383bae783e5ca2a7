"""The course check on mini courses, each broken in one way, and the authoring command that runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugin import authoring, course_check
from plugin.tests.minikit import NEEDS_SOLUTIONS, REPO, write

CATALOG = """
TITLE = "Demo"
TITLE_ZH = "演示"
EXERCISES = {
    "double": {"title": "Double a number", "hint": "Return x * 2.",
               "title_zh": "把数字翻倍", "hint_zh": "返回 x * 2。"},
    "total": {"title": "Add up", "hint": "sum()", "title_zh": "求和", "hint_zh": "sum()"},
}
"""

STUB = '''
FACTOR = 2


def helper(x):
    """Given: the factor times x."""
    return FACTOR * x


def double(x):
    """Return helper(x)."""
    raise NotImplementedError("step1.double: see the docstring")


def total(items):
    """Return the sum of ``items``."""
    raise NotImplementedError("step1.total: see the docstring")
'''

SOLUTION = '''
FACTOR = 2


def helper(x):
    """Given: the factor times x."""
    return FACTOR * x


def _private(x):
    return x


def double(x):
    return helper(x)


def total(items):
    return sum(items)
'''

LESSON = """
# Step 1

Some prose with `code` that is not an exercise list.

## Exercises (`demo.py`)

1. `double` — double a number with `helper()`.
2. `total` — add up, like `builtins.sum`.

## Going further

`not_an_exercise` is mentioned after the list.
"""

LESSON_ZH = """
# 第一步

## 练习（`demo.py`）

1. `double` —— 用 `helper()` 把数字翻倍。
2. `total` —— 求和，就像 `builtins.sum`。
"""


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A consistent mini course: one step, one module, two exercises, a given helper and a constant."""
    files = {
        "exercises/__init__.py": "",
        "exercises/step1/__init__.py": CATALOG,
        "exercises/step1/demo.py": STUB,
        "exercises/step1/README.md": LESSON,
        "exercises/step1/README.zh-CN.md": LESSON_ZH,
        "exercises/step1/test_demo.py": "",
        "exercises/step1/conftest.py": "",
        "solutions/__init__.py": "",
        "solutions/step1/__init__.py": "",
        "solutions/step1/demo.py": SOLUTION,
    }
    for name, text in files.items():
        write(tmp_path / name, text)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_consistent_course_has_no_problem(course):
    assert course_check.problems(course) == []


@NEEDS_SOLUTIONS
def test_the_real_course_is_consistent():
    assert course_check.problems(REPO) == []


def test_a_given_helper_changed_in_the_solution(course):
    edit(course / "solutions/step1/demo.py", "return FACTOR * x", "return x + x")
    assert course_check.problems(course) == [
        f"given helper helper() differs between {course}/exercises/step1/demo.py and "
        f"{course}/solutions/step1/demo.py: make them identical"
    ]


def test_a_given_helper_docstring_counts(course):
    edit(course / "exercises/step1/demo.py", "the factor times x", "twice x")
    assert [p.split(" differs")[0] for p in course_check.problems(course)] == ["given helper helper()"]


def test_a_given_helper_missing_from_the_solution(course):
    helper = 'def helper(x):\n    """Given: the factor times x."""\n    return FACTOR * x\n'
    edit(course / "solutions/step1/demo.py", helper, "")
    (problem,) = course_check.problems(course)
    assert problem.startswith("given helper helper() is in ") and "solutions/step1/demo.py: copy it" in problem


def test_a_constant_that_differs_or_is_missing(course):
    edit(course / "solutions/step1/demo.py", "FACTOR = 2", "FACTOR = 3\nLIMIT: int = 10")
    problems = course_check.problems(course)
    assert [p.split(" ")[:2] + p.split(" ")[2:4] for p in problems] == [
        ["constant", "FACTOR", "differs", "between"],
        ["constant", "LIMIT", "is", "in"],
    ]
    assert problems[1].endswith(f"but not in {course}/exercises/step1/demo.py: copy it there unchanged")


def test_a_stub_function_outside_the_catalog(course):
    edit(course / "exercises/step1/demo.py", "def total(items):", "def extra():\n    pass\n\n\ndef total(items):")
    assert course_check.problems(course) == [
        f"step1.extra in {course}/exercises/step1/demo.py is not an exercise of the catalog: add it to the "
        "step's EXERCISES, or start its docstring with 'Given:' if the learner is given it"
    ]


def test_a_stub_that_does_not_raise(course):
    edit(course / "exercises/step1/demo.py", 'raise NotImplementedError("step1.total: see the docstring")', "return 0")
    assert course_check.problems(course) == [
        f"step1.total: its stub in {course}/exercises/step1/demo.py must raise "
        'NotImplementedError("step1.total: see the docstring")'
    ]


@pytest.mark.parametrize(
    "raised",
    [
        'NotImplementedError("step1.double: see the docstring")',
        'NotImplementedError("step1.totals: see the docstring")',  # starts with the id's text, names another
        "NotImplementedError",
    ],
)
def test_a_stub_that_raises_without_its_own_id(course, raised):
    edit(course / "exercises/step1/demo.py", 'NotImplementedError("step1.total: see the docstring")', raised)
    (problem,) = course_check.problems(course)
    assert problem.startswith("step1.total: its stub raises NotImplementedError(")
    assert problem.endswith(f"at {course}/exercises/step1/demo.py:16; the message must start with its own id")


def test_a_module_that_does_not_parse(course):
    edit(course / "solutions/step1/demo.py", "return sum(items)", "return sum(items")
    assert course_check.problems(course) == [
        f"{course}/solutions/step1/demo.py:18 does not parse ('(' was never closed): fix it first"
    ]


def test_a_solution_left_unimplemented(course):
    edit(course / "solutions/step1/demo.py", "return sum(items)", 'raise NotImplementedError("step1.total")')
    assert course_check.problems(course) == [
        f"step1.total: its solution in {course}/solutions/step1/demo.py still raises NotImplementedError"
    ]


def test_an_exercise_without_solution(course):
    edit(course / "solutions/step1/demo.py", "def total(items):\n    return sum(items)\n", "")
    assert course_check.problems(course) == [f"step1.total has no solution in {course}/solutions/step1/demo.py"]


def test_a_module_without_solution(course):
    (course / "solutions/step1/demo.py").unlink()
    assert course_check.problems(course) == [
        f"{course}/exercises/step1/demo.py has no solution module {course}/solutions/step1/demo.py"
    ]


def test_a_lesson_that_omits_an_exercise_or_lists_an_unknown_one(course):
    edit(course / "exercises/step1/README.md", "`total`", "`totals`")
    lesson = course / "exercises/step1/README.md"
    assert course_check.problems(course) == [
        f"{lesson} lists `step1.totals`, which is not an exercise of the catalog",
        f"{lesson} does not list step1.total in its '## Exercises' section",
    ]


def test_every_lesson_language_is_checked(course):
    write(course / "exercises/step1/README.zh-CN.md", "# 第一步\n\n## 练习\n\n1. `double`\n")
    assert course_check.problems(course) == [
        f"{course}/exercises/step1/README.zh-CN.md does not list step1.total in its '## Exercises' section"
    ]


def test_a_lesson_without_exercise_list_or_no_lesson(course):
    edit(course / "exercises/step1/README.md", "## Exercises", "## Practice")
    assert course_check.problems(course) == [
        f"{course}/exercises/step1/README.md has no '## Exercises' section listing the step's exercises as `name`s"
    ]
    (course / "exercises/step1/README.md").unlink()  # the lesson in one language only: the language check's
    (course / "exercises/step1/README.zh-CN.md").unlink()
    assert course_check.problems(course) == [
        f"step1 has no lesson: write {course}/exercises/step1/README.md with an '## Exercises' section"
    ]


def test_a_broken_catalog_is_one_problem(course):
    edit(course / "exercises/step1/__init__.py", '"total": {', '"missing": {')
    (problem,) = course_check.problems(course)
    assert problem.startswith("the catalog cannot be read: ") and "'missing' is not a function" in problem


def test_the_authoring_command_runs_the_course_check(course, capsys):
    assert authoring.main(["--root", str(course)]) == 0
    assert capsys.readouterr().out == "course check: 0 problems\nlanguage check: 0 problems\n"
    edit(course / "solutions/step1/demo.py", "FACTOR = 2", "FACTOR = 3")
    assert authoring.main(["--root", str(course)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"course check: constant FACTOR differs between {course}/exercises/step1/demo.py and "
        f"{course}/solutions/step1/demo.py: make them identical",
        "course check: 1 problems",
        "language check: 0 problems",
    ]


def test_the_authoring_command_fails_a_broken_course_even_when_the_reports_agree(course, tmp_path, capsys):
    report = tmp_path / "report.json"
    report.write_text(
        '{"steps": [{"exercises": [{"id": "step1.double", "status": "done", "tests": '
        '[{"nodeid": "t::a", "outcome": "todo"}]}]}]}'
    )
    solutions = tmp_path / "solutions.json"
    solutions.write_text(report.read_text().replace('"todo"', '"passed"'))
    assert authoring.main(["--root", str(course), str(report), str(solutions)]) == 0
    edit(course / "exercises/step1/README.md", "`total`", "total")
    assert authoring.main(["--root", str(course), str(report), str(solutions)]) == 1
    assert "authoring check: 1 exercise tests, 0 problems" in capsys.readouterr().out


def test_the_authoring_command_wants_both_reports_or_none(course):
    with pytest.raises(SystemExit) as exit_info:
        authoring.main(["--root", str(course), "only-one.json"])
    assert exit_info.value.code == 2
