"""The one place ``lab`` imports the plugin's modules: when they move, only this file changes."""

from __future__ import annotations

from pathlib import Path

from plugin.catalog import MARKER, Catalog, CatalogError, Exercise, edit_location, load_catalog
from plugin.messages import say
from plugin.outputs.terminal import bar  # the plugin's own progress bar, for the same look
from plugin.safety.start_method import START_METHODS
from plugin.targets import EXERCISES, SOLUTIONS, exercise_modules, resolve

__all__ = [
    "bar",
    "START_METHODS",
    "Catalog",
    "CatalogError",
    "Exercise",
    "KitNotFound",
    "MARKER",
    "find_root",
    "load_catalog",
    "say",
    "exercise_modules",
    "learner_file",
    "solution_file",
    "stubs_folder",
    "where_to_edit",
]


class KitNotFound(Exception):
    """``lab`` was started outside a checkout of the kit."""


def find_root(start: Path) -> Path:
    """The kit's checkout that holds ``start``: the nearest folder with ``exercises/stepN/__init__.py``."""
    for folder in (start, *start.parents):
        if any((folder / EXERCISES).glob("step*/__init__.py")):
            return folder
    raise KitNotFound(say("lab_no_kit", folder=start))


def where_to_edit(exercise: Exercise, root: Path) -> str:
    """``file:line`` of the learner's module where ``exercise`` is written (its stub's ``raise``)."""
    return edit_location(exercise, resolve(EXERCISES, root, None), root)


def stubs_folder(root: Path) -> Path:
    """The learner's modules (and, in the kit's repository, the pristine stubs)."""
    return root / EXERCISES


def learner_file(exercise: Exercise, root: Path) -> Path:
    """The learner's module that holds ``exercise``'s function."""
    return resolve(EXERCISES, root, None).module_file(exercise.step, exercise.module)


def solution_file(exercise: Exercise, root: Path) -> Path:
    """The reference solution's module for ``exercise`` (absent from a learner edition)."""
    return resolve(SOLUTIONS, root, None).module_file(exercise.step, exercise.module)
