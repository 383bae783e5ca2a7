"""Unit tests of one test's learner process, driven from the deciding process (plugin/boundary/learner.py).

The functions the learner process runs are module-level functions of this module: they pickle by
reference, and the learner process imports this module to run them.
"""

from __future__ import annotations

import contextlib
import functools
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import types
from multiprocessing import shared_memory
from pathlib import Path

import psutil
import pytest

from plugin.boundary import server
from plugin.boundary.learner import Learner, LearnerContext, LearnerError, LearnerTraceback
from plugin.safety.leftovers import shared_memory_segments
from plugin.tests.conftest import end_of_call

pytestmark = pytest.mark.timeout(60)
EVENTS: list = []  # in the learner process: what the pending requests did, in order
LABEL = "unset"
IMPORTED_IN = os.getpid()  # the process that imported this module


START_METHODS = [m for m in ("forkserver", "spawn", "fork") if m in multiprocessing.get_all_start_methods()]
DEFAULT_METHOD = START_METHODS[0]


@pytest.fixture
def learner(request, tmp_path):
    """A learner process of its own (not the test's), under the learner start method ``start_method``
    (parametrized indirectly, else forkserver), ended at the end of the test's call: the kit's leftover
    check, right after the call, would count it."""
    one = Learner(LearnerContext(getattr(request, "param", DEFAULT_METHOD), {}, tmp_path))
    request.node.stash.setdefault(end_of_call, []).append(functools.partial(end, one))
    return one


def gone(pid: int) -> bool:
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def end(learner: Learner) -> None:
    pid = learner._process.pid if learner.started else None
    learner.close()
    assert pid is None or gone(pid), "the learner process outlived its end"


def record(event) -> None:
    EVENTS.append(event)


def record_label() -> None:
    EVENTS.append(LABEL)


def events() -> list:
    return list(EVENTS)


def fill(array, value) -> None:
    array[:] = [value] * len(array)


def fail_with(kind: str):
    if kind == "value":
        raise ValueError("a learner's bad input")
    if kind in ("own", "importable"):  # an exception class the learner defined: not admitted here
        own = type("BadInput", (ValueError,), {"__module__": "exercises.step3.tasks"})
        if kind == "importable":  # so that it pickles: a class of the learner's module
            sys.modules.setdefault("exercises.step3.tasks", types.ModuleType("exercises.step3.tasks")).BadInput = own
        raise own("own class")
    raise NotImplementedError("step1.demo: see the docstring")


def return_unpicklable(kind: str):
    if kind == "generator":
        return (x for x in range(3))
    return functools.partial(print, "a partial pickles, but is not plain data")


def say_then_exit(code: int) -> None:
    print("last words of the learner", flush=True)
    os._exit(code)


def _sleep() -> None:
    time.sleep(60)


def start_sleeper() -> int:
    """A child that is never joined (the learner's leak)."""
    child = multiprocessing.Process(target=_sleep)
    child.start()
    return child.pid


def leak_segment() -> str:
    segment = shared_memory.SharedMemory(create=True, size=4096)
    segment.close()  # never unlinked
    return segment.name


def _pid(_item) -> int:
    time.sleep(0.05)  # long enough for the learner's tree to be sampled while the task runs
    return os.getpid()


def pool_pids(workers: int) -> list[int]:
    with multiprocessing.Pool(workers) as pool:
        return pool.map(_pid, range(workers * 2))


def pool_left_open() -> list[int]:
    pool = multiprocessing.Pool(1)
    EVENTS.append(pool)  # kept alive: the garbage collector would otherwise hide it
    return pool.map(abs, [-1, -2])


