"""No solution in the edition: every function body of every solution, looked for in every file of
the edition, parsed (not as text, so reformatting or a new name does not hide it), in Python files,
in Python code inside their string constants, and in the code blocks of Markdown files."""

from __future__ import annotations

import ast
import copy
import re
import textwrap
from pathlib import Path

from plugin.targets import EXERCISES, SOLUTIONS

# A body this small (``return x * x``) says nothing about an answer, and appears in unrelated code.
MIN_BODY_NODES = 12


def _bodies(tree: ast.AST) -> dict[str, str]:
    """Each function's body, normalised, mapped to the function's name.

    Normalised: its AST without docstring, positions or formatting, with parameters and local
    variables renamed by order of appearance, so renaming ``items`` to ``things`` hides nothing.
    """
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(getattr(body[0], "value", None), ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                body = body[1:]
            module = _LocalNames(node).visit(ast.Module(body=copy.deepcopy(body), type_ignores=[]))
            if sum(1 for _ in ast.walk(module)) >= MIN_BODY_NODES:
                found[ast.dump(module)] = node.name
    return found


class _LocalNames(ast.NodeTransformer):
    """Renames a function's parameters and the names its body assigns to ``_0``, ``_1``, …"""

    def __init__(self, function: ast.FunctionDef | ast.AsyncFunctionDef):
        arguments = function.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
        names = [argument.arg for argument in every if argument is not None]
        names += [n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
        self.renamed = {name: f"_{index}" for index, name in enumerate(dict.fromkeys(names))}

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(id=self.renamed.get(node.id, node.id), ctx=node.ctx)


def _parse(source: str) -> ast.AST | None:
    try:
        return ast.parse(textwrap.dedent(source))
    except (SyntaxError, ValueError):
        return None


def code_in(path: Path) -> list[ast.AST]:
    """Every piece of Python in a file: a module, the code in its string constants, a Markdown code block."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    if path.suffix == ".md":
        blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
        return [tree for tree in map(_parse, blocks) if tree is not None]
    if path.suffix != ".py":
        return []
    module = _parse(text)
    if module is None:
        return []
    strings = [
        node.value for node in ast.walk(module) if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    return [module, *(tree for tree in map(_parse, (s for s in strings if "def " in s)) if tree is not None)]


def solution_bodies(kit: Path) -> dict[str, str]:
    """The body of every solution function that the stubs do not already give (the answers), by body."""
    given = {body for path in (kit / EXERCISES).rglob("*.py") for tree in code_in(path) for body in _bodies(tree)}
    # A lesson may teach a solution's private helper (step 3's add_ones for Value's lock); an exercise's
    # own function in a lesson is still an answer.
    taught = {body for path in (kit / EXERCISES).rglob("*.md") for tree in code_in(path) for body in _bodies(tree)}
    answers = {}
    for path in sorted((kit / SOLUTIONS).rglob("*.py")):
        for body, name in _bodies(ast.parse(path.read_text(encoding="utf-8"))).items():
            if body not in given and not (name.startswith("_") and body in taught):
                answers[body] = f"{path.relative_to(kit).as_posix()}:{name}"
    return answers


def leaks(kit: Path, edition: Path) -> list[str]:
    """``where: solution`` for every solution function body found anywhere in the edition."""
    answers = solution_bodies(kit)
    found = []
    for path in sorted(p for p in edition.rglob("*") if p.is_file() and ".git" not in p.relative_to(edition).parts):
        for tree in code_in(path):
            for body, name in _bodies(tree).items():
                if body in answers:
                    found.append(f"{path.relative_to(edition).as_posix()}:{name} is {answers[body]}")
    return found
