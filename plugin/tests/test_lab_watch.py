"""lab watch as a learner uses it: in a real pseudo-terminal, on a copy of the kit with pristine stubs.

Slow (each save runs real tests): ``pytest plugin/tests/test_lab_watch.py -m slow``.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import uuid

import pytest

from plugin.catalog import load_catalog
from plugin.tests.labkit import copy_kit, implement
from plugin.tests.minikit import PID_TESTS, REPO, processes_marked

pexpect = pytest.importorskip("pexpect")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

WRONG_PIDS = "return os.getpid(), os.getpid()"
RIGHT_PIDS = """
queue = multiprocessing.Queue()
child = multiprocessing.Process(target=report_pid, args=(queue,))
child.start()
child_pid = queue.get()
child.join()
return os.getpid(), child_pid
"""
SCREEN_TIMEOUT_S = 60  # a run of a step under a loaded 2-core machine, with time to spare


def function_of(module_text: str, name: str) -> str:
    """The text from ``def name`` to the next top-level ``def`` (the test's own reading, not lab's)."""
    match = re.search(rf"^def {name}\(.*?(?=^def |\Z)", module_text, re.MULTILINE | re.DOTALL)
    return match.group(0)


@pytest.fixture
def lab_in_a_terminal(tmp_path, request):
    """Start ``lab`` (then ``stty -a``, to read the terminal modes it leaves) in a pseudo-terminal;
    ``@pytest.mark.lab_args(...)``: lab's arguments."""
    marker = request.node.get_closest_marker("lab_args")
    lab_args = " ".join(marker.args) if marker else ""
    kit = copy_kit(tmp_path / "kit")
    mark = uuid.uuid4().hex
    env = {**os.environ, "PARALLEL_LAB_SELF_TEST": mark, "TERM": "xterm"}
    # The shell outlives a Ctrl-C meant for lab (a trap, not an ignored signal, which lab would inherit).
    command = f"trap true INT; {sys.executable} -m plugin.lab {lab_args}; echo lab-exit=$?; stty -a"
    child = pexpect.spawn(
        "/bin/sh", ["-c", command], cwd=kit, env=env, encoding="utf-8", dimensions=(60, 140), timeout=SCREEN_TIMEOUT_S
    )
    child.logfile_read = open(kit.parent / "screen.log", "w")  # noqa: SIM115 - pexpect writes it until the end
    yield kit, child, mark
    if not child.closed:
        with contextlib.suppress(pexpect.ExceptionPexpect):  # the plugin's leftover check may have reaped it
            child.close(force=True)
    for process in processes_marked(mark):  # a failed test must not leave lab's processes running
        process.kill()


def expect_all(child, *patterns: str) -> None:
    for pattern in patterns:
        child.expect_exact(pattern)


def quit_cleanly(child, mark) -> None:
    child.expect_exact("lab-exit=1")
    child.expect(pexpect.EOF)
    child.close()  # reaps the shell
    modes = child.before
    assert re.search(r"(?<!-)icanon", modes) and re.search(r"(?<!-)echo\b", modes), modes  # cooked mode again
    # lab ends its runs before it exits: nothing of it may be left even a moment later
    assert processes_marked(mark) == []


def test_a_learner_session(lab_in_a_terminal):
    kit, child, mark = lab_in_a_terminal
    module = kit / "exercises" / "step1" / "processes.py"
    pristine = module.read_text(encoding="utf-8")

    # the pristine stubs: the first exercise is todo, with the line to edit
    expect_all(
        child,
        "step1.parent_and_child_pids — Run a function in a child process",
        f"status: todo (0/{PID_TESTS} tests pass)",
    )
    expect_all(child, "not implemented yet: exercises/step1/processes.py:24", "run #1 took")

    # a wrong implementation: the plugin's friendly failure
    implement(module, "step1.parent_and_child_pids", WRONG_PIDS)
    child.expect(rf"status: failing \(\d/{PID_TESTS} tests pass\)")
    expect_all(child, "report_pid ran in this process", "run #2 took")

    # x asks first; anything but y keeps the code; y puts the stub back and keeps the rest
    child.send("x")
    child.expect_exact("Reset step1.parent_and_child_pids to its stub?")
    child.send("n")
    child.expect_exact("reset cancelled: nothing changed.")
    assert WRONG_PIDS in module.read_text(encoding="utf-8")
    child.send("x")
    child.expect_exact("[y/N]")
    child.send("y")
    child.expect_exact("step1.parent_and_child_pids is back to its stub in exercises/step1/processes.py.")
    assert module.read_text(encoding="utf-8") == pristine
    expect_all(child, f"status: todo (0/{PID_TESTS} tests pass)", "run #3 took")  # the reset was a save: checked again

    # a right one: done, the cursor moves on, and the whole step is checked
    implement(module, "step1.parent_and_child_pids", RIGHT_PIDS)
    expect_all(child, "step1.parent_and_child_pids is done: on to step1.run_workers.", "running the whole of step1")
    expect_all(child, "[#####---------------] 1/4 done", "step1.run_workers — Run several processes at the same time")
    expect_all(child, "run #5 took")
    assert function_of(module.read_text(encoding="utf-8"), "run_workers") == function_of(pristine, "run_workers")

    child.send("h")
    full_hint = load_catalog(REPO).exercises["step1.run_workers"].hint_full
    child.expect_exact("hint: " + " ".join(full_hint.split()[:6]))
    child.send("n")
    child.expect_exact("step1.collect_results — Bring results back through a Queue")
    child.send("l")
    child.expect(r"step1\.parent_and_child_pids\s+done")
    child.expect_exact("press any key to go back")
    child.send(" ")
    child.expect_exact("keys: h hint")
    child.send("q")
    child.expect_exact("bye: your progress is saved in .lab-state.json.")
    quit_cleanly(child, mark)


def test_ctrl_c_during_a_long_run_leaves_nothing_behind(lab_in_a_terminal):
    kit, child, mark = lab_in_a_terminal
    child.expect_exact("run #1 took")
    child.send("c")
    child.expect_exact("running every step")
    child.expect(r"running every step… [1-9]\d*/\d+ tests")  # a long run shows its progress
    assert processes_marked(mark), "the run's processes should be there while it runs"
    child.sendintr()
    quit_cleanly(child, mark)


MANUAL_QUIET_S = 3.0  # long enough for a watcher to notice a save (debounce 0.2 s) and run it (~1 s)


@pytest.mark.lab_args("--manual-run")
def test_manual_run_checks_only_on_r(lab_in_a_terminal):
    kit, child, mark = lab_in_a_terminal
    expect_all(child, "manual mode: press r to run after saving.", "run #1 took")
    implement(kit / "exercises" / "step1" / "processes.py", "step1.parent_and_child_pids", RIGHT_PIDS)
    assert child.expect_exact(["run #2 took", pexpect.TIMEOUT], timeout=MANUAL_QUIET_S) == 1  # no run on a save
    child.send("r")
    expect_all(child, "step1.parent_and_child_pids is done: on to step1.run_workers.", "run #3 took")
    child.send("q")
    quit_cleanly(child, mark)
