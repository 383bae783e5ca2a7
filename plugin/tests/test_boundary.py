"""The grading command against a learner who attacks the grader itself (issue 10): it is neither crashed
nor hung, it writes its documents whatever happens, learner processes run unprivileged where the grader
is root and hold no descriptor of the result channel, and forks under a non-fork start method are seen
from outside. Each submission here is written fresh, as an attacker would write it; a result channel
that carries what the kit never writes is simulated by a plugin loaded beside the kit's in the deciding
process (learner code can no longer reach the channel)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jsonschema
import pytest

from plugin.grading import child as grade_child
from plugin.grading import command as grade_command
from plugin.grading import sandbox
from plugin.tests.minikit import SOLUTION, STUB, write
from plugin.tests.test_grading import CLASSROOM_SCHEMA, GRADESCOPE_SCHEMA

pytestmark = pytest.mark.timeout(240)

DOCUMENTS = ("lab", "gradescope", "classroom")
WRONG = SOLUTION.replace("return 2 * x", "return 0")  # earns nothing unless it cheats

# Learner code that acts once, in the learner process itself (not in its pool workers, which import the
# module too): its process is named by the kit.
IN_THE_LEARNER_PROCESS = """
import multiprocessing, os, sys
_LEARNER = multiprocessing.current_process().name == "LearnerProcess"
"""


@pytest.fixture
def dropbox():
    """A folder any account can write to: learner code tells the test what it saw there (pytest captures
    the child's output while it collects, and the child's own folders are gone after the grading)."""
    folder = Path(tempfile.mkdtemp(prefix="parallel-lab-dropbox-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder)


def telling(dropbox: Path) -> str:
    path = str(dropbox / "said")
    return f"\ndef _tell(*words):\n    with open({path!r}, 'a') as said:\n        print(*words, file=said)\n"


def said(dropbox: Path) -> list[str]:
    path = dropbox / "said"
    return path.read_text().splitlines() if path.exists() else []


def child_runs_unprivileged() -> bool:
    account = sandbox.learner_account()
    return account is not None and sandbox.python_unreachable(account) is None


def graded(kit, upload, *args: str, run_timeout: float = 90) -> tuple[subprocess.CompletedProcess, dict, float]:
    """``python -m plugin.grade`` on the mini kit: its output, its three documents (always written), its time."""
    paths = {name: kit.path / f"graded-{name}.json" for name in DOCUMENTS}
    started = time.monotonic()
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "plugin.grade",
            str(upload),
            f"--kit={kit.path}",
            f"--timeout={run_timeout}",
            *(f"--{'lab-json' if name == 'lab' else name}={path}" for name, path in paths.items()),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=run_timeout + grade_command.SETUP_LIMIT_S + 30,
    )
    elapsed = time.monotonic() - started
    assert "Traceback" not in completed.stderr, completed.stderr
    documents = {name: json.loads(path.read_text()) for name, path in paths.items()}
    jsonschema.validate(documents["gradescope"], GRADESCOPE_SCHEMA)
    jsonschema.validate(documents["classroom"], CLASSROOM_SCHEMA)
    return completed, documents, elapsed


def upload_of(kit, module: str, name: str = "upload"):
    folder = kit.path / name
    write(folder / "step1" / "demo.py", module)
    return folder


# -- the grader cannot be crashed or hung ------------------------------------------------------------------


# A deciding process gone wrong, simulated: a plugin loaded beside the kit's writes into the channel.
BROKEN_SIDES = {
    "malformed-lines": (
        """
import hashlib, hmac, json, os
import pytest

@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    if config.option.collectonly:  # the grading's collection of the expected tests goes well
        return
    fd = config.option.lab_stream_fd
    os.write(fd, b'{"body": 1, "mac": "x"}\\n')  # not even a string to sign
    key = config.pluginmanager.get_plugin("lab-stream").key  # well signed, of a shape the kit never writes
    body = json.dumps({"event": "phase", "nodeid": "x", "exercise": "step1.double", "outcome": {"passed": True}})
    mac = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    os.write(fd, json.dumps({"body": body, "mac": mac}).encode() + b"\\n")
""",
        "the result channel carried what the kit never writes (2 result line(s) were not written by the kit)",
    ),
    "huge-line-and-flood": (
        """
import os
import pytest

@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    if config.option.collectonly:  # the grading's collection of the expected tests goes well
        return
    fd = config.option.lab_stream_fd
    os.write(fd, b"x" * (3 * 1024 * 1024) + b"\\n")
    for _ in range(80):
        os.write(fd, (b"y" * 1023 + b"\\n") * 1024)  # 80 MiB of short lines
