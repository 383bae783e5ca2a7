"""A miniature kit (one step, two exercises) that the plugin's own tests run pytest on."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CATALOG = '''
TITLE = "Demo step"
EXERCISES = {
    "double": {"title": "Double a number", "hint": "Return x * 2.\\nThe second line of the hint."},
    "pids": {"title": "Report worker pids", "hint": "Use a Pool and map pid_of over the items."},
}
'''

STUB = '''
def double(x):
    """Return 2 * x."""
    raise NotImplementedError("step1.double: see the docstring")


def pids(items):
    """Return the pid of the process that handled each item, computed in a pool of 2."""
    raise NotImplementedError("step1.pids: see the docstring")
'''

SOLUTION = '''
import multiprocessing
import os


def _pid(_item):
    return os.getpid()


def double(x):
    return 2 * x


def pids(items):
    with multiprocessing.Pool(2) as pool:
        return pool.map(_pid, items)
'''

TESTS = '''
import multiprocessing
import os

import pytest

from exercises.step1.demo import double, pids


@pytest.mark.exercise("step1.double")
def test_double(lab_seed):
    assert double(lab_seed) == 2 * lab_seed


@pytest.mark.exercise("step1.double")
def test_double_in_a_pool():
    with multiprocessing.Pool(2) as pool:
        assert pool.map(double, [1, 2, 3]) == [2, 4, 6]


@pytest.mark.exercise("step1.pids")
def test_pids_are_children():
    assert os.getpid() not in pids(range(4))
'''


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


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in a child process, with the plugin loaded as an installed kit would load it."""
    return pytester.runpytest_subprocess("-p", "plugin.pytest_plugin", "-p", "no:cacheprovider", *args)


SPEED_CATALOG = '''
TITLE = "Speed"
EXERCISES = {"total_work": {"title": "Spread CPU work over a pool", "hint": "Map work over the sizes in a Pool."}}
'''

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
    "    import multiprocessing\n\n    with multiprocessing.Pool(workers) as pool:\n        return pool.map(work, sizes)\n",
)

SPEED_TESTS = '''
import pytest

from exercises.step2.speed import total_work, work

SIZES = [2_500_000] * 4


@pytest.mark.exercise("step2.total_work")
def test_total_work_is_faster(speedup):
    speedup(sequential=lambda: [work(n) for n in SIZES], parallel=lambda: total_work(SIZES, 2), workers=2)
'''


def add_speed_step(pytester: pytest.Pytester) -> pytest.Pytester:
    """A second step whose only test measures a speedup."""
    write(pytester.path / "exercises" / "step2" / "__init__.py", SPEED_CATALOG)
    write(pytester.path / "exercises" / "step2" / "speed.py", SPEED_STUB)
    write(pytester.path / "exercises" / "step2" / "test_speed.py", SPEED_TESTS)
    write(pytester.path / "solutions" / "step2" / "__init__.py", "")
    write(pytester.path / "solutions" / "step2" / "speed.py", SPEED_SOLUTION)
    return pytester
