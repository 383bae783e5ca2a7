"""The pool spy and the open-pool check, on real pools, and the explanation of a segment unlinked early."""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing import shared_memory
from multiprocessing.pool import ThreadPool
from pathlib import Path

import pytest

from plugin.safety.poolspy import LARGE_TASK_BYTES, OpenPools, PoolSpy
from plugin.session import failures
from plugin.workers import cpu_work, pid_of

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def spy(tmp_path):
    recorder = PoolSpy(tmp_path)
    with pytest.MonkeyPatch.context() as patch:
        recorder.install(patch)
        yield recorder


def add(a, b):
    return a + b


def test_a_process_pool_is_recorded_with_its_size_tasks_and_worker_pids(spy):
    with multiprocessing.Pool(3) as pool:
        assert pool.starmap(add, [(1, 2), (3, 4)]) == [3, 7]
        assert pool.apply(add, (5, 6)) == 11  # apply's own call to apply_async is not counted again
    assert [(call.method, call.pool_size, len(call.tasks)) for call in spy] == [("starmap", 3, 2), ("apply", 3, 1)]
    assert spy[0].func is add and spy[0].tasks == [(1, 2), (3, 4)]
    assert spy.worker_pids() and os.getpid() not in spy.worker_pids()
    spy.expect(("starmap", "apply"), calls=2, pool_size=3)


def test_a_thread_pool_is_refused(spy):
    with ThreadPool(2) as pool:
        assert pool.map(pid_of, range(4)) == [os.getpid()] * 4
    with pytest.raises(AssertionError, match="ThreadPool"):
        spy.expect("map")


def test_work_done_without_a_pool_is_refused(spy):
    [cpu_work(10) for _ in range(3)]
    with pytest.raises(AssertionError, match="no multiprocessing.Pool method did the work"):
        spy.expect("map")


@pytest.mark.parametrize(
    "expectation, match",
    [
        ({"methods": "apply_async"}, "Pool.map: the exercise asks for Pool.apply_async"),
        ({"methods": "map", "pool_size": 3}, r"the pool had \[2\] worker"),
        ({"methods": "map", "calls": 2}, "called 1 time"),
        ({"methods": "map", "tasks_per_call": 2}, r"handed over \[4\] task"),
    ],
)
def test_each_expectation_can_fail_and_says_what_was_asked(spy, expectation, match):
    with multiprocessing.Pool(2) as pool:
        pool.map(cpu_work, [1, 2, 3, 4])
    methods = expectation.pop("methods")
    with pytest.raises(AssertionError, match=match):
        spy.expect(methods, **expectation)


def test_a_task_that_carries_data_is_refused(spy):
    with multiprocessing.Pool(2) as pool:
        pool.map(len, [b"x" * LARGE_TASK_BYTES, b"y"])
    assert spy[0].largest_task_bytes > LARGE_TASK_BYTES
    with pytest.raises(AssertionError, match="send a reference"):
        spy.expect("map", references_only=True)


def test_an_unpicklable_task_fails_as_the_pool_would_say(spy):
    with multiprocessing.get_context("spawn").Pool(1) as pool, pytest.raises(Exception, match="pickle"):
        pool.map(lambda x: x, [1])
    assert spy[0].largest_task_bytes is None


def test_a_pool_never_closed_is_found_and_terminated():
    pools = OpenPools()
    pools.install()
    try:
        with multiprocessing.Pool(1) as closed:
            closed.map(abs, [1])
        forgotten = multiprocessing.Pool(1)
        forgotten.map(abs, [1])
        ended = multiprocessing.Pool(1)
        ended.close()
        ended.join()
    finally:
        pools.uninstall()
    assert pools.still_running() == 1
    assert pools.still_running() == 0  # terminated, and forgotten by the tracker
    with pytest.raises(ValueError):  # the pool left running was terminated
        forgotten.map(abs, [1])


def open_segment(name):
    return shared_memory.SharedMemory(name=name)


def test_a_segment_a_worker_unlinked_is_explained():
    segment = shared_memory.SharedMemory(create=True, size=8)
    segment.close()
    segment.unlink()
    with multiprocessing.Pool(1) as pool, pytest.raises(FileNotFoundError) as raised:
        pool.apply(open_segment, (segment.name,))
    explanation = failures.explain(raised.value)
    assert "unlink once, in the creator, after the workers are done" in explanation


def test_an_ordinary_missing_file_is_not_taken_for_a_segment(tmp_path):
    with pytest.raises(FileNotFoundError) as raised:
        Path(tmp_path / "psm_but_not_shared_memory").read_text()
    assert failures.explain(raised.value) is None