""",
        "1 result line(s) longer than 1024 KiB were sent to the grader; the result channel was flooded with more "
        "than 64 MiB",
    ),
    "channel-swapped-for-a-full-fifo": (
        """
import os
import pytest

@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    if config.option.collectonly:  # the grading's collection of the expected tests goes well
        return
    fd = config.option.lab_stream_fd
    fifo = os.path.join(os.environ["TMPDIR"], "channel.fifo")
    os.mkfifo(fifo)
    swapped = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        while True:
            os.write(swapped, b"#" * 4096)
    except BlockingIOError:
        pass
    os.set_blocking(swapped, True)
    os.dup2(swapped, fd)  # the kit's next line blocks: nobody reads this FIFO
""",
        "the run reported no result at all: the whole-run timeout (15 s) ended the run before every test finished",
    ),
}


@pytest.mark.slow  # an end-to-end case: a whole grading
@pytest.mark.parametrize("broken", list(BROKEN_SIDES))
def test_a_result_channel_carrying_what_the_kit_never_writes_ends_in_exit_2_and_documents(
    broken, kit, monkeypatch, tmp_path, capsys
):
    source, reason = BROKEN_SIDES[broken]
    write(tmp_path / "broken_side.py", source)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))
    monkeypatch.setattr(grade_child, "CHILD_PLUGINS", (*grade_child.CHILD_PLUGINS, "-p", "broken_side"))
    paths = {name: tmp_path / f"{name}.json" for name in ("gradescope", "classroom")}
    started = time.monotonic()
    status = grade_command.main(
        [str(upload_of(kit, SOLUTION)), f"--kit={kit.path}", "--timeout=15", *(f"--{n}={p}" for n, p in paths.items())]
    )
    assert time.monotonic() - started < 15 + 60  # the run's timeout, plus collecting and writing
    assert status == 2
    gradescope, classroom = (json.loads(path.read_text()) for path in paths.values())
    assert gradescope["score"] == 0 and classroom["status"] == "error"
    assert "could not grade: " in gradescope["output"], gradescope["output"]
    assert reason in gradescope["output"], gradescope["output"]
    assert "could not grade" in capsys.readouterr().err


@pytest.mark.slow  # an end-to-end tamper case
def test_an_upload_of_symlinks_and_fifos_is_not_read_and_documents_replace_what_was_at_their_paths(kit, tmp_path):
    secret = tmp_path / "secret.py"
    secret.write_text("def double(x):\n    return 2 * x\n")  # a grader's file the upload points at
    upload = kit.path / "upload"
    (upload / "step1").mkdir(parents=True)
    (upload / "step1" / "demo.py").symlink_to("/dev/zero")
    (upload / "exercises" / "step1").mkdir(parents=True)
    (upload / "exercises" / "step1" / "demo.py").symlink_to(secret)
    os.mkfifo(upload / "demo.py")
    fifo, link = kit.path / "graded-gradescope.json", kit.path / "graded-lab.json"
    os.mkfifo(fifo)  # a grader that opened this to write would wait for a reader forever
    link.symlink_to(secret)
    completed, documents, elapsed = graded(kit, upload)
    assert completed.returncode == 1 and elapsed < 120
    output = documents["gradescope"]["output"]
    assert "step1/demo.py in the submission was not read (Too many levels of symbolic links)" in output
    assert "exercises/step1/demo.py in the submission was not read" in output
    assert "demo.py in the submission was not read (not a regular file)" in output
    assert "step1/demo.py is missing from the submission: its exercises are graded on the stub" in output
    assert documents["gradescope"]["score"] == 0
    assert fifo.is_file() and not link.is_symlink()
    assert secret.read_text().startswith("def double")


def test_a_missing_submission_folder_still_gets_documents_saying_it_could_not_be_graded(kit):
    completed, documents, _ = graded(kit, kit.path / "nowhere")
    assert completed.returncode == 2
    assert "could not grade: " in completed.stderr and "nowhere: no such folder" in completed.stderr
    assert documents["gradescope"]["score"] == 0
    assert [t["max_score"] for t in documents["gradescope"]["tests"]] == [3, 2]  # each exercise, at 0
    assert all("could not grade" in t["output"] for t in documents["gradescope"]["tests"])
    assert documents["classroom"]["status"] == "error"
    assert documents["lab"]["error"].startswith("could not grade: ")


def test_a_broken_kit_still_gets_documents_saying_it_could_not_be_graded(kit):
    write(kit.path / "exercises" / "step1" / "__init__.py", "EXERCISES = {")
    completed, documents, _ = graded(kit, upload_of(kit, SOLUTION))
    assert completed.returncode == 2
    assert documents["gradescope"]["score"] == 0 and documents["gradescope"]["tests"] == []
    assert "could not grade" in documents["gradescope"]["output"]
    assert documents["classroom"]["status"] == "error"


def test_a_bug_in_the_grader_ends_in_documents_and_exit_2_not_a_traceback(kit, monkeypatch, capsys):
    def broken(*args):
        raise KeyError("a bug")

    monkeypatch.setattr(grade_command, "grade", broken)
    path = kit.path / "results.json"
    status = grade_command.main([str(upload_of(kit, SOLUTION)), f"--kit={kit.path}", f"--gradescope={path}"])
    assert status == 2
    assert "KeyError: 'a bug'" in capsys.readouterr().err
    assert "could not grade: the grading command failed (KeyError" in json.loads(path.read_text())["output"]


# -- least privilege -------------------------------------------------------------------------------------


@pytest.mark.slow  # an end-to-end tamper case
def test_rewriting_the_kits_tests_at_import_fails_or_is_flagged(kit, dropbox):
    cheat = (
        WRONG
        + telling(dropbox)
        + (
            "import pathlib\n"
            "_tests = pathlib.Path.cwd() / 'exercises' / 'step1' / 'test_demo.py'\n"
            "try:\n"
            "    _tests.write_text('import pytest\\n\\n@pytest.mark.exercise(\"step1.double\")\\n'\n"
            "                      'def test_double():\\n    pass\\n')\n"
            "    (pathlib.Path.cwd() / 'conftest.py').write_text('')\n"
            "except PermissionError:\n"
            "    _tell('REWRITE REFUSED')\n"
        )
    )
    completed, documents, _ = graded(kit, upload_of(kit, cheat))
    double = next(test for test in documents["gradescope"]["tests"] if test["name"].startswith("step1.double"))
    assert double["score"] == 0  # its honest score: the rewritten test never counted
    refused = "REWRITE REFUSED" in said(dropbox)
    flagged = (
        "tampering detected: the kit's files were changed during the run: conftest.py, exercises"
        in (documents["gradescope"]["output"])
    )
    assert refused or flagged
    assert refused == child_runs_unprivileged()


REVEAL_THE_CHANNEL = """
import os
import pytest