def burn(seconds: float) -> None:
    """CPU work of ``seconds`` of this thread's CPU time."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


def burn_in_threads(seconds: float) -> None:
    threads = [threading.Thread(target=burn, args=(seconds / 2,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def burn_in_a_pool(seconds: float) -> None:
    with multiprocessing.Pool(2) as pool:
        pool.map(burn, [seconds / 2] * 2)


def shout(text: str) -> str:
    print(text, flush=True)
    return text.upper()


def test_the_process_starts_at_the_first_call_and_is_not_this_one(learner):
    assert not learner.started and learner.descendants() == []
    pid = learner.run(os.getpid)
    assert learner.started and pid == learner.pid and pid != os.getpid()
    assert learner.run(os.getpid) == pid, "each call went to a new process"
    assert psutil.Process(pid).parent().pid != pid and psutil.Process(pid).is_running()


def test_an_inheritance_only_object_travels_with_the_first_call_only(learner):
    first = multiprocessing.Array("i", 4)
    learner.run(fill, first, 7)
    assert first[:] == [7] * 4, "the learner process wrote into the test's own shared array"
    later = multiprocessing.Array("i", 4)
    with pytest.raises(LearnerError, match="through inheritance|before"):
        learner.run(fill, later, 1)
    assert later[:] == [0] * 4


def test_a_call_after_the_end_is_an_error_and_a_late_patch_is_ignored(learner):
    learner.run(os.getpid)
    learner.close()
    with pytest.raises(LearnerError, match="the test is over"):
        learner.run(os.getpid)
    learner.install(record, "undoing a patch")  # a fixture's teardown: nothing to do, no error


def test_the_learners_exception_comes_back_with_its_type_and_its_traceback_as_cause(learner):
    with pytest.raises(ValueError, match="a learner's bad input") as raised:
        learner.run(fail_with, "value")
    cause = raised.value.__cause__
    assert isinstance(cause, LearnerTraceback)
    assert "in fail_with" in str(cause) and "test_learner.py" in str(cause)
    with pytest.raises(NotImplementedError, match="step1.demo"):
        learner.run(fail_with, "todo")
    assert learner.run(os.getpid) == learner.pid, "an exception does not end the learner process"


@pytest.mark.parametrize("kind", ["own", "importable"], ids=["unpicklable", "picklable"])
def test_an_exception_class_the_deciding_process_does_not_admit_is_named(learner, kind):
    with pytest.raises(LearnerError, match="exercises.step3.tasks.BadInput") as raised:
        learner.run(fail_with, kind)
    assert "own class" in str(raised.value)
    assert "in fail_with" in str(raised.value.__cause__), "the learner's traceback is kept"


@pytest.mark.parametrize(
    "kind, named", [("generator", "generator"), ("partial", "functools.partial")], ids=["unpicklable", "not plain"]
)
def test_a_result_that_is_not_plain_data_is_an_error_naming_its_type(learner, kind, named):
    with pytest.raises(LearnerError, match=named):
        learner.run(return_unpicklable, kind)
    assert learner.run(os.getpid) == learner.pid


def test_requests_made_before_the_start_are_applied_first_in_order(learner):
    learner.install(record, "installed first")
    learner.setattr(__name__, "LABEL", "set second")
    learner.install(record_label)
    assert not learner.started
    assert learner.run(events) == ["installed first", "set second"]
    learner.setattr(__name__, "LABEL", "set after the start")  # now applied at once
    learner.install(record_label)
    assert learner.run(events)[-1] == "set after the start"
    assert LABEL == "unset" and EVENTS == [], "the deciding process's module was changed"


def test_a_learner_process_that_exits_is_an_error_with_its_exit_code_and_output(learner):
    with pytest.raises(LearnerError) as died:
        learner.run(say_then_exit, 3)
    assert "3" in str(died.value) and "last words of the learner" in str(died.value)
    learner.close()  # ending a process that is gone already is no error


@pytest.mark.parametrize("learner", START_METHODS, indirect=True)
def test_what_the_learner_left_running_is_seen_from_outside_and_ended(learner):
    child = learner.run(start_sleeper)
    assert [p.pid for p in learner.descendants()] == [child]
    end = learner.close()
    assert end.leftovers.running == 1 and end.leftovers, end
    assert gone(child)


def test_a_shared_memory_segment_left_behind_is_reported_and_unlinked(learner):
    name = learner.run(leak_segment)
    assert name in shared_memory_segments()
    end = learner.close()
    assert end.leftovers.segments == (name,)
    assert name not in shared_memory_segments()


def test_a_pool_never_closed_is_reported(learner):
    assert learner.run(pool_left_open) == [1, 2]
    assert learner.close().open_pools == 1


def test_a_pool_closed_properly_leaves_nothing(learner):
    learner.run(pool_pids, 2)
    end = learner.close()
    assert end.open_pools == 0 and not end.leftovers, end


def lose_a_pool_worker() -> bool:
    """A task whose worker exits: the pool replaces the worker and waits for the task forever."""
    with multiprocessing.Pool(1) as pool:
        pending = pool.apply_async(os._exit, (3,))
        try:
            pending.get(timeout=2)
        except multiprocessing.TimeoutError:
            return True
        return False


def test_pool_workers_that_died_holding_a_task_are_readable_from_outside(learner):
    assert learner.worker_exit_codes() == []
    assert learner.run(lose_a_pool_worker), "the task should never have come back"
    assert learner.worker_exit_codes() == [3]


def test_paused_stops_the_whole_tree_and_resumes_it(learner):
    child = learner.run(start_sleeper)
    tree = [psutil.Process(learner.pid), psutil.Process(child)]
    with learner.paused():
        assert [p.status() for p in tree] == [psutil.STATUS_STOPPED] * 2
    assert all(p.status() != psutil.STATUS_STOPPED for p in tree)
    assert learner.run(os.getpid) == learner.pid, "the learner answers again"


@pytest.mark.parametrize("work, counted", [(burn, True), (burn_in_threads, True), (burn_in_a_pool, False)])
def test_the_learners_own_cpu_time_counts_its_threads_not_its_children(learner, work, counted):
    """What the speedup engine reads to fail work done by the caller (sequential code, threads)."""
    assert learner.own_cpu_seconds() is None, "nothing to read before the learner process starts"
    learner.run(os.getpid)
    before = learner.own_cpu_seconds()
    learner.run(work, 0.4)
    used = learner.own_cpu_seconds() - before
    assert (used > 0.3) if counted else (used < 0.15), used


@pytest.mark.parametrize("learner", START_METHODS, indirect=True)
def test_the_pool_workers_are_among_the_pids_seen_in_the_learners_tree(learner):
    pids = set(learner.run(pool_pids, 2))
    assert len(pids) == 2 and pids <= learner.seen, (pids, learner.seen)
    assert learner.pid not in learner.seen and os.getpid() not in learner.seen


def _parent_importer_and_self(_item) -> tuple[int, int, int]:
    time.sleep(0.05)  # long enough for the learner's tree to be sampled while the task runs
    return os.getppid(), IMPORTED_IN, os.getpid()


def pool_parents_importers_and_workers() -> list[tuple[int, int, int]]:
    """Each pool worker's parent, the process that imported this module there, and the worker itself."""
    with multiprocessing.Pool(2) as pool:
        return pool.map(_parent_importer_and_self, range(4))


