"""``lab reset ID``: one function of the learner's module back to its pristine stub, nothing else."""

from __future__ import annotations

from pathlib import Path

from plugin.lab.kit import Exercise, learner_file, say
from plugin.lab.pristine import pristine_file
from plugin.lab.source import function_text, replace_function


class ResetError(Exception):
    """The function cannot be reset; the message says why and what to do."""


def reset_function(root: Path, exercise: Exercise) -> Path:
    """Replace ``exercise``'s function in the learner's module by the pristine stub's; returns the file."""
    stub_file = pristine_file(exercise.step, exercise.module)
    mine = learner_file(exercise, root)
    stub = function_text(stub_file.read_text(encoding="utf-8"), exercise.name) if stub_file.is_file() else None
    if stub is None:
        raise ResetError(say("lab_reset_no_stub", exercise=exercise.id))
    updated = replace_function(mine.read_text(encoding="utf-8"), exercise.name, stub) if mine.is_file() else None
    if updated is None:
        where = mine.relative_to(root)
        raise ResetError(say("lab_reset_no_function", exercise=exercise.id, name=exercise.name, file=where))
    mine.write_text(updated, encoding="utf-8")
    return mine
