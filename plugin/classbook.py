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
import csv
import datetime
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from plugin import clock, processes
from plugin.exercises import CatalogError, load_catalog
from plugin.messages import say
from plugin.targets import EXERCISES, exercise_modules
from plugin.uploads import InvalidUpload, find_submissions, read_upload, write_upload

KIT = Path(__file__).resolve().parents[1]
KIT_FILES = ("pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini", "conftest.py")  # as plugin.grade copies them
DOCUMENTS = {"lab": "--lab-json", "gradescope": "--gradescope", "classroom": "--classroom"}
# The grading command's own budget on top of --timeout: collecting the kit's tests (up to 120 s) and
# stopping a run that timed out. Past it the grading itself hangs, and is stopped from here.
GRADING_OVERHEAD_S = 180.0
WORKER_WAIT_S = 30.0  # for a grading worker to join a scheduler that has none yet
OUTPUT_TAIL_BYTES = 16 * 1024
OUTPUT_FLOOD_BYTES = 10 * 1024 * 1024
FIXED_COLUMNS = ("name", "score", "max_score")
TRAILING_COLUMNS = ("seed", "tampering", "error", "status", "kit_version", "seconds", "graded_on", "graded_at")
GRADED, INVALID, NOT_GRADED = "graded", "invalid upload", "not graded"


# -- what is graded, and with which kit -------------------------------------------------------------------


