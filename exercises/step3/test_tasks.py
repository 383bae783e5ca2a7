"""Step 3 — tasks: apply versus apply_async, callbacks, and functools.partial, as tests.

The functions under test run in the learner process; what decides each test is read here, from plain
results, from files the workers leave in a folder of this test's, from the barrier's state and from the
processes seen in the learner's tree. Probes and act functions below run in the learner process.
"""

import functools
import multiprocessing
import multiprocessing.pool
import os
import pickle
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

import exercises.step3.tasks as tasks_module
from exercises.step3.tasks import async_results, blocking_results, results_with_callbacks, scale, scale_all
from plugin.messages import say
from plugin.safety.poolspy import describe
from plugin.workers import cpu_work, note_pid

PAUSE_S = 0.02  # long enough for the learner's tree to be seen with the worker in it


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


def pid_after_a_pause(_item):
    """The pid of the process that ran this task, after a pause that lets the worker be seen."""
    time.sleep(PAUSE_S)
    return os.getpid()


def met_then_noted(barrier, folder, value):
    """Wait until every party has arrived, then note this process's pid in ``folder``; return ``value``.

    A broken barrier is left for the test to see from outside (``barrier.broken``), with its own message.
    """
    if met_the_others(barrier, value):
        note_pid(folder)
    return value


def pid_if_met(barrier, _item):
    """The pid of the process that ran this task once every party arrived, None if the barrier broke."""
    return os.getpid() if met_the_others(barrier, _item) else None


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


