"""Step 2 — pools: the specification of each exercise, as tests.

Concurrency is proven with the ``rendezvous`` fixture: a barrier that only tasks running at the same
time can pass. Helpers that run in worker processes are defined at module level.
"""

import functools
import os
import random
import time

import pytest

import exercises.step2.pool as pool_module
from exercises.step2.pool import count_primes, parallel_map, parallel_starmap, usable_cpus
from plugin.processes import assert_no_children_left
from plugin.workers import pid_at_barrier, pid_of, wait_at_barrier

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


# -- step2.usable_cpus ------------------------------------------------------------------------------


@pytest.fixture
def no_quota(monkeypatch, tmp_path):
    monkeypatch.setattr(pool_module, "CPU_MAX", tmp_path / "no-such-cpu.max")


@pytest.mark.exercise("step2.usable_cpus")
def test_counts_the_cpus_of_the_affinity_set(no_quota):
    """Catches: os.cpu_count(), which ignores the CPUs this process is not allowed to use."""
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    count = usable_cpus()
    assert count == expected, f"usable_cpus() said {count}; this process may use {expected} CPU(s) (its affinity set)"


@needs_affinity
@pytest.mark.exercise("step2.usable_cpus")
def test_a_process_pinned_to_one_cpu_may_use_one(no_quota):
    """Catches: os.cpu_count() again, where affinity really differs (as under `taskset -c 0`)."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        count = usable_cpus()
    finally:
        os.sched_setaffinity(0, before)
    assert count == 1, f"this process was pinned to one CPU, and usable_cpus() said {count}"


@pytest.mark.exercise("step2.usable_cpus")
@pytest.mark.parametrize(
    "cpu_max, cap",
    [("max 100000", None), ("100000 100000", 1), ("50000 100000", 1), ("250000 100000", 2)],
    ids=["no-quota", "one-cpu", "half-a-cpu-is-still-one", "two-and-a-half"],
)
def test_a_container_quota_caps_the_count(monkeypatch, tmp_path, cpu_max, cap):
    """Catches: ignoring the cgroup quota of a container, or rounding half a CPU down to none."""
    (tmp_path / "cpu.max").write_text(cpu_max + "\n")
    monkeypatch.setattr(pool_module, "CPU_MAX", tmp_path / "cpu.max")
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    expected = affinity if cap is None else min(affinity, cap)
    count = usable_cpus()
    assert count >= 1, f"usable_cpus() said {count} with cpu.max {cpu_max!r}: a process may always use at least 1 CPU"
    assert count == expected, (
        f"usable_cpus() said {count} with cpu.max {cpu_max!r} and {affinity} CPU(s) in the affinity set: expected "
        f"{expected} (the quota, quota / period rounded down, caps the count; 'max' means no quota)"
    )


@pytest.mark.exercise("step2.usable_cpus")
@pytest.mark.parametrize(
    "cpu_max, expected",
    [("370000 100000", 3), ("150000 100000", 1), ("900000 100000", 8)],
    ids=["three-point-seven-is-three", "one-and-a-half-is-one", "nine-on-eight-cpus-is-eight"],
)
def test_a_fractional_quota_rounds_down_on_a_machine_with_eight_cpus(monkeypatch, tmp_path, cpu_max, expected):
    """Catches: round() or math.ceil() of quota / period, which a machine with two CPUs hides."""
    (tmp_path / "cpu.max").write_text(cpu_max + "\n")
    monkeypatch.setattr(pool_module, "CPU_MAX", tmp_path / "cpu.max")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    count = usable_cpus()
    assert count == expected, (
        f"usable_cpus() said {count} with cpu.max {cpu_max!r} and 8 CPUs in the affinity set: expected {expected} "
        "(math.floor(quota / period), never more than the affinity set and never below 1)"
    )


# -- step2.parallel_map -----------------------------------------------------------------------------


@pytest.mark.exercise("step2.parallel_map")
def test_map_returns_results_in_input_order(lab_seed):
    """Catches: results in completion order (imap_unordered): the first item finishes last."""
    values = random.Random(lab_seed).sample(range(10_000), 6)
    items = [(0.4 if index == 0 else 0.0, value) for index, value in enumerate(values)]
    results = parallel_map(late_first, items, processes=2)
    assert results == values, (
        f"results {results}, expected {values}: keep the order of items (the first finished last); Pool.map does"
    )


@pytest.mark.exercise("step2.parallel_map")
def test_map_runs_tasks_at_the_same_time_in_distinct_workers(rendezvous):
    """Catches: a sequential loop, or a pool of one worker. Two tasks can only meet if both run at once."""
    pids = parallel_map(functools.partial(pid_at_barrier, rendezvous(2)), range(2), processes=2)
    assert os.getpid() not in pids, "the tasks ran in this process: use a Pool"
    assert len(set(pids)) == 2
    assert_no_children_left("use the pool as a context manager")


@pytest.fixture
def cpus(monkeypatch):
    """``cpus(usable=N)``: usable_cpus() answers N, and what Pool() sizes itself by answers 1
    (os.cpu_count(), or os.process_cpu_count() from Python 3.13)."""

    def pretend(usable):
        monkeypatch.setattr(pool_module, "usable_cpus", lambda: usable)
        monkeypatch.setattr(os, "cpu_count", lambda: 1)
        monkeypatch.setattr(os, "process_cpu_count", lambda: 1, raising=False)

    return pretend


@pytest.mark.exercise("step2.parallel_map")
def test_map_sizes_the_pool_from_usable_cpus_by_default(cpus, rendezvous):
    """Catches: Pool() without a size, which takes os.cpu_count() workers."""
    cpus(usable=3)
    barrier = rendezvous(3)  # three tasks meet only if the pool has three workers
    assert parallel_map(functools.partial(wait_at_barrier, barrier), [7, 8, 9]) == [7, 8, 9]


@pytest.mark.exercise("step2.parallel_map")
def test_map_uses_as_many_workers_as_it_is_asked_for(cpus, rendezvous, pool_calls):
    """Catches: ignoring ``processes`` (a pool sized from the CPUs whatever the caller asked), and threads
    (a ThreadPool or an executor meets at the barrier too)."""
    cpus(usable=1)
    barrier = rendezvous(3)
    assert parallel_map(functools.partial(wait_at_barrier, barrier), [7, 8, 9], processes=3) == [7, 8, 9]
    pool_calls.expect("map", calls=1, pool_size=3)
    assert len(pool_calls.worker_pids()) == 3, (
        f"{len(pool_calls.worker_pids())} worker processes ran 3 tasks, expected 3"
    )


@pytest.mark.exercise("step2.parallel_map")
def test_map_with_one_process_uses_one_worker_process(cpus, pool_calls):
    """Catches: a pool sized from the CPUs (or a fixed size) when one process is asked for."""
    cpus(usable=3)
    pids = parallel_map(pid_of, range(6), processes=1)
    pool_calls.expect("map", calls=1, pool_size=1)
    assert len(set(pids)) == 1, f"6 tasks ran in {len(set(pids))} processes; processes=1 asks for a pool of 1 worker"


@pytest.mark.exercise("step2.parallel_map")
def test_map_is_faster_than_a_loop(speedup, lab_seed):
    """Catches: sequential work, and pools that cost more than they save."""
    rng = random.Random(lab_seed)
    limits = [rng.randrange(70_000, 80_000) for _ in range(8)]
    speedup(
        sequential=lambda: [count_primes(limit) for limit in limits],
        parallel=lambda: parallel_map(count_primes, limits, processes=2),
        workers=2,
    )


# -- step2.parallel_starmap -------------------------------------------------------------------------


@pytest.mark.exercise("step2.parallel_starmap")
def test_starmap_unpacks_each_tuple_into_arguments(lab_seed):
    """Catches: Pool.map, which would pass each tuple as a single argument."""
    rng = random.Random(lab_seed)
    pairs = [(rng.randrange(2, 50), rng.randrange(0, 6)) for _ in range(8)]
    assert parallel_starmap(power, pairs, processes=2) == [base**exponent for base, exponent in pairs]


@pytest.mark.exercise("step2.parallel_starmap")
def test_starmap_returns_results_in_input_order():
    """Catches: results in completion order: the first task finishes last."""
    args = [(0.4, 2, 1), (0.0, 2, 2), (0.0, 2, 3), (0.0, 2, 4)]
    results = parallel_starmap(delayed_power, args, processes=2)
    assert results == [2, 4, 8, 16], f"results {results}, expected [2, 4, 8, 16]: keep the order of arg_tuples"


@pytest.mark.exercise("step2.parallel_starmap")
def test_starmap_runs_tasks_at_the_same_time(rendezvous):
    """Catches: itertools.starmap or a loop in the parent. Only simultaneous tasks pass the barrier."""
    barrier = rendezvous(2)
    assert parallel_starmap(wait_at_barrier, [(barrier, "a"), (barrier, "b")], processes=2) == ["a", "b"]
    assert_no_children_left("use the pool as a context manager")


@pytest.mark.exercise("step2.parallel_starmap")
def test_starmap_sizes_the_pool_from_usable_cpus_by_default(cpus, rendezvous):
    """Catches: Pool() without a size, which takes os.cpu_count() workers."""
    cpus(usable=3)
    barrier = rendezvous(3)
    assert parallel_starmap(wait_at_barrier, [(barrier, n) for n in "xyz"]) == ["x", "y", "z"]


@pytest.mark.exercise("step2.parallel_starmap")
def test_starmap_uses_as_many_workers_as_it_is_asked_for(cpus, rendezvous, pool_calls):
    """Catches: ignoring ``processes``, and threads or an executor instead of Pool.starmap."""
    cpus(usable=1)
    barrier = rendezvous(3)
    assert parallel_starmap(wait_at_barrier, [(barrier, n) for n in "xyz"], processes=3) == ["x", "y", "z"]
    pool_calls.expect("starmap", calls=1, pool_size=3)
    assert len(pool_calls.worker_pids()) == 3, (
        f"{len(pool_calls.worker_pids())} worker processes ran 3 tasks, expected 3"
    )


@pytest.mark.exercise("step2.parallel_starmap")
def test_starmap_with_one_process_uses_one_worker_process(cpus, pool_calls):
    """Catches: a pool sized from the CPUs (or a fixed size) when one process is asked for."""
    cpus(usable=3)
    pids = parallel_starmap(pid_of, [(n,) for n in range(4)], processes=1)
    pool_calls.expect("starmap", calls=1, pool_size=1)
    assert len(set(pids)) == 1, f"4 tasks ran in {len(set(pids))} processes; processes=1 asks for a pool of 1 worker"