def test_under_forkserver_pools_fork_from_the_learners_warm_forkserver_without_its_modules(learner):
    """The learner process forks its forkserver before its code is imported (``warm_forkserver``): the
    workers come from that server, and import the learner's modules afresh, as under forkserver."""
    answers = learner.run(pool_parents_importers_and_workers)
    assert learner.pool_server in {child.pid for child in psutil.Process(learner.pid).children()}
    assert {parent for parent, _, _ in answers} == {learner.pool_server}, (answers, learner.pool_server)
    assert all(importer == worker for _, importer, worker in answers), f"workers inherited a module: {answers}"


def test_the_warm_forkserver_is_neither_a_worker_nor_a_fork_nor_a_leftover(learner):
    """It is the kit's, forked before the learner's code ran: never counted against the learner."""
    learner.run(pool_pids, 2)
    server_pid = learner.pool_server
    assert server_pid is not None and server_pid not in learner.seen
    assert learner.kit_pids() == {learner.pid, server_pid}  # a hung test's report counts neither (hang_guard)
    assert server_pid not in {p.pid for p in learner.descendants()}
    end = learner.close()
    assert end.forked == 0 and not end.leftovers, end
    assert gone(server_pid), "the warm forkserver outlived the learner process"


def test_the_warm_forkserver_looked_at_before_it_was_reported_is_still_not_the_learners(learner, monkeypatch):
    """The deciding process samples the learner's tree while it waits: it may see the server between its
    fork and the report that names it."""
    receive = learner._receive

    def look_first():
        if learner.pool_server is None:  # the report: the server has been forked, not yet named
            children = []
            while not children:
                children = psutil.Process(learner._process.pid).children()
            for _ in range(2):
                learner._look(learner._process.pid)
                time.sleep(0.005)
            assert children[0].pid in learner.seen, "the premise: the server was looked at"
        return receive()

    monkeypatch.setattr(learner, "_receive", look_first)
    learner.run(os.getpid)
    assert learner.pool_server not in learner.seen | learner.forked
    assert learner.close().forked == 0


