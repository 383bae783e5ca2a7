"""What the grading command does so learner code cannot reach past its process: files, accounts, forks."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from plugin.boundary.forkwatch import fork_events
from plugin.boundary.learner import FORK_CONFIRM_S, Learner, LearnerContext
from plugin.boundary.server import Account
from plugin.grading import command as grade
from plugin.grading import sandbox
from plugin.targets import exercise_modules
from plugin.tests.minikit import REPO

pytestmark = pytest.mark.timeout(60)


# -- reading the upload ------------------------------------------------------------------------------------


def test_a_plain_module_of_the_upload_is_read(tmp_path):
    (tmp_path / "step1").mkdir()
    (tmp_path / "step1" / "demo.py").write_text("x = 1\n")
    assert sandbox.read_upload(tmp_path, Path("step1/demo.py")) == b"x = 1\n"
    with pytest.raises(FileNotFoundError):
        sandbox.read_upload(tmp_path, Path("step1/other.py"))
    with pytest.raises(FileNotFoundError):
        sandbox.read_upload(tmp_path, Path("step2/demo.py"))


def test_symlinks_fifos_devices_and_huge_files_in_the_upload_are_refused_at_once(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the grader's secret")
    upload = tmp_path / "upload"
    (upload / "step1").mkdir(parents=True)
    (upload / "zero.py").symlink_to("/dev/zero")
    (upload / "secret.py").symlink_to(secret)
    os.mkfifo(upload / "fifo.py")  # nobody ever writes to it: a blocking open would wait forever
    (upload / "big.py").write_bytes(b"#" * (sandbox.MAX_MODULE_BYTES + 1))
    (upload / "linked").symlink_to(upload / "step1", target_is_directory=True)
    (upload / "step1" / "demo.py").write_text("x = 1\n")
    started = time.monotonic()
    refusals = (
        ("zero.py", "Too many levels of symbolic links"),
        ("secret.py", "symbolic links"),
        ("fifo.py", "not a regular file"),
        ("big.py", "larger than"),
        ("linked/demo.py", "symbolic links|Not a directory"),
    )
    for name, why in refusals:
        with pytest.raises(sandbox.UploadError, match=why):
            sandbox.read_upload(upload, Path(name))
    assert time.monotonic() - started < 5


def test_arranging_an_upload_skips_what_is_not_a_plain_file_and_says_why(tmp_path):
    kit = Path(__file__).resolve().parents[2]
    step, module = exercise_modules(kit)[0]
    upload = tmp_path / "upload"
    (upload / step).mkdir(parents=True)
    (upload / step / f"{module}.py").symlink_to("/dev/zero")
    notes = grade.arrange_submission(upload, kit, tmp_path / "arranged")
    assert f"{step}/{module}.py in the submission was not read (Too many levels of symbolic links)" in notes, notes
    assert f"{step}/{module}.py is missing from the submission: its exercises are graded on the stub" in notes
    assert not (tmp_path / "arranged" / step / f"{module}.py").exists()


# -- writing the documents ---------------------------------------------------------------------------------


def test_a_document_replaces_a_fifo_or_a_symlink_left_at_its_path_without_opening_it(tmp_path):
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("untouched")
    fifo, link = tmp_path / "results.json", tmp_path / "lab.json"
    os.mkfifo(fifo)
    link.symlink_to(elsewhere)
    started = time.monotonic()
    sandbox.write_document(fifo, {"score": 1})
    sandbox.write_document(link, {"score": 2})
    assert time.monotonic() - started < 5
    assert json.loads(fifo.read_text()) == {"score": 1} and fifo.is_file() and not fifo.is_symlink()
    assert json.loads(link.read_text()) == {"score": 2} and not link.is_symlink()
    assert elsewhere.read_text() == "untouched"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere.json", "lab.json", "results.json"]


# -- the kit copy's fingerprint ------------------------------------------------------------------------------


def test_any_change_to_the_kit_copy_shows_in_its_fingerprint(tmp_path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "test_a.py").write_text("assert 1\n")
    (tmp_path / "exercises" / "test_b.py").write_text("assert 1\n")
    before = sandbox.fingerprint(tmp_path)
    assert sandbox.changed_entries(before, sandbox.fingerprint(tmp_path)) == []
    (tmp_path / "exercises" / "test_a.py").write_text("assert True\n")
    (tmp_path / "exercises" / "test_b.py").unlink()
    (tmp_path / "exercises" / "test_b.py").symlink_to("/dev/zero")
    (tmp_path / "conftest.py").write_text("")
    os.mkfifo(tmp_path / "fifo")
    assert sandbox.changed_entries(before, sandbox.fingerprint(tmp_path)) == [
        "conftest.py",
        "exercises/test_a.py",
        "exercises/test_b.py",
        "fifo",
    ]


# -- the account the child runs as -------------------------------------------------------------------------


def test_no_account_is_switched_to_when_the_grader_is_not_root(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert sandbox.learner_account() is None


@pytest.mark.skipif(os.geteuid() != 0, reason="the grader switches accounts only as root")
def test_as_root_the_learner_account_is_unprivileged_and_its_workplace_is_sealed():
    account = sandbox.learner_account()
    assert account is not None and account.uid != 0 and account.gid != 0
    with tempfile.TemporaryDirectory(prefix="parallel-lab-test-") as work:  # like the grader's: in /tmp
        _check_workplace(Path(work), account)


def _check_workplace(work: Path, account: sandbox.Account) -> None:
    kit, submission = work / "kit", work / "submission"
    (kit / "exercises").mkdir(parents=True)
    (kit / "exercises" / "test_a.py").write_text("")
    (kit / "exercises" / "test_a.py").chmod(0o666)
    submission.mkdir()
    workplace = sandbox.Workplace.prepare(work, kit, submission)
    if workplace.account is None:
        pytest.skip(workplace.warning)
    assert (kit / "exercises" / "test_a.py").stat().st_mode & 0o777 == 0o644
    assert workplace.home.stat().st_uid == account.uid and workplace.home.stat().st_mode & 0o777 == 0o700
    assert workplace.temp.stat().st_uid == 0 and workplace.temp.stat().st_mode & 0o777 == 0o711
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import os
            for path in ({str(kit / "exercises" / "test_a.py")!r}, {str(kit / "new.py")!r}):
                try:
                    open(path, "a").close()
                    print("wrote", path)
                except PermissionError:
                    print("refused")
            open(os.path.join(os.environ["HOME"], "scratch"), "w").close()
            print(os.getuid(), os.getgroups(), os.listdir({str(kit)!r}))
            try:
                os.listdir({str(work)!r})
            except PermissionError:
                print("cannot list the grader's folder")
        """),
        ],
        env={**os.environ, "HOME": str(workplace.home), "TMPDIR": str(workplace.home)},  # as a learner process
        capture_output=True,
        text=True,
        user=account.uid,
        group=account.gid,
        extra_groups=[],
    )
    assert probe.stdout.splitlines() == [
        "refused",
        "refused",
        f"{account.uid} [] ['exercises']",
        "cannot list the grader's folder",
    ], probe.stdout + probe.stderr


