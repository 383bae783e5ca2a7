"""Speedup measured against what this machine can give right now.

``capacity`` is the speedup that a reference embarrassingly-parallel CPU workload (pure-Python loops,
``REFERENCE_S`` of sequential work split into tasks) reaches with the same number of workers over one
worker, all in pool workers that are already running: what the machine itself gives now, whatever the
start method, and never more than linear. A reading is the median of ``CAPACITY_ROUNDS`` rounds'
ratios (up to that many, within the time budget), so one noisy run cannot inflate it. It is measured
once per session and worker count (shared by all xdist workers), again before a miss is retried, when
a speedup beats it, and before a workload is called not-measured; the best reading of the session is
kept, so a retry in a noisy moment never lowers the bar the machine has already shown it can reach.

The learner's parallel time includes starting their pool, which under spawn and forkserver means a
new interpreter importing the exercise's module (NumPy and all). That start-up is measured too (the
median of the session's readings: what a pool can expect), and what a perfect parallel version of the
workload could show is

    attainable = min(capacity, seq / (seq / capacity + startup))
    required   = 1 + fraction * (max(attainable, MIN_CAPACITY) - 1)    (fraction: ini ``lab_speedup_fraction``, 0.4)

so a machine that reaches 1.9x asks for about 1.36x of a workload whose start-up is small: above what
sequential code or threads ever show, below what honest solutions reach in a noisy moment. Where
``attainable`` is below ``MIN_CAPACITY`` even with the session's quickest start-up, and the workload's own
speedup is below it too, the run cannot tell parallel from sequential code (one usable core, a throttled
container, a saturated host, a start-up that dwarfs the work): the verdict is ``not-measured``, with the
reason, reported and never failed; only a first attempt can end so, as a retry never lowers the
requirement an earlier attempt set. A speedup above ``workers x SKIPPED_WORK_FACTOR`` is work skipped
(outputs reused from an earlier call), a failure. A sequential run counts for at most ``WAITED_FACTOR``
times its CPU time (``judged_sequential``): beyond that it waited for someone else's load, which would
make any parallel side look fast. Work done by the caller itself (sequential code or threads in the
learner process) is a failure whatever the clock says: the caller's own CPU time during a parallel run,
over the sequential run's, is its ``caller_share``, above ``CALLER_SHARE_LIMIT`` where a pool's caller
uses a few percent. Every attempt is kept in ``attempts``, for graders.

Timing: a warm-up run of each callable (which also checks that their results agree, and counts as the
first round, except where the workers are already running: their first call is a cold one), then
sequential and parallel runs interleaved, alternating which goes first, up to ``ROUNDS`` rounds or
until the time budget is spent; the best time of each side counts, since noise only ever adds time.
Rounds that already pass after ``MIN_ROUNDS``, on a sequential run within ``CLEAN_SEQUENTIAL`` of its CPU
time, end there (``_passes_already``: a later round could find that sequential run at most 5% quicker),
and a miss, a caller that did the work or a speedup above the capacity reading still gets every round;
each attempt records its ``rounds``.
A miss is retried, up to ``ATTEMPTS`` in all, with capacity measured anew each time (start-up too,
after a counted miss); a miss while the machine reads well below its best capacity (``BUSY_SHARE``:
someone else's load) is waited out instead of counted, up to ``BUSY_RETRIES`` times, and the failure
then says so. No retry starts unless ``TIME_LEFT_FACTOR`` times the last attempt's duration is left
before the test's timeout (waiting for another xdist worker's measurement is not counted there): on a
very slow machine the measurement ends with the attempts made (``out_of_time``), never in a "hung"
timeout.

A cluster's own capacity (``workers_running`` on the session's Dask cluster, ``ClusterReader``): at a miss
while the machine is not busy, the kit also runs its reference workload one task after another in this
process, as the learner's sequential side runs, and as Dask tasks on ``workers`` of the same cluster's
workers, through its own client (the learner's tree stopped, the cluster not), and records the ratio in
the attempt as ``cluster_capacity``, beside the machine's reading taken just before
(``capacity_reading``). The ratio includes what Dask costs per task, as the learner's speedup does: a task
on one of the cluster's workers took a median 10% longer than in this process (20 rounds), so the ratio of
one worker to all overstated what a learner could show. A cluster can be slower than the machine for a
while (its workers' parallel side once took 0.64-0.69 s instead of 0.44-0.49 s while pools read 1.9x);
pools do not see it. When the cluster reads below the machine's reading beside it, the next attempt's bar
comes from the cluster reading: ``required_speedup(max(cluster_capacity, MIN_CAPACITY), fraction)``. This
is the one place where a retry may lower ``required``: the evidence is paired (the kit's own ideal
workload, on that cluster, at that moment, is what a perfect learner could show there), not a noisy moment
of the machine, which lowers nothing (a busy miss does not even read the cluster: that reading would be no
evidence, and the time is better spent waiting the load out). Its floor is the bar of ``MIN_CAPACITY``, so
work done one task at a time (about 1.0x) still fails, and a cluster reading never makes a measurement
``not-measured`` (only the machine never showing parallelism may).

All clocks are the plugin's own (``plugin.measure.clock``), and the timing helpers are
``plugin.measure.timing``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import functools
import json
import multiprocessing
import runpy
import statistics
from collections.abc import Callable
from pathlib import Path

from plugin.measure import clock
from plugin.measure.timing import (
    attainable_speedup,
    check_results_agree,
    required_speedup,
    round_times,
    timed,
    typical_ratio,
)
from plugin.messages import say
from plugin.safety.start_method import unforked_start_method
from plugin.workers import cpu_work as reference_work

MIN_CAPACITY = 1.3
REFERENCE_S = 0.3
TASKS_PER_WORKER = 2
CAPACITY_ROUNDS = 5  # a reading is the median of this many rounds' ratios
STARTUP_TRIES = 3
ATTEMPTS = 3  # a noisy spell on a shared machine can outlast one retry
BUSY_SHARE = 0.85  # a capacity reading below this share of the best seen: the machine is busy right now
BUSY_RETRIES = 4  # misses while the machine is busy, waited out before they count as attempts
SKIPPED_WORK_FACTOR = 1.25  # beyond workers x this, a "speedup" is work skipped, not work shared
WAITED_FACTOR = 1.2  # a sequential run counts for at most this many times its CPU time: beyond, it waited
TIME_LEFT_FACTOR = 2.0  # no retry unless this many times the last attempt's duration is left before the timeout
CALLER_SHARE_LIMIT = 0.35  # the caller's own CPU time beyond this share of the work's: the caller did the work
CLEAN_SEQUENTIAL = 1.05  # a sequential run within this many times its CPU time waited for no one
PASS, FAIL, NOT_MEASURED = "pass", "fail", "not-measured"  # the verdicts
TOO_LOW, SKIPPED_WORK, WORK_IN_CALLER = "too-low", "skipped-work", "work-in-caller"  # why a fail failed


def judged_sequential(clock_s: float, cpu_s: float | None) -> float:
    """The sequential time a speedup is judged by: its time on the clock, but at most ``WAITED_FACTOR``
    times its CPU time. Sequential runs that took longer waited for someone else's load, which would make
    any parallel side look fast (correct code once read 6.08x, "skipped work", against sequential runs of
    2.65 s for 0.8 s of work)."""
    return min(clock_s, WAITED_FACTOR * cpu_s) if cpu_s else clock_s


@dataclasses.dataclass
class Measurement:
    exercise: str
    nodeid: str
    workers: int
    capacity: float | None
    sequential_s: float | None
    parallel_s: float | None
    speedup: float | None
    required: float | None
    verdict: str  # PASS | FAIL | NOT_MEASURED
    reason: str = ""
    startup_s: float | None = None  # starting the workers, each importing the exercise's module
    attainable: float | None = None  # capacity less the start-up: what a perfect version could show
    attempts: list[dict] = dataclasses.field(default_factory=list)  # every try, so a grader sees why
    busy_attempts: int = 0  # misses while the machine read well below its best capacity
    caller_share: float | None = None  # the caller's own CPU time in a parallel run, over the sequential run's
    sequential_cpu_s: float | None = None  # the least CPU time of the kit's sequential runs (no one else's wait)
    failure: str = ""  # why a failed verdict failed: TOO_LOW, SKIPPED_WORK or WORK_IN_CALLER
    out_of_time: bool = False  # retries stopped before the test's timeout (a slow machine)

    @property
    def of_capacity(self) -> float | None:
        """The speedup as a fraction of the machine's capacity: how close the learner came."""
        if self.speedup is None or not self.capacity:
            return None
        return round(self.speedup / self.capacity, 3)

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "of_capacity": self.of_capacity}

    def judge(self, sequential_s: float, parallel_s: float, required: float) -> None:
        """The verdict of the times measured against the speedup required, and of where the work ran."""
        speedup = sequential_s / parallel_s
        self.sequential_s, self.parallel_s = round(sequential_s, 4), round(parallel_s, 4)
        self.speedup, self.required = round(speedup, 3), round(required, 3)
        bound = self.workers * SKIPPED_WORK_FACTOR
        if self.ran_in_caller:  # whatever the clock said: a noisy moment can make sequential code look fast
            self.failure, self.reason = WORK_IN_CALLER, say("speedup.ran_in_caller", share=self.caller_share)
        elif speedup > bound:  # more than the workers can give: work was skipped, not shared
            self.failure = SKIPPED_WORK
            self.reason = say("speedup.skipped_work", speedup=speedup, workers=self.workers, bound=bound)
        elif speedup < required:
            self.failure, self.reason = TOO_LOW, say("speedup.below_required")
        else:
            self.failure, self.reason = "", ""
        self.verdict = FAIL if self.failure else PASS

    @property
    def ran_in_caller(self) -> bool:
        """The calling process itself used over ``CALLER_SHARE_LIMIT`` of the work's CPU time: sequential
        code, threads, or polling for results."""
        return self.caller_share is not None and self.caller_share > CALLER_SHARE_LIMIT

    def explain(self) -> str:
        if self.failure in (WORK_IN_CALLER, SKIPPED_WORK):
            return self.reason
        too_low = say(
            "speedup.too_low",
            speedup=self.speedup,
            workers=self.workers,
            sequential_s=self.sequential_s,
            parallel_s=self.parallel_s,
            required=self.required,
            capacity=self.capacity,
        )
        busy = " " + say("speedup.busy", busy=self.busy_attempts) if self.busy_attempts else ""
        out_of_time = " " + say("speedup.out_of_time", attempts=len(self.attempts)) if self.out_of_time else ""
        return too_low + busy + out_of_time