def test_a_pid_the_warm_forkserver_no_longer_has_is_not_excused(learner):
    """Same pid, another start time: a process of the learner's that was given the server's pid."""
    learner.run(os.getpid)
    server_pid = learner.pool_server
    learner._pool_server_started -= 1.0
    assert server_pid in {p.pid for p in learner.descendants()} and server_pid not in learner.kit_pids()


@pytest.mark.parametrize(
    "loaded, aliases, verdict",
    [
        (["numpy", "plugin.boundary.server_pid", "exercises", "exercises.step2"], {}, False),
        (["exercises.step2.pool"], {}, True),
        (["solutions.step2.pool"], {"exercises.step2.pool": "solutions.step2.pool"}, True),
    ],
    ids=["kit-and-step-packages", "a-learner-module", "an-aliased-target"],
)
def test_no_warm_forkserver_once_a_learner_module_is_loaded(loaded, aliases, verdict):
    """A script of the learner's that runs pytest and imports their module runs again in the learner
    process (``__mp_main__``): a server forked then would hand that module's state to the workers."""
    assert server._learner_code_loaded(aliases, loaded) is verdict


@pytest.mark.parametrize("learner", ["spawn"], indirect=True)
def test_no_warm_forkserver_where_pools_do_not_use_one(learner):
    learner.run(pool_pids, 2)
    assert learner.pool_server is None


def test_the_learners_prints_are_captured_not_shown_here(learner, capfd):
    assert learner.run(shout, "printed in the learner process") == "PRINTED IN THE LEARNER PROCESS"
    end = learner.close()
    assert "printed in the learner process" in end.output
    assert "printed in the learner process" not in capfd.readouterr().out
    assert not Path(learner.output).exists(), "the output file is removed"


def ignore_sigterm() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def test_a_learner_that_ignores_sigterm_is_still_ended(learner):
    learner.run(ignore_sigterm)
    pid = learner.pid
    learner.close()
    assert gone(pid)


SEAM_CONFTEST = """
import json
import os
import sys
from pathlib import Path


def pytest_sessionfinish(session):
    learner_modules = sorted(name for name in sys.modules if name.startswith(("solutions.", "alice_step")))
    Path("deciding.json").write_text(json.dumps({"pid": os.getpid(), "modules": learner_modules}))
"""

IMPORT_TIME_MARK = (
    "import os as _os\n"
    "from pathlib import Path as _Path\n"
    "_Path(f'imported-in-{_os.getpid()}').touch()  # import-time code of the learner's module\n"
)


@pytest.mark.parametrize("target", ["solutions", "submission"])
def test_a_learner_modules_import_time_code_never_runs_in_the_pytest_process(kit, target):
    """The seam: the deciding process builds its module from the kit's stub; the learner's file is
    imported only in learner processes, whatever the target."""
    from plugin.tests.minikit import SOLUTION, run, write

    write(kit.path / "conftest.py", SEAM_CONFTEST)
    if target == "solutions":
        write(kit.path / "solutions" / "step1" / "demo.py", IMPORT_TIME_MARK + SOLUTION)
        option = "--solutions"
    else:
        write(kit.path / "alice" / "step1" / "demo.py", IMPORT_TIME_MARK + SOLUTION)
        option = f"--submission={kit.path / 'alice'}"
    result = run(kit, option)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    deciding = json.loads((kit.path / "deciding.json").read_text())
    importers = {int(path.name.removeprefix("imported-in-")) for path in kit.path.glob("imported-in-*")}
    assert importers, "the learner's module was never imported at all"
    assert deciding["pid"] not in importers, "the learner's module ran in the pytest process"
    assert deciding["modules"] == [], "the learner's module is in the pytest process's sys.modules"


