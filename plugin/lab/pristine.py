"""The pristine stubs, shipped with the kit under ``plugin/lab/stubs/`` so that ``lab reset`` works in
any copy of it: a learner's own git history, a zip download, or an installed learner edition.

A packaged copy, not ``git show``: a learner's checkout may have no git, or commits of their own on
top of the stubs. It is a copy of the stub modules as they are in ``exercises/`` of the kit's
repository; the authoring check (``plugin/tests/test_lab_reset.py``) fails when the two differ, and

    python -m plugin.lab.pristine

refreshes the copy after an author edits a stub.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from plugin.lab.kit import exercise_modules, stubs_folder

STUBS = Path(__file__).resolve().parent / "stubs"


def pristine_file(step: str, module: str) -> Path:
    return STUBS / step / f"{module}.py"


def refresh(root: Path) -> list[Path]:
    """Copy every stub module of ``root``'s ``exercises/`` into the packaged copy (old ones removed)."""
    shutil.rmtree(STUBS, ignore_errors=True)
    written = []
    for step, module in exercise_modules(root):
        destination = pristine_file(step, module)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(stubs_folder(root) / step / f"{module}.py", destination)
        written.append(destination)
    return written


def differences(root: Path) -> list[str]:
    """Stub modules of ``root`` whose packaged copy is missing or differs, and copies of no stub."""
    expected = {(step, module) for step, module in exercise_modules(root)}
    found = []
    for step, module in sorted(expected):
        copy = pristine_file(step, module)
        original = stubs_folder(root) / step / f"{module}.py"
        if not copy.is_file() or copy.read_bytes() != original.read_bytes():
            found.append(f"{step}/{module}.py")
    found += [
        f"{path.parent.name}/{path.name} (no such stub)"
        for path in sorted(STUBS.glob("step*/*.py"))
        if (path.parent.name, path.stem) not in expected
    ]
    return found


if __name__ == "__main__":
    repository = Path(__file__).resolve().parents[2]
    for path in refresh(repository):
        print(path.relative_to(repository))
    sys.exit(0)