# -- the learner process, seen and held from outside ------------------------------------------------------


def fork_and_wait(seconds: float) -> None:
    """Run in the learner process: a copy of it made by fork, which lives ``seconds``."""
    pid = os.fork()
    if pid == 0:
        time.sleep(seconds)
        os._exit(0)
    os.waitpid(pid, 0)


def run_programs(count: int) -> None:
    """Run in the learner process: children that exec at once (the instant before their exec must not count)."""
    for _ in range(count):
        subprocess.run([sys.executable, "-c", "pass"], check=True)


@pytest.mark.parametrize("forks", [False, True])
def test_a_fork_of_the_learner_process_is_seen_from_outside_and_an_exec_is_not(forks, tmp_path):
    learner = Learner(LearnerContext("forkserver", {}, tmp_path))
    try:
        learner.run(run_programs, 20)
        if forks:
            learner.run(fork_and_wait, 0.2)
    finally:
        end = learner.close()
    assert FORK_CONFIRM_S < 0.2
    assert end.forked == (1 if forks else 0)


@pytest.mark.skipif(fork_events() is None, reason="the kernel's process events do not reach this process")
def test_forks_that_end_at_once_are_all_seen_where_the_kernel_reports_them(tmp_path):
    learner = Learner(LearnerContext("forkserver", {}, tmp_path))
    try:
        for _ in range(5):
            learner.run(fork_and_wait, 0.0)  # gone long before a sample of /proc could see it
        learner.run(run_programs, 5)
    finally:
        end = learner.close()
    assert end.forked == 5


