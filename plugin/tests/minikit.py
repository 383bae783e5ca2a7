"""A miniature kit (one step, two exercises) that the plugin's own tests run pytest on."""

from __future__ import annotations

import textwrap
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]
# How many tests the kit's first exercise has, read from its test file rather than written in a test.
PID_TESTS = (
    (REPO / "exercises" / "step1" / "test_processes.py")
    .read_text(encoding="utf-8")
    .count('@pytest.mark.exercise("step1.parent_and_child_pids")')
)
# The kit's own solutions: the learner edition (python -m plugin.edition) has none, and skips what checks them.
NEEDS_SOLUTIONS = pytest.mark.skipif(not (REPO / "solutions").is_dir(), reason="no solutions: the learner edition")

CATALOG = """
TITLE = "Demo step"
TITLE_ZH = "演示步骤"
EXERCISES = {
    "double": {"title": "Double a number", "hint": "Think of multiplication.",
               "hint_full": "Return x * 2.\\nThe second line of the hint.", "points": 3,
               "title_zh": "把数字翻倍", "hint_zh": "想想乘法。", "hint_full_zh": "返回 x * 2。\\n提示的第二行。"},
    "pids": {"title": "Report worker pids", "hint": "Use a Pool and map pid_of over the items.", "points": 2,
             "all_or_nothing": True, "title_zh": "报告工作进程的 pid",
             "hint_zh": "使用进程池，把 pid_of 映射到各项上。"},
}
"""

STUB = '''
def double(x):
    """Return 2 * x."""
    raise NotImplementedError("step1.double: see the docstring")


def pids(items):
    """Return the pid of the process that handled each item, computed in a pool of 2."""
    raise NotImplementedError("step1.pids: see the docstring")
'''

SOLUTION = """
import multiprocessing
import os


def _pid(_item):
    return os.getpid()


def double(x):
    return 2 * x


def pids(items):
    with multiprocessing.Pool(2) as pool:
        return pool.map(_pid, items)
"""

TESTS = """
import multiprocessing
import os

import pytest

from exercises.step1.demo import double, pids


def double_in_a_pool(values):  # runs in the learner process (learner.run), where double is the learner's
    with multiprocessing.Pool(2) as pool:
        return pool.map(double, values)


@pytest.mark.exercise("step1.double")
def test_double(lab_seed):
    assert double(lab_seed) == 2 * lab_seed


@pytest.mark.exercise("step1.double")
def test_double_in_a_pool(learner):
    assert learner.run(double_in_a_pool, [1, 2, 3]) == [2, 4, 6]


@pytest.mark.exercise("step1.pids")
def test_pids_are_children(learner):
    found = pids(range(4))
    assert learner.pid not in found and os.getpid() not in found
    assert set(found) <= learner.seen, "the pids must be of processes your code started"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def build(pytester: pytest.Pytester) -> pytest.Pytester:
    """Lay the mini kit out in a pytester directory."""
    write(pytester.path / "exercises" / "__init__.py", "")
    write(pytester.path / "exercises" / "step1" / "__init__.py", CATALOG)
    write(pytester.path / "exercises" / "step1" / "demo.py", STUB)
    write(pytester.path / "exercises" / "step1" / "test_demo.py", TESTS)
    write(pytester.path / "solutions" / "__init__.py", "")
    write(pytester.path / "solutions" / "step1" / "__init__.py", "")
    write(pytester.path / "solutions" / "step1" / "demo.py", SOLUTION)
    write(pytester.path / "pytest.ini", "[pytest]\ntestpaths = exercises\n")
    return pytester


def processes_marked(mark: str) -> list[psutil.Process]:
    """The processes whose environment carries PARALLEL_LAB_SELF_TEST=mark: those a self-test started."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("PARALLEL_LAB_SELF_TEST") == mark:
                found.append(process)
        except psutil.Error:
            continue
    return found


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in a child process, with the plugin loaded as an installed kit would load it."""
    return pytester.runpytest_subprocess("-p", "plugin.pytest_plugin", "-p", "no:cacheprovider", *args)


SPEED_CATALOG = """
TITLE = "Speed"
TITLE_ZH = "加速"
EXERCISES = {"total_work": {"title": "Spread CPU work over a pool", "hint": "Map work over the sizes in a Pool.",
                            "title_zh": "把 CPU 工作分给进程池", "hint_zh": "在进程池中把 work 映射到 sizes 上。"}}
"""

SPEED_STUB = '''
def work(loops):
    """CPU-bound work (given)."""
    total = 0
    for i in range(loops):
        total += i * i % 7
    return total


def total_work(sizes, workers=2):
    """Return [work(n) for n in sizes], computed in a pool of ``workers`` processes."""
    raise NotImplementedError
'''

SPEED_SOLUTION = SPEED_STUB.replace(
    "    raise NotImplementedError\n",
    "    import multiprocessing\n\n"
    "    with multiprocessing.Pool(workers) as pool:\n        return pool.map(work, sizes)\n",
)

SPEED_TESTS = """
import random

import pytest

from exercises.step2.speed import total_work, work


def fresh_sizes(seed):
    # New sizes for every round (the n-th call of either side gets the same ones): nothing can be looked up.
    rng = random.Random(seed)
    while True:
        yield [2_500_000 + rng.randrange(1, 100_000) for _ in range(4)]


