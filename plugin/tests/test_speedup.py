"""The speedup engine: statistics and verdicts with a fake clock, then end to end on a mini kit."""

from __future__ import annotations

import contextlib
import fcntl
import json
import multiprocessing
import os
import sys

import pytest

from plugin.measure import clock, speedup, timing
from plugin.measure.machine import usable_cpus
from plugin.measure.sharing import RunLock
from plugin.measure.speedup import MIN_CAPACITY, NOT_MEASURED, SpeedupMeter
from plugin.measure.timing import attainable_speedup, required_speedup, round_times
from plugin.tests.minikit import CLOCK_CHEAT, SPEED_STUB, add_speed_step, run, write


class FakeWork:
    """Callables that take a scripted time on a fake clock, returning a fixed result."""

    def __init__(self, monkeypatch):
        self.now = 0.0
        self.calls: list[str] = []
        monkeypatch.setattr(clock, "perf_counter", lambda: self.now)
        monkeypatch.setattr(clock, "thread_time", lambda: self.now)  # the work is all CPU time

    def task(self, name: str, durations, result=42):
        durations = iter(durations)
        last = [None]

        def run_task():
            last[0] = next(durations, last[0])
            self.now += last[0]
            self.calls.append(name)
            return result

        return run_task


def test_rounds_interleave_alternating_which_side_goes_first(monkeypatch):
    fake = FakeWork(monkeypatch)
    seq = fake.task("s", [1.0, 0.8, 0.9, 1.2])
    par = fake.task("p", [0.6, 0.5, 0.7, 0.55])
    seq_times, par_times = round_times(seq, par, rounds=4, budget_s=100)
    assert seq_times == pytest.approx([1.0, 0.8, 0.9, 1.2]) and par_times == pytest.approx([0.6, 0.5, 0.7, 0.55])
    assert fake.calls == ["s", "p", "p", "s", "s", "p", "p", "s"]


def test_the_warm_up_counts_as_the_first_round(monkeypatch):
    fake = FakeWork(monkeypatch)
    seq = fake.task("s", [1.0, 0.9])
    par = fake.task("p", [0.6, 0.7])
    seq_times, par_times = round_times(seq, par, rounds=3, budget_s=100, first_round=(0.85, 0.4))
    assert seq_times == pytest.approx([0.85, 1.0, 0.9]) and par_times == pytest.approx([0.4, 0.6, 0.7])
    assert fake.calls == ["p", "s", "s", "p"]  # two more rounds, the first of them parallel-first


def test_rounds_stop_at_the_budget_after_the_minimum_rounds(monkeypatch):
    fake = FakeWork(monkeypatch)
    round_times(fake.task("s", [1.0]), fake.task("p", [1.0]), rounds=10, budget_s=0.5)
    assert len(fake.calls) == 2 * timing.MIN_ROUNDS


def test_attainable_speedup_is_capacity_less_the_workers_start_up():
    assert attainable_speedup(1.9, 1.0, 0.0) == pytest.approx(1.9)
    assert attainable_speedup(2.0, 1.0, 0.25) == pytest.approx(1.0 / (0.5 + 0.25))
    assert attainable_speedup(2.0, 0.2, 0.4) < 1.0  # start-up dwarfs the work


