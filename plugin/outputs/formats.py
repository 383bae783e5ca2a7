"""Every report file a run can write, in one table: ``FORMATS``.

``settings.addoption`` declares one option per row, the end of a pytest session writes every row
whose option (or ini key) names a path, and ``python -m plugin.grade`` offers and writes the same
rows. Adding a format is one new module in ``plugin/outputs/`` and one row here.

A row is a ``Format``:

- ``name``: the format's name, also the ``LabSettings.outputs`` key of its path;
- ``option``: its command-line option (``--name PATH``), the same for pytest and the grading command;
- ``ini``: an ini key that gives a default path, or ``None``;
- ``build(result: RunResult) -> document``: a pure function of the finished run
  (``plugin.outputs.result.RunResult``: catalog, ledger, target, environment, speedups, scores,
  elapsed_s, seed, rootdir, notes, run_error); a JSON format returns a ``dict``;
- ``write(path: Path, document) -> None``: puts the document at ``path`` (``write_json`` for JSON),
  creating its folder, replacing whatever was there;
- ``help``: the option's help text.

A builder of a new format reads what it needs from ``RunResult`` (``result.scores`` for per-exercise
points, ``result.ledger.tests`` for per-test outcomes and messages, ``result.catalog`` for titles)
and must not run tests or import learner code.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

from plugin.outputs import chart, classroom, exercism, gradescope, lab_json
from plugin.outputs.result import RunResult


def write_json(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


@dataclasses.dataclass(frozen=True)
class Format:
    name: str
    option: str
    ini: str | None
    build: Callable[[RunResult], object]
    write: Callable[[Path, object], None]
    help: str

    @property
    def dest(self) -> str:
        """The attribute of parsed options that holds this format's path."""
        return self.option.removeprefix("--").replace("-", "_")


FORMATS: tuple[Format, ...] = (
    Format("lab-json", "--lab-json", None, lab_json.build, write_json, help="write the whole run as JSON to PATH"),
    Format(
        "gradescope",
        "--gradescope",
        None,
        gradescope.build,
        write_json,
        help="write the scores as a Gradescope results.json to PATH",
    ),
    Format(
        "classroom",
        "--classroom",
        None,
        classroom.build,
        write_json,
        help="write the scores as the result document of GitHub Classroom's reporter",
    ),
    Format(
        "speedup-plot",
        "--speedup-plot",
        None,
        chart.build,
        chart.write,
        help="write a PNG chart of the measured speedups to PATH",
    ),
    Format(
        "exercism",
        "--exercism",
        None,
        exercism.build,
        write_json,
        help="write the results as an Exercism test-runner results.json (version 3) to PATH",
    ),
)


def write_all(result: RunResult, paths: dict[str, Path]) -> None:
    """Build and write every format that has a path in ``paths`` (format name -> path)."""
    for output in FORMATS:
        path = paths.get(output.name)
        if path is not None:
            output.write(path, output.build(result))