@dataclasses.dataclass
class CpuTimes:
    """The CPU seconds of each sequential run (the kit's thread) and of the caller in each parallel run."""

    sequential: list[float] = dataclasses.field(default_factory=list)
    caller: list[float] = dataclasses.field(default_factory=list)

    def least_sequential(self) -> float | None:
        return min(self.sequential) if self.sequential else None

    def next_attempt(self) -> None:
        """Each attempt is judged by its own runs: a laptop's clock speed changes under sustained load."""
        self.sequential.clear()
        self.caller.clear()

    def caller_share(self) -> float | None:
        """The least the caller worked in any parallel run over the least a sequential run took: noise only
        adds CPU time. None where the caller cannot be watched."""
        if not self.caller or not self.sequential:
            return None
        return round(min(self.caller) / max(self.least_sequential(), 1e-6), 3)


@dataclasses.dataclass(frozen=True)
class ClusterReader:
    """What the meter needs to read the capacity of the cluster a test runs on: ``on_workers(tasks,
    workers)`` gives a callable that runs the reference work's ``tasks`` as tasks on ``workers`` of the
    cluster's workers; ``pause`` stops the learner's own processes (not the cluster) meanwhile."""

    on_workers: Callable[[list[int], int], Callable[[], object]]
    pause: Callable = contextlib.nullcontext


