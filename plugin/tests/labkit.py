"""A copy of the whole kit (pristine stubs, solutions, plugin) in a temporary folder, for lab's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from plugin.tests.minikit import REPO

STUB_RAISE = 'raise NotImplementedError("{id}: see the docstring")'


def copy_kit(destination: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.egg-info")
    for folder in ("exercises", "solutions", "plugin"):
        shutil.copytree(REPO / folder, destination / folder, ignore=ignore)
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copyfile(REPO / name, destination / name)
    return destination


def implement(module: Path, exercise_id: str, body: str) -> None:
    """Replace the stub's ``raise`` of ``exercise_id`` in ``module`` with ``body`` (indented 4)."""
    text = module.read_text(encoding="utf-8")
    stub = STUB_RAISE.format(id=exercise_id)
    assert text.count(stub) == 1, f"{module} has no pristine stub of {exercise_id}"
    module.write_text(text.replace(stub, body.strip().replace("\n", "\n    ")), encoding="utf-8")
