"""Step 2 — pools: the specification of each exercise, as tests.

Concurrency is proven with the ``rendezvous`` fixture: a barrier that only tasks running at the same
time can pass. Helpers that run in worker processes are defined at module level. The learner's code
runs in the test's learner process (the ``learner`` fixture); the CPUs it sees are changed there, by
the probes below, and every check that decides the verdict is made here, on plain data and on what is
seen from outside.
"""

import functools
import math
import os
import random
import threading
import time

import pytest

import exercises.step2.pool as pool_module
from exercises.step2.pool import parallel_map, parallel_starmap, usable_cpus
from plugin.messages import say
from plugin.processes import assert_no_children_left
from plugin.workers import cpu_work, pid_of

needs_affinity = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs CPU affinity (Linux)")


def late_first(item):
    """Sleep ``delay`` seconds, then return ``value``: the first item is made to finish last."""
    delay, value = item
    time.sleep(delay)
    return value


def power(base, exponent):
    return base**exponent


def delayed_power(delay, base, exponent):
    time.sleep(delay)
    return base**exponent


def meet(barrier, why_not=None):
    """Wait at ``barrier`` until every party has arrived; a broken barrier is told in the learner's terms,
    ``why_not`` (the deciding process admits builtin exceptions, not threading's BrokenBarrierError)."""
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        raise RuntimeError(why_not or say("step2.tasks_never_met")) from None


def value_when_all_meet(barrier, value):
    meet(barrier)
    return value


def pid_when_all_meet(barrier, _item):
    meet(barrier)
    return os.getpid()


def pid_by_chunk(barrier, chunk, item):
    """Return the pid of the process that ran ``item``. Item 0 waits at the barrier for item ``chunk``,
    the first of the second chunk: with chunks of exactly ``chunk`` items, the worker holding the first
    chunk is blocked, so the second chunk goes to another worker and every chunk runs in one process."""
    if item in (0, chunk):
        meet(barrier, say("step2.chunk_never_met", chunk=chunk))
    return os.getpid()


def answer(value):
    """Stands in for ``usable_cpus`` (a ``functools.partial`` of it pickles; a lambda would not)."""
    return value