def capacity_ratio(on_one, on_all, workers: int) -> float:
    """A capacity reading: the typical ratio of the reference tasks' time on one worker to their time on
    ``workers`` (``CAPACITY_ROUNDS`` interleaved rounds), at most ``workers``."""
    return min(typical_ratio(on_one, on_all, rounds=CAPACITY_ROUNDS), workers)  # more than linear is noise


def median_startup(workers: int, module: str, method: str) -> float:
    """The median time, over ``STARTUP_TRIES``, to start a ``method`` pool of ``workers`` that each run
    ``module`` and take a task (``SpeedupMeter.read_startup``)."""

    def start_pool():
        context = multiprocessing.get_context(method)
        with context.Pool(workers, initializer=runpy.run_path, initargs=(module,)) as pool:
            pool.map(abs, range(workers), chunksize=1)

    return statistics.median(timed(start_pool)[0] for _ in range(STARTUP_TRIES))


class SpeedupMeter:
    """Measures speedups for one pytest process; under xdist the run folder and lock are shared."""

    def __init__(self, cpus: int, fraction: float, run_folder: Path, alone=contextlib.nullcontext, time_left=None):
        self.cpus = cpus
        self.fraction = fraction
        self.run_folder = run_folder
        self.alone = alone  # context manager: no other test runs on any worker inside it
        self.time_left = time_left or (lambda: None)  # seconds before the test times out (None: no limit known)
        self._startup: dict[tuple[int, str], list[float]] = {}  # readings per worker count and module
        self._best: dict[int, float] = {}  # this process's own best capacity readings
        self._pause = contextlib.nullcontext  # stops the learner's processes while the kit measures
        self._cluster: ClusterReader | None = None  # the cluster the measured test runs on, if any

    def _reference_tasks(self, workers: int) -> list[int]:
        probe = 100_000
        seconds, _ = timed(lambda: reference_work(probe))
        total = int(probe * REFERENCE_S / max(seconds, 1e-6))
        count = workers * TASKS_PER_WORKER
        return [total // count] * count

    def read_capacity(self, workers: int) -> float:
        """One reading of the machine's capacity with ``workers`` workers, now."""
        with self._pause():
            return self._read_capacity(workers)

    def _read_capacity(self, workers: int) -> float:
        tasks = self._reference_tasks(workers)
        # Both sides run in pool workers that are already up, so only the number of workers differs
        # (and the start method does not matter: never fork, as the first pool's threads are running).
        context = multiprocessing.get_context(unforked_start_method())
        with context.Pool(1) as single, context.Pool(workers) as pool:
            single.map(reference_work, [1], chunksize=1)
            pool.map(reference_work, [1] * workers, chunksize=1)
            return capacity_ratio(
                lambda: single.map(reference_work, tasks, chunksize=1),
                lambda: pool.map(reference_work, tasks, chunksize=1),
                workers,
            )

    def read_cluster_capacity(self, workers: int) -> float:
        """One reading of the capacity of the test's cluster itself with ``workers`` workers, now: the same
        reference tasks as the machine's reading, one after another here (as the learner's sequential side
        runs) against the cluster's tasks, so Dask's own cost per task counts as in the learner's speedup."""
        with self._cluster.pause():
            tasks = self._reference_tasks(workers)  # a timing too: the learner stopped
            on_cluster = self._cluster.on_workers(tasks, workers)
            return capacity_ratio(lambda: [reference_work(count) for count in tasks], on_cluster, workers)

    def measure_capacity(self, workers: int) -> float:
        """Measure capacity now; the best reading of the session (per worker count) is kept and returned:
        what the machine proved it can do stays the evidence, whatever a noisy moment reads."""
        return self.keep_capacity(workers, self.read_capacity(workers))

    def keep_capacity(self, workers: int, reading: float) -> float:
        """The best of ``reading`` and the session's earlier readings, kept for every xdist worker.

        Another worker's readings arrive through a file, which can only raise the bar: a file written by
        anyone else (the learner's code) can never lower what this process measured itself."""
        cached = self.run_folder / f"capacity-{workers}.json"
        try:
            shared = float(json.loads(cached.read_text())) if cached.exists() else 0.0
        except (OSError, ValueError, TypeError):
            shared = 0.0
        self._best[workers] = max(reading, self._best.get(workers, 0.0))
        capacity = min(max(self._best[workers], shared), workers)
        cached.write_text(json.dumps(capacity))
        return capacity

    def capacity(self, workers: int) -> float:
        if workers not in self._best:
            return self.measure_capacity(workers)
        return self.keep_capacity(workers, 0.0)

    def read_startup(self, workers: int, module: str) -> float:
        """Seconds to start ``workers`` pool workers that run ``module`` (the kit's pristine stub, whose
        imports are the learner's), as the learner's pool must: the median of a few tries, a start-up a
        pool can expect rather than its luckiest.

        Under fork the pools are forked from a fresh helper process, as the learner's are from the learner
        process, never from this one: it runs threads (xdist's, a Dask client's), and a child forked while
        one of them holds a lock can hang the pool (a fork ``-n 2`` run once waited 120 s on one)."""
        method = multiprocessing.get_start_method()
        with self._pause():
            if method != "fork":
                return median_startup(workers, module, method)
            helper_context = multiprocessing.get_context(unforked_start_method())
            with concurrent.futures.ProcessPoolExecutor(1, mp_context=helper_context) as helper:
                return helper.submit(median_startup, workers, module, method).result()

    def measure_startup(self, workers: int, module: str) -> float:
        """Measure start-up now: the median of the session's readings is what the learner's pool can
        expect, neither the luckiest start nor a slow moment's (a retry's requirement never falls anyway)."""
        readings = self._startup.setdefault((workers, module), [])
        readings.append(self.read_startup(workers, module))
        return statistics.median(readings)

    def startup(self, workers: int, module: str) -> float:
        readings = self._startup.get((workers, module))
        return statistics.median(readings) if readings else self.measure_startup(workers, module)

    def quickest_startup(self, workers: int, module: str) -> float:
        """The quickest start-up of the session: what it proved a pool can do, whatever a slow moment read."""
        self.startup(workers, module)
        return min(self._startup[(workers, module)])

    def compare(
        self,
        sequential,
        parallel,
        workers: int,
        exercise: str,
        nodeid: str,
        module: str,
        workers_running=False,
        pause=contextlib.nullcontext,
        caller_cpu=lambda: None,
        cluster: ClusterReader | None = None,
    ) -> Measurement:
        """``workers_running``: the parallel side's workers are already up (step 5's cluster): no start-up.
        ``pause``: a context manager that stops the learner's processes, around everything the kit times
        alone (the sequential side, the capacity and start-up readings).
        ``caller_cpu``: the CPU seconds used so far by the process that runs the parallel side itself (the
        learner process; None when there is none yet), so that work done there, not in workers, fails.
        ``cluster``: the cluster whose workers are running, read at a miss (module docstring)."""

        # CPU times, unlike the clock's, are the work's own whatever else runs: sequential code or threads in
        # the caller use about the sequential run's CPU time, however a noisy moment slowed either side.
        cpu = CpuTimes()

        def sequential_alone():
            with pause():
                before = clock.thread_time()
                try:
                    return sequential()
                finally:
                    cpu.sequential.append(clock.thread_time() - before)

        def parallel_watched():
            before = caller_cpu()
            try:
                return parallel()
            finally:
                after = caller_cpu()
                if before is not None and after is not None:
                    cpu.caller.append(after - before)

        self._pause, self._cluster = pause, cluster
        try:
            with self.alone():
                return self._compare(
                    sequential_alone,
                    parallel_watched,
                    cpu,
                    workers,
                    exercise,
                    nodeid,
                    module,
                    workers_running,
                )
        finally:
            self._pause, self._cluster = contextlib.nullcontext, None

    def _bar(self, capacity: float, seq_time: float, startup_s: float) -> float:
        """The speedup asked of a workload of ``seq_time``: a fraction of what a perfect version could show."""
        return required_speedup(max(attainable_speedup(capacity, seq_time, startup_s), MIN_CAPACITY), self.fraction)

    def _passes_already(self, cpu, capacity, startup_s, required, cluster_bar, seq_times, par_times) -> bool:
        """The rounds so far pass, on a sequential run that waited for no one (so that no later round can find
        it much quicker): more rounds would cost a second or two of every passing measurement. Else the full
        rounds decide: a miss, a caller that did the work, or a speedup above the capacity reading (which is
        read again)."""
        seq_cpu = cpu.least_sequential()
        seq_s = min(seq_times)
        if seq_cpu is None or seq_s > CLEAN_SEQUENTIAL * seq_cpu:
            return False
        speedup = seq_s / min(par_times)
        share = cpu.caller_share()
        if speedup > capacity or (share is not None and share > CALLER_SHARE_LIMIT):
            return False
        bar = max(required, self._bar(capacity, seq_s, startup_s)) if cluster_bar is None else cluster_bar
        return speedup >= bar

    def _compare(self, sequential, parallel, cpu, workers, exercise, nodeid, module, workers_running) -> Measurement:
        warm_up = check_results_agree(sequential, parallel, exercise)
        if workers_running:
            warm_up = None  # running workers (a cluster's) warm up on their first call: not a timing like the rest
        measurement = Measurement(exercise, nodeid, workers, None, None, None, None, None, NOT_MEASURED)
        if workers > self.cpus:
            measurement.reason = say("speedup.too_few_cpus", workers=workers, cpus=self.cpus)
            return measurement
        capacity = self.capacity(workers)
        startup_s = 0.0 if workers_running else self.startup(workers, module)
        quickest_startup_s = 0.0 if workers_running else self.quickest_startup(workers, module)
        required = 0.0  # the bar only rises: a retry in a noisy moment never lowers what was asked
        cluster_bar = None  # the next attempt's bar, from a reading of a cluster slower than the machine
        counted = 0
        while True:
            attempt_started = clock.perf_counter()
            passes_already = functools.partial(self._passes_already, cpu, capacity, startup_s, required, cluster_bar)
            seq_times, par_times = round_times(sequential, parallel, first_round=warm_up, settled=passes_already)
            seq_clock, par_time = min(seq_times), min(par_times)  # noise only ever adds time
            warm_up = None  # a retry times afresh
            seq_cpu = cpu.least_sequential()
            seq_time = judged_sequential(seq_clock, seq_cpu)
            speedup = seq_time / par_time
            measurement.caller_share = cpu.caller_share()
            measurement.sequential_cpu_s = round(seq_cpu, 4) if seq_cpu is not None else None
            cpu.next_attempt()
            if speedup > capacity:
                # Faster than the machine's capacity reading: that reading was taken in a noisy moment.
                capacity = self.measure_capacity(workers)
            elif not required and attainable_speedup(capacity, seq_time, quickest_startup_s) < MIN_CAPACITY:
                # About to call the workload unmeasurable: on a second reading, not on one that may have come
                # in a noisy moment (a first reading of 1.34x once made four of a spawn run's tests so).
                capacity = self.measure_capacity(workers)
            attainable = attainable_speedup(capacity, seq_time, startup_s)
            # What the session proved this workload can show decides whether it can be measured at all: a
            # slow start-up reading (another test's busy retries) never turns a miss into not-measured.
            proven = attainable_speedup(capacity, seq_time, quickest_startup_s)
            bar = self._bar(capacity, seq_time, startup_s)
            measurement.capacity = round(capacity, 3)
            measurement.attainable = round(attainable, 3)
            measurement.startup_s = round(startup_s, 4)
            measurement.attempts.append(
                {
                    "capacity": round(capacity, 3),
                    "startup_s": round(startup_s, 4),
                    "sequential_s": round(seq_time, 4),
                    "sequential_clock_s": round(seq_clock, 4),
                    "sequential_cpu_s": measurement.sequential_cpu_s,
                    "parallel_s": round(par_time, 4),
                    "speedup": round(speedup, 3),
                    "caller_share": measurement.caller_share,
                    "rounds": len(seq_times),  # fewer than ROUNDS: a pass settled early (_passes_already)
                }
            )
            if speedup > workers * SKIPPED_WORK_FACTOR or measurement.ran_in_caller:
                required = max(required, bar)
                break  # skipped work, or work done by the caller, whatever the machine: no retry and no excuse
            # A workload that itself sped up MIN_CAPACITY-fold showed the machine's parallelism, whatever the
            # readings say (a spawn -n 2 run once called 1.48x not-measured, the session's best reading 1.43x).
            if proven < MIN_CAPACITY and speedup < MIN_CAPACITY and not required:
                measurement.reason = say(
                    "speedup.cannot_tell",
                    workers=workers,
                    capacity=capacity,
                    startup_s=quickest_startup_s,
                    sequential_s=seq_time,
                    attainable=proven,
                )
                return measurement
            required = max(required, bar) if cluster_bar is None else cluster_bar
            measurement.attempts[-1]["required"] = round(required, 3)
            if speedup >= required:
                break
            # A miss: read the machine now. The best capacity seen stays the evidence, but a miss while the
            # machine was well below its best (others' load) is waited out rather than counted, a few times.
            reading = self.read_capacity(workers)
            capacity = self.keep_capacity(workers, reading)
            busy = reading < BUSY_SHARE * capacity
            if busy and measurement.busy_attempts < BUSY_RETRIES:
                measurement.busy_attempts += 1
                measurement.attempts[-1]["busy_reading"] = round(reading, 3)
            else:
                counted += 1
                if counted >= ATTEMPTS:
                    break
                if not workers_running:  # read again after a counted miss only: a busy moment's reading is no evidence
                    startup_s = self.measure_startup(workers, module)
            left = self.time_left()
            if left is not None and left < TIME_LEFT_FACTOR * (clock.perf_counter() - attempt_started):
                # A slow machine: another attempt would end in the test's timeout, which says "hung"; the
                # verdict of the attempts made says what was measured, and why it stopped.
                measurement.out_of_time = True
                break
            cluster_bar = None
            if workers_running and self._cluster is not None and not busy:
                # The cluster itself, beside a machine that is not busy: the one evidence that lowers a bar.
                on_cluster = self.read_cluster_capacity(workers)
                measurement.attempts[-1].update(
                    cluster_capacity=round(on_cluster, 3), capacity_reading=round(reading, 3)
                )
                if on_cluster < reading:
                    cluster_bar = required_speedup(max(on_cluster, MIN_CAPACITY), self.fraction)
        measurement.judge(seq_time, par_time, required)
        return measurement