def test_a_start_up_that_dwarfs_the_work_is_not_measured(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.9], startup_s=0.5).compare(
        fake.task("s", [0.4]), fake.task("p", [0.9]), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == "not-measured" and "starting them takes 0.50 s" in result.reason


@pytest.mark.parametrize("parallel_s, verdict", [(0.4, "pass"), (0.8, "not-measured")])
def test_a_workload_that_sped_up_as_much_as_the_least_capacity_is_measured(monkeypatch, tmp_path, parallel_s, verdict):
    """Readings of 1.25x, with a start-up of 0.1 s, would make a 0.6 s workload unmeasurable; one that ran 1.5x
    faster itself showed the machine's parallelism and is judged, against the least capacity's bar. One
    that ran 0.75x faster showed nothing: not-measured, as before."""
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.25], startup_s=0.1).compare(
        fake.task("s", [0.6]), fake.task("p", [parallel_s]), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == verdict
    if verdict == "pass":
        assert result.required == pytest.approx(required_speedup(MIN_CAPACITY, 0.6))


def test_required_speedup_keeps_a_fraction_of_the_machines_gain():
    assert required_speedup(1.9, 0.6) == pytest.approx(1.54)
    assert required_speedup(1.0, 0.6) == 1.0
    assert required_speedup(3.8, 0.5) == pytest.approx(2.4)


def meter(monkeypatch, tmp_path, capacities, cpus=2, startup_s=0.0, time_left=None) -> SpeedupMeter:
    """A meter whose capacity readings are the given values, one per reading (and then the last again),
    and whose start-up readings are ``startup_s`` (one value, or a list read in turn likewise)."""
    readings = iter(capacities)
    startups = iter(startup_s if isinstance(startup_s, list) else [startup_s])
    last = {"capacity": None, "startup": None}

    def next_of(values, key):
        last[key] = next(values, last[key])
        return last[key]

    instance = SpeedupMeter(cpus, 0.6, tmp_path, time_left=time_left)
    monkeypatch.setattr(instance, "read_capacity", lambda workers: next_of(readings, "capacity"))
    monkeypatch.setattr(instance, "read_startup", lambda workers, module: next_of(startups, "startup"))
    return instance


@pytest.mark.parametrize(
    "seq_s, par_s, verdict",
    [(1.0, 0.5, "pass"), (1.0, 0.64, "pass"), (1.0, 0.66, "fail"), (1.0, 1.0, "fail")],
)
def test_verdict_compares_the_speedup_with_the_requirement(monkeypatch, tmp_path, seq_s, par_s, verdict):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.9] * speedup.ATTEMPTS).compare(
        fake.task("s", [seq_s]), fake.task("p", [par_s]), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == verdict
    assert result.capacity == 1.9 and result.required == pytest.approx(1.54)
    assert result.speedup == pytest.approx(seq_s / par_s, rel=1e-3)


def test_a_retry_never_lowers_the_bar_the_session_has_seen(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    capacities = [1.9, 1.11, 1.2]  # the machine got busier after the first attempt
    result = meter(monkeypatch, tmp_path, capacities).compare(
        fake.task("s", [1.0]), fake.task("p", [0.95]), 2, "step2.x", "t::x", "m"
    )  # 1.05x: a thread pool's speedup, which the 1.11x reading alone would call not-measured
    assert result.verdict == "fail" and result.capacity == 1.9 and result.required == pytest.approx(1.54)
    # the busy readings are waited out a few times, then the misses count: the bar stays where it was
    assert result.busy_attempts == speedup.BUSY_RETRIES
    assert [attempt["capacity"] for attempt in result.attempts] == [1.9] * (speedup.ATTEMPTS + speedup.BUSY_RETRIES)
    assert all(attempt["required"] == pytest.approx(1.54) for attempt in result.attempts)
    assert "busier than its best during 4 of the attempts" in result.explain()


def test_a_long_busy_spell_is_waited_out_before_misses_count(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    capacities = [1.9, 1.2, 1.2, 1.2, 1.9]  # someone else's load for three attempts, then a quiet machine
    result = meter(monkeypatch, tmp_path, capacities).compare(
        fake.task("s", [1.0]), fake.task("p", [0.9] * (1 + 3 * 4) + [0.55]), 2, "step2.x", "t::x", "m"
    )  # three plain retries would have ended in the busy spell; the fifth attempt runs on a quiet machine
    assert result.verdict == "pass" and result.busy_attempts == 3 and len(result.attempts) == 5
    assert [attempt.get("busy_reading") for attempt in result.attempts] == [1.2, 1.2, 1.2, None, None]


def test_a_slow_start_up_reading_on_a_retry_does_not_excuse_a_miss(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.9], startup_s=[0.0, 5.0, 5.0]).compare(
        fake.task("s", [1.0]), fake.task("p", [0.95]), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == "fail" and result.startup_s > 0.0  # the readings rose ...
    assert [attempt["required"] for attempt in result.attempts] == [
        pytest.approx(1.54)
    ] * speedup.ATTEMPTS  # not the bar


def test_slow_start_up_readings_of_an_earlier_test_never_make_a_miss_not_measured(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    instance = meter(monkeypatch, tmp_path, [1.9], startup_s=[0.0, 5.0])
    first = instance.compare(fake.task("s", [1.0]), fake.task("p", [0.95]), 2, "step4.x", "t::x", "m")
    assert first.verdict == "fail" and instance.startup(2, "m") == 5.0  # its retries read a slow moment
    second = instance.compare(fake.task("s", [1.0]), fake.task("p", [0.95]), 2, "step4.y", "t::y", "m")
    # the session proved a start-up of 0 s: this workload can show parallelism, so the miss is judged
    assert second.verdict == "fail" and second.required == pytest.approx(1 + 0.6 * (speedup.MIN_CAPACITY - 1))


def test_under_fork_the_start_up_is_read_without_forking_this_process(monkeypatch, tmp_path):
    """This process runs threads (xdist's, a Dask client's): a child forked from it can hang a pool."""
    module = tmp_path / "stub.py"
    module.write_text("import math\n")

    def forked():
        raise AssertionError("the start-up reading forked the deciding process")

    session_method = multiprocessing.get_start_method()
    multiprocessing.set_start_method("fork", force=True)
    try:
        monkeypatch.setattr(os, "fork", forked)
        assert 0 < SpeedupMeter(2, 0.4, tmp_path).read_startup(2, str(module)) < 30
    finally:
        multiprocessing.set_start_method(session_method, force=True)


def test_the_start_up_is_the_median_of_the_sessions_readings(monkeypatch, tmp_path):
    instance = meter(monkeypatch, tmp_path, [1.9], startup_s=[0.2, 0.1, 0.9])
    assert [instance.measure_startup(2, "m") for _ in range(3)] == pytest.approx([0.2, 0.15, 0.2])
    assert instance.startup(2, "m") == pytest.approx(0.2)  # neither the luckiest start nor the slowest
    assert instance.startup(2, "other") == pytest.approx(0.9)  # a module of its own: read anew


def test_the_capacity_reading_is_the_median_of_its_rounds_ratios(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    seq = fake.task("s", [1.0, 1.5, 1.0, 1.0, 1.0])  # one sequential run slowed by someone else's work
    par = fake.task("p", [0.6, 0.5, 0.52, 0.55, 0.9])  # and one parallel run
    assert timing.typical_ratio(seq, par, rounds=5, budget_s=100) == pytest.approx(1 / 0.55)
    # the best of each side would read 2.0x, pairing the one quickest parallel run with a sequential run
    # of another round: what a round typically shows is the median of the rounds' own ratios


def test_running_workers_first_call_is_not_counted_as_a_round(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.9]).compare(
        fake.task("s", [1.0]), fake.task("p", [3.0, 0.55]), 2, "step5.x", "t::x", "m", workers_running=True
    )  # a cold cluster's first call is slow; the rounds after it time it warm (a pass: the fewest of them)
    assert result.verdict == "pass" and fake.calls.count("p") == 1 + timing.MIN_ROUNDS


def test_the_best_capacity_is_kept_for_the_session_per_worker_count(monkeypatch, tmp_path):
    instance = meter(monkeypatch, tmp_path, [1.9, 1.2, 1.95])
    assert [instance.measure_capacity(2) for _ in range(3)] == [1.9, 1.9, 1.95]
    assert instance.capacity(2) == 1.95  # what the other xdist workers read
    assert instance.measure_capacity(3) == 1.95  # the same reading script, but a worker count of its own


def test_every_attempt_is_recorded_in_the_json_row(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.9]).compare(
        fake.task("s", [1.0]), fake.task("p", [0.9] * 4 + [0.55]), 2, "step2.x", "t::x", "m"
    )
    row = result.as_dict()
    assert row["verdict"] == "pass" and len(row["attempts"]) == 2
    assert [attempt["speedup"] for attempt in row["attempts"]] == pytest.approx([1 / 0.9, 1 / 0.55], rel=1e-3)
    assert set(row["attempts"][0]) == {
        "capacity",
        "startup_s",
        "sequential_s",
        "parallel_s",
        "speedup",
        "required",
        "caller_share",
        "sequential_cpu_s",
        "sequential_clock_s",
        "rounds",
    }


@pytest.mark.parametrize("workers, par_s", [(2, 1 / 2.6), (2, 1 / 6641), (3, 1 / 3.9)])
def test_a_speedup_far_above_the_worker_count_is_skipped_work(monkeypatch, tmp_path, workers, par_s):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.9], cpus=4).compare(
        fake.task("s", [1.0]), fake.task("p", [par_s]), workers, "step4.x", "t::x", "m"
    )
    assert result.verdict == "fail" and "work was skipped" in result.explain()
    assert len(result.attempts) == 1  # no retry: more time would not make it honest


def test_skipped_work_fails_even_where_the_machine_shows_no_parallelism(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.05]).compare(
        fake.task("s", [1.0]), fake.task("p", [0.01]), 2, "step4.x", "t::x", "m"
    )
    assert result.verdict == "fail" and "work was skipped" in result.reason