def identity_and_reach(deciding_pid: int, kit_file: str, queue) -> dict:
    """Run in the learner process: who it is, and what it may do to the deciding process and the kit."""
    queue.put(os.getuid())  # a Queue handed over by inheritance works after the drop
    print("printed by the learner's code")
    found = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "home": os.environ["TMPDIR"]}
    attempts = {
        "signal": lambda: os.kill(deciding_pid, 0),
        "environ": lambda: open(f"/proc/{deciding_pid}/environ", "rb").close(),
        "memory": lambda: open(f"/proc/{deciding_pid}/mem", "rb").close(),
        "kit": lambda: open(kit_file, "a").close(),  # append mode, nothing written: harmless if it opened
        "root": lambda: os.setuid(0),
    }
    for name, attempt in attempts.items():
        try:
            attempt()
            found[name] = "done"
        except PermissionError:
            found[name] = "refused"
    return found


as_root = pytest.mark.skipif(os.geteuid() != 0, reason="learner processes change account only where the grader is root")


@pytest.fixture
def learner_as_the_account(tmp_path):
    """A Learner whose process runs as the grading account, in a home of its own, and that account."""
    found = sandbox.learner_account()
    if why := sandbox.python_unreachable(found):
        pytest.skip(f"the account cannot run this Python ({why})")
    home = Path(tempfile.mkdtemp(prefix="parallel-lab-home-"))
    os.chown(home, found.uid, found.gid)
    account = Account(found.uid, found.gid, str(home))
    learner = Learner(LearnerContext("forkserver", {}, tmp_path, account))
    try:
        yield learner, account
    finally:
        learner.close()
        shutil.rmtree(home)


@as_root
def test_as_root_the_learner_process_runs_as_the_account_and_cannot_reach_the_deciding_process(learner_as_the_account):
    learner, account = learner_as_the_account
    queue = multiprocessing.Queue()
    found = learner.run(identity_and_reach, os.getpid(), str(REPO / "pyproject.toml"), queue)
    assert queue.get(timeout=10) == account.uid
    end = learner.close()
    assert found == {
        "uid": account.uid,
        "gid": account.gid,
        "groups": [],
        "home": account.home,
        **dict.fromkeys(("signal", "environ", "memory", "kit", "root"), "refused"),
    }
    assert "printed by the learner's code" in end.output


def leave_a_segment() -> str:
    """In the learner process: a shared-memory segment never unlinked, and kept from the resource tracker
    (which would unlink it at exit), as a worker killed between create and unlink leaves one."""
    from multiprocessing import resource_tracker, shared_memory

    segment = shared_memory.SharedMemory(create=True, size=4096)
    resource_tracker.unregister(segment._name, "shared_memory")
    segment.close()
    return segment.name


@as_root
def test_as_root_a_segment_the_accounts_learner_process_leaves_is_found_and_unlinked(learner_as_the_account):
    learner, account = learner_as_the_account
    name = learner.run(leave_a_segment)
    try:
        assert (Path("/dev/shm") / name).stat().st_uid == account.uid
        end = learner.close()
        assert end.leftovers.segments == (name,), "a segment of the learner's account is the learner's leftover"
        assert not (Path("/dev/shm") / name).exists()
    finally:
        (Path("/dev/shm") / name).unlink(missing_ok=True)


def test_the_grading_time_limit_interrupts_a_wait_that_would_not_end():
    read_end, write_end = os.pipe()
    started = time.monotonic()
    try:
        with pytest.raises(grade.GradingTimeLimit, match="longer than its limit of 0.3 s"), grade.time_limit(0.3):
            os.read(read_end, 1)  # nothing will ever be written
    finally:
        os.close(read_end)
        os.close(write_end)
    assert time.monotonic() - started < 5
