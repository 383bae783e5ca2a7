"""Step 3 — tasks: apply versus apply_async, callbacks, and functools.partial, as tests."""

import functools
import multiprocessing
import multiprocessing.pool
import os
import pickle
import random
import threading
import time

import pytest

import exercises.step3.tasks as tasks_module
from exercises.step3.tasks import async_results, blocking_results, make_scaler, results_with_callbacks, scale_all
from plugin.workers import cpu_work, pid_at_barrier, pid_of, wait_at_barrier


def late_first(item):
    """Sleep ``delay`` seconds, then return ``value``: the first item is made to finish last."""
    delay, value = item
    time.sleep(delay)
    return value


def met_the_others(barrier, _item):
    """True when every party reached the barrier together, False when it broke waiting for them."""
    try:
        barrier.wait()
        return True
    except threading.BrokenBarrierError:
        return False


def fragile(x):
    if x < 0:
        raise ValueError(f"negative input {x}")
    return x * 10


def slow_fragile(x):
    """``fragile``, after a short pause: its callbacks arrive well after every task was submitted."""
    time.sleep(0.05)
    return fragile(x)


def seeded_values(seed, count=6):
    return random.Random(seed).sample(range(1, 10_000), count)


# -- step3.blocking_results -------------------------------------------------------------------------


@pytest.mark.exercise("step3.blocking_results")
def test_apply_returns_every_result_in_order(lab_seed):
    """Catches: wrong values or order."""
    values = seeded_values(lab_seed)
    results = blocking_results(late_first, [(0.1 if i == 0 else 0.0, v) for i, v in enumerate(values)])
    assert results == values, f"results {results}, expected {values}: one pool.apply(func, (item,)) per item, in order"


@pytest.mark.exercise("step3.blocking_results")
def test_apply_runs_in_the_workers_of_one_pool():
    """Catches: calling func in this process instead of in the pool, or a new pool for every item."""
    pids = blocking_results(pid_of, range(4), processes=1)
    assert os.getpid() not in pids, "func ran in this process: hand each task to the pool with apply"
    assert len(set(pids)) == 1, f"a pool of one worker ran the tasks in {len(set(pids))} processes: create one pool"


@pytest.mark.exercise("step3.blocking_results")
def test_apply_does_the_work_in_a_pool_of_the_size_asked_for(pool_calls):
    """Catches: threads or an executor, another Pool method than apply, and ignoring ``processes``."""
    assert blocking_results(cpu_work, [10, 20, 30, 40], processes=3) == [cpu_work(n) for n in (10, 20, 30, 40)]
    pool_calls.expect("apply", calls=4, pool_size=3)


@pytest.mark.exercise("step3.blocking_results")
def test_apply_runs_one_task_at_a_time(rendezvous):
    """Catches: apply_async or map here. With apply, the first task waits for a partner in vain."""
    barrier = rendezvous(2, timeout=1.0)
    met = blocking_results(functools.partial(met_the_others, barrier), ["first", "second"])
    assert met == [False, False], "two tasks ran at the same time: apply() blocks until each result is back"


# -- step3.async_results ----------------------------------------------------------------------------


@pytest.mark.exercise("step3.async_results")
def test_async_results_come_back_in_submission_order(lab_seed):
    """Catches: results gathered as they finish instead of with get() in submission order."""
    values = seeded_values(lab_seed)
    results = async_results(late_first, [(0.4 if i == 0 else 0.0, v) for i, v in enumerate(values)])
    assert results == values, (
        f"results {results}, expected {values}: keep submission order (the first task finished last): "
        "get() each AsyncResult in the order you submitted them"
    )


@pytest.mark.exercise("step3.async_results")
def test_async_tasks_overlap(rendezvous):
    """Catches: apply(), or get() right after each apply_async(). Only overlapping tasks meet."""
    barrier = rendezvous(2)
    assert async_results(functools.partial(wait_at_barrier, barrier), ["a", "b"]) == ["a", "b"]


@pytest.mark.exercise("step3.async_results")
def test_every_task_is_submitted_with_apply_async_in_a_pool_of_the_size_asked_for(pool_calls):
    """Catches: map_async(...).get() or map instead of apply_async, threads or an executor, ignoring ``processes``."""
    assert async_results(cpu_work, [10, 20, 30, 40], processes=3) == [cpu_work(n) for n in (10, 20, 30, 40)]
    pool_calls.expect("apply_async", calls=4, pool_size=3)


@pytest.mark.exercise("step3.async_results")
def test_a_worker_exception_is_raised_again_by_get():
    """Catches: swallowing errors (a result of None) instead of letting get() raise them."""
    with pytest.raises(ValueError, match="negative input -3"):
        async_results(fragile, [1, -3, 2])


@pytest.mark.exercise("step3.async_results")
def test_async_results_are_faster_than_a_loop(speedup):
    """Catches: tasks that never overlap."""
    loops = [1_600_000] * 8
    speedup(
        sequential=lambda: [cpu_work(n) for n in loops],
        parallel=lambda: async_results(cpu_work, loops, processes=2),
        workers=2,
    )