def kit_sequential(monkeypatch, fake, clock_s: float):
    """A sequential side of 1.0 s of the kit thread's CPU time whose runs take ``clock_s`` on the clock
    (more: they wait for someone else's load)."""
    cpu = [0.0]
    monkeypatch.setattr(clock, "thread_time", lambda: cpu[0])

    def sequential():
        fake.now += clock_s
        cpu[0] += 1.0
        return 42

    return sequential


def sides_on_cpus(monkeypatch, fake, caller_cpu_s: float, parallel_s: float = 0.5):
    """The kit's sequential side on a CPU slowed by the host (1.0 s, on the clock and of the kit thread's
    CPU time alike), a parallel side of ``parallel_s`` in which the caller itself uses ``caller_cpu_s``,
    and the caller's CPU clock."""
    sequential = kit_sequential(monkeypatch, fake, clock_s=1.0)
    cpu = {"caller": 0.0}

    def parallel():
        fake.now += parallel_s
        cpu["caller"] += caller_cpu_s
        return 42

    return sequential, parallel, lambda: cpu["caller"]


@pytest.mark.parametrize("capacity", [1.9, 1.05])
def test_work_done_by_the_caller_fails_however_fast_it_looked(monkeypatch, tmp_path, capacity):
    """Sequential code or threads in the learner process, on a CPU faster than the kit's (2.0x on the clock,
    0.45 s of the caller's CPU time against the kit's 1.0 s): they fail, and a machine that shows no
    parallelism does not excuse them."""
    fake = FakeWork(monkeypatch)
    sequential, parallel, caller_cpu = sides_on_cpus(monkeypatch, fake, caller_cpu_s=0.45)
    result = meter(monkeypatch, tmp_path, [capacity]).compare(
        sequential, parallel, 2, "step2.x", "t::x", "m", caller_cpu=caller_cpu
    )
    assert result.verdict == "fail" and result.failure == "work-in-caller" and result.caller_share == 0.45
    assert "ran in the calling process" in result.explain() and "45%" in result.explain()
    assert len(result.attempts) == 1  # no retry: more time would not move the work out of the caller