def kit_version(kit: Path) -> str:
    """A hash of what decides a score: the kit's tests and stubs, its plugin and its configuration."""
    digest = hashlib.sha256()
    paths = [p for p in (kit / EXERCISES).rglob("*") if p.is_file()]
    paths += [p for p in (kit / "plugin").rglob("*") if p.is_file() and "tests" not in p.relative_to(kit / "plugin").parts]
    paths += [kit / name for name in KIT_FILES if (kit / name).is_file()]
    for path in sorted(p for p in paths if "__pycache__" not in p.parts and p.suffix != ".pyc"):
        digest.update(path.relative_to(kit).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


# -- one grading, on whichever machine runs it --------------------------------------------------------------


def grade_files(files: dict[str, bytes], kit: str | None, timeout: float, start_method: str) -> dict:
    """Grade one upload with a child ``python -m plugin.grade`` on this machine; never raises for the upload.

    Runs here or as a Dask task on a worker: ``kit`` None is the kit installed where this runs.
    Returns the grading's documents, how it ended, and the kit version it graded with.
    """
    kit_path = Path(kit) if kit else KIT
    started = clock.perf_counter()
    result = {"kit_version": kit_version(kit_path), "host": socket.gethostname(), "documents": {}, "error": ""}
    with tempfile.TemporaryDirectory(prefix="parallel-lab-class-") as work:
        upload = Path(work) / "upload"
        upload.mkdir()
        write_upload(files, upload)
        paths = {kind: Path(work) / f"{kind}.json" for kind in DOCUMENTS}
        command = [sys.executable, "-m", "plugin.grade", str(upload), f"--kit={kit_path}",
                   f"--timeout={timeout:g}", f"--start-method={start_method}"]
        command += [f"{option}={paths[kind]}" for kind, option in DOCUMENTS.items()]
        ending = _run_bounded(command, timeout + GRADING_OVERHEAD_S, cwd=work)
        result.update(ending)
        if ending["returncode"] in (0, 1):
            result["documents"] = {kind: json.loads(path.read_text()) for kind, path in paths.items()}
    result["seconds"] = round(clock.perf_counter() - started, 1)
    return result


def _run_bounded(command: list[str], limit: float, cwd: str) -> dict:
    """Run ``command`` for at most ``limit`` seconds, keeping only the tail of what it prints."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    tail = bytearray()
    printed = [0]

    def drain():  # read everything, keep the end: a flood of output neither blocks the child nor fills memory
        while chunk := process.stdout.read1(65536):
            printed[0] += len(chunk)
            tail.extend(chunk)
            del tail[:-OUTPUT_TAIL_BYTES]

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    timed_out = False
    try:
        returncode = process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        timed_out = True
        returncode = _stop_tree(process)
    except BaseException:  # Ctrl-C: nothing of this submission's grading may outlive the class run
        _stop_tree(process)
        raise
    reader.join(timeout=5)
    process.stdout.close()
    output = bytes(tail).decode("utf-8", "replace")
    error = ""
    if timed_out:
        error = say("class_grading_timeout", seconds=limit)
    elif returncode not in (0, 1):
        error = say("class_grading_failed", code=returncode, detail=_last_line(output))
    if printed[0] > OUTPUT_FLOOD_BYTES:
        flood = say("class_output_flood", megabytes=printed[0] // 2**20)
        error = f"{error}; {flood}" if error else flood
    return {"returncode": None if timed_out else returncode, "error": error, "output_tail": output}


def _stop_tree(process: subprocess.Popen) -> int:
    """The grading command starts its pytest in a session of its own: stop every descendant, not one group."""
    try:
        family = psutil.Process(process.pid).children(recursive=True) + [psutil.Process(process.pid)]
    except psutil.NoSuchProcess:
        family = []
    for member in family:
        try:
            member.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(family, timeout=5)
    for member in alive:
        try:
            member.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)
    return process.wait()


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no output)"


# -- the gradebook --------------------------------------------------------------------------------------------


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
    row = {"name": name, "kit_version": version, "error": result.get("error", ""),
           "seconds": str(result.get("seconds", "")), "graded_on": result.get("host", ""),
           "graded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    if result.get("invalid"):
        return {**row, "status": INVALID, "score": "0", "tampering": "no"}
    if result.get("kit_version") not in (None, version):
        error = say("class_worker_kit_differs", worker=result.get("host", "?"), theirs=result["kit_version"], ours=version)
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


# -- running a class ---------------------------------------------------------------------------------------------


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m plugin.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("--class", dest="class_dir", type=Path, required=True, metavar="DIR",
                        help="folder whose every subfolder, .zip and .tar.gz is one submission")
    parser.add_argument("--gradebook", type=Path, metavar="PATH", help="the CSV gradebook (default DIR/gradebook.csv)")
    for kind, option in DOCUMENTS.items():
        parser.add_argument(option, dest=kind, type=Path, metavar="FOLDER",
                            help=f"write each submission's {kind} document as FOLDER/NAME.json")
    parser.add_argument("--timeout", type=float, default=600, help="whole-run timeout of each submission's tests (default 600 s)")
    parser.add_argument("--start-method", choices=("fork", "spawn", "forkserver"), default=processes.unforked_start_method(),
                        help="as for one submission (default: forkserver, spawn where there is none)")
    parser.add_argument("--regrade", action="store_true", help="grade again the submissions already graded with this kit")
    parser.add_argument("--limit", type=int, metavar="N", help="grade at most N submissions now; rerun for the rest")
    parser.add_argument("--dask-scheduler", metavar="ADDRESS",
                        default=os.environ.get("LAB_DASK_SCHEDULER") or None,
                        help='grade on the Dask workers of this scheduler that offer the resource "grading=1"')
    parser.add_argument("--kit", type=Path, help=argparse.SUPPRESS)  # the plugin's own tests; default: the installed kit
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
        line = say("class_progress", bar="#" * filled + "-" * (self.WIDTH - filled), done=self.done, total=self.total,
                   name=name, outcome=outcome, elapsed=_clock_time(elapsed), left=left)
        self.stream.write(("\r\x1b[2K" if self.live else "") + line + ("" if self.live else "\n"))
        self.stream.flush()

    def close(self) -> None:
        if self.live and self.done:
            self.stream.write("\n")


def _clock_time(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _grade_here(jobs, kit, timeout, start_method):
    for name, files in jobs:
        yield name, grade_files(files, kit, timeout, start_method)


def _grading_workers(client) -> list[str]:
    workers = client.scheduler_info().get("workers", {})
    return [address for address, worker in workers.items() if worker.get("resources", {}).get("grading", 0) >= 1]


class ClusterError(Exception):
    """The cluster cannot grade (no Dask, no scheduler, no grading worker): nothing was sent to it."""


def _grade_on_cluster(address, jobs, kit, timeout, start_method):
    try:
        from distributed import Client, as_completed
    except ImportError as error:
        raise ClusterError(say("class_dask_missing")) from error
    try:
        client = Client(address, timeout="30s")
    except (OSError, TimeoutError) as error:
        raise ClusterError(say("class_no_scheduler", address=address, detail=error)) from error
    with client:
        deadline = clock.perf_counter() + WORKER_WAIT_S
        while not _grading_workers(client):
            if clock.perf_counter() > deadline:
                raise ClusterError(say("class_no_grading_workers", address=address, seconds=WORKER_WAIT_S))
            time.sleep(0.5)
        futures = {}
        for name, files in jobs:
            # pure=False: the same upload graded twice is two gradings (a new seed each), not a cached result.
            future = client.submit(grade_files, files, kit, timeout, start_method,
                                   resources={"grading": 1}, pure=False, retries=0)
            futures[future] = name
        try:
            for future in as_completed(futures):
                try:
                    yield futures[future], future.result()
                except Exception as error:  # noqa: BLE001 - whatever killed the task there (a dead worker, …) is this row's error
                    yield futures[future], {"kit_version": None, "documents": {},
                                            "error": say("class_worker_failed", detail=f"{type(error).__name__}: {error}")}
        finally:
            client.cancel(list(futures))


def main(argv: list[str]) -> int:
    options = _arguments(argv)
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
    print(say("class_plan", pending=len(pending), total=len(submissions), folder=class_dir,
              current=sum(book.is_current(s.name, version) for s in submissions), version=version))
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
    grader = (_grade_on_cluster(options.dask_scheduler, jobs, kit_argument, options.timeout, options.start_method)
              if options.dask_scheduler else _grade_here(jobs, kit_argument, options.timeout, options.start_method))
    failed = 0
    try:
        for name, result in grader:
            row = row_of(name, result, version)
            book.put(row)
            _write_documents(folders, name, result.get("documents", {}))
            failed += row["status"] == NOT_GRADED
            outcome = (say("class_outcome_scored", score=row["score"], max_score=row["max_score"])
                       if row["status"] == GRADED else say("class_outcome_not_graded"))
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