# -- step3.results_with_callbacks -------------------------------------------------------------------


@pytest.mark.exercise("step3.results_with_callbacks")
def test_every_task_is_submitted_with_both_callbacks(monkeypatch):
    """Catches: collecting outcomes with get() and try/except instead of callbacks."""
    submitted = []
    apply_async = multiprocessing.pool.Pool.apply_async

    def recording(self, func, args=(), kwds={}, callback=None, error_callback=None):  # noqa: B006 - Pool's own signature
        submitted.append((callback is not None, error_callback is not None))
        return apply_async(self, func, args, kwds, callback, error_callback)

    monkeypatch.setattr(multiprocessing.pool.Pool, "apply_async", recording)
    results_with_callbacks(fragile, [3, -1, 4])
    assert submitted == [(True, True)] * 3, (
        f"(callback given, error_callback given) per apply_async call: {submitted}; "
        "expected one call per item with both"
    )


@pytest.mark.exercise("step3.results_with_callbacks")
def test_callbacks_sort_results_from_errors(lab_seed):
    """Catches: lost errors (no error_callback), wrong keys, or returning before every callback ran."""
    items = random.Random(lab_seed).sample(range(-50, 50), 12)
    results, errors = results_with_callbacks(slow_fragile, items)
    expected_results = {x: x * 10 for x in items if x >= 0}
    expected_errors = {x: f"ValueError: negative input {x}" for x in items if x < 0}
    missing = sorted(set(expected_results) - set(results)) + sorted(set(expected_errors) - set(errors))
    assert not missing, (
        f"no outcome for items {missing}: close() and join() the pool before returning, so every callback has run, "
        "and give apply_async both callback and error_callback"
    )
    assert results == expected_results, f"results {results}, expected {expected_results}: results[item] = func(item)"
    assert errors == expected_errors, f"errors {errors}, expected {expected_errors}: '<ExceptionType>: <message>'"


@pytest.mark.exercise("step3.results_with_callbacks")
def test_callback_tasks_run_in_a_pool_of_the_size_asked_for(pool_calls):
    """Catches: threads or an executor, another Pool method than apply_async, and ignoring ``processes``."""
    results, errors = results_with_callbacks(fragile, [3, -1, 4], processes=3)
    assert (results, errors) == ({3: 30, 4: 40}, {-1: "ValueError: negative input -1"})
    pool_calls.expect("apply_async", calls=3, pool_size=3)


# -- step3.make_scaler ------------------------------------------------------------------------------


@pytest.mark.exercise("step3.make_scaler")
def test_scaler_multiplies_by_the_fixed_factor(lab_seed):
    factor = random.Random(lab_seed).randrange(2, 9)
    assert make_scaler(factor)(7) == 7 * factor


@pytest.mark.exercise("step3.make_scaler")
def test_scaler_can_be_pickled_and_sent_to_a_spawned_worker():
    """Catches: a lambda or a nested function, which cannot be pickled (and so cannot reach a worker)."""
    scaler = make_scaler(3)
    try:
        copy = pickle.loads(pickle.dumps(scaler))
    except (pickle.PicklingError, AttributeError, TypeError) as error:
        pytest.fail(f"make_scaler's result cannot be pickled ({error}): use functools.partial(scale, factor=...)")
    assert copy(5) == 15
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.map(scaler, [1, 2]) == [3, 6]


# -- step3.scale_all --------------------------------------------------------------------------------


@pytest.mark.exercise("step3.scale_all")
def test_scale_all_maps_make_scaler_over_a_pool(monkeypatch, rendezvous, pool_calls):
    """Catches: scaling in this process or in a pool of one, threads, ignoring ``processes``, starmap over
    scale instead of map over make_scaler(factor), or a callable other than make_scaler's."""
    barrier = rendezvous(3)  # the stand-in scaler returns the pid of a worker that met two others
    scalers = []

    def stand_in(factor):
        scalers.append((factor, functools.partial(pid_at_barrier, barrier)))
        return scalers[-1][1]

    monkeypatch.setattr(tasks_module, "make_scaler", stand_in)
    pids = scale_all([1, 2, 5], 3, processes=3)
    assert [factor for factor, _ in scalers] == [3], (
        f"make_scaler was called with {scalers}: call make_scaler(factor) once"
    )
    (call,) = pool_calls.expect("map", calls=1, pool_size=3)
    assert call.func is scalers[0][1], "Pool.map must map the callable make_scaler(factor) returned"
    assert os.getpid() not in pids and len(set(pids)) == 3, f"pids {pids}: map make_scaler(factor) in the pool"


@pytest.mark.exercise("step3.scale_all")
def test_scale_all_maps_the_scaler_in_order(lab_seed):
    values = seeded_values(lab_seed, 20)
    results = scale_all(values, 4)
    assert results == [v * 4 for v in values], (
        f"scale_all({values}, 4) returned {results}: every value times 4, in order"
    )
    assert scale_all([1.5, 2.5], 0.5) == [0.75, 1.25]