def cpus_seen_by(pid):
    """The CPUs the process ``pid`` may use, read from outside it."""
    return len(os.sched_getaffinity(pid)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def ran_elsewhere(learner, pids):
    """Assert that ``pids`` (reported by the tasks) are worker processes of the learner's code: not the
    caller, not this process, and seen in the learner process's tree while it worked."""
    pids = set(pids)
    assert not pids & {os.getpid(), learner.pid}, say("step2.ran_in_caller")
    assert pids <= learner.seen, say("step2.pids_not_seen", pids=sorted(pids - learner.seen))


# -- probes: installed in the learner process, before the learner's code runs ------------------------


def pin_to_one_cpu():
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _eight_cpus(_pid):
    return set(range(8))


def _eight():
    return 8


def pretend_eight_cpus():
    """The machine of a container with a quota: eight CPUs, all of them in the affinity set."""
    os.sched_getaffinity = _eight_cpus
    os.cpu_count = _eight


def _one():
    return 1


def pool_default_is_one_cpu():
    """What ``Pool()`` sizes itself by answers 1: os.cpu_count(), or os.process_cpu_count() from 3.13."""
    os.cpu_count = _one
    os.process_cpu_count = _one


# -- step2.usable_cpus ------------------------------------------------------------------------------


@pytest.fixture
def no_quota(monkeypatch, tmp_path):
    monkeypatch.setattr(pool_module, "CPU_MAX", tmp_path / "no-such-cpu.max")


@pytest.mark.exercise("step2.usable_cpus")
def test_counts_the_cpus_of_the_affinity_set(no_quota, learner):
    """Catches: os.cpu_count(), which ignores the CPUs this process is not allowed to use."""
    count = usable_cpus()
    expected = cpus_seen_by(learner.pid)
    assert count == expected, say("step2.affinity_count", count=count, expected=expected)


@needs_affinity
@pytest.mark.exercise("step2.usable_cpus")
def test_a_process_pinned_to_one_cpu_may_use_one(no_quota, learner):
    """Catches: os.cpu_count() again, where affinity really differs (as under `taskset -c 0`)."""
    learner.install(pin_to_one_cpu)
    count = usable_cpus()
    assert cpus_seen_by(learner.pid) == 1, say("step2.affinity_changed")  # the premise: it counted pinned
    assert count == 1, say("step2.pinned_count", count=count)


@pytest.mark.exercise("step2.usable_cpus")
@pytest.mark.parametrize(
    "cpu_max, cap",
    [("max 100000", None), ("100000 100000", 1), ("50000 100000", 1), ("250000 100000", 2)],
    ids=["no-quota", "one-cpu", "half-a-cpu-is-still-one", "two-and-a-half"],
)
def test_a_container_quota_caps_the_count(monkeypatch, tmp_path, learner, cpu_max, cap):
    """Catches: ignoring the cgroup quota of a container, or rounding half a CPU down to none."""
    (tmp_path / "cpu.max").write_text(cpu_max + "\n")
    monkeypatch.setattr(pool_module, "CPU_MAX", tmp_path / "cpu.max")
    count = usable_cpus()
    affinity = cpus_seen_by(learner.pid)
    expected = affinity if cap is None else min(affinity, cap)
    assert isinstance(count, int) and count >= 1, say("step2.quota_below_one", count=count, cpu_max=cpu_max)
    assert count == expected, say("step2.quota_count", count=count, cpu_max=cpu_max, cpus=affinity, expected=expected)


@pytest.mark.exercise("step2.usable_cpus")
@pytest.mark.parametrize(
    "cpu_max, expected",
    [("370000 100000", 3), ("150000 100000", 1), ("900000 100000", 8)],
    ids=["three-point-seven-is-three", "one-and-a-half-is-one", "nine-on-eight-cpus-is-eight"],
)
def test_a_fractional_quota_rounds_down_on_a_machine_with_eight_cpus(monkeypatch, tmp_path, learner, cpu_max, expected):
    """Catches: round() or math.ceil() of quota / period, which a machine with two CPUs hides."""
    (tmp_path / "cpu.max").write_text(cpu_max + "\n")
    monkeypatch.setattr(pool_module, "CPU_MAX", tmp_path / "cpu.max")
    learner.install(pretend_eight_cpus)
    count = usable_cpus()
    assert count == expected, say("step2.fractional_count", count=count, cpu_max=cpu_max, expected=expected)


# -- step2.parallel_map -----------------------------------------------------------------------------


@pytest.mark.exercise("step2.parallel_map")
def test_map_returns_results_in_input_order(lab_seed):
    """Catches: results in completion order (imap_unordered): the first item finishes last."""
    values = random.Random(lab_seed).sample(range(10_000), 6)
    items = [(0.4 if index == 0 else 0.0, value) for index, value in enumerate(values)]
    results = parallel_map(late_first, items, processes=2)
    assert results == values, say("step2.map_order", results=results, expected=values)


@pytest.mark.exercise("step2.parallel_map")
def test_map_runs_tasks_at_the_same_time_in_distinct_workers(rendezvous, learner):
    """Catches: a sequential loop, or a pool of one worker. Two tasks can only meet if both run at once."""
    pids = parallel_map(functools.partial(pid_when_all_meet, rendezvous(2)), range(2), processes=2)
    ran_elsewhere(learner, pids)
    assert len(set(pids)) == 2, say("step2.distinct_workers", count=len(set(pids)))
    assert_no_children_left(say("step2.use_context_manager"))


@pytest.mark.exercise("step2.parallel_map")
@pytest.mark.parametrize("count", [16, 24], ids=["chunks-of-two", "chunks-of-three"])
def test_map_hands_items_over_in_its_default_chunks(rendezvous, pool_calls, learner, count):
    """Catches: a chunk size of your own (``chunksize=1``, one chunk per worker, a fixed number) where
    the docstring asks for Pool.map's default: with 2 workers, ceil(count / 8) items per task."""
    chunk = math.ceil(count / (4 * 2))
    pids = parallel_map(functools.partial(pid_by_chunk, rendezvous(2), chunk), range(count), processes=2)
    pool_calls.expect("map", calls=1, pool_size=2)
    ran_elsewhere(learner, pids)
    split = [start for start in range(0, count, chunk) if len(set(pids[start : start + chunk])) != 1]
    assert not split, say("step2.chunks_split", items=count, chunk=chunk, first=split[0])


@pytest.fixture
def cpus(monkeypatch, learner):
    """``cpus(usable=N)``: usable_cpus() answers N, and what Pool() sizes itself by answers 1, in the
    learner process."""

    def pretend(usable):
        monkeypatch.setattr(pool_module, "usable_cpus", functools.partial(answer, usable))
        learner.install(pool_default_is_one_cpu)

    return pretend


@pytest.mark.exercise("step2.parallel_map")
def test_map_sizes_the_pool_from_usable_cpus_by_default(cpus, rendezvous, pool_calls):
    """Catches: Pool() without a size, which takes os.cpu_count() workers."""
    cpus(usable=3)
    barrier = rendezvous(3)  # three tasks meet only if the pool has three workers
    assert parallel_map(functools.partial(value_when_all_meet, barrier), [7, 8, 9]) == [7, 8, 9]
    pool_calls.expect("map", calls=1, pool_size=3)


@pytest.mark.exercise("step2.parallel_map")
def test_map_uses_as_many_workers_as_it_is_asked_for(cpus, rendezvous, pool_calls):
    """Catches: ignoring ``processes`` (a pool sized from the CPUs whatever the caller asked), and threads
    (a ThreadPool or an executor meets at the barrier too)."""
    cpus(usable=1)
    barrier = rendezvous(3)
    assert parallel_map(functools.partial(value_when_all_meet, barrier), [7, 8, 9], processes=3) == [7, 8, 9]
    pool_calls.expect("map", calls=1, pool_size=3)
    workers = len(pool_calls.worker_pids())
    assert workers == 3, say("step2.worker_count", workers=workers, tasks=3, expected=3)


@pytest.mark.exercise("step2.parallel_map")
def test_map_with_one_process_uses_one_worker_process(cpus, pool_calls, learner):
    """Catches: a pool sized from the CPUs (or a fixed size) when one process is asked for."""
    cpus(usable=3)
    pids = parallel_map(pid_of, range(6), processes=1)
    pool_calls.expect("map", calls=1, pool_size=1)
    workers = pool_calls.worker_pids()
    assert len(workers) == 1 and set(pids) == workers, say("step2.one_worker", tasks=6, workers=len(workers))


@pytest.mark.exercise("step2.parallel_map")
def test_map_is_faster_than_a_loop(speedup, lab_seed):
    """Catches: sequential work, and pools that cost more than they save. The task is the kit's own
    CPU-bound work, so that only the pool can make the parallel side faster."""
    rng = random.Random(lab_seed)
    loops = [rng.randrange(1_200_000, 1_400_000) for _ in range(8)]
    speedup(
        sequential=lambda: [cpu_work(n) for n in loops],
        parallel=lambda: parallel_map(cpu_work, loops, processes=2),
        workers=2,
    )


# -- step2.parallel_starmap -------------------------------------------------------------------------


@pytest.mark.exercise("step2.parallel_starmap")
def test_starmap_unpacks_each_tuple_into_arguments(lab_seed):
    """Catches: Pool.map, which would pass each tuple as a single argument."""
    rng = random.Random(lab_seed)
    pairs = [(rng.randrange(2, 50), rng.randrange(0, 6)) for _ in range(8)]
    results = parallel_starmap(power, pairs, processes=2)
    expected = [base**exponent for base, exponent in pairs]
    assert results == expected, say("step2.starmap_unpack", results=results, expected=expected)


@pytest.mark.exercise("step2.parallel_starmap")
def test_starmap_returns_results_in_input_order():
    """Catches: results in completion order: the first task finishes last."""
    args = [(0.4, 2, 1), (0.0, 2, 2), (0.0, 2, 3), (0.0, 2, 4)]
    results = parallel_starmap(delayed_power, args, processes=2)
    assert results == [2, 4, 8, 16], say("step2.starmap_order", results=results, expected=[2, 4, 8, 16])


@pytest.mark.exercise("step2.parallel_starmap")
def test_starmap_runs_tasks_at_the_same_time(rendezvous, learner):
    """Catches: itertools.starmap or a loop in the parent. Only simultaneous tasks pass the barrier."""
    barrier = rendezvous(2)
    pids = parallel_starmap(pid_when_all_meet, [(barrier, "a"), (barrier, "b")], processes=2)
    ran_elsewhere(learner, pids)
    assert len(set(pids)) == 2, say("step2.distinct_workers", count=len(set(pids)))
    assert_no_children_left(say("step2.use_context_manager"))


@pytest.mark.exercise("step2.parallel_starmap")
def test_starmap_sizes_the_pool_from_usable_cpus_by_default(cpus, rendezvous, pool_calls):
    """Catches: Pool() without a size, which takes os.cpu_count() workers."""
    cpus(usable=3)
    barrier = rendezvous(3)
    assert parallel_starmap(value_when_all_meet, [(barrier, n) for n in "xyz"]) == ["x", "y", "z"]
    pool_calls.expect("starmap", calls=1, pool_size=3)


@pytest.mark.exercise("step2.parallel_starmap")
def test_starmap_uses_as_many_workers_as_it_is_asked_for(cpus, rendezvous, pool_calls):
    """Catches: ignoring ``processes``, and threads or an executor instead of Pool.starmap."""
    cpus(usable=1)
    barrier = rendezvous(3)
    assert parallel_starmap(value_when_all_meet, [(barrier, n) for n in "xyz"], processes=3) == ["x", "y", "z"]
    pool_calls.expect("starmap", calls=1, pool_size=3)
    workers = len(pool_calls.worker_pids())
    assert workers == 3, say("step2.worker_count", workers=workers, tasks=3, expected=3)


@pytest.mark.exercise("step2.parallel_starmap")
def test_starmap_with_one_process_uses_one_worker_process(cpus, pool_calls):
    """Catches: a pool sized from the CPUs (or a fixed size) when one process is asked for."""
    cpus(usable=3)
    pids = parallel_starmap(pid_of, [(n,) for n in range(4)], processes=1)
    pool_calls.expect("starmap", calls=1, pool_size=1)
    workers = pool_calls.worker_pids()
    assert len(workers) == 1 and set(pids) == workers, say("step2.one_worker", tasks=4, workers=len(workers))
