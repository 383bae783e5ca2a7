"""The exercise catalog: steps, their exercises, titles, hints and points.

Each step declares its exercises in one place, ``exercises/stepN/__init__.py``::

    TITLE = "Pools"
    TITLE_ZH = "进程池"
    EXERCISES = {"parallel_map": {"title": "...", "title_zh": "...", "hint": "...", "hint_zh": "...",
                                  "hint_full": "...", "hint_full_zh": "...", "points": 2}}

Every text has its English key and, beside it, one key per other language suffixed with its name
(``title_zh``, ``hint_zh``, ``hint_full_zh``; ``TITLE_ZH`` for the step): the loader gives the session
language's text (``plugin.messages.language``), and the language check (``plugin.language_check``) makes
sure none is missing.

``hint`` is the nudge printed by default (where to look, which API; never the code); ``hint_full``
(default: the same as ``hint``) is the fuller hint that ``--hints`` shows.
``points`` (default 1) is what the exercise is worth when graded; ``"all_or_nothing": True`` gives them
only when every test of the exercise passes, instead of the fraction that passed. The file is read as data
(never imported), so the catalog is the same for every target.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import traceback
from pathlib import Path

from plugin.messages import DEFAULT_LANGUAGE, language, say
from plugin.targets import EXERCISES, Target, exercise_modules

MARKER = "exercise"  # @pytest.mark.exercise("stepN.<function_name>"): the exercise a test belongs to
ID_PATTERN = re.compile(r"^(step\d+)\.([A-Za-z_]\w*)$")


class CatalogError(Exception):
    """The catalog itself is wrong: a kit author's mistake, reported as a usage error."""


@dataclasses.dataclass(frozen=True)
class Exercise:
    id: str
    step: str
    name: str
    title: str
    hint: str  # the nudge, printed by default
    module: str  # the module of the step that defines the function
    points: float = 1.0
    all_or_nothing: bool = False
    hint_full: str = ""  # shown by --hints; the nudge when the catalog gives none


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    title: str
    exercises: tuple[Exercise, ...]


@dataclasses.dataclass(frozen=True)
class Catalog:
    steps: tuple[Step, ...]

    @property
    def exercises(self) -> dict[str, Exercise]:
        return {exercise.id: exercise for step in self.steps for exercise in step.exercises}


TEXT_FIELDS = ("title", "hint", "hint_full")  # the catalog's texts a learner reads, each given in every language


def text_key(field: str, language: str) -> str:
    """Where ``field`` is written in ``language``: ``title`` in English, ``title_zh`` in Chinese."""
    return field if language == DEFAULT_LANGUAGE else f"{field}_{language}"


def localized(fields: dict, field: str, default: str = "") -> str:
    """The session language's text of ``field``; English where a translation is missing (the language
    check reports that)."""
    return str(fields.get(text_key(field, language()), fields.get(field, default)))


def _natural_key(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def module_constants(path: Path) -> dict[str, object]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError as error:
                raise CatalogError(
                    say("catalog.not_literal", path=path, name=node.targets[0].id, error=error)
                ) from None
    return constants


def _defined_functions(path: Path) -> set[str]:
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError:  # a learner's module mid-edit: its tests report the error, the catalog stands
        return set(re.findall(r"^def (\w+)\(", source, re.MULTILINE))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def load_catalog(rootdir: Path) -> Catalog:
    modules_by_step: dict[str, list[str]] = {}
    for step, module in exercise_modules(rootdir):
        modules_by_step.setdefault(step, []).append(module)
    step_dirs = sorted((rootdir / EXERCISES).glob("step*/__init__.py"), key=lambda p: _natural_key(p.parent.name))
    return Catalog(tuple(_load_step(init, modules_by_step.get(init.parent.name, [])) for init in step_dirs))


def _load_step(init: Path, modules: list[str]) -> Step:
    """One step, from its ``__init__.py`` (read as data) and the functions its modules define."""
    step = init.parent.name
    constants = module_constants(init)
    declared = constants.get("EXERCISES", {})
    if not isinstance(declared, dict):
        raise CatalogError(say("catalog.not_a_dict", path=init))
    defining = {module: _defined_functions(init.parent / f"{module}.py") for module in modules}
    exercises = []
    for name, fields in declared.items():
        if not isinstance(fields, dict):
            raise CatalogError(say("catalog.entry_not_a_dict", path=init, name=name))
        modules_defining = [module for module, functions in defining.items() if name in functions]
        if not modules_defining:
            raise CatalogError(say("catalog.no_function", path=init, name=name, folder=init.parent))
        exercises.append(
            Exercise(
                id=f"{step}.{name}",
                step=step,
                name=name,
                title=localized(fields, "title", name),
                hint=localized(fields, "hint"),
                hint_full=localized(fields, "hint_full") or localized(fields, "hint"),
                module=modules_defining[0],
                points=float(fields.get("points", 1)),
                all_or_nothing=bool(fields.get("all_or_nothing", False)),
            )
        )
    title = constants.get(text_key("title", language()).upper(), constants.get("TITLE", step))  # TITLE_ZH
    return Step(step, str(title), tuple(exercises))


def locate(exercise: Exercise, target: Target) -> tuple[Path, int]:
    """The file and line a learner should edit: the stub's ``raise NotImplementedError``, else the ``def``."""
    path = target.module_file(exercise.step, exercise.module)
    line = 1
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return path, line
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == exercise.name:
            line = node.lineno
            for inner in ast.walk(node):
                if isinstance(inner, ast.Raise) and "NotImplementedError" in ast.unparse(inner):
                    return path, inner.lineno
    return path, line


def _relative(path: Path, rootdir: Path) -> str:
    try:
        return str(path.relative_to(rootdir))
    except ValueError:
        return str(path)


def edit_location(exercise: Exercise, target: Target, rootdir: Path, line: int | None = None) -> str:
    """``file:line`` to edit for ``exercise``: ``line`` when known, else its stub's ``raise``."""
    path, stub_line = locate(exercise, target)
    return f"{_relative(path, rootdir)}:{line or stub_line}"


# Each traceback of a chain (traceback.format_exception writes the first cause first) starts so.
_TRACEBACK_START = re.compile(r"^Traceback \(", re.MULTILINE)
_REMOTE_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<name>\w+)', re.MULTILINE)


def stub_that_raised(error: BaseException, target: Target, catalog: Catalog) -> tuple[Exercise, int] | None:
    """The exercise function of the target that raised ``error`` (the innermost one) and the line it
    raised at: the exercise under test itself, or another exercise's stub that it calls, here or in a
    pool worker, or the learner process (whose tracebacks travel as the text of ``error.__cause__``: a
    chain of them, the first cause first)."""
    local = [(frame.filename, frame.lineno, frame.name) for frame in traceback.extract_tb(error.__traceback__)]
    chain = _TRACEBACK_START.split(str(error.__cause__ or ""))
    remote = [(m["file"], int(m["line"]), m["name"]) for part in reversed(chain) for m in _REMOTE_FRAME.finditer(part)]
    folders = (target.source_dir, target.import_dir / target.package)
    for filename, line, name in reversed(local + remote):  # the worker's frames are the innermost
        path = Path(filename)
        if any(folder in path.parents for folder in folders):
            exercise = catalog.exercises.get(f"{path.parent.name}.{name}")
            if exercise is not None:
                return exercise, line
    return None
