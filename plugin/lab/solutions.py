"""The reference solution of one exercise, read through one function so that a copy of the kit
without solutions (the learner edition) is one case: ``solution_source`` returns None."""

from __future__ import annotations

import ast
from pathlib import Path

from plugin.lab.kit import Catalog, find_root, load_catalog, solution_file
from plugin.lab.pristine import pristine_file
from plugin.lab.source import function_text


def solution_source(exercise_id: str, root: Path | None = None) -> str | None:
    """The solution's function ``exercise_id``, preceded by the module-level helpers it calls, or None
    when this copy of the kit has no solution for it."""
    root = root or find_root(Path.cwd())
    catalog: Catalog = load_catalog(root)
    exercise = catalog.exercises.get(exercise_id)
    if exercise is None:
        return None
    path = solution_file(exercise, root)
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    function = function_text(text, exercise.name)
    if function is None:
        return None
    given = _given_functions(exercise.step, exercise.module)
    helpers = _helpers(
        text, exercise.name, skip=given | {e.name for e in catalog.exercises.values() if e.step == exercise.step}
    )
    return "\n\n\n".join(helpers + [function.rstrip("\n")]) + "\n"


def _given_functions(step: str, module: str) -> set[str]:
    """Functions the stub module already gives the learner (no need to print them again)."""
    stub = pristine_file(step, module)
    if not stub.is_file():
        return set()
    return {node.name for node in ast.parse(stub.read_text(encoding="utf-8")).body if isinstance(node, ast.FunctionDef)}


def _helpers(text: str, name: str, skip: set[str]) -> list[str]:
    """The solution module's own top-level functions that ``name`` uses, but those in ``skip`` (given
    by the stub, or other exercises: revealed only when done), in the module's order."""
    tree = ast.parse(text)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    used = {node.id for node in ast.walk(functions[name]) if isinstance(node, ast.Name)}
    return [function_text(text, helper).rstrip("\n") for helper in functions if helper in used and helper not in skip]
