"""One class submission graded by a child ``python -m plugin.grade``, here or on a Dask worker that
offers the resource ``grading=1``."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from plugin.grading.gradebook import kit_version
from plugin.grading.uploads import write_upload
from plugin.measure import clock
from plugin.messages import say

KIT = Path(__file__).resolve().parents[2]
DOCUMENTS = {"lab": "--lab-json", "gradescope": "--gradescope", "classroom": "--classroom"}
# The grading command's own budget on top of --timeout: collecting the kit's tests (up to 120 s) and
# stopping a run that timed out. Past it the grading itself hangs, and is stopped from here.
GRADING_OVERHEAD_S = 180.0
WORKER_WAIT_S = 30.0  # for a grading worker to join a scheduler that has none yet
OUTPUT_TAIL_BYTES = 16 * 1024
OUTPUT_FLOOD_BYTES = 10 * 1024 * 1024


def grade_files(files: dict[str, bytes], kit: str | None, timeout: float, start_method: str, language: str) -> dict:
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
        command = [
            sys.executable,
            "-m",
            "plugin.grade",
            str(upload),
            f"--kit={kit_path}",
            f"--timeout={timeout:g}",
            f"--start-method={start_method}",
            f"--lang={language}",  # a worker's locale is not the teacher's
        ]
        command += [f"{option}={paths[kind]}" for kind, option in DOCUMENTS.items()]
        ending = _run_bounded(command, timeout + GRADING_OVERHEAD_S, cwd=work)
        result.update(ending)
        if ending["returncode"] in (0, 1):
            result["documents"] = {kind: json.loads(path.read_text()) for kind, path in paths.items()}
    result["seconds"] = round(clock.perf_counter() - started, 1)
    return result


def _run_bounded(command: list[str], limit: float, cwd: str) -> dict:
    """Run ``command`` for at most ``limit`` seconds, keeping only the tail of what it prints."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
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


def _grade_here(jobs, kit, timeout, start_method, language):
    for name, files in jobs:
        yield name, grade_files(files, kit, timeout, start_method, language)


def _grading_workers(client) -> list[str]:
    workers = client.scheduler_info().get("workers", {})
    return [address for address, worker in workers.items() if worker.get("resources", {}).get("grading", 0) >= 1]


class ClusterError(Exception):
    """The cluster cannot grade (no Dask, no scheduler, no grading worker): nothing was sent to it."""


def _grade_on_cluster(address, jobs, kit, timeout, start_method, language):
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
            future = client.submit(
                grade_files,
                files,
                kit,
                timeout,
                start_method,
                language,
                resources={"grading": 1},
                pure=False,
                retries=0,
            )
            futures[future] = name
        try:
            for future in as_completed(futures):
                try:
                    yield futures[future], future.result()
                # whatever killed the task there (a dead worker, …) is this row's error
                except Exception as error:  # noqa: BLE001
                    yield (
                        futures[future],
                        {
                            "kit_version": None,
                            "documents": {},
                            "error": say("class_worker_failed", detail=f"{type(error).__name__}: {error}"),
                        },
                    )
        finally:
            client.cancel(list(futures))
