"""Attack submissions against the grading command (issue 10, item 5): a learner who has NOT solved the
exercise tries to earn points by attacking the grader at import time or inside the exercise function.

Each case is an upload graded by the real ``python -m plugin.grade``, on the mini kit (with an extra step
where a case needs one) or on the real kit cut down to one step. A case passes when every attacked
exercise scores no more than its honest score (what the same wrong code earns without the attack);
"tampering detected" voids the grade to 0, so it passes too. The honest scores that are not plainly 0
are checked by grading the same wrong code without its attack (``HONEST``).
"""

from __future__ import annotations

import dataclasses
import shutil
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from plugin.boundary.forkwatch import fork_events
from plugin.tests.minikit import REPO, SPEED_STUB, STUB, add_speed_step, write
from plugin.tests.test_boundary import graded

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


class EarnedPoints(AssertionError):
    """An attack earned more than its honest score: the only failure a case let through today may have."""


# -- the kits the attacks run on ---------------------------------------------------------------------------

# A mini-kit step with NumPy results and a second test module, collected after step1's: an attack made
# while step1 imports can reach it.
NUMPY_CATALOG = """
TITLE = "Squares"
EXERCISES = {"square_all": {"title": "Square an array in a pool", "hint": "Pool.map over the values.", "points": 2}}
"""
NUMPY_STUB = '''
import numpy as np


def square_all(values):
    """Return values ** 2 as a NumPy array, computed in a pool of 2."""
    raise NotImplementedError("step2.square_all: see the docstring")
'''
NUMPY_TESTS = """
import numpy as np
import pytest

from exercises.step2.squares import square_all


@pytest.mark.exercise("step2.square_all")
def test_square_all_squares_every_value(lab_seed):
    values = np.random.default_rng(lab_seed).integers(0, 1000, 50)
    np.testing.assert_array_equal(square_all(values), values**2)


@pytest.mark.exercise("step2.square_all")
def test_square_all_keeps_the_length():
    assert len(square_all(np.arange(7))) == 7
"""
# Wrong, and honest about it: the right length, all zeros (1 of 2 tests: 1 point of 2).
ZEROS = NUMPY_STUB.replace(
    '    raise NotImplementedError("step2.square_all: see the docstring")', "    return np.zeros(len(values))"
)
# Wrong in both tests: 0 points.
EMPTY = NUMPY_STUB.replace(
    '    raise NotImplementedError("step2.square_all: see the docstring")', "    return np.zeros(0)"
)


def add_numpy_step(kit) -> None:
    write(kit.path / "exercises" / "step2" / "__init__.py", NUMPY_CATALOG)
    write(kit.path / "exercises" / "step2" / "squares.py", NUMPY_STUB)
    write(kit.path / "exercises" / "step2" / "test_squares.py", NUMPY_TESTS)


