"""Text laid out by display width, not by ``len``: a Chinese character takes two terminal columns.

``pad`` aligns a cell, ``wrap`` fills lines up to a width; words are kept whole (English breaks at
spaces), while Chinese text, which has no spaces, may break between any two characters except before
closing punctuation.
"""

from __future__ import annotations

import re

from wcwidth import wcswidth, wcwidth

# Characters a line must not start with: they stay with the character before them.
_NO_BREAK_BEFORE = frozenset("，。、；：？！）》」』】…,.;:?!)")
_TOKEN = re.compile(r"\s+|\S")
_LINE_BREAK = re.compile(r"(.?)\s*\n\s*(.?)")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (a control character counts as nothing)."""
    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(char), 0) for char in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` columns, on the right (``<``) or the left (``>``)."""
    fill = " " * max(width - display_width(text), 0)
    return text + fill if align == "<" else fill + text


def _units(text: str) -> list[str]:
    """The pieces a line may break between: runs of spaces, English words, single wide characters."""
    units: list[str] = []
    for token in _TOKEN.findall(text):
        previous = units[-1] if units else " "
        in_a_word = not token.isspace() and not previous.isspace()
        if in_a_word and (token in _NO_BREAK_BEFORE or (wcwidth(token) < 2 and wcwidth(previous[-1]) < 2)):
            units[-1] += token
        else:
            units.append(token)
    return units


def _one_line(text: str) -> str:
    """``text``'s line breaks made spaces, except between Chinese characters, which need none."""

    def join(match: re.Match) -> str:
        before, after = match.group(1), match.group(2)
        wide = any(char and wcwidth(char) == 2 for char in (before, after))
        return before + ("" if wide else " ") + after

    return _LINE_BREAK.sub(join, text)


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """``text`` (its line breaks taken as spaces, its leading spaces kept) filled into lines of at most
    ``width`` columns; a word longer than a line (a long path) gets a line of its own."""
    indent = initial_indent + text[: len(text) - len(text.lstrip(" "))]
    lines, line = [], indent
    for unit in _units(_one_line(text.strip())):
        if unit.isspace():
            if line != indent:
                line += " "
            continue
        if line != indent and display_width(line + unit) > width:
            lines.append(line.rstrip())
            line = indent = subsequent_indent
        line += unit
    if line.strip():
        lines.append(line.rstrip())
    return lines
