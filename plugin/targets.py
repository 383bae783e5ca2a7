"""Which code the exercise tests exercise: the learner's, the solutions, or a submission.

Tests always import ``exercises.stepN.<module>``. For another target, an import hook answers that
import with the target's own module (``solutions.stepN.<module>``), so functions keep their real
``__module__`` and pickle by reference to a module that any child process, whatever its start
method, imports straight from ``sys.path``.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

from plugin.messages import say

EXERCISES = "exercises"
SOLUTIONS = "solutions"
SUBMISSION = "submission"
SUBMISSION_PACKAGE = "lab_submission"


@dataclasses.dataclass(frozen=True)
class Target:
    kind: str  # EXERCISES | SOLUTIONS | SUBMISSION
    package: str  # the importable package that holds the target's step folders
    source_dir: Path  # where the learner-facing files are (for "edit this file" messages)
    import_dir: Path  # the folder holding ``package`` (put on sys.path)

    def module_file(self, step: str, module: str) -> Path:
        return self.source_dir / step / f"{module}.py"


def exercise_modules(rootdir: Path) -> list[tuple[str, str]]:
    """(step, module) for every stub module in exercises/: the modules a target replaces."""
    found = []
    for step_dir in sorted((rootdir / EXERCISES).glob("step*/")):
        for path in sorted(step_dir.glob("*.py")):
            if path.stem != "__init__" and not path.stem.startswith(("test_", "conftest")):
                found.append((step_dir.name, path.stem))
    return found


def resolve(kind: str, rootdir: Path, submission: Path | None) -> Target:
    if kind == EXERCISES:
        return Target(EXERCISES, EXERCISES, rootdir / EXERCISES, rootdir)
    if kind == SOLUTIONS:
        return Target(SOLUTIONS, SOLUTIONS, rootdir / SOLUTIONS, rootdir)
    assert submission is not None
    return Target(SUBMISSION, SUBMISSION_PACKAGE, submission, Path(tempfile.mkdtemp(prefix="parallel-lab-")))


def stage_submission(target: Target, rootdir: Path) -> list[str]:
    """Copy only the exercise modules of a submission into an importable package.

    Returns a note for every module the submission lacks; the pristine stub stands in for it.
    """
    notes = []
    package = target.import_dir / target.package
    for step, module in exercise_modules(rootdir):
        step_dir = package / step
        step_dir.mkdir(parents=True, exist_ok=True)
        (step_dir / "__init__.py").touch()
        source = target.source_dir / step / f"{module}.py"
        if not source.is_file():
            notes.append(say("target.missing_module", module=f"{step}/{module}.py"))
            source = rootdir / EXERCISES / step / f"{module}.py"
        shutil.copyfile(source, step_dir / f"{module}.py")
    (package / "__init__.py").touch()
    return notes


class _Redirect(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``import exercises.stepN.<module>`` with the target's module of the same name."""

    def __init__(self, aliases: dict[str, str]):
        self.aliases = aliases
        self._own_specs: dict[str, importlib.machinery.ModuleSpec] = {}

    def find_spec(self, name, path=None, target=None):
        if name in self.aliases:
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        module = importlib.import_module(self.aliases[spec.name])
        self._own_specs[module.__name__] = module.__spec__
        return module

    def exec_module(self, module):
        # The import system stamped the alias's spec on the module: give it back its own.
        module.__spec__ = self._own_specs[module.__name__]


def redirect_imports(aliases: dict[str, str]) -> None:
    """Answer ``import exercises.stepN.<module>`` with ``aliases[name]`` in this process (a learner
    process does this with its deciding process's aliases)."""
    if aliases:
        sys.meta_path.insert(0, _Redirect(aliases))


class TargetSwitch:
    """Installs and removes a target for one session."""

    def __init__(self, target: Target, rootdir: Path):
        self.target = target
        self.rootdir = rootdir
        self._finder: _Redirect | None = None
        self.notes: list[str] = []
        self.aliases: dict[str, str] = {}  # what a learner process must redirect too

    def install(self) -> None:
        if self.target.kind == EXERCISES:
            return
        if self.target.kind == SUBMISSION:
            self.notes = stage_submission(self.target, self.rootdir)
        import_dir = str(self.target.import_dir)
        if import_dir not in sys.path:
            sys.path.insert(0, import_dir)
        aliases = {
            f"{EXERCISES}.{step}.{module}": f"{self.target.package}.{step}.{module}"
            for step, module in exercise_modules(self.rootdir)
        }
        self.aliases = aliases
        self._finder = _Redirect(aliases)
        sys.meta_path.insert(0, self._finder)

    def uninstall(self) -> None:
        if self._finder is not None:
            sys.meta_path.remove(self._finder)
            self._finder = None
        if self.target.kind == SUBMISSION:
            shutil.rmtree(self.target.import_dir, ignore_errors=True)