def real_kit(folder: Path, step: str) -> Path:
    """The real kit with only ``step``'s exercises: a grading of a few seconds, on the kit's own tests."""
    (folder / "exercises").mkdir(parents=True)
    shutil.copyfile(REPO / "exercises" / "__init__.py", folder / "exercises" / "__init__.py")
    shutil.copytree(
        REPO / "exercises" / step, folder / "exercises" / step, ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(REPO / "plugin", folder / "plugin", ignore=shutil.ignore_patterns("__pycache__", "tests"))
    for name in ("pyproject.toml", "conftest.py"):
        shutil.copyfile(REPO / name, folder / name)
    return folder


# -- the learner's wrong code, which the attacks hide ------------------------------------------------------

# Only the learner's test run attacks: its pool workers import the module too.
IN_THE_TEST_RUN = "\nimport multiprocessing\n_TEST_RUN = multiprocessing.parent_process() is None\n"


def demo(double: str = "", pids: str = "", extra: str = "") -> str:
    """The mini kit's step1/demo.py: the stub, with the bodies given replaced, and ``extra`` code appended."""
    module = STUB
    if double:
        module = module.replace('    raise NotImplementedError("step1.double: see the docstring")', double)
    if pids:
        module = module.replace('    raise NotImplementedError("step1.pids: see the docstring")', pids)
    return module + IN_THE_TEST_RUN + textwrap.dedent(extra)


def speed_module(total_work: str, extra: str = "") -> str:
    """The mini kit's step2/speed.py with ``total_work``'s body and ``extra`` code appended."""
    return SPEED_STUB.replace("    raise NotImplementedError\n", total_work) + IN_THE_TEST_RUN + textwrap.dedent(extra)


@dataclasses.dataclass(frozen=True)
class Case:
    kit: str  # "mini", "mini+speed", "mini+numpy" or a real step, "step1"
    files: dict[str, str]  # the upload: path -> source
    honest: dict[str, float]  # each attacked exercise -> what the wrong code earns without the attack (never all)


# -- class 1: changing the kit or pytest from inside the interpreter ---------------------------------------

HOLLOW_MARKER = """
import functools
import pytest

_exercise = pytest.mark.exercise


class _Hollowing:
    # Every test marked after this import (the test module that imports this one) keeps its marks, its
    # fixtures and its name, and asserts nothing.
    def __call__(self, exercise_id):
        mark = _exercise(exercise_id)

        def hollow(test):
            @functools.wraps(test)
            def nothing(*args, **kwargs):
                return None

            return mark(nothing)

        return hollow


pytest.mark.exercise = _Hollowing()
"""

SWAP_IMPORTING_TEST_MODULE = """
import ast
import sys
import types


def _importing_test_module():
    frame = sys._getframe(1)
    while frame is not None and not frame.f_globals.get("__file__", "").rsplit("/", 1)[-1].startswith("test_"):
        frame = frame.f_back
    return frame.f_globals if frame is not None else None


class _NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.copy_location(ast.Expr(ast.Constant(None)), node)


_importer = _importing_test_module()
if _TEST_RUN and _importer is not None:
    # The test module being imported is replaced, in sys.modules, by one built from its own source
    # without its asserts: importlib hands pytest whatever sys.modules holds when the import ends.
    _tree = ast.fix_missing_locations(_NoAsserts().visit(ast.parse(open(_importer["__file__"]).read())))
    _copy = types.ModuleType(_importer["__name__"])
    _copy.__file__ = _importer["__file__"]
    sys.modules[_importer["__name__"]] = _copy
    exec(compile(_tree, _importer["__file__"], "exec"), _copy.__dict__)
"""

STRIP_ASSERTS_IN_THE_REWRITER = """
import ast

from _pytest.assertion import rewrite as _rewrite


def _nothing(self, assert_):  # test modules collected from now on lose their asserts
    return [ast.copy_location(ast.Pass(), assert_)]


if _TEST_RUN:
    _rewrite.AssertionRewriter.visit_Assert = _nothing
"""

# -- class 2: reaching the channel or the files ------------------------------------------------------------

RESHAPE_THE_STREAMS_FILE = """
import gc
import hashlib
import hmac
import json


class _Reshaping:
    # Wraps the result stream's open file: every phase it writes becomes a pass, signed again with the
    # stream's own key. No function of the kit or of pytest is replaced.
    def __init__(self, file, key):
        self._file, self._key = file, key

    def write(self, line):
        try:
            event = json.loads(json.loads(line)["body"])
            if event.get("event") == "phase":
                event.update(outcome="passed", message="")
                body = json.dumps(event, sort_keys=True)
                mac = hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()
                line = json.dumps({"body": body, "mac": mac}) + "\\n"
        except (ValueError, KeyError, TypeError):
            pass
        return self._file.write(line)

    def flush(self):
        return self._file.flush()


if _TEST_RUN:
    for _object in gc.get_objects():
        if type(_object).__name__ == "Stream" and hasattr(_object, "_file"):
            _object._file = _Reshaping(_object._file, _object.key)
"""

SIGNED_PASSES_THEN_EXIT = """
import gc
import os

_TESTS = {
    "test_double": "step1.double",
    "test_double_in_a_pool": "step1.double",
    "test_pids_are_children": "step1.pids",
}

if _TEST_RUN:
    # While the tests are being collected: report them all passed through the kit's own stream, then end
    # the run before any of them can report otherwise.
    for _object in gc.get_objects():
        if type(_object).__name__ == "Stream" and hasattr(_object, "emit"):
            for _name, _exercise in _TESTS.items():
                for _when in ("setup", "call", "teardown"):
                    _object.emit({"event": "phase", "nodeid": f"exercises/step1/test_demo.py::{_name}",
                                  "exercise": _exercise, "outcome": "passed", "message": "", "duration": 0.01,
                                  "speedups": [], "output": ""})
            _object.emit({"event": "finished", "exitstatus": 0})
    os._exit(0)
"""

FORGE_THE_ASSERTION_CACHE = """
import importlib.util
import pathlib

from _pytest.assertion import rewrite as _rewrite

if _TEST_RUN:
    # pytest trusts a cached rewritten test module whose header carries its source's hash: write one,
    # for a step collected later, compiled from that source with every assert turned into an assignment.
    _test = pathlib.Path.cwd() / "exercises" / "step2" / "test_squares.py"
    try:
        _source = _test.read_bytes()
        _hollow = compile(_source.decode().replace("assert ", "_ = "), str(_test), "exec")
        _cache = _rewrite.get_cache_dir(_test)
        _cache.mkdir(exist_ok=True)
        with open(_cache / (_test.name[:-3] + _rewrite.PYC_TAIL), "wb") as _pyc:
            _rewrite._write_pyc_fp(_pyc, importlib.util.source_hash(_source), _hollow)
    except OSError:
        pass
"""

# -- class 3: faking a speedup ---------------------------------------------------------------------------

ANSWERS_AT_IMPORT = """
# The answer for the size the test uses, worked out while the tests are collected, before any clock runs.
_ANSWERS = {2_500_000: work(2_500_000)} if _TEST_RUN else {}
"""
# Half the work done, half looked up: about 2x, a speedup 2 workers could give.
HALF_LOOKED_UP = (
    "    half = len(sizes) // 2\n"
    "    return [work(n) for n in sizes[:half]] + [_ANSWERS[n] if n in _ANSWERS else work(n) for n in sizes[half:]]\n"
)

PAUSED_HOGS = """
import os
import subprocess
import sys
import tempfile

# Busy processes that yield only while this module's own total_work runs: the sequential side shares
# the CPU with them, the "parallel" side has it alone. Started at the first call (after the tests were
# collected), through a shell that leaves at once: they are nobody's children, so nothing is "left behind".
_PAUSE = os.path.join(tempfile.gettempdir(), f"paused-hogs-{os.getpid()}")
_HOG = (
    "import os, sys, time\\n"
    "end = time.time() + 30\\n"
    "while time.time() < end:\\n"
    "    if os.path.exists(sys.argv[1]):\\n"
    "        time.sleep(0.001)\\n"
    "    else:  # busy about two thirds of the time: enough to slow a sequential run, not too much\\n"
    "        for _ in range(80000): pass\\n"
    "        time.sleep(0.001)\\n"
)
_STARTED = []


def _start_hogs():
    if not _STARTED:
        script = 'for i in 1 2; do "$0" -c "$1" "$2" & done'
        subprocess.run(["/bin/sh", "-c", script, sys.executable, _HOG, _PAUSE], check=True)
        _STARTED.append(True)
"""
PAUSING_TOTAL_WORK = (
    "    _start_hogs()\n"
    "    open(_PAUSE, 'w').close()\n"
    "    try:\n"
    "        return [work(n) for n in sizes]\n"
    "    finally:\n"
    "        os.remove(_PAUSE)\n"
)

# Step 5: the estimate is counted in the learner's own process when it is timed (no parallelism), while
# threads that each task leaves in the cluster's workers hog the CPU except during the learner's own call:
# the kit's sequential side shares the machine with them, the "parallel" side has it alone.
HOGS_IN_THE_WORKERS = """
import hashlib
import os
import tempfile
import threading
import time

_PAUSE = os.path.join(tempfile.gettempdir(), f"hogs-in-the-workers-paused-{os.getpid()}")
_STARTED = []


def _hog(pause):
    block = b"x" * 1_000_000
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if os.path.exists(pause):
            time.sleep(0.001)
        else:  # busy about half the time (the GIL released): a plausible speedup, not an impossible one
            hashlib.sha256(block).digest()
            time.sleep(0.003)


def _start_hogs_here(pause):
    threading.Thread(target=_hog, args=(pause,), daemon=True).start()


def _count_here(seeds, samples):
    open(_PAUSE, "w").close()
    try:
        return sum(count_hits(seed, samples) for seed in seeds)
    finally:
        os.remove(_PAUSE)
"""
HOGGED_ESTIMATE = (
    "    if samples < 100_000:  # the tests of the technique: done right\n"
    "        return 4 * sum(client.gather(client.map(count_hits, seeds, samples=samples))) / (len(seeds) * samples)\n"
    "{start}"
    "    return 4 * _count_here(seeds, samples) / (len(seeds) * samples)  # timed: all of it in this process\n"
)
START_THE_HOGS = "    if not _STARTED:\n        _STARTED.append(client.run(_start_hogs_here, _PAUSE))\n"


ESTIMATE_WITHOUT_SPEEDUP = round(2 * 2 / 3, 4)  # 2 points, 2 of its 3 tests passed (not the speedup)


def hogged_estimate(start: str) -> str:
    """The kit's step5/cluster.py with estimate_pi counting in the learner's process when timed."""
    return (REPO / "exercises" / "step5" / "cluster.py").read_text().replace(
        '    raise NotImplementedError("step5.estimate_pi: see the docstring")', HOGGED_ESTIMATE.format(start=start)
    ) + HOGS_IN_THE_WORKERS


LAZY_RESULTS = """
class _Later(list):
    # Returned with half the work done; the other half is done when the result is first looked at,
    # after the clock stopped: about 2x, a speedup 2 workers could give.
    def __init__(self, done, sizes):
        super().__init__(done)
        self._sizes = list(sizes)

    def _work(self):
        while self._sizes:
            self.append(work(self._sizes.pop(0)))
        return self

    def __len__(self):
        return list.__len__(self._work())

    def __iter__(self):
        return list.__iter__(self._work())

    def __getitem__(self, index):
        return list.__getitem__(self._work(), index)

    def __eq__(self, other):
        return list.__eq__(self._work(), other)
"""
LAZY_TOTAL_WORK = "    half = len(sizes) // 2\n    return _Later([work(n) for n in sizes[:half]], sizes[half:])\n"

# -- class 4: lying objects ------------------------------------------------------------------------------

AGREEABLE_INT = """
class _Agreeable(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__
"""

LIST_WITHOUT_THE_CALLER = """
class _WithoutCaller(list):
    def __contains__(self, item):
        return False
"""

AGREEABLE_ARRAY = """

class _Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)
"""

MADE_UP_CHILD_PID = """

def _unused_pid():
    import psutil

    return max(psutil.pids()) + 4096  # no such process: nothing to join, nothing left behind
"""

# -- class 5: escaping the grading rules -----------------------------------------------------------------

DEFAULT_CONTEXT_SWAPPED = """
import multiprocessing.context

if _TEST_RUN:  # the kit's start method is set; the context behind multiprocessing's functions is swapped
    multiprocessing.context._default_context._actual_context = multiprocessing.get_context("fork")
"""


def fork_only_pids(context: str) -> str:
    """A pids() body whose workers run a local function, which only fork can start, from ``context``."""
    return (
        "    import os\n"
        f"    context = {context}\n"
        "    queue = context.Queue()\n"
        "    def report():\n"
        "        queue.put(os.getpid())\n"
        "    workers = [context.Process(target=report) for _ in items]\n"
        "    for worker in workers:\n"
        "        worker.start()\n"
        "    found = [queue.get(timeout=30) for _ in workers]\n"
        "    for worker in workers:\n"
        "        worker.join()\n"
        "    return found"
    )


ORPHANED_PIDS = (
    "    import os\n"
    "    found = []\n"
    "    for _ in items:\n"
    "        read_end, write_end = os.pipe()\n"
    "        if os.fork() == 0:  # the middle process starts the worker and leaves at once: the worker is\n"
    "            if os.fork() == 0:  # adopted by init, outside the test run's tree, and keeps running\n"
    "                os.write(write_end, str(os.getpid()).encode())\n"
    "                import time\n"
    "                time.sleep(20)\n"
    "            os._exit(0)\n"
    "        os.close(write_end)\n"
    "        found.append(int(os.read(read_end, 32)))\n"
    "        os.close(read_end)\n"
    "        os.wait()\n"
    "    return found"
)


ATTACKS = {
    "class1-hollow-tests-through-pytest-mark": Case(
        "mini", {"step1/demo.py": demo(extra=HOLLOW_MARKER)}, {"step1.double": 0, "step1.pids": 0}
    ),
    "class1-swap-the-importing-test-module": Case(
        "mini",
        {
            "step1/demo.py": demo(
                double="    return 0",
                pids="    return [os.getpid()] * len(items)",
                extra="import os\n" + SWAP_IMPORTING_TEST_MODULE,
            )
        },
        {"step1.double": 0, "step1.pids": 0},
    ),
    "class1-strip-asserts-in-pytests-rewriter": Case(
        "mini+numpy",
        {"step1/demo.py": demo(extra=STRIP_ASSERTS_IN_THE_REWRITER), "step2/squares.py": EMPTY},
        {"step2.square_all": 0},
    ),
    "class2-reshape-lines-in-the-streams-file": Case(
        "mini", {"step1/demo.py": demo(extra=RESHAPE_THE_STREAMS_FILE)}, {"step1.double": 0, "step1.pids": 0}
    ),
    "class2-signed-passes-then-exit-while-collecting": Case(
        "mini", {"step1/demo.py": demo(extra=SIGNED_PASSES_THEN_EXIT)}, {"step1.double": 0, "step1.pids": 0}
    ),
    "class2-forge-pytests-assertion-cache": Case(
        "mini+numpy",
        {"step1/demo.py": demo(extra=FORGE_THE_ASSERTION_CACHE), "step2/squares.py": EMPTY},
        {"step2.square_all": 0},
    ),
    "class3-answers-worked-out-at-import": Case(
        "mini+speed",
        {"step1/demo.py": STUB, "step2/speed.py": speed_module(HALF_LOOKED_UP, ANSWERS_AT_IMPORT)},
        {"step2.total_work": 0},
    ),
    "class3-hogs-paused-during-its-own-call": Case(
        "mini+speed",
        {"step1/demo.py": STUB, "step2/speed.py": speed_module(PAUSING_TOTAL_WORK, PAUSED_HOGS)},
        {"step2.total_work": 0},
    ),
    "class3-work-deferred-until-compared": Case(
        "mini+speed",
        {"step1/demo.py": STUB, "step2/speed.py": speed_module(LAZY_TOTAL_WORK, LAZY_RESULTS)},
        {"step2.total_work": 0},
    ),
    "class3-hogs-left-in-the-clusters-workers": Case(
        "step5", {"step5/cluster.py": hogged_estimate(START_THE_HOGS)}, {"step5.estimate_pi": ESTIMATE_WITHOUT_SPEEDUP}
    ),
    "class4-int-subclass-equal-to-everything": Case(
        "mini", {"step1/demo.py": demo(double="    return _Agreeable(0)", extra=AGREEABLE_INT)}, {"step1.double": 0}
    ),
    "class4-list-that-never-holds-the-caller": Case(
        "mini",
        {"step1/demo.py": demo(pids="    return _WithoutCaller([0] * len(items))", extra=LIST_WITHOUT_THE_CALLER)},
        {"step1.pids": 0},
    ),
    "class4-ndarray-subclass-equal-to-everything": Case(
        "mini+numpy",
        {
            "step1/demo.py": STUB,
            "step2/squares.py": ZEROS.replace("np.zeros(len(values))", "np.zeros(len(values)).view(_Agreeable)")
            + AGREEABLE_ARRAY,
        },
        {"step2.square_all": 1},
    ),
    "class4-made-up-child-pid": Case(
        "step1",
        {
            "step1/processes.py": (REPO / "exercises" / "step1" / "processes.py")
            .read_text()
            .replace(
                '    raise NotImplementedError("step1.parent_and_child_pids: see the docstring")',
                "    return os.getpid(), _unused_pid()",
            )
            + MADE_UP_CHILD_PID
        },
        {"step1.parent_and_child_pids": 0},
    ),
    "class5-default-context-swapped-to-fork": Case(
        "mini",
        {"step1/demo.py": demo(pids=fork_only_pids("multiprocessing"), extra=DEFAULT_CONTEXT_SWAPPED)},
        {"step1.pids": 0},
    ),
    "class5-fork-context-inside-the-exercise": Case(
        "mini",
        # The grader's start method, bypassed for this one call.
        {"step1/demo.py": demo(pids=fork_only_pids("multiprocessing.get_context('fork')"))},
        {"step1.pids": 0},
    ),
    "class5-workers-orphaned-out-of-the-tree": Case(
        "mini", {"step1/demo.py": demo(pids=ORPHANED_PIDS)}, {"step1.pids": 0}
    ),
}

# The honest counterparts whose scores above are not plainly 0: the same wrong code, without the attack.
UNJOINED_PIDS = (
    "    queue = multiprocessing.Queue()\n"
    "    workers = [multiprocessing.Process(target=_report_and_stay, args=(queue,)) for _ in items]\n"
    "    for worker in workers:\n"
    "        worker.start()\n"
    "    return [queue.get(timeout=30) for _ in workers]  # never joined: they keep running"
)
REPORT_AND_STAY = """
import os
import time


def _report_and_stay(queue):
    queue.put(os.getpid())
    time.sleep(20)
"""
HONEST = {
    "workers-left-running": Case(
        "mini", {"step1/demo.py": demo(pids=UNJOINED_PIDS, extra=REPORT_AND_STAY)}, {"step1.pids": 0}
    ),
    "fork-only-workers": Case(
        "mini", {"step1/demo.py": demo(pids=fork_only_pids("multiprocessing"))}, {"step1.pids": 0}
    ),
    "zeros-of-the-right-length": Case(
        "mini+numpy", {"step1/demo.py": STUB, "step2/squares.py": ZEROS}, {"step2.square_all": 1}
    ),
    "estimate-counted-in-the-learners-process": Case(
        "step5", {"step5/cluster.py": hogged_estimate("")}, {"step5.estimate_pi": ESTIMATE_WITHOUT_SPEEDUP}
    ),
}


def graded_scores(case: Case, kit, folder: Path) -> dict[str, dict]:
    """Grade ``case``'s upload with ``python -m plugin.grade``: Gradescope's test row of each exercise."""
    if case.kit.startswith("step"):
        graded_kit = SimpleNamespace(path=real_kit(folder / "kit", case.kit))
    else:
        graded_kit = kit
        if case.kit == "mini+speed":
            add_speed_step(kit)
        if case.kit == "mini+numpy":
            add_numpy_step(kit)
    upload = folder / "upload"
    for relative, source in case.files.items():
        write(upload / relative, source)
    _, documents, _ = graded(graded_kit, upload, run_timeout=60)
    return {test["name"].split(":")[0]: test for test in documents["gradescope"]["tests"]}


@pytest.mark.parametrize("name", list(HONEST))
def test_the_honest_counterparts_score_what_the_attacks_are_held_to(name, kit, tmp_path):
    case = HONEST[name]
    tests = graded_scores(case, kit, tmp_path)
    assert {exercise: tests[exercise]["score"] for exercise in case.honest} == case.honest


# Attacks that a documented limit of the grader lets through (README, "What it does not guarantee") on
# this machine, expected to fail here until that limit is closed.
DOCUMENTED_LIMITS = {
    "class5-fork-context-inside-the-exercise": "the kernel's process events do not reach this process, and a "
    "fork that ends within two samples of the learner's tree (about 10 ms) goes unseen (README, limit 2)",
}
if fork_events() is not None:  # every fork is reported as it happens
    del DOCUMENTED_LIMITS["class5-fork-context-inside-the-exercise"]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=[pytest.mark.xfail(reason=DOCUMENTED_LIMITS[name], raises=EarnedPoints, strict=False)])
        if name in DOCUMENTED_LIMITS
        else name
        for name in ATTACKS
    ],
)
def test_an_attack_earns_no_more_than_the_honest_score(name, kit, tmp_path):
    attack = ATTACKS[name]
    tests = graded_scores(attack, kit, tmp_path)
    # More points than honest, or marked complete: the honest code is wrong, never complete (a speedup
    # left not-measured scores 0 of 0 and counts as complete: not-measured is no wrong code's excuse).
    gained = {
        exercise: tests[exercise]["score"]
        for exercise, honest in attack.honest.items()
        if tests[exercise]["score"] > honest or tests[exercise]["status"] == "passed"
    }
    output = "\n".join(test["output"] for test in tests.values())
    if gained:
        raise EarnedPoints(f"{name} earned {gained} (honest: {attack.honest})\n{output}")
