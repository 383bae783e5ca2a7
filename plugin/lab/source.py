"""Where one top-level function is in a module's text, even when the module does not parse.

A learner's module is often mid-edit: a syntax error in one function must not stop ``lab reset``
from restoring another. When the module parses, Python's own parser says where the function is;
otherwise the function runs from its ``def`` (with its decorators) to the next top-level statement
that makes the lines before it parse, or, when nothing does (the error is inside this function), to
the next top-level ``def``, ``class`` or decorator.
"""

from __future__ import annotations

import ast
import re

_TOP_LEVEL_START = re.compile(r"^(?:@|def\s|async\s+def\s|class\s)")


def _def_line(lines: list[str], name: str) -> int | None:
    pattern = re.compile(rf"^(?:async\s+)?def\s+{re.escape(name)}\s*\(")
    return next((index for index, line in enumerate(lines) if pattern.match(line)), None)


def _with_decorators(lines: list[str], start: int) -> int:
    while start > 0 and lines[start - 1].startswith("@"):
        start -= 1
    return start


def _without_trailing_blanks(lines: list[str], start: int, end: int) -> int:
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    return end


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def function_span(text: str, name: str) -> tuple[int, int] | None:
    """Lines ``[start, end)`` (0-based) of the top-level function ``name``, decorators included,
    trailing blank lines and comments excluded; None when the module has no such function."""
    lines = text.splitlines(keepends=True)
    try:
        tree = ast.parse(text)
    except SyntaxError:
        tree = None
    if tree is not None:
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
                return first - 1, node.end_lineno
        return None
    def_line = _def_line(lines, name)
    if def_line is None:
        return None
    start = _with_decorators(lines, def_line)
    # Candidate ends: every later line that starts a top-level statement (column 0, not a comment).
    candidates = [
        index
        for index in range(def_line + 1, len(lines))
        if lines[index][:1].strip() and not lines[index].startswith("#")
    ] + [len(lines)]
    for end in candidates:
        end = _with_decorators(lines, end) if end < len(lines) else end
        if _parses("".join(lines[start:end])):
            return start, _without_trailing_blanks(lines, start, end)
    end = next(index for index in candidates if index == len(lines) or _TOP_LEVEL_START.match(lines[index]))
    end = _with_decorators(lines, end) if end < len(lines) else end
    return start, _without_trailing_blanks(lines, start, end)


def function_text(text: str, name: str) -> str | None:
    """The source of the top-level function ``name`` (see ``function_span``), or None."""
    span = function_span(text, name)
    if span is None:
        return None
    lines = text.splitlines(keepends=True)
    return "".join(lines[span[0] : span[1]])


def replace_function(text: str, name: str, replacement: str) -> str | None:
    """``text`` with the function ``name`` replaced by ``replacement``; None when it has no such function."""
    span = function_span(text, name)
    if span is None:
        return None
    lines = text.splitlines(keepends=True)
    if not replacement.endswith("\n"):
        replacement += "\n"
    return "".join(lines[: span[0]]) + replacement + "".join(lines[span[1] :])