@pytest.fixture
def pid_folder():
    """A folder of this test's where the workers note their pids (the learner may run as another account)."""
    folder = Path(tempfile.mkdtemp(prefix="parallel-lab-step3-tasks-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def noted_pids(folder):
    return {int(entry.name) for entry in folder.iterdir() if entry.name.isdigit()}


# -- probes and acts: they run in the learner process --------------------------------------------------

_callbacks = {"submitted": [], "raised": [], "reads": []}


def watch_callbacks():
    """Probe: record which callbacks each ``apply_async`` call is given and every ``get()``/``wait()`` of
    a result; a callback that raises is recorded and stopped there, so the pool's result thread lives on
    and the test can say so (instead of hanging until its timeout)."""
    apply_async = multiprocessing.pool.Pool.apply_async

    def recording(self, func, args=(), kwds={}, callback=None, error_callback=None):  # noqa: B006 - Pool's own signature
        _callbacks["submitted"].append((callback is not None, error_callback is not None))
        item = repr(args[0]) if len(args) == 1 else repr(args)
        return apply_async(self, func, args, kwds, _reporting(callback, item), _reporting(error_callback, item))

    multiprocessing.pool.Pool.apply_async = recording
    for name in ("get", "wait"):
        original = getattr(multiprocessing.pool.ApplyResult, name)
        setattr(multiprocessing.pool.ApplyResult, name, _counting(name, original))


def _reporting(callback, item):
    if callback is None:
        return None

    def reporting(outcome):
        try:
            callback(outcome)
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails with it
            _callbacks["raised"].append((item, f"{type(error).__name__}: {error}"))

    return reporting


def _counting(name, original):
    def counting(result, timeout=None):
        _callbacks["reads"].append(name)
        return original(result, timeout)

    return counting


def callbacks_watched():
    return _callbacks


_scalers_made = []  # (factor, the stand-in's scaler): held, so that its id() stays its own


def stand_in_scaler(barrier, factor):
    """Stands in for ``make_scaler``: a scaler whose task returns the pid of a worker that met the others."""
    scaler = functools.partial(pid_if_met, barrier)
    _scalers_made.append((factor, scaler))
    return scaler


def scalers_made():
    return [(factor, id(scaler)) for factor, scaler in _scalers_made]


def observe_scaler(factor, values):
    """Act: what ``make_scaler(factor)`` returned (described as plain data) and its values on ``values``."""
    scaler = tasks_module.make_scaler(factor)
    return {"described": describe(scaler), "results": [scaler(value) for value in values]}


def scaler_through_a_spawned_pool(factor, values):
    """Act: ``make_scaler(factor)`` pickled, then mapped over ``values`` by a spawned pool of one."""
    scaler = tasks_module.make_scaler(factor)
    try:
        pickle.loads(pickle.dumps(scaler))
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails with it
        return {"unpicklable": f"{type(error).__name__}: {error}"}
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return {"results": pool.map(scaler, values)}


@pytest.fixture
def callbacks(learner):
    """The callbacks ``apply_async`` is given in the learner process, read with ``callbacks()``."""
    learner.install(watch_callbacks)

    def read():
        watched = learner.run(callbacks_watched)
        raised = watched["raised"]
        assert not raised, say("step3.tasks.callback_raised", item=raised[0][0], error=raised[0][1])
        return watched

    return read


# -- step3.blocking_results -------------------------------------------------------------------------


@pytest.mark.exercise("step3.blocking_results")
def test_apply_returns_every_result_in_order(lab_seed):
    """Catches: wrong values or order."""
    values = seeded_values(lab_seed)
    results = blocking_results(late_first, [(0.1 if i == 0 else 0.0, v) for i, v in enumerate(values)])
    assert results == values, say("step3.tasks.apply_results", results=results, expected=values)


@pytest.mark.exercise("step3.blocking_results")
def test_apply_runs_in_the_workers_of_one_pool(learner):
    """Catches: calling func in the calling process (or a thread of it) instead of in the pool, or a new
    pool for every item."""
    pids = set(blocking_results(pid_after_a_pause, range(4), processes=1))
    assert not pids & {os.getpid(), learner.pid}, say("step3.tasks.apply_ran_in_caller")
    assert len(pids) == 1, say("step3.tasks.apply_one_pool", count=len(pids))
    assert pids <= learner.seen, say("step3.tasks.pids_not_seen", pids=sorted(pids - learner.seen))


@pytest.mark.exercise("step3.blocking_results")
def test_apply_does_the_work_in_a_pool_of_the_size_asked_for(pool_calls):
    """Catches: threads or an executor, another Pool method than apply, and ignoring ``processes``."""
    loops = [10, 20, 30, 40]
    expected = [cpu_work(n) for n in loops]
    results = blocking_results(cpu_work, loops, processes=3)
    assert results == expected, say("step3.tasks.apply_results", results=results, expected=expected)
    pool_calls.expect("apply", calls=4, pool_size=3)


@pytest.mark.exercise("step3.blocking_results")
def test_apply_runs_one_task_at_a_time(rendezvous):
    """Catches: apply_async or map here. With apply, the first task waits for a partner in vain."""
    barrier = rendezvous(2, timeout=1.0)
    met = blocking_results(functools.partial(met_the_others, barrier), ["first", "second"])
    # Seen from here: a barrier the tasks passed together is not broken.
    assert met == [False, False] and barrier.broken, say("step3.tasks.apply_overlapped")


# -- step3.async_results ----------------------------------------------------------------------------


@pytest.mark.exercise("step3.async_results")
def test_async_results_come_back_in_submission_order(lab_seed):
    """Catches: results gathered as they finish instead of with get() in submission order."""
    values = seeded_values(lab_seed)
    results = async_results(late_first, [(0.4 if i == 0 else 0.0, v) for i, v in enumerate(values)])
    assert results == values, say("step3.tasks.async_order", results=results, expected=values)


@pytest.mark.exercise("step3.async_results")
def test_async_tasks_overlap(rendezvous, pid_folder, learner):
    """Catches: apply(), get() right after each apply_async() or before the last one is submitted, and
    threads. Only tasks running at the same time in three worker processes meet."""
    barrier = rendezvous(3)
    items = ["a", "b", "c"]
    results = async_results(functools.partial(met_then_noted, barrier, str(pid_folder)), items, processes=3)
    assert results == items, say("step3.tasks.async_values", results=results, expected=items)
    pids = noted_pids(pid_folder)
    assert not pids & {os.getpid(), learner.pid}, say("step3.tasks.async_ran_in_caller")
    assert not barrier.broken and len(pids) == 3, say("step3.tasks.async_not_together", count=len(pids))
    assert pids <= learner.seen, say("step3.tasks.pids_not_seen", pids=sorted(pids - learner.seen))


@pytest.mark.exercise("step3.async_results")
def test_every_task_is_submitted_with_apply_async_in_a_pool_of_the_size_asked_for(pool_calls):
    """Catches: map_async(...).get() or map instead of apply_async, threads or an executor, ignoring ``processes``."""
    loops = [10, 20, 30, 40]
    expected = [cpu_work(n) for n in loops]
    results = async_results(cpu_work, loops, processes=3)
    assert results == expected, say("step3.tasks.async_values", results=results, expected=expected)
    pool_calls.expect("apply_async", calls=4, pool_size=3)


@pytest.mark.exercise("step3.async_results")
def test_a_worker_exception_is_raised_again_by_get():
    """Catches: swallowing errors (a result of None) instead of letting get() raise them."""
    try:
        results = async_results(fragile, [1, -3, 2])
    except ValueError as error:
        assert "negative input -3" in str(error), say("step3.tasks.other_error", error=error)
    else:
        pytest.fail(say("step3.tasks.error_swallowed", results=results))


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
def test_every_task_is_submitted_with_both_callbacks(callbacks):
    """Catches: collecting outcomes with get() and try/except instead of callbacks, a missing callback,
    and callbacks that raise."""
    results_with_callbacks(fragile, [3, -1, 4])
    watched = callbacks()
    submitted = [tuple(given) for given in watched["submitted"]]
    assert submitted == [(True, True)] * 3, say("step3.tasks.callbacks_not_given", submitted=submitted)
    reads = watched["reads"]
    assert not reads, say("step3.tasks.callbacks_read", how=reads[0] if reads else "", count=len(reads))


@pytest.mark.exercise("step3.results_with_callbacks")
def test_callbacks_sort_results_from_errors(lab_seed, callbacks):
    """Catches: lost errors (no error_callback), wrong keys, callbacks that raise, or returning before every
    callback ran."""
    items = random.Random(lab_seed).sample(range(-50, 50), 12)
    results, errors = results_with_callbacks(slow_fragile, items)
    callbacks()
    expected_results = {x: x * 10 for x in items if x >= 0}
    expected_errors = {x: f"ValueError: negative input {x}" for x in items if x < 0}
    missing = sorted(set(expected_results) - set(results)) + sorted(set(expected_errors) - set(errors))
    assert not missing, say("step3.tasks.callbacks_missing", items=missing)
    assert results == expected_results, say("step3.tasks.callbacks_results", results=results, expected=expected_results)
    assert errors == expected_errors, say("step3.tasks.callbacks_errors", errors=errors, expected=expected_errors)


@pytest.mark.exercise("step3.results_with_callbacks")
def test_callback_tasks_run_in_a_pool_of_the_size_asked_for(pool_calls):
    """Catches: threads or an executor, another Pool method than apply_async, and ignoring ``processes``."""
    outcomes = results_with_callbacks(fragile, [3, -1, 4], processes=3)
    expected = ({3: 30, 4: 40}, {-1: "ValueError: negative input -1"})
    assert outcomes == expected, say("step3.tasks.callbacks_outcomes", outcomes=outcomes, expected=expected)
    pool_calls.expect("apply_async", calls=3, pool_size=3)


# -- step3.make_scaler ------------------------------------------------------------------------------


@pytest.mark.exercise("step3.make_scaler")
def test_scaler_multiplies_by_the_fixed_factor(lab_seed, learner):
    """Catches: the factor ignored or fixed wrongly."""
    generator = random.Random(lab_seed)
    factor = generator.randrange(2, 9)
    values = [generator.randrange(-100, 100) for _ in range(5)] + [2.5]
    expected = [scale(value, factor) for value in values]
    results = learner.run(observe_scaler, factor, values)["results"]
    assert results == expected, say("step3.tasks.scaler_values", factor=factor, values=values, results=results)


@pytest.mark.exercise("step3.make_scaler")
def test_scaler_is_a_partial_of_scale_with_the_factor_by_keyword(lab_seed, learner):
    """Catches: a closure, a class or a partial of another function instead of functools.partial over
    ``scale``, and the factor fixed positionally (that calls ``scale(factor, value)``)."""
    factor = random.Random(lab_seed).randrange(2, 9)
    described = learner.run(observe_scaler, factor, [])["described"]
    expected = describe(functools.partial(scale, factor=factor))
    assert described == expected, say("step3.tasks.scaler_not_partial", factor=factor, described=described)


@pytest.mark.exercise("step3.make_scaler")
def test_scaler_can_be_pickled_and_sent_to_a_spawned_worker(learner):
    """Catches: a lambda or a nested function, which cannot be pickled (and so cannot reach a worker)."""
    outcome = learner.run(scaler_through_a_spawned_pool, 3, [1, 2])
    assert "unpicklable" not in outcome, say("step3.tasks.scaler_unpicklable", error=outcome.get("unpicklable"))
    assert outcome["results"] == [3, 6], say("step3.tasks.scaler_spawned", results=outcome["results"])


# -- step3.scale_all --------------------------------------------------------------------------------


@pytest.mark.exercise("step3.scale_all")
def test_scale_all_maps_make_scaler_over_a_pool(monkeypatch, rendezvous, pool_calls, learner):
    """Catches: scaling in the calling process or in a pool of one, threads, ignoring ``processes``, starmap
    over scale instead of map over make_scaler(factor), or a callable other than make_scaler's."""
    barrier = rendezvous(3)  # the stand-in scaler returns the pid of a worker that met two others
    monkeypatch.setattr(tasks_module, "make_scaler", functools.partial(stand_in_scaler, barrier))
    pids = scale_all([1, 2, 5], 3, processes=3)
    assert not barrier.broken, say("step3.tasks.scale_all_not_together")
    made = learner.run(scalers_made)
    assert [factor for factor, _ in made] == [3], say("step3.tasks.make_scaler_calls", factors=[f for f, _ in made])
    (call,) = pool_calls.expect("map", calls=1, pool_size=3)
    assert call.func_id == made[0][1], say("step3.tasks.other_callable", func=call.func)
    pids = set(pids)
    assert len(pids) == 3 and not pids & {os.getpid(), learner.pid}, say("step3.tasks.scale_all_pids", pids=pids)
    assert pids <= learner.seen, say("step3.tasks.pids_not_seen", pids=sorted(pids - learner.seen))


@pytest.mark.exercise("step3.scale_all")
def test_scale_all_maps_the_scaler_in_order(lab_seed):
    """Catches: results in completion order, the factor ignored."""
    values = seeded_values(lab_seed, 20)
    results = scale_all(values, 4)
    expected = [scale(value, 4) for value in values]
    assert results == expected, say("step3.tasks.scale_all_results", values=values, factor=4, results=results)
    results = scale_all([1.5, 2.5], 0.5)
    assert results == [0.75, 1.25], say("step3.tasks.scale_all_results", values=[1.5, 2.5], factor=0.5, results=results)
