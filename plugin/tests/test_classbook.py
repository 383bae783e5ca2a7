"""Class grading: uploads read safely, the gradebook, resuming, and whole classes graded here and on Dask."""

from __future__ import annotations

import csv
import io
import json
import stat
import subprocess
import sys
import tarfile
import time
import uuid
import zipfile
from pathlib import Path

import psutil
import pytest

from plugin.grading import classbook
from plugin.grading.uploads import InvalidUpload, Submission, find_submissions, read_upload
from plugin.tests.minikit import SOLUTION, STUB, processes_marked, write

pytestmark = pytest.mark.timeout(300)

MODULES = {"demo.py"}  # the mini kit's one exercise module
HALF_DONE = STUB.replace(
    '    raise NotImplementedError("step1.double: see the docstring")',
    "    return 2 * x if x < 10 else 0  # right only for small numbers: one of its two tests fails",
)
HANGING = SOLUTION.replace(
    "def pids(items):\n",
    "def pids(items):\n    import time\n    with multiprocessing.Pool(2):\n        time.sleep(1000)\n",
)


# -- uploads ------------------------------------------------------------------------------------------------


def zip_of(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_every_subfolder_and_archive_is_a_submission_named_after_it(tmp_path):
    write(tmp_path / "alice" / "step1" / "demo.py", SOLUTION)
    zip_of(tmp_path / "bob.zip", {"demo.py": SOLUTION})
    with tarfile.open(tmp_path / "carol.tar.gz", "w:gz") as archive:
        archive.add(tmp_path / "alice" / "step1" / "demo.py", arcname="step1/demo.py")
    zip_of(tmp_path / "alice.zip", {"demo.py": STUB})  # the same name as a folder
    write(tmp_path / "notes.txt", "not a submission")
    write(tmp_path / ".hidden" / "demo.py", STUB)
    write(tmp_path / "reports" / "alice.json", "{}")
    submissions, duplicates = find_submissions(tmp_path, ignore={(tmp_path / "reports").resolve()})
    assert [(s.name, s.path.name) for s in submissions] == [
        ("alice", "alice"),
        ("bob", "bob.zip"),
        ("carol", "carol.tar.gz"),
    ]
    assert len(duplicates) == 1 and "alice.zip" in duplicates[0] and "rename" in duplicates[0]


def test_an_archive_is_read_like_the_folder_it_holds_even_wrapped_in_one_folder(tmp_path):
    archive = zip_of(tmp_path / "alice.zip", {"alice/exercises/step1/demo.py": SOLUTION, "alice/notes.md": "#"})
    assert read_upload(Submission("alice", archive), MODULES) == {"exercises/step1/demo.py": SOLUTION.encode()}


def test_only_the_exercise_modules_are_taken_not_a_virtual_environment_zipped_along(tmp_path):
    archive = zip_of(
        tmp_path / "repo.zip",
        {
            "repo/exercises/step1/demo.py": SOLUTION,
            "repo/exercises/step1/test_demo.py": "def test_x(): pass",
            "repo/.venv/lib/python3.12/site-packages/demo.py": "not the learner's",
            "repo/.git/demo.py": "not the learner's",
            "repo/notes.py": "x = 1",
        },
    )
    assert read_upload(Submission("repo", archive), MODULES) == {"exercises/step1/demo.py": SOLUTION.encode()}


@pytest.mark.parametrize("member", ["../../outside.py", "/etc/outside.py", "step1/../../outside.py", "C:/outside.py"])
def test_a_zip_member_that_leaves_the_submission_refuses_the_upload(tmp_path, member):
    archive = zip_of(tmp_path / "evil.zip", {"step1/demo.py": SOLUTION, member: "x = 1"})
    with pytest.raises(InvalidUpload, match="outside the submission"):
        read_upload(Submission("evil", archive), MODULES)
    assert not (tmp_path.parent / "outside.py").exists()


def test_links_in_archives_are_refused_and_links_in_folders_not_followed(tmp_path):
    with tarfile.open(tmp_path / "tarlink.tar.gz", "w:gz") as archive:
        link = tarfile.TarInfo("step1/demo.py")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    with pytest.raises(InvalidUpload, match="link"):
        read_upload(Submission("tarlink", tmp_path / "tarlink.tar.gz"), MODULES)
    with zipfile.ZipFile(tmp_path / "ziplink.zip", "w") as archive:
        info = zipfile.ZipInfo("step1/demo.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(InvalidUpload, match="link"):
        read_upload(Submission("ziplink", tmp_path / "ziplink.zip"), MODULES)
    secret = write(tmp_path / "secret" / "demo.py", "SECRET = 1")
    write(tmp_path / "linker" / "exercises" / "step1" / "demo.py", "x = 1")
    (tmp_path / "linker" / "demo.py").symlink_to(secret)
    (tmp_path / "linker" / "step1").symlink_to(secret.parent)
    assert read_upload(Submission("linker", tmp_path / "linker"), MODULES) == {"exercises/step1/demo.py": b"x = 1"}


def test_an_unreadable_or_oversized_archive_is_refused_with_the_reason(tmp_path, monkeypatch):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InvalidUpload, match="broken.zip is not a readable zip archive"):
        read_upload(Submission("broken", tmp_path / "broken.zip"), MODULES)
    (tmp_path / "broken.tar.gz").write_bytes(b"not gzip")
    with pytest.raises(InvalidUpload, match="not a readable tar.gz archive"):
        read_upload(Submission("broken", tmp_path / "broken.tar.gz"), MODULES)
    monkeypatch.setattr("plugin.grading.uploads.MAX_UPLOAD_BYTES", 1000)
    archive = zip_of(tmp_path / "big.zip", {"demo.py": "x = 1\n" * 1000, "unrelated.py": "y = 2\n" * 10000})
    with pytest.raises(InvalidUpload, match="more than"):
        read_upload(Submission("big", archive), MODULES)


# -- the kit version and the gradebook ----------------------------------------------------------------------


def test_the_kit_version_follows_tests_stubs_and_plugin_but_not_the_plugins_own_tests(tmp_path):
    write(tmp_path / "exercises" / "step1" / "demo.py", STUB)
    write(tmp_path / "plugin" / "grade.py", "# grading\n")
    write(tmp_path / "plugin" / "tests" / "test_x.py", "# self-test\n")
    first = classbook.kit_version(tmp_path)
    write(tmp_path / "plugin" / "tests" / "test_x.py", "# another self-test\n")
    assert classbook.kit_version(tmp_path) == first
    write(tmp_path / "exercises" / "step1" / "demo.py", STUB + "\n# changed\n")
    assert classbook.kit_version(tmp_path) != first


def test_a_rerun_keeps_what_was_graded_with_the_same_kit_and_retries_what_could_not_be_graded(tmp_path):
    book = classbook.Gradebook(tmp_path / "book.csv", ["step1.double"])
    book.put({"name": "alice", "score": "3", "status": classbook.GRADED, "kit_version": "v1", "step1.double": "3"})
    book.put({"name": "bob", "status": classbook.INVALID, "kit_version": "v1"})
    book.put({"name": "carol", "status": classbook.NOT_GRADED, "kit_version": "v1"})
    again = classbook.Gradebook(tmp_path / "book.csv", ["step1.double"])
    assert again.rows["alice"]["step1.double"] == "3"
    assert [again.is_current(name, "v1") for name in ("alice", "bob", "carol", "dave")] == [True, True, False, False]
    assert not again.is_current("alice", "v2")


def test_a_row_says_tampering_and_why_points_were_lost():
    documents = {
        "lab": {"summary": {"score": 0, "max_score": 5}, "environment": {"seed": 42}},
        "gradescope": {
            "output": "Parallel Lab: 0 / 5 points\ntampering detected: 3 result line(s) were not written by the kit",
            "tests": [{"name": "step1.double: Double", "score": 0}],
        },
    }
    row = classbook.row_of("mallory", {"kit_version": "v1", "documents": documents}, "v1")
    assert (row["tampering"], row["seed"], row["step1.double"], row["status"]) == ("yes", "42", "0", classbook.GRADED)
    assert row["error"].startswith("tampering detected")
    differs = classbook.row_of("eve", {"kit_version": "v0", "documents": documents, "host": "node7"}, "v1")
    assert (
        differs["status"] == classbook.NOT_GRADED
        and "node7" in differs["error"]
        and "install this kit" in differs["error"]
    )


def test_a_grading_that_floods_its_output_or_hangs_is_bounded_and_leaves_nothing_running(tmp_path, monkeypatch):
    flood = [sys.executable, "-c", "import sys\nfor _ in range(200): sys.stdout.write('x' * 100_000)\nprint('the end')"]
    ending = classbook._run_bounded(flood, limit=60, cwd=str(tmp_path))
    assert ending["returncode"] == 0 and "printed 19 MB of output (discarded)" in ending["error"]
    assert ending["output_tail"].endswith("the end\n") and len(ending["output_tail"]) <= classbook.OUTPUT_TAIL_BYTES
    mark = uuid.uuid4().hex
    monkeypatch.setenv("PARALLEL_LAB_SELF_TEST", mark)
    # Like the grading command: its own child in a session of its own, which a process group kill would miss.
    hang = [
        sys.executable,
        "-c",
        (
            "import subprocess, sys, time\n"
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(1000)'], start_new_session=True)\n"
            "time.sleep(1000)"
        ),
    ]
    started = time.monotonic()
    ending = classbook._run_bounded(hang, limit=2, cwd=str(tmp_path))
    assert ending["returncode"] is None and "did not finish within 2 s" in ending["error"]
    assert time.monotonic() - started < 30
    _, survivors = psutil.wait_procs(processes_marked(mark), timeout=3)
    assert not survivors, [p.cmdline() for p in survivors]


def test_a_grading_command_that_fails_gives_a_row_not_graded_with_its_last_words(tmp_path):
    crash = [sys.executable, "-c", "import sys; print('grade: the grading could not run: disk full'); sys.exit(2)"]
    ending = classbook._run_bounded(crash, limit=60, cwd=str(tmp_path))
    assert ending["error"] == "the grading could not run (exit code 2): grade: the grading could not run: disk full"
    row = classbook.row_of("alice", {"kit_version": "v1", "documents": {}, **ending}, "v1")
    assert row["status"] == classbook.NOT_GRADED and row["error"] == ending["error"] and "score" not in row


def test_the_progress_bar_estimates_the_time_left_from_gradings_not_from_refused_uploads(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(classbook.clock, "perf_counter", lambda: now[0])
    stream = io.StringIO()
    progress = classbook.Progress(4, stream=stream)
    progress.advance("broken", "not a valid upload", graded=False)
    now[0] += 60
    progress.advance("alice", "5/5")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[######------------------] 1/4  broken: not a valid upload  elapsed 0:00, about ? left"
    assert lines[1] == "[############------------] 2/4  alice: 5/5  elapsed 1:00, about 2:00 left"


# -- whole classes ------------------------------------------------------------------------------------------------


def make_class(kit, with_zip: bool = True) -> Path:
    """The solutions, the stubs, a partial submission, a hanging one, and (optionally) the solutions zipped."""
    folder = kit.path / "class"
    write(folder / "a-solutions" / "step1" / "demo.py", SOLUTION)
    write(folder / "b-stubs" / "step1" / "demo.py", STUB)
    write(folder / "c-partial" / "exercises" / "step1" / "demo.py", HALF_DONE)
    write(folder / "d-hangs" / "demo.py", HANGING)
    if with_zip:
        zip_of(folder / "e-zipped.zip", {"e-zipped/step1/demo.py": SOLUTION})
    return folder


def grade_class(kit, folder: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict[str, dict]]:
    completed = subprocess.run(
        [sys.executable, "-m", "plugin.grade", f"--class={folder}", f"--kit={kit.path}", "--timeout=8", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with (folder / "gradebook.csv").open(newline="") as handle:
        return completed, {row["name"]: row for row in csv.DictReader(handle)}


SCORES = ("score", "max_score", "step1.double", "step1.pids")
EXPECTED = {
    "a-solutions": ("5", "5", "3", "2"),
    "b-stubs": ("0", "5", "0", "0"),
    "c-partial": ("1.5", "5", "1.5", "0"),
    "d-hangs": ("3", "5", "3", "0"),  # double finished before the whole-run timeout; pids did not
    "e-zipped": ("5", "5", "3", "2"),
}


def scores_of(rows: dict[str, dict]) -> dict[str, tuple[str, ...]]:
    return {name: tuple(row[column] for column in SCORES) for name, row in rows.items()}


@pytest.mark.slow  # grades five submissions end to end, twice (about 15 s)
def test_a_class_is_graded_into_one_row_per_submission_and_an_interrupted_run_resumes(kit, monkeypatch):
    mark = uuid.uuid4().hex
    monkeypatch.setenv("PARALLEL_LAB_SELF_TEST", mark)
    folder = make_class(kit)
    first, rows = grade_class(kit, folder, "--limit=2", f"--lab-json={kit.path / 'reports'}")
    assert sorted(rows) == ["a-solutions", "b-stubs"], first.stdout + first.stderr
    assert "2/2  b-stubs: 0/5" in first.stderr and "left" in first.stderr
    second, rows_after = grade_class(kit, folder, f"--lab-json={kit.path / 'reports'}")
    assert "Grading 3 of 5 submission(s)" in second.stdout and "2 already graded" in second.stdout
    assert "a-solutions" not in second.stderr and "3/3" in second.stderr
    for name in ("a-solutions", "b-stubs"):  # kept as they were, not graded again
        assert rows_after[name] == rows[name]
    assert scores_of(rows_after) == EXPECTED
    hang = rows_after["d-hangs"]
    assert "whole-run timeout (8 s)" in hang["error"] and hang["status"] == classbook.GRADED
    assert {row["tampering"] for row in rows_after.values()} == {"no"}
    assert len({row["seed"] for row in rows_after.values()}) == 5  # a new seed per submission
    reports = {path.stem: json.loads(path.read_text()) for path in (kit.path / "reports").glob("*.json")}
    assert {name: f"{r['summary']['score']:g}" for name, r in reports.items()} == {n: e[0] for n, e in EXPECTED.items()}
    _, survivors = psutil.wait_procs(processes_marked(mark), timeout=3)
    assert not survivors, [p.cmdline() for p in survivors]


@pytest.mark.slow
def test_a_class_graded_on_a_real_dask_scheduler_gets_the_local_gradebook(kit, monkeypatch, tmp_path):
    pytest.importorskip("distributed")
    mark = uuid.uuid4().hex
    monkeypatch.setenv("PARALLEL_LAB_SELF_TEST", mark)
    folder = make_class(kit, with_zip=False)
    _, local = grade_class(kit, folder)
    (folder / "gradebook.csv").rename(tmp_path / "local.csv")
    dask = [sys.executable, "-m", "dask"]
    scheduler_file = tmp_path / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": tmp_path}
    scheduler = subprocess.Popen(
        [
            *dask,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(scheduler_file),
        ],
        **quiet,
    )
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        refused = subprocess.run(
            [
                sys.executable,
                "-m",
                "plugin.grade",
                f"--class={folder}",
                f"--kit={kit.path}",
                f"--dask-scheduler={address}",
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert refused.returncode == 2 and "run: dask worker" in refused.stderr, refused.stderr
        worker = subprocess.Popen(
            [
                *dask,
                "worker",
                address,
                "--host",
                "127.0.0.1",
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--resources",
                "grading=1",
                "--no-dashboard",
            ],
            **quiet,
        )
        _, on_cluster = grade_class(kit, folder, f"--dask-scheduler={address}")
    finally:
        for server in filter(None, (worker, scheduler)):
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    assert scores_of(on_cluster) == scores_of(local) == {name: EXPECTED[name] for name in local}
    assert "whole-run timeout (8 s)" in on_cluster["d-hangs"]["error"]
    _, survivors = psutil.wait_procs(processes_marked(mark), timeout=10)
    assert not survivors, [p.cmdline() for p in survivors]