@pytest.hookimpl(trylast=True)
def pytest_configure(config):  # the deciding process tells the test what its channel is
    with open(os.environ["DROPBOX_CHANNEL"], "w") as told:
        told.write(os.readlink(f"/proc/self/fd/{config.option.lab_stream_fd}"))
"""


@pytest.mark.slow  # an end-to-end tamper case
def test_the_learner_process_holds_no_descriptor_of_the_result_channel_nor_its_key(kit, dropbox, monkeypatch):
    cheat = (
        WRONG
        + IN_THE_LEARNER_PROCESS
        + telling(dropbox)
        + (
            "import glob, json\n"
            "if _LEARNER:\n"
            "    _open = sorted(os.readlink(path) for path in glob.glob('/proc/self/fd/*') if os.path.exists(path))\n"
            "    _tell(json.dumps({'open': _open, 'key': [k for k in os.environ if 'STREAM' in k]}))\n"
        )
    )
    write(dropbox / "reveal_channel.py", REVEAL_THE_CHANNEL)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(dropbox), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("DROPBOX_CHANNEL", str(dropbox / "channel"))
    monkeypatch.setattr(grade_child, "CHILD_PLUGINS", (*grade_child.CHILD_PLUGINS, "-p", "reveal_channel"))
    path = kit.path / "gradescope.json"
    status = grade_command.main([str(upload_of(kit, cheat)), f"--kit={kit.path}", f"--gradescope={path}"])
    assert status == 1 and json.loads(path.read_text())["score"] == 2  # its honest score: pids is right
    channel = (dropbox / "channel").read_text()
    assert channel.startswith("pipe:")
    seen = [json.loads(line) for line in said(dropbox)]
    assert seen, "the learner's code never ran"
    for learner in seen:  # one learner process per test that called the learner's code
        assert channel not in learner["open"], learner
        assert learner["key"] == [], learner


@pytest.mark.skipif(
    not child_runs_unprivileged(), reason="learner processes run as another account only when the grader is root"
)
@pytest.mark.slow  # an end-to-end tamper case
def test_as_root_the_learner_process_can_neither_signal_nor_read_the_deciding_process(kit, dropbox):
    cheat = (
        SOLUTION
        + IN_THE_LEARNER_PROCESS
        + telling(dropbox)
        + (
            "import signal\n"
            "def _try(name, action):\n"
            "    try:\n"
            "        action()\n"
            "        _tell(name, 'DONE')\n"
            "    except PermissionError:\n"
            "        _tell(name, 'REFUSED')\n"
            "if _LEARNER and not os.path.exists(os.path.join(os.environ['TMPDIR'], 'tried')):\n"
            "    open(os.path.join(os.environ['TMPDIR'], 'tried'), 'w').close()  # once: the account's own folder\n"
            "    _grader = multiprocessing.parent_process().pid  # the deciding process\n"
            "    _try('environ', lambda: open(f'/proc/{_grader}/environ', 'rb').read())\n"
            "    _try('workdir', lambda: os.listdir(os.path.dirname(os.getcwd())))\n"
            "    _try('signal', lambda: os.kill(_grader, signal.SIGKILL))\n"
            "    _try('forkserver', lambda: os.kill(os.getppid(), signal.SIGKILL))\n"
        )
    )
    completed, documents, _ = graded(kit, upload_of(kit, cheat))
    assert completed.returncode == 0, completed.stdout + completed.stderr  # the grader lived: full marks
    assert documents["gradescope"]["score"] == 5
    assert said(dropbox) == ["environ REFUSED", "workdir REFUSED", "signal REFUSED", "forkserver REFUSED"]


# -- the start method, observed from outside ---------------------------------------------------------------


@pytest.mark.slow  # an end-to-end tamper case
def test_forcing_the_fork_start_method_at_import_is_seen_from_outside(kit):
    fork_only = (
        STUB.replace(
            'def double(x):\n    """Return 2 * x."""\n    raise NotImplementedError("step1.double: see the docstring")',
            "def double(x):\n    return 2 * x",
        ).replace(
            '    raise NotImplementedError("step1.pids: see the docstring")',
            "    import multiprocessing, os, time\n"
            "    queue = multiprocessing.Queue()\n"
            "    def report():  # a local function: it cannot be pickled, so only fork can start it\n"
            "        time.sleep(3)  # the work: longer than the watch needs to tell a copy from a start\n"
            "        queue.put(os.getpid())\n"
            "    workers = [multiprocessing.Process(target=report) for _ in items]\n"
            "    for worker in workers:\n"
            "        worker.start()\n"
            "    found = [queue.get(timeout=30) for _ in workers]\n"
            "    for worker in workers:\n"
            "        worker.join()\n"
            "    return found",
        )
        + "\nimport multiprocessing\nmultiprocessing.set_start_method('fork', force=True)\n"
    )
    completed, documents, _ = graded(kit, upload_of(kit, fork_only))
    output = documents["gradescope"]["output"]
    assert documents["gradescope"]["score"] == 0, output
    assert re.search(
        r"tampering detected: .*\d+ process\(es\) were forked from the process running the submission "
        r"although the grading runs under (forkserver|spawn)",
        output,
    ), output


# -- the test's folder, handed to the learner's account ----------------------------------------------------

FILES_CATALOG = """
TITLE = "Files"
EXERCISES = {"save_all": {"title": "Save values to files", "hint": "One file per value."}}
"""
FILES_STUB = '''
def save_all(values, folder):
    """Write each value to folder/<index>.txt; return the number of files written."""
    raise NotImplementedError("step2.save_all: see the docstring")
'''
FILES_SOLUTION = """
import os