def test_paused_also_stops_the_processes_named_and_resumes_them_when_timing_raises(learner):
    """Step 5's cluster runs the learner's tasks outside the learner's tree: ``pause_also`` stops it too."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        learner.pause_also(lambda: {other.pid})
        learner.run(os.getpid)
        tree = [psutil.Process(learner.pid), psutil.Process(other.pid)]
        with pytest.raises(ZeroDivisionError), learner.paused():
            assert [p.status() for p in tree] == [psutil.STATUS_STOPPED] * 2
            raise ZeroDivisionError  # the timing fails: everything is resumed all the same
        assert all(p.status() != psutil.STATUS_STOPPED for p in tree)
    finally:
        other.kill()
        other.wait()


def test_tree_paused_stops_the_learners_tree_but_not_the_processes_named_to_pause_also(learner):
    """While the kit reads step 5's cluster capacity, the learner stands still and the cluster runs."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        learner.pause_also(lambda: {other.pid})
        child = learner.run(start_sleeper)
        tree = [psutil.Process(learner.pid), psutil.Process(child)]
        with pytest.raises(ZeroDivisionError), learner.tree_paused():
            assert [p.status() for p in tree] == [psutil.STATUS_STOPPED] * 2
            assert psutil.Process(other.pid).status() != psutil.STATUS_STOPPED
            raise ZeroDivisionError  # the reading fails: the tree is resumed all the same
        assert all(p.status() != psutil.STATUS_STOPPED for p in tree)
    finally:
        other.kill()
        other.wait()


KILLED_MID_PAUSE = """
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from plugin.tests.test_learner import start_sleeper


def test_timed_when_the_run_is_killed(learner):
    # Stands for step 5's cluster process: it ends once the deciding process's pipe closes, if it runs.
    cluster = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    learner.pause_also(lambda: {cluster.pid})
    child = learner.run(start_sleeper)
    with learner.paused():
        Path("paused.json").write_text(json.dumps([learner.pid, child, cluster.pid]))
        time.sleep(60)
"""


def test_a_pytest_killed_during_a_pause_leaves_nothing_stopped_or_running(kit):
    """A CI or grader timeout SIGTERMs the deciding pytest while it times alone: the learner's tree and
    the processes paused with it are resumed and ended, not left stopped for good."""
    from plugin.tests.minikit import write

    write(kit.path / "test_killed.py", KILLED_MID_PAUSE)
    command = [sys.executable, "-m", "pytest", "-p", "plugin.pytest_plugin", "-p", "no:cacheprovider", "test_killed.py"]
    run = kit.popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    paused = kit.path / "paused.json"
    tree: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 30
        while not paused.exists() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)  # the file is written whole (a few bytes) well before the sleep begins
        assert paused.exists(), run.communicate(timeout=10)[0] if run.poll() is not None else "no pause in 30 s"
        tree = [psutil.Process(pid) for pid in json.loads(paused.read_text())]
        assert [p.status() for p in tree] == [psutil.STATUS_STOPPED] * 3
        run.send_signal(signal.SIGTERM)
        output = run.communicate(timeout=20)[0]
        deadline = time.monotonic() + 5
        while not all(gone(p.pid) for p in tree) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [(p.pid, p.status()) for p in tree if not gone(p.pid)]
        assert not left, f"left (pid, state): {left}\n{output}"
        assert run.returncode == pytest.ExitCode.INTERRUPTED, output
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        for process in tree:
            with contextlib.suppress(psutil.Error):
                process.kill()
