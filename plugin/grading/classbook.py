"""Grade a whole class: ``python -m plugin.grade --class DIR [--gradebook PATH] [--dask-scheduler ADDRESS]``.

Every immediate subfolder or ``.zip`` / ``.tar.gz`` archive of DIR is one submission, named by the
folder or archive. Each is graded exactly as one submission is, by a child ``python -m plugin.grade``
(so a submission that crashes or hangs the grading takes only its own row down), here one at a time,
or on Dask workers that offer the resource ``grading=1`` (one per machine, so speedup measurements
never share a machine). The gradebook (CSV, one row per submission) is rewritten after every
submission: an interrupted class resumes where it stopped, and a rerun grades only what was not yet
graded with this version of the kit (``--regrade`` grades everything again).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from plugin.catalog import CatalogError, load_catalog
from plugin.grading.class_runs import (
    DOCUMENTS,
    KIT,
    OUTPUT_TAIL_BYTES,
    ClusterError,
    _grade_here,
    _grade_on_cluster,
    _run_bounded,
    grade_files,
)
from plugin.grading.gradebook import GRADED, INVALID, NOT_GRADED, Gradebook, kit_version, row_of
from plugin.grading.uploads import InvalidUpload, find_submissions, read_upload
from plugin.measure import clock
from plugin.messages import LANGUAGES, language, locale_language, say, use_language
from plugin.safety.start_method import START_METHODS, unforked_start_method
from plugin.targets import exercise_modules

__all__ = [
    "GRADED",
    "INVALID",
    "NOT_GRADED",
    "OUTPUT_TAIL_BYTES",
    "Gradebook",
    "Progress",
    "_run_bounded",
    "grade_files",
    "kit_version",
    "main",
    "row_of",
]


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m plugin.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--class",
        dest="class_dir",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder whose every subfolder, .zip and .tar.gz is one submission",
    )
    parser.add_argument("--gradebook", type=Path, metavar="PATH", help="the CSV gradebook (default DIR/gradebook.csv)")
    for kind, option in DOCUMENTS.items():
        parser.add_argument(
            option,
            dest=kind,
            type=Path,
            metavar="FOLDER",
            help=f"write each submission's {kind} document as FOLDER/NAME.json",
        )
    parser.add_argument(
        "--timeout", type=float, default=600, help="whole-run timeout of each submission's tests (default 600 s)"
    )
    parser.add_argument(
        "--start-method",
        choices=START_METHODS,
        default=unforked_start_method(),
        help="as for one submission (default: forkserver, spawn where there is none)",
    )
    parser.add_argument(
        "--regrade", action="store_true", help="grade again the submissions already graded with this kit"
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of the reports' failures and hints, as for one submission (default: from the locale)",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="grade at most N submissions now; rerun for the rest")
    parser.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        default=os.environ.get("LAB_DASK_SCHEDULER") or None,
        help='grade on the Dask workers of this scheduler that offer the resource "grading=1"',
    )
    parser.add_argument(
        "--kit", type=Path, help=argparse.SUPPRESS
    )  # the plugin's own tests; default: the installed kit
    return parser.parse_args(argv)


class Progress:
    """A bar with the time left, estimated from this run's gradings so far; one line per submission off a terminal."""

    WIDTH = 24

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.graded, self.stream = total, 0, 0, stream
        self.started = clock.perf_counter()
        self.live = stream.isatty()

    def advance(self, name: str, outcome: str, graded: bool = True) -> None:
        """One more submission; ``graded`` False for a refused upload, which takes no time to estimate from."""
        self.done += 1
        self.graded += graded
        elapsed = clock.perf_counter() - self.started
        left = _clock_time(elapsed / self.graded * (self.total - self.done)) if self.graded else "?"
        filled = self.WIDTH * self.done // max(self.total, 1)
        line = say(
            "class_progress",
            bar="#" * filled + "-" * (self.WIDTH - filled),
            done=self.done,
            total=self.total,
            name=name,
            outcome=outcome,
            elapsed=_clock_time(elapsed),
            left=left,
        )
        self.stream.write(("\r\x1b[2K" if self.live else "") + line + ("" if self.live else "\n"))
        self.stream.flush()

    def close(self) -> None:
        if self.live and self.done:
            self.stream.write("\n")


