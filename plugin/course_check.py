"""The course's own consistency, checked from its files alone (as rustlings' ``dev check`` does).

- The "Given:" helpers (module-level functions whose docstring starts with ``Given:``) and the
  module-level constants (``UPPER_CASE = ...``) of each stub module are identical, docstring included,
  in its solution module: a learner must be tested against the code the solution was written for.
- Every exercise a step's lesson lists exists in the catalog, and every exercise of the catalog is listed.
  A lesson (``exercises/stepN/README*.md``) lists its exercises in its "Exercises" section as backticked
  names (``parent_and_child_pids``); other code in that section has dots or brackets (``Pool.map``,
  ``usable_cpus()``, ``tasks.py``) and is not taken for an exercise.
- Every stub function that is not given is an exercise of the catalog, raises ``NotImplementedError``
  with a message that starts with its own id, and its solution implements it (and does not raise that).

No test runs and nothing is imported: the files are parsed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from plugin.catalog import CatalogError, load_catalog
from plugin.messages import say
from plugin.targets import EXERCISES, SOLUTIONS, exercise_modules

GIVEN_PREFIX = "Given:"
CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
# The heading of a lesson's exercise list, per lesson language (README.md, README.zh-CN.md).
EXERCISES_HEADING = re.compile(r"^##\s+(Exercises|练习)\b", re.MULTILINE)
_NEXT_HEADING = re.compile(r"^#{1,2}\s", re.MULTILINE)
_BACKTICKED_NAME = re.compile(r"`([A-Za-z_]\w*)`")


def _top_level(path: Path) -> tuple[dict[str, ast.FunctionDef], dict[str, ast.expr]]:
    """The module-level functions and constants of the module at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names = [target.id for target in node.targets if isinstance(target, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            names = [node.target.id]
        else:
            continue
        constants.update((name, node.value) for name in names if CONSTANT_NAME.match(name))
    return functions, constants


def is_given(function: ast.FunctionDef) -> bool:
    return (ast.get_docstring(function) or "").startswith(GIVEN_PREFIX)


def _raises_not_implemented(function: ast.FunctionDef) -> ast.Raise | None:
    for node in ast.walk(function):
        if isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(raised, ast.Name) and raised.id == "NotImplementedError":
                return node
    return None


def _raised_message(raise_node: ast.Raise) -> str:
    call = raise_node.exc
    if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Constant):
        return str(call.args[0].value)
    return ""


def given_code_problems(stub: Path, solution: Path) -> list[str]:
    """Given helpers and constants of ``stub`` that ``solution`` lacks or has otherwise."""
    stub_functions, stub_constants = _top_level(stub)
    solution_functions, solution_constants = _top_level(solution)
    found = []
    given = [name for name, function in stub_functions.items() if is_given(function)]
    given += [name for name, function in solution_functions.items() if is_given(function) and name not in given]
    for name in given:
        if name not in stub_functions or name not in solution_functions:
            missing, present = (stub, solution) if name not in stub_functions else (solution, stub)
            found.append(say("course_given_missing", name=name, missing=missing, present=present))
        elif ast.dump(stub_functions[name]) != ast.dump(solution_functions[name]):
            found.append(say("course_given_differs", name=name, stub=stub, solution=solution))
    for name in sorted(stub_constants.keys() | solution_constants.keys()):
        if name not in stub_constants or name not in solution_constants:
            missing, present = (stub, solution) if name not in stub_constants else (solution, stub)
            found.append(say("course_constant_missing", name=name, missing=missing, present=present))
        elif ast.dump(stub_constants[name]) != ast.dump(solution_constants[name]):
            found.append(say("course_constant_differs", name=name, stub=stub, solution=solution))
    return found


def stub_function_problems(step: str, stub: Path, solution: Path, exercise_names: set[str]) -> list[str]:
    """Stub functions that are neither given nor a raising exercise; exercises the solution leaves undone."""
    stub_functions, _ = _top_level(stub)
    solution_functions, _ = _top_level(solution)
    found = []
    for name, function in stub_functions.items():
        if is_given(function):
            continue
        exercise_id = f"{step}.{name}"
        if name not in exercise_names:
            found.append(say("course_stub_not_in_catalog", exercise_id=exercise_id, path=stub, given=GIVEN_PREFIX))
            continue
        raise_node = _raises_not_implemented(function)
        if raise_node is None:
            found.append(say("course_stub_does_not_raise", exercise_id=exercise_id, path=stub))
        elif not re.match(rf"{re.escape(exercise_id)}\b", _raised_message(raise_node)):
            found.append(
                say(
                    "course_stub_raise_names_other",
                    exercise_id=exercise_id,
                    path=stub,
                    line=raise_node.lineno,
                    message=_raised_message(raise_node),
                )
            )
        if name not in solution_functions:
            found.append(say("course_solution_missing_exercise", exercise_id=exercise_id, path=solution))
        elif _raises_not_implemented(solution_functions[name]) is not None:
            found.append(say("course_solution_not_implemented", exercise_id=exercise_id, path=solution))
    return found


def listed_exercises(lesson: Path) -> set[str] | None:
    """The exercise names a lesson lists, or None when it has no "Exercises" section."""
    text = lesson.read_text(encoding="utf-8")
    heading = EXERCISES_HEADING.search(text)
    if heading is None:
        return None
    section = text[heading.end() :]
    following = _NEXT_HEADING.search(section)
    return set(_BACKTICKED_NAME.findall(section[: following.start()] if following else section))


def lesson_problems(step: str, step_dir: Path, exercise_names: set[str]) -> list[str]:
    """Lessons of the step that do not list exactly the step's exercises."""
    lessons = sorted(step_dir.glob("README*.md"))
    if not lessons:
        return [say("course_lesson_missing", step=step, path=step_dir / "README.md")]
    found = []
    for lesson in lessons:
        listed = listed_exercises(lesson)
        if listed is None:
            found.append(say("course_lesson_no_exercise_list", path=lesson))
            continue
        found += [
            say("course_lesson_lists_unknown", path=lesson, exercise_id=f"{step}.{name}")
            for name in sorted(listed - exercise_names)
        ]
        found += [
            say("course_lesson_omits", path=lesson, exercise_id=f"{step}.{name}")
            for name in sorted(exercise_names - listed)
        ]
    return found


def problems(rootdir: Path) -> list[str]:
    """Every inconsistency of the course under ``rootdir``, one sentence each."""
    try:
        catalog = load_catalog(rootdir)
    except (CatalogError, SyntaxError) as error:
        return [say("course_catalog_error", error=error)]
    found = []
    for step in catalog.steps:
        names = {exercise.name for exercise in step.exercises}
        found += lesson_problems(step.name, rootdir / EXERCISES / step.name, names)
    for step, module in exercise_modules(rootdir):
        stub = rootdir / EXERCISES / step / f"{module}.py"
        solution = rootdir / SOLUTIONS / step / f"{module}.py"
        if not solution.is_file():
            found.append(say("course_solution_module_missing", stub=stub, solution=solution))
            continue
        step_exercises = next((s.exercises for s in catalog.steps if s.name == step), ())
        try:
            found += given_code_problems(stub, solution)
            found += stub_function_problems(step, stub, solution, {exercise.name for exercise in step_exercises})
        except SyntaxError as error:
            found.append(say("course_module_unparsable", path=error.filename, line=error.lineno, error=error.msg))
    return found