def save_all(values, folder):
    for index, value in enumerate(values):
        with open(os.path.join(folder, f"{index}.txt"), "w") as file:
            file.write(str(value))
    return len(values)
"""
FILES_TESTS = """
import pytest

from exercises.step2.files import save_all


@pytest.mark.exercise("step2.save_all")
def test_save_all_writes_into_the_tests_folder(tmp_path):
    out = tmp_path / "out"  # made by the test, written by the learner's code
    out.mkdir()
    assert save_all([3, 1, 2], str(out)) == 3
    assert sorted(path.read_text() for path in out.iterdir()) == ["1", "2", "3"]
"""


@pytest.mark.slow  # an end-to-end case: a whole grading
def test_the_learner_writes_into_a_folder_the_test_made_in_its_tmp_path_whatever_the_account(kit):
    write(kit.path / "exercises" / "step2" / "__init__.py", FILES_CATALOG)
    write(kit.path / "exercises" / "step2" / "files.py", FILES_STUB)
    write(kit.path / "exercises" / "step2" / "test_files.py", FILES_TESTS)
    upload = upload_of(kit, SOLUTION)
    write(upload / "step2" / "files.py", FILES_SOLUTION)
    completed, documents, _ = graded(kit, upload)
    tests = "\n".join(f"{test['name']}: {test['score']} {test['output']}" for test in documents["gradescope"]["tests"])
    assert completed.returncode == 0, tests
    assert documents["gradescope"]["score"] == 6