def _clock_time(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def main(argv: list[str]) -> int:
    options = _arguments(argv)
    use_language(options.lang or locale_language())
    class_dir = options.class_dir.expanduser().resolve()
    if not class_dir.is_dir():
        print(say("class_no_folder", folder=options.class_dir), file=sys.stderr)
        return 2
    kit = (options.kit or KIT).resolve()
    try:
        exercise_ids = list(load_catalog(kit).exercises)
    except CatalogError as error:
        print(say("class_kit_broken", detail=error), file=sys.stderr)
        return 2
    version = kit_version(kit)
    book = Gradebook((options.gradebook or class_dir / "gradebook.csv").expanduser().resolve(), exercise_ids)
    folders = {kind: getattr(options, kind).expanduser().resolve() for kind in DOCUMENTS if getattr(options, kind)}
    ignore = {book.path, book.path.with_name(f".{book.path.name}.partial"), *folders.values()}
    submissions, duplicates = find_submissions(class_dir, ignore)
    for note in duplicates:
        print(note, file=sys.stderr)
    if not submissions:
        print(say("class_empty", folder=class_dir), file=sys.stderr)
        return 2
    pending = [s for s in submissions if options.regrade or not book.is_current(s.name, version)]
    if options.limit is not None:
        pending = pending[: max(options.limit, 0)]
    print(
        say(
            "class_plan",
            pending=len(pending),
            total=len(submissions),
            folder=class_dir,
            current=sum(book.is_current(s.name, version) for s in submissions),
            version=version,
        )
    )
    return _grade_pending(options, kit, version, book, folders, pending)


def _grade_pending(options, kit: Path, version: str, book: Gradebook, folders: dict[str, Path], pending) -> int:
    """Read every pending upload (a refused one gets its row now), grade the rest, one row each as they come."""
    progress = Progress(len(pending))
    modules = {f"{module}.py" for _, module in exercise_modules(kit)}
    jobs = []
    for submission in pending:
        try:
            jobs.append((submission.name, read_upload(submission, modules)))
        except (InvalidUpload, OSError) as error:
            book.put(row_of(submission.name, {"invalid": True, "error": str(error)}, version))
            progress.advance(submission.name, say("class_outcome_refused"), graded=False)
    # The worker grades with its own installed kit unless this run was pointed at another one.
    kit_argument = str(kit) if options.kit else None
    grader = (
        _grade_on_cluster(options.dask_scheduler, jobs, kit_argument, options.timeout, options.start_method, language())
        if options.dask_scheduler
        else _grade_here(jobs, kit_argument, options.timeout, options.start_method, language())
    )
    failed = 0
    try:
        for name, result in grader:
            row = row_of(name, result, version)
            book.put(row)
            _write_documents(folders, name, result.get("documents", {}))
            failed += row["status"] == NOT_GRADED
            outcome = (
                say("class_outcome_scored", score=row["score"], max_score=row["max_score"])
                if row["status"] == GRADED
                else say("class_outcome_not_graded")
            )
            progress.advance(name, outcome)
    except ClusterError as error:
        progress.close()
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        progress.close()
        print(say("class_interrupted", path=book.path), file=sys.stderr)
        return 130
    progress.close()
    print(say("class_done", path=book.path, rows=len(book.rows), failed=failed))
    return 2 if failed else 0


def _write_documents(folders: dict[str, Path], name: str, documents: dict) -> None:
    for kind, folder in folders.items():
        if kind in documents:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.json").write_text(json.dumps(documents[kind], indent=2) + "\n", encoding="utf-8")
