"""The class's gradebook: one CSV row per submission, and the kit version each was graded with."""

from __future__ import annotations

import csv
import datetime
import hashlib
import os
from pathlib import Path

from plugin.messages import say
from plugin.targets import EXERCISES

KIT_FILES = ("pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini", "conftest.py")  # as plugin.grade copies them
FIXED_COLUMNS = ("name", "score", "max_score")
TRAILING_COLUMNS = ("seed", "tampering", "error", "status", "kit_version", "seconds", "graded_on", "graded_at")
GRADED, INVALID, NOT_GRADED = "graded", "invalid upload", "not graded"


def kit_version(kit: Path) -> str:
    """A hash of what decides a score: the kit's tests and stubs, its plugin and its configuration."""
    digest = hashlib.sha256()
    paths = [p for p in (kit / EXERCISES).rglob("*") if p.is_file()]
    paths += [
        p for p in (kit / "plugin").rglob("*") if p.is_file() and "tests" not in p.relative_to(kit / "plugin").parts
    ]
    paths += [kit / name for name in KIT_FILES if (kit / name).is_file()]
    for path in sorted(p for p in paths if "__pycache__" not in p.parts and p.suffix != ".pyc"):
        digest.update(path.relative_to(kit).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


class Gradebook:
    """The class's CSV, one row per submission, rewritten whole (and atomically) after each grading."""

    def __init__(self, path: Path, exercise_ids: list[str]):
        self.path = path
        self.columns = [*FIXED_COLUMNS, *exercise_ids, *TRAILING_COLUMNS]
        self.rows: dict[str, dict[str, str]] = {}
        if path.is_file():
            with path.open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    if row.get("name"):
                        self.rows[row["name"]] = row

    def is_current(self, name: str, version: str) -> bool:
        """Graded (or refused) with this kit: a rerun skips it. A grading that could not run is retried."""
        row = self.rows.get(name)
        return bool(row) and row.get("kit_version") == version and row.get("status") in (GRADED, INVALID)

    def put(self, row: dict[str, str]) -> None:
        self.rows[row["name"]] = row
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{self.path.name}.partial")
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=self.columns, extrasaction="ignore")
            writer.writeheader()
            for name in sorted(self.rows):
                writer.writerow(self.rows[name])
        os.replace(partial, self.path)


def row_of(name: str, result: dict, version: str) -> dict[str, str]:
    """A gradebook row from one grading's result (``grade_files``) or an upload's refusal."""
    row = {
        "name": name,
        "kit_version": version,
        "error": result.get("error", ""),
        "seconds": str(result.get("seconds", "")),
        "graded_on": result.get("host", ""),
        "graded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    if result.get("invalid"):
        return {**row, "status": INVALID, "score": "0", "tampering": "no"}
    if result.get("kit_version") not in (None, version):
        error = say(
            "class_worker_kit_differs", worker=result.get("host", "?"), theirs=result["kit_version"], ours=version
        )
        return {**row, "status": NOT_GRADED, "error": error}
    documents = result["documents"]
    if not documents:
        return {**row, "status": NOT_GRADED}
    lab, gradescope = documents["lab"], documents["gradescope"]
    notes = gradescope["output"].splitlines()[1:]  # the first line is the summary; then why points were lost
    row.update(
        status=GRADED,
        score=f"{lab['summary']['score']:g}",
        max_score=f"{lab['summary']['max_score']:g}",
        seed=str(lab["environment"].get("seed", "")),
        tampering="yes" if any(note.startswith("tampering detected") for note in notes) else "no",
        error="; ".join(filter(None, [*notes, row["error"]])),
    )
    for test in gradescope["tests"]:
        row[test["name"].split(":", 1)[0]] = f"{test['score']:g}"
    return row