@pytest.mark.exercise("step2.total_work")
def test_total_work_is_faster(speedup, lab_seed):
    for_sequential, for_parallel = fresh_sizes(lab_seed), fresh_sizes(lab_seed)
    speedup(
        sequential=lambda: [work(n) for n in next(for_sequential)],
        parallel=lambda: total_work(next(for_parallel), 2),
        workers=2,
    )
"""


# A sequential total_work that hides its own running time from time.perf_counter and time.monotonic:
# measured by those clocks it would look instantaneous, an unbounded speedup.
CLOCK_CHEAT = SPEED_STUB.replace(
    "    raise NotImplementedError\n",
    "    start = _real()\n    results = [work(n) for n in sizes]\n"
    "    _hidden[0] += _real() - start  # the time spent here vanishes from the clock\n    return results\n",
) + (
    "\nimport time\n_real = time.perf_counter\n_hidden = [0.0]\n\n"
    "def _clock():\n    return _real() - _hidden[0]\n\n"
    "time.perf_counter = time.monotonic = _clock\n"
)


def add_speed_step(pytester: pytest.Pytester) -> pytest.Pytester:
    """A second step whose only test measures a speedup."""
    write(pytester.path / "exercises" / "step2" / "__init__.py", SPEED_CATALOG)
    write(pytester.path / "exercises" / "step2" / "speed.py", SPEED_STUB)
    write(pytester.path / "exercises" / "step2" / "test_speed.py", SPEED_TESTS)
    write(pytester.path / "solutions" / "step2" / "__init__.py", "")
    write(pytester.path / "solutions" / "step2" / "speed.py", SPEED_SOLUTION)
    return pytester


MISTAKES = """
import multiprocessing
import os
import time
from multiprocessing import shared_memory


def _sleep_forever():
    time.sleep(1000)


def _square(x):
    return x * x


def _boom(x):
    raise ValueError(f"bad input {x}")


def _leave(x):
    os._exit(3)


def hang():
    child = multiprocessing.Process(target=_sleep_forever)
    child.start()
    child.join()


_POOLS = []


def unjoined_pool():
    pool = multiprocessing.Pool(2)
    _POOLS.append(pool)  # kept, never closed
    return pool.map(_square, [1, 2, 3])


def leak_segment():
    segment = shared_memory.SharedMemory(create=True, size=1024)
    segment.close()
    return segment.name


def send_lambda():
    with multiprocessing.Pool(2) as pool:
        return pool.map(lambda x: x * x, [1, 2])


def raise_in_worker():
    with multiprocessing.Pool(2) as pool:
        return pool.map(_boom, [1, 2])


def kill_worker():
    with multiprocessing.Pool(2) as pool:
        return pool.map(_leave, [1, 2])


def fine():
    with multiprocessing.Pool(2) as pool:
        return pool.map(_square, [1, 2, 3])
"""

MISTAKE_NAMES = ("hang", "unjoined_pool", "leak_segment", "send_lambda", "raise_in_worker", "kill_worker", "fine")

MISTAKES_TESTS = """
import pytest

from exercises.step3 import mistakes

HANGS = pytest.mark.timeout(4)


@HANGS
@pytest.mark.exercise("step3.hang")
def test_hang():
    mistakes.hang()


@pytest.mark.exercise("step3.unjoined_pool")
def test_unjoined_pool():
    assert mistakes.unjoined_pool() == [1, 4, 9]


@pytest.mark.exercise("step3.leak_segment")
def test_leak_segment():
    assert mistakes.leak_segment()


@pytest.mark.exercise("step3.send_lambda")
def test_send_lambda():
    assert mistakes.send_lambda() == [1, 4]


@pytest.mark.exercise("step3.raise_in_worker")
def test_raise_in_worker():
    assert mistakes.raise_in_worker() == [1, 4]


@HANGS
@pytest.mark.exercise("step3.kill_worker")
def test_kill_worker():
    mistakes.kill_worker()


@pytest.mark.exercise("step3.fine")
def test_fine():
    print("printed by the test")
    assert mistakes.fine() == [1, 4, 9]
"""


def add_mistakes_step(pytester: pytest.Pytester) -> pytest.Pytester:
    """A step whose 'learner' code makes every classic multiprocessing mistake, and one that does not."""
    catalog = {name: {"title": name.replace("_", " "), "hint": f"The hint of {name}."} for name in MISTAKE_NAMES}
    write(pytester.path / "exercises" / "step3" / "__init__.py", f'TITLE = "Mistakes"\nEXERCISES = {catalog!r}\n')
    write(pytester.path / "exercises" / "step3" / "mistakes.py", MISTAKES)
    write(pytester.path / "exercises" / "step3" / "test_mistakes.py", MISTAKES_TESTS)
    return pytester


def processes_still_running(mark: str, within: float = 30.0) -> list[psutil.Process]:
    """The processes marked ``mark`` that still run after ``within`` seconds. An exited process that
    is waiting to be reaped (a zombie: an orphan waits for the machine's init) counts as gone."""
    import time

    deadline = time.monotonic() + within
    while True:
        running = []
        for process in processes_marked(mark):
            try:
                if process.status() != psutil.STATUS_ZOMBIE:
                    running.append(process)
            except psutil.Error:
                continue
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.2)
