"""``RunResult``: everything a finished run knows, the one input of every output format's builder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from plugin.catalog import Catalog
from plugin.grading.scores import ExerciseScore
from plugin.progress import Ledger
from plugin.targets import Target


@dataclasses.dataclass(frozen=True)
class RunResult:
    """A finished run, as the end of a pytest session or the grading command sees it.

    ``environment`` is the ``--lab-json`` ``environment`` object (``lab_json.environment``);
    ``speedups`` the measurements as dicts (``Measurement.as_dict``); ``scores`` one per exercise of
    the steps that ran, in catalog order; ``rootdir`` the folder that holds the test files the
    ledger's node ids name; ``notes`` what a grader should read beside the scores (missing modules,
    tampering, an early end); ``run_error``: why the run itself went wrong (ended early, tampering),
    not only some of its tests, or "" when it did not.
    """

    catalog: Catalog
    ledger: Ledger
    target: Target
    environment: dict
    speedups: list[dict]
    scores: list[ExerciseScore]
    elapsed_s: float
    seed: int
    rootdir: Path
    notes: list[str] = dataclasses.field(default_factory=list)
    run_error: str = ""
