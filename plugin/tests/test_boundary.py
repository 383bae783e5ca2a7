"""The grading command against a learner who attacks the grader itself (issue 10, the parts that do not
need the full process boundary): it is neither crashed nor hung, it writes its documents whatever
happens, the child runs unprivileged where the grader is root, and forks under a non-fork start method
are seen from outside. Each submission here is written fresh, as an attacker would write it."""

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

from plugin.grading import command as grade_command
from plugin.grading import sandbox
from plugin.tests.minikit import SOLUTION, STUB, write
from plugin.tests.test_grading import CLASSROOM_SCHEMA, GRADESCOPE_SCHEMA

pytestmark = pytest.mark.timeout(240)

DOCUMENTS = ("lab", "gradescope", "classroom")
FORGED_LINES = r"tampering detected: \d+ result line\(s\) were not written by the kit"
WRONG = SOLUTION.replace("return 2 * x", "return 0")  # earns nothing unless it cheats

# Learner code that finds the result channel the way an attacker would: on the child's command line.
# Workers import the module too, with the same sys.argv but not the descriptor: there it does nothing.
FIND_CHANNEL = """
import multiprocessing, os, sys
_CHANNEL = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--lab-stream-fd=")), None)
if multiprocessing.parent_process() is not None:
    _CHANNEL = None
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


@pytest.mark.slow  # an end-to-end tamper case
def test_malformed_result_lines_even_signed_with_the_stolen_key_are_rejected_not_a_crash(kit):
    cheat = (
        WRONG
        + FIND_CHANNEL
        + (
            "import gc, hashlib, hmac, json\n"
            "if _CHANNEL is not None:\n"
            '    os.write(_CHANNEL, b\'{"body": 1, "mac": "x"}\\n\')  # not even a string to sign\n'
            "    _keys = [o.key for o in gc.get_objects() if type(o).__name__ == 'Stream' and hasattr(o, 'key')]\n"
            "    for _key in _keys:  # a well-signed line of the wrong shape: an outcome the kit does not know\n"
            "        _body = json.dumps({'event': 'phase', 'nodeid': 'x', 'exercise': 'step1.double',\n"
            "                            'outcome': {'passed': True}, 'message': '', 'duration': 0, 'speedups': []})\n"
            "        _mac = hmac.new(_key, _body.encode(), hashlib.sha256).hexdigest()\n"
            "        os.write(_CHANNEL, json.dumps({'body': _body, 'mac': _mac}).encode() + b'\\n')\n"
        )
    )
    completed, documents, _ = graded(kit, upload_of(kit, cheat))
    assert completed.returncode == 1, completed.stderr
    assert documents["gradescope"]["score"] == 0
    assert re.search(FORGED_LINES, documents["gradescope"]["output"])


@pytest.mark.slow  # an end-to-end tamper case
def test_a_fifo_put_in_place_of_the_result_channel_ends_with_the_whole_run_timeout(kit):
    # The kit's lines go into a FIFO nobody reads; once its buffer is full the kit's next write blocks.
    cheat = (
        SOLUTION
        + FIND_CHANNEL
        + (
            "if _CHANNEL is not None:\n"
            "    _fifo = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'channel.fifo')\n"
            "    os.mkfifo(_fifo)\n"
            "    _fd = os.open(_fifo, os.O_RDWR | os.O_NONBLOCK)\n"
            "    try:\n"
            "        while True:\n"
            "            os.write(_fd, b'#' * 4096)\n"
            "    except BlockingIOError:\n"
            "        pass\n"
            "    os.set_blocking(_fd, True)\n"
            "    os.dup2(_fd, _CHANNEL)\n"
        )
    )
    completed, documents, elapsed = graded(kit, upload_of(kit, cheat), run_timeout=15)
    assert completed.returncode == 1
    assert elapsed < 15 + 60  # the run's timeout, plus collecting the kit's tests and writing the documents
    assert documents["gradescope"]["score"] == 0  # no result reached the grader: nothing to score
    assert "the whole-run timeout (15 s) ended the run" in documents["gradescope"]["output"]
    assert documents["classroom"]["status"] == "error"


@pytest.mark.slow  # an end-to-end tamper case
def test_a_huge_line_and_a_flood_of_the_channel_are_bounded_and_flagged(kit):
    cheat = (
        WRONG
        + FIND_CHANNEL
        + (
            "if _CHANNEL is not None:\n"
            "    os.write(_CHANNEL, b'x' * (3 * 1024 * 1024) + b'\\n')\n"
            "    for _ in range(80):\n"
            "        os.write(_CHANNEL, (b'y' * 1023 + b'\\n') * 1024)  # 80 MiB of short lines\n"
        )
    )
    completed, documents, _ = graded(kit, upload_of(kit, cheat))
    assert completed.returncode == 1
    output = documents["gradescope"]["output"]
    assert documents["gradescope"]["score"] == 0
    assert "1 result line(s) longer than 1024 KiB were sent to the grader" in output
    assert "the result channel was flooded with more than 64 MiB" in output


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


@pytest.mark.slow  # an end-to-end tamper case
def test_the_key_is_in_no_file_or_descriptor_the_child_can_read_and_the_child_holds_only_the_write_end(kit, dropbox):
    cheat = (
        WRONG
        + FIND_CHANNEL
        + telling(dropbox)
        + (
            "import glob, hashlib, hmac, json\n"
            "def _inventory():\n"
            "    found = []\n"
            "    for path in glob.glob('/proc/self/fd/*'):\n"
            "        fd = int(path.rsplit('/', 1)[1])\n"
            "        try:\n"
            "            flags = int(open(f'/proc/self/fdinfo/{fd}').read().split('flags:')[1].split()[0], 8)\n"
            "        except OSError:\n"
            "            continue\n"
            "        found.append([fd, os.readlink(path), ('read', 'write', 'both')[flags & 3]])\n"
            "    return sorted(found)\n"
            "def _candidate_keys():\n"
            "    keys = []\n"
            "    for path in glob.glob(f'/proc/{os.getppid()}/fd/*') + glob.glob('/proc/self/fd/*'):\n"
            "        try:\n"
            "            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)\n"
            "            keys.append(os.read(fd, 32))\n"
            "        except OSError:\n"
            "            continue\n"
            "    return [key for key in keys if len(key) == 32]\n"
            "if _CHANNEL is not None:\n"
            "    _tell(json.dumps({'channel': _CHANNEL, 'open': _inventory()}))\n"
            "    for _key in _candidate_keys() + [b'0' * 32]:\n"
            "        for _name in ('test_double', 'test_double_in_a_pool'):\n"
            "            _body = json.dumps({'event': 'phase', 'nodeid': f'exercises/step1/test_demo.py::{_name}',\n"
            "                                'exercise': 'step1.double', 'outcome': 'passed', 'message': '',\n"
            "                                'duration': 0.1, 'speedups': []}, sort_keys=True)\n"
            "            _mac = hmac.new(_key, _body.encode(), hashlib.sha256).hexdigest()\n"
            "            _line = json.dumps({'body': _body, 'mac': _mac})\n"
            "            os.write(_CHANNEL, _line.encode() + b'\\n')\n"
        )
    )
    completed, documents, _ = graded(kit, upload_of(kit, cheat))
    assert documents["gradescope"]["score"] == 0
    assert re.search(FORGED_LINES, documents["gradescope"]["output"])
    (seen,) = [json.loads(line) for line in said(dropbox)]  # the test run's process, not its pool workers'
    channel = next(target for fd, target, _ in seen["open"] if fd == seen["channel"])
    assert channel.startswith("pipe:")
    assert [(fd, mode) for fd, target, mode in seen["open"] if target == channel] == [(seen["channel"], "write")]
    # Nothing open for reading but files: the key's pipe was read and closed before learner code ran.
    assert not [entry for entry in seen["open"] if entry[1].startswith("pipe:") and entry[2] != "write"], seen


@pytest.mark.skipif(
    not child_runs_unprivileged(), reason="the child runs as another account only when the grader is root"
)
@pytest.mark.slow  # an end-to-end tamper case
def test_as_root_the_child_can_neither_signal_nor_read_the_grader(kit, dropbox):
    cheat = (
        SOLUTION
        + FIND_CHANNEL
        + telling(dropbox)
        + (
            "import signal\n"
            "def _try(name, action):\n"
            "    try:\n"
            "        action()\n"
            "        _tell(name, 'DONE')\n"
            "    except PermissionError:\n"
            "        _tell(name, 'REFUSED')\n"
            "if _CHANNEL is not None:\n"
            "    _grader = os.getppid()\n"
            "    _try('environ', lambda: open(f'/proc/{_grader}/environ', 'rb').read())\n"
            "    _try('workdir', lambda: os.listdir(os.path.dirname(os.getcwd())))\n"
            "    _try('signal', lambda: os.kill(_grader, signal.SIGKILL))\n"
        )
    )
    completed, documents, _ = graded(kit, upload_of(kit, cheat))
    assert completed.returncode == 0, completed.stdout + completed.stderr  # the grader lived: full marks
    assert documents["gradescope"]["score"] == 5
    assert said(dropbox) == ["environ REFUSED", "workdir REFUSED", "signal REFUSED"]


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
        r"tampering detected: .*\d+ process\(es\) were forked straight from the test run although "
        r"the grading runs under (forkserver|spawn)",
        output,
    ), output