def test_a_caller_that_only_sends_tasks_and_collects_results_passes(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    sequential, parallel, caller_cpu = sides_on_cpus(monkeypatch, fake, caller_cpu_s=0.02)
    result = meter(monkeypatch, tmp_path, [1.9]).compare(
        sequential, parallel, 2, "step2.x", "t::x", "m", caller_cpu=caller_cpu
    )
    assert result.verdict == "pass" and result.failure == "" and result.caller_share == 0.02
    assert result.attempts[0]["caller_share"] == 0.02


def test_a_sequential_side_that_waited_for_others_counts_at_most_its_cpu_time_and_a_fifth(monkeypatch, tmp_path):
    """Correct code against sequential runs of 3.0 s for 1.0 s of CPU time: 6.0x on the clock, which would
    be skipped work (seen once: 2.65 s for 0.8 s of work), is judged 2.4x."""
    fake = FakeWork(monkeypatch)
    sequential = kit_sequential(monkeypatch, fake, clock_s=3.0)
    result = meter(monkeypatch, tmp_path, [1.9]).compare(sequential, fake.task("p", [0.5]), 2, "step5.x", "t::x", "m")
    assert result.verdict == "pass" and result.speedup == pytest.approx(2.4) and result.sequential_cpu_s == 1.0
    assert result.attempts[0]["sequential_clock_s"] == 3.0 and result.attempts[0]["sequential_s"] == 1.2


def test_a_pass_is_settled_after_the_fewest_rounds(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.9]).compare(
        fake.task("s", [1.0]), fake.task("p", [0.55]), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == "pass" and fake.calls.count("p") == timing.MIN_ROUNDS  # the warm-up is the first
    assert result.attempts[0]["rounds"] == timing.MIN_ROUNDS


@pytest.mark.parametrize("par_s", [[0.9, 0.9, 0.55], [1 / 1.95]], ids=["a-miss-so-far", "above-the-capacity"])
def test_rounds_that_do_not_pass_within_the_capacity_yet_all_run(monkeypatch, tmp_path, par_s):
    """A miss may pass on a later round; a speedup above the capacity reading has the capacity read again."""
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.9]).compare(
        fake.task("s", [1.0]), fake.task("p", par_s), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == "pass" and len(result.attempts) == 1 and fake.calls.count("p") == timing.ROUNDS


def test_a_caller_that_did_the_work_runs_every_round(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    sequential, parallel, caller_cpu = sides_on_cpus(monkeypatch, fake, caller_cpu_s=0.45, parallel_s=0.55)
    parallel_runs = []
    meter(monkeypatch, tmp_path, [1.9]).compare(  # 1.82x on the clock: within the capacity, above the bar
        sequential, lambda: parallel_runs.append(1) or parallel(), 2, "step2.x", "t::x", "m", caller_cpu=caller_cpu
    )
    assert len(parallel_runs) == timing.ROUNDS


def test_a_pass_on_a_sequential_side_that_waited_runs_every_round(monkeypatch, tmp_path):
    """1.1 s on the clock for 1.0 s of CPU: another round may read the sequential side clean."""
    fake = FakeWork(monkeypatch)
    sequential = kit_sequential(monkeypatch, fake, clock_s=1.1)
    result = meter(monkeypatch, tmp_path, [1.9]).compare(sequential, fake.task("p", [0.6]), 2, "step2.x", "t::x", "m")
    assert result.verdict == "pass" and fake.calls.count("p") == timing.ROUNDS


def test_work_done_in_one_worker_never_passes_on_a_sequential_side_that_waits(monkeypatch, tmp_path):
    """The whole work in one task (one worker, the caller idle) against sequential runs that wait for
    others' load all along (1.6 s on the clock for 1.0 s of CPU): 1.6x on the clock, above the 1.54x asked,
    judged 1.2x."""
    fake = FakeWork(monkeypatch)
    sequential = kit_sequential(monkeypatch, fake, clock_s=1.6)
    result = meter(monkeypatch, tmp_path, [1.9]).compare(sequential, fake.task("p", [1.0]), 2, "step4.x", "t::x", "m")
    assert result.verdict == "fail" and result.failure == "too-low"
    assert [attempt["speedup"] for attempt in result.attempts] == [1.2] * speedup.ATTEMPTS


def test_a_speedup_just_within_the_bound_passes(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [2.0]).compare(
        fake.task("s", [1.0]), fake.task("p", [1 / 2.4]), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == "pass"


def test_a_noisy_spell_that_outlasts_one_retry_is_waited_out(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.9, 1.9, 1.9]).compare(  # the parallel runs are slowed twice
        fake.task("s", [1.0]), fake.task("p", [0.9] * 7 + [0.55]), 2, "step2.x", "t::x", "m"
    )  # the warm-up and two attempts of three rounds run at 0.9 s, then the spell is over
    assert result.verdict == "pass" and result.speedup == pytest.approx(1.0 / 0.55, rel=1e-3)


def test_no_retry_starts_that_would_run_into_the_tests_timeout(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    timeout_at = 20.0  # each attempt of the noisy spell above takes 5.7 s: two fit, not a third after them
    result = meter(monkeypatch, tmp_path, [1.9], time_left=lambda: timeout_at - fake.now).compare(
        fake.task("s", [1.0]), fake.task("p", [0.9] * 7 + [0.55]), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == "fail" and result.out_of_time and len(result.attempts) == 2
    assert fake.now < timeout_at
    assert "stopped after 2 attempt(s)" in result.explain() and "lab_speedup_timeout" in result.explain()


def test_with_time_left_every_retry_is_made(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.9], time_left=lambda: 100.0 - fake.now).compare(
        fake.task("s", [1.0]), fake.task("p", [0.9]), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == "fail" and not result.out_of_time and len(result.attempts) == speedup.ATTEMPTS
    assert "stopped after" not in result.explain()


def test_the_wait_for_the_other_workers_is_wrapped_and_the_block_runs_alone(tmp_path):
    lock, other = RunLock(tmp_path), RunLock(tmp_path)
    events = []

    @contextlib.contextmanager
    def waiting():
        events.append("waiting")
        yield
        events.append("waited")

    try:
        lock.enter_test()
        with lock.alone(waiting=waiting):
            events.append("alone")
            with pytest.raises(BlockingIOError):  # no other test can start meanwhile
                fcntl.flock(other._runs, fcntl.LOCK_SH | fcntl.LOCK_NB)
        lock.leave_test()
    finally:
        lock.close()
        other.close()
    assert events == ["waiting", "waited", "alone"]


def test_a_speedup_above_the_capacity_reading_has_capacity_measured_again(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.5, 1.95]).compare(  # the first reading was taken in a noisy moment
        fake.task("s", [1.0]), fake.task("p", [0.55]), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == "pass" and result.capacity == 1.95 and result.of_capacity == pytest.approx(0.932, abs=1e-3)


def test_a_low_first_capacity_reading_is_read_again_before_a_workload_is_called_unmeasurable(monkeypatch, tmp_path):
    """Spawn's start-up (0.16 s of 0.8 s) against a noisy first reading of 1.34x would leave at most 1.06x:
    read again (1.9x), the workload is measurable, and one that is not parallel fails."""
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.34, 1.9], startup_s=0.16).compare(
        fake.task("s", [0.8]), fake.task("p", [0.8]), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == "fail" and result.capacity == 1.9


def test_low_capacity_is_not_measured_and_never_fails(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [1.1]).compare(
        fake.task("s", [1.0]), fake.task("p", [1.0]), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == "not-measured" and "1.10x" in result.reason and result.speedup is None


def test_more_workers_than_usable_cpus_is_not_measured(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = meter(monkeypatch, tmp_path, [], cpus=1).compare(
        fake.task("s", [1.0]), fake.task("p", [1.0]), 2, "step2.x", "t::x", "m"
    )
    assert result.verdict == "not-measured" and result.reason == "needs 2 usable CPUs, this process may use 1"


def test_different_results_are_an_error_not_a_speedup(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    with pytest.raises(AssertionError, match="returned a different result"):
        meter(monkeypatch, tmp_path, [1.9]).compare(
            fake.task("s", [1.0], result=[1, 2]), fake.task("p", [0.5], result=[2, 1]), 2, "step2.x", "t::x", "m"
        )


# -- the capacity of step 5's cluster itself, read at a miss ----------------------------------------


def on_a_cluster(monkeypatch, tmp_path, pool_readings, cluster_readings, sequential, parallel):
    """``compare`` of a test on a running cluster whose own capacity readings are ``cluster_readings``
    (one per miss, then the last again), beside the machine's ``pool_readings``."""
    instance = meter(monkeypatch, tmp_path, pool_readings)
    readings = iter(cluster_readings)
    last = [None]

    def read_cluster_capacity(workers):
        last[0] = next(readings, last[0])
        return last[0]

    monkeypatch.setattr(instance, "read_cluster_capacity", read_cluster_capacity)
    cluster = speedup.ClusterReader(on_workers=lambda tasks, workers: pytest.fail("the reading is faked"))
    return instance.compare(sequential, parallel, 2, "step5.x", "t::x", "m", workers_running=True, cluster=cluster)


def test_a_cluster_slower_than_the_machine_no_longer_fails_correct_code(monkeypatch, tmp_path):
    """The false failure seen: the cluster's parallel side slowed for a while (1.33x) while pools read 1.9x
    (1.54x asked). The kit's own ideal workload on that cluster then read 1.45x: 1.27x is asked next."""
    fake = FakeWork(monkeypatch)
    result = on_a_cluster(monkeypatch, tmp_path, [1.9], [1.45], fake.task("s", [1.0]), fake.task("p", [0.75]))
    assert result.verdict == "pass" and result.required == pytest.approx(1.27) and result.capacity == 1.9
    assert [attempt.get("cluster_capacity") for attempt in result.attempts] == [1.45, None]
    assert result.attempts[0]["capacity_reading"] == 1.9  # the machine's reading beside it
    assert [attempt["required"] for attempt in result.attempts] == pytest.approx([1.54, 1.27])


def test_tasks_run_one_at_a_time_still_fail_against_a_slow_cluster(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = on_a_cluster(monkeypatch, tmp_path, [1.9], [1.45], fake.task("s", [1.0]), fake.task("p", [0.98]))
    assert result.verdict == "fail" and result.failure == "too-low" and result.required == pytest.approx(1.27)
    # the last miss ends the measurement: the cluster is not read for an attempt that will not come
    assert [attempt.get("cluster_capacity") for attempt in result.attempts] == [1.45] * (speedup.ATTEMPTS - 1) + [None]


@pytest.mark.parametrize("cluster_reading", [1.2, 1.0])
def test_a_cluster_reading_never_lowers_the_bar_below_the_least_capacity_nor_makes_it_not_measured(
    monkeypatch, tmp_path, cluster_reading
):
    """A cluster reading no parallelism at all (1.0x) or too little to tell (1.2x) still asks for the bar
    of MIN_CAPACITY: 1.11x, below it, fails; only the machine never showing parallelism excuses a miss."""
    fake = FakeWork(monkeypatch)
    result = on_a_cluster(monkeypatch, tmp_path, [1.9], [cluster_reading], fake.task("s", [1.0]), fake.task("p", [0.9]))
    floor = required_speedup(MIN_CAPACITY, 0.6)
    assert result.verdict == "fail" and result.required == pytest.approx(floor)
    assert [attempt["required"] for attempt in result.attempts][1:] == pytest.approx([floor] * (speedup.ATTEMPTS - 1))


@pytest.mark.parametrize(
    "pool_readings, cluster_reading",
    [([1.9, 1.7], 1.8), ([1.9, 1.5], 1.4)],
    ids=["the-cluster-as-fast-as-the-machine-now", "the-machine-busy"],
)
def test_a_noisy_moment_of_the_machine_lowers_nothing(monkeypatch, tmp_path, pool_readings, cluster_reading):
    """The cluster reads below the machine's best but not below the machine's reading beside it (1.8x
    against 1.7x now), or the machine is busy (1.5x against a best of 1.9x): no evidence about the cluster
    itself, so the bar stays 1.54x and 1.33x fails."""
    fake = FakeWork(monkeypatch)
    result = on_a_cluster(
        monkeypatch, tmp_path, pool_readings, [cluster_reading], fake.task("s", [1.0]), fake.task("p", [0.75])
    )
    assert result.verdict == "fail" and result.required == pytest.approx(1.54)
    assert all(attempt["required"] == pytest.approx(1.54) for attempt in result.attempts)
    busy = pool_readings[-1] < speedup.BUSY_SHARE * pool_readings[0]
    assert result.attempts[0].get("cluster_capacity") == (None if busy else cluster_reading)


def test_the_bar_comes_back_once_the_cluster_reads_as_fast_as_the_machine(monkeypatch, tmp_path):
    fake = FakeWork(monkeypatch)
    result = on_a_cluster(monkeypatch, tmp_path, [1.9], [1.45, 1.95], fake.task("s", [1.0]), fake.task("p", [0.8]))
    assert result.verdict == "fail" and [attempt["required"] for attempt in result.attempts] == pytest.approx(
        [1.54, 1.27, 1.54]
    )


@pytest.mark.parametrize(
    "all_workers_s, capacity",
    [([0.2, 0.1, 0.15, 0.1875, 0.3], 1.6), ([0.1, 0.12, 0.1, 0.2, 0.1], 2.0)],
    ids=["the-median-ratio", "capped-at-the-workers"],
)
def test_the_cluster_capacity_is_the_median_ratio_of_the_work_here_to_the_clusters_workers(
    monkeypatch, tmp_path, all_workers_s, capacity
):
    """The reference tasks run one after another in the kit's process (as a learner's sequential side
    does) and on the cluster's workers, the learner paused: the median of the rounds' ratios (1.5x, 3.0x,
    2.0x, 1.6x, 1.0x read 1.6x), at most the worker count. Dask's cost per task is in the reading, as it
    is in the learner's speedup."""
    fake = FakeWork(monkeypatch)
    here = []

    def reference_work_here(count):  # 1 microsecond an iteration: the reference tasks take 0.3 s here
        fake.now += count * 1e-6
        here.append(count)

    monkeypatch.setattr(speedup, "reference_work", reference_work_here)
    ran, paused = [], []
    on_all = fake.task("all", all_workers_s)

    def on_workers(tasks, workers):
        ran.append((tasks, workers))
        return on_all

    @contextlib.contextmanager
    def pause():
        paused.append("in")
        yield
        paused.append("out")

    instance = SpeedupMeter(2, 0.6, tmp_path)
    instance._cluster = speedup.ClusterReader(on_workers, pause)
    assert instance.read_cluster_capacity(2) == pytest.approx(capacity)
    assert fake.calls.count("all") == speedup.CAPACITY_ROUNDS
    assert here[1:] == ran[0][0] * speedup.CAPACITY_ROUNDS  # after the calibration probe, the same tasks here
    assert paused == ["in", "out"] and ran[0][1] == 2
    assert len(ran[0][0]) == 2 * speedup.TASKS_PER_WORKER  # the machine's reading's reference tasks


# -- end to end -------------------------------------------------------------------------------------

end_to_end = pytest.mark.timeout(180)
# A pass or a fail needs a machine that can show parallelism; with one usable CPU every verdict is
# not-measured (test_one_usable_cpu_is_not_measured_and_does_not_fail checks that).
needs_two_cpus = pytest.mark.skipif(usable_cpus() < 2, reason="a speedup verdict needs 2 usable CPUs")

SEQUENTIAL = SPEED_STUB.replace("    raise NotImplementedError\n", "    return [work(n) for n in sizes]\n")
THREADS = SPEED_STUB.replace(
    "    raise NotImplementedError\n",
    "    from concurrent.futures import ThreadPoolExecutor\n\n"
    "    with ThreadPoolExecutor(workers) as threads:\n        return list(threads.map(work, sizes))\n",
)
POOL_PER_TASK = SPEED_STUB.replace(
    "    raise NotImplementedError\n",
    "    import multiprocessing\n    results = []\n"
    "    for n in sizes:\n        with multiprocessing.Pool(workers) as pool:\n"
    "            results.append(pool.apply(work, (n,)))\n    return results\n",
)


def submission(tmp_path, module: str) -> str:
    write(tmp_path / "sub" / "step2" / "speed.py", module)
    return f"--submission={tmp_path / 'sub'}"


def skip_unless_judged(row: dict) -> None:
    """A machine that showed no parallelism during the run cannot have a verdict checked: skip, with the
    reading. Only a low reading skips; a wrong "not-measured" on a machine that did show it still fails."""
    reading = row.get("attainable", row.get("capacity")) or 0
    if row["verdict"] == NOT_MEASURED and reading < MIN_CAPACITY:
        pytest.skip(f"the machine showed no parallelism during this run ({reading}x at most): no verdict to check")


def speedups_of(kit, *args):
    result = run(kit, "exercises/step2", "--lab-json", "report.json", *args)
    return result, json.loads((kit.path / "report.json").read_text())["speedups"]


@end_to_end
@needs_two_cpus
def test_solution_passes_and_the_measurement_is_reported(kit):
    add_speed_step(kit)
    result, rows = speedups_of(kit, "--solutions", "--speedup-plot=chart.png", "--gradescope=gradescope.json")
    assert result.ret == 0, result.stdout.str()
    (row,) = rows
    skip_unless_judged(row)
    assert row["exercise"] == "step2.total_work" and row["verdict"] == "pass" and row["workers"] == 2
    assert set(row) >= {"nodeid", "capacity", "sequential_s", "parallel_s", "speedup", "required", "reason"}
    assert row["speedup"] == pytest.approx(row["sequential_s"] / row["parallel_s"], rel=0.01)
    leaderboard = json.loads((kit.path / "gradescope.json").read_text())["leaderboard"]
    assert leaderboard == [{"name": "step2.total_work speedup", "value": row["speedup"], "order": "desc"}]
    result.stdout.fnmatch_lines(
        ["*= Parallel Lab: speedup =*", "exercise * workers * speedup * verdict", "step2.total_work * pass"]
    )
    from PIL import Image

    with Image.open(kit.path / "chart.png") as chart:
        assert chart.size == (900, 450) and len(chart.getcolors(1 << 16) or []) > 10


@end_to_end
@needs_two_cpus
@pytest.mark.slow  # wrong implementations
@pytest.mark.parametrize(
    "body, says",
    [
        (SEQUENTIAL, "*the work ran in the calling process, not in worker processes*"),
        (THREADS, "*the work ran in the calling process, not in worker processes*"),
        (POOL_PER_TASK, "*speedup too low: *x with 2 workers (sequential * s, parallel * s), needed *x*"),
    ],
    ids=["sequential", "threads", "pool-per-task"],
)
def test_slow_implementations_fail_saying_what_was_measured_and_needed(kit, tmp_path, body, says):
    add_speed_step(kit)
    result, rows = speedups_of(kit, submission(tmp_path, body))
    skip_unless_judged(rows[0])
    assert result.ret == 1
    assert rows[0]["verdict"] == "fail"
    result.stdout.fnmatch_lines([says])


@end_to_end
@pytest.mark.slow  # a tamper case
def test_a_learner_clock_cannot_fake_a_speedup_and_no_speedup_never_fails(kit, tmp_path):
    add_speed_step(kit)
    result, rows = speedups_of(kit, submission(tmp_path, CLOCK_CHEAT), "--no-speedup")
    assert result.ret == 0, "--no-speedup reports a low speedup without failing the test"
    # On a loaded machine (the self-tests under -n 2) capacity may be too low to measure: never a pass.
    assert rows[0]["verdict"] in ("fail", "not-measured"), rows[0]
    assert rows[0]["verdict"] == "not-measured" or rows[0]["speedup"] < 1.3


@end_to_end
@pytest.mark.skipif(not hasattr(__import__("os"), "sched_setaffinity"), reason="needs CPU affinity")
def test_one_usable_cpu_is_not_measured_and_does_not_fail(kit):
    add_speed_step(kit)
    script = (
        "import os, sys, pytest; os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]}); "
        "sys.exit(pytest.main(sys.argv[1:]))"
    )
    result = kit.run(
        sys.executable,
        "-c",
        script,
        "-p",
        "plugin.pytest_plugin",
        "-p",
        "no:cacheprovider",
        "--solutions",
        "exercises/step2",
        "--lab-json=report.json",
    )
    assert result.ret == 0, result.stdout.str()
    (row,) = json.loads((kit.path / "report.json").read_text())["speedups"]
    assert row["verdict"] == "not-measured" and row["reason"] == "needs 2 usable CPUs, this process may use 1"


@end_to_end
@needs_two_cpus
def test_xdist_aggregates_speedups_and_measures_alone(kit):
    """Under -n 2 no other test starts while a speedup is measured (60 short tests would, unhindered)."""
    add_speed_step(kit)
    write(
        kit.path / "exercises" / "step2" / "test_wait.py",  # collected after test_speed.py
        """
        import json, os, time
        import pytest
        from plugin.measure import clock

        LOG = os.path.join(os.path.dirname(__file__), "intervals.jsonl")

        @pytest.mark.exercise("step2.total_work")
        @pytest.mark.parametrize("n", range(60))
        def test_busy(n):
            start = clock.monotonic()
            time.sleep(0.05)
            with open(LOG, "a") as log:
                log.write(json.dumps(["busy", start, clock.monotonic()]) + "\\n")
        """,
    )
    write(
        kit.path / "exercises" / "step2" / "test_speed.py",
        """
        import json, os
        import pytest
        from plugin.measure import clock
        from exercises.step2.speed import total_work, work

        SIZES = [2_500_000] * 4

        @pytest.mark.exercise("step2.total_work")
        def test_total_work_is_faster(speedup):
            readings = []  # taken inside the measurement, from its first run to its last

            def timed(function):
                readings.append(clock.monotonic())
                result = function()
                readings.append(clock.monotonic())
                return result

            speedup(sequential=lambda: timed(lambda: [work(n) for n in SIZES]),
                    parallel=lambda: timed(lambda: total_work(SIZES, 2)), workers=2)
            with open(os.path.join(os.path.dirname(__file__), "intervals.jsonl"), "a") as log:
                log.write(json.dumps(["speedup", min(readings), max(readings)]) + "\\n")
        """,
    )
    result, rows = speedups_of(kit, "--solutions", "-n", "2", "-p", "xdist")
    assert result.ret == 0, result.stdout.str()
    skip_unless_judged(rows[0])
    assert [row["verdict"] for row in rows] == ["pass"]
    log = kit.path / "exercises" / "step2" / "intervals.jsonl"
    intervals = [json.loads(line) for line in log.read_text().splitlines()]
    (measured,) = [(start, end) for kind, start, end in intervals if kind == "speedup"]
    busy = [(start, end) for kind, start, end in intervals if kind == "busy"]
    assert len(busy) == 60
    started_during = [b for b in busy if measured[0] < b[0] < measured[1]]
    assert not started_during, f"{len(started_during)} tests started during the measurement {measured}"
