"""Speedup measured against what this machine can give right now.

``capacity`` is the speedup that a reference embarrassingly-parallel CPU workload (pure-Python loops,
``REFERENCE_S`` of sequential work split into tasks) reaches with the same number of workers over one
worker, all in pool workers that are already running: what the machine itself gives now, whatever the
start method, and never more than linear. It is measured once per session and worker count (shared by
all xdist workers), again before a miss is retried, and again when a speedup beats it; the best
reading of the session is kept, so a retry in a noisy moment never lowers the bar the machine has
already shown it can reach (nor does a slow start-up reading: the quickest is kept).

The learner's parallel time includes starting their pool, which under spawn and forkserver means a
new interpreter importing the exercise's module (NumPy and all). That start-up is measured too, and
what a perfect parallel version of the workload could show is

    attainable = min(capacity, seq / (seq / capacity + startup))
    required   = 1 + fraction * (attainable - 1)        (fraction: ini ``lab_speedup_fraction``, 0.5)

so a machine that reaches 1.9x asks for about 1.45x of a workload whose start-up is small. Where
``attainable`` is below ``MIN_CAPACITY`` the run cannot tell parallel from sequential code (one usable
core, a throttled container, a saturated host, a start-up that dwarfs the work): the verdict is
``not-measured``, with the reason, reported and never failed; only a first attempt can end so, as a
retry never lowers the requirement an earlier attempt set. A speedup above ``workers x
SKIPPED_WORK_FACTOR`` is work skipped (outputs reused from an earlier call), a failure. Every attempt
is kept in ``attempts``, for graders.

Timing: a warm-up run of each callable (which also checks that their results agree), then sequential
and parallel runs interleaved, alternating which goes first, ``ROUNDS`` times or until the time budget
is spent; the best time of each side counts, since noise only ever adds time. A miss is retried, up
to ``ATTEMPTS`` in all, with capacity and start-up measured anew each time. All clocks are the
plugin's own (``plugin.clock``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import multiprocessing
import statistics
from pathlib import Path
from typing import Callable

from plugin import clock, processes
from plugin.messages import say
from plugin.workers import cpu_work as reference_work

MIN_CAPACITY = 1.3
ROUNDS = 3
MIN_ROUNDS = 2
BUDGET_S = 5.0
REFERENCE_S = 0.3
TASKS_PER_WORKER = 2
STARTUP_TRIES = 3
ATTEMPTS = 3  # a noisy spell on a shared machine can outlast one retry
SKIPPED_WORK_FACTOR = 1.25  # beyond workers x this, a "speedup" is work skipped, not work shared


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
    verdict: str  # pass | fail | not-measured
    reason: str = ""
    startup_s: float | None = None  # starting the workers, each importing the exercise's module
    attainable: float | None = None  # capacity less the start-up: what a perfect version could show
    attempts: list[dict] = dataclasses.field(default_factory=list)  # every try, so a grader sees why

    @property
    def of_capacity(self) -> float | None:
        """The speedup as a fraction of the machine's capacity: how close the learner came."""
        if self.speedup is None or not self.capacity:
            return None
        return round(self.speedup / self.capacity, 3)

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "of_capacity": self.of_capacity}

    def explain(self) -> str:
        if self.speedup is not None and self.speedup > self.workers * SKIPPED_WORK_FACTOR:
            return self.reason
        return (
            f"speedup too low: {self.speedup:.2f}x with {self.workers} workers (sequential {self.sequential_s:.3f} s, "
            f"parallel {self.parallel_s:.3f} s), needed {self.required:.2f}x: this machine reaches "
            f"{self.capacity:.2f}x on a reference workload right now. Does the work really run in "
            f"{self.workers} processes at once, with one pool created once, and little data sent to the workers?"
        )


def results_equal(a, b) -> bool:
    import numpy

    if isinstance(a, numpy.ndarray) or isinstance(b, numpy.ndarray):
        return bool(numpy.array_equal(a, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(results_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(results_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def timed(function: Callable[[], object]) -> tuple[float, object]:
    start = clock.perf_counter()
    result = function()
    return clock.perf_counter() - start, result


def best_times(sequential, parallel, rounds: int = ROUNDS, budget_s: float = BUDGET_S) -> tuple[float, float]:
    """Best-of-N times of two callables, run interleaved and alternating, within a time budget."""
    seq_times: list[float] = []
    par_times: list[float] = []
    started = clock.perf_counter()
    for round_number in range(rounds):
        pair = [(sequential, seq_times), (parallel, par_times)]
        for function, times in pair if round_number % 2 == 0 else reversed(pair):
            times.append(timed(function)[0])
        if round_number + 1 >= MIN_ROUNDS and clock.perf_counter() - started > budget_s:
            break
    return min(seq_times), min(par_times)


def attainable_speedup(capacity: float, sequential_s: float, startup_s: float) -> float:
    """The speedup a perfect parallel version of a workload could show: the machine's capacity, less
    the time it takes to start the workers (which spawn and forkserver make real)."""
    return min(capacity, sequential_s / (sequential_s / capacity + startup_s))


def required_speedup(attainable: float, fraction: float) -> float:
    return 1 + fraction * (attainable - 1)


class SpeedupMeter:
    """Measures speedups for one pytest process; under xdist the run folder and lock are shared."""

    def __init__(self, cpus: int, fraction: float, run_folder: Path, alone=contextlib.nullcontext):
        self.cpus = cpus
        self.fraction = fraction
        self.run_folder = run_folder
        self.alone = alone  # context manager: no other test runs on any worker inside it
        self._startup: dict[tuple[int, str], float] = {}

    def _reference_tasks(self, workers: int) -> list[int]:
        probe = 100_000
        seconds, _ = timed(lambda: reference_work(probe))
        total = int(probe * REFERENCE_S / max(seconds, 1e-6))
        count = workers * TASKS_PER_WORKER
        return [total // count] * count

    def read_capacity(self, workers: int) -> float:
        """One reading of the machine's capacity with ``workers`` workers, now."""
        tasks = self._reference_tasks(workers)
        # Both sides run in pool workers that are already up, so only the number of workers differs
        # (and the start method does not matter: never fork, as the first pool's threads are running).
        context = multiprocessing.get_context(processes.unforked_start_method())
        with context.Pool(1) as single, context.Pool(workers) as pool:
            single.map(reference_work, [1], chunksize=1)
            pool.map(reference_work, [1] * workers, chunksize=1)
            seq, par = best_times(
                lambda: single.map(reference_work, tasks, chunksize=1),
                lambda: pool.map(reference_work, tasks, chunksize=1),
            )
        return min(seq / par, workers)  # more than linear is noise, not capacity

    def measure_capacity(self, workers: int) -> float:
        """Measure capacity now; the best reading of the session (per worker count) is kept and returned:
        what the machine proved it can do stays the evidence, whatever a noisy moment reads."""
        cached = self.run_folder / f"capacity-{workers}.json"
        best = json.loads(cached.read_text()) if cached.exists() else 0.0
        capacity = max(self.read_capacity(workers), best)
        cached.write_text(json.dumps(capacity))
        return capacity

    def capacity(self, workers: int) -> float:
        cached = self.run_folder / f"capacity-{workers}.json"
        if cached.exists():
            return json.loads(cached.read_text())
        return self.measure_capacity(workers)

    def read_startup(self, workers: int, module: str) -> float:
        """Seconds to start ``workers`` pool workers that import ``module``, as the learner's pool must:
        the median of a few tries, a start-up a pool can expect rather than its luckiest."""

        def start_pool():
            with multiprocessing.Pool(workers, initializer=importlib.import_module, initargs=(module,)) as pool:
                pool.map(abs, range(workers), chunksize=1)

        return statistics.median(timed(start_pool)[0] for _ in range(STARTUP_TRIES))

    def measure_startup(self, workers: int, module: str) -> float:
        """Measure start-up now; the quickest of the session is kept: a slow moment excuses nothing."""
        startup_s = self.read_startup(workers, module)
        self._startup[(workers, module)] = min(startup_s, self._startup.get((workers, module), startup_s))
        return self._startup[(workers, module)]

    def startup(self, workers: int, module: str) -> float:
        if (workers, module) not in self._startup:
            return self.measure_startup(workers, module)
        return self._startup[(workers, module)]

    def compare(self, sequential, parallel, workers: int, exercise: str, nodeid: str, module: str) -> Measurement:
        with self.alone():
            return self._compare(sequential, parallel, workers, exercise, nodeid, module)

    def _compare(self, sequential, parallel, workers, exercise, nodeid, module) -> Measurement:
        _, expected = timed(sequential)
        _, actual = timed(parallel)
        if not results_equal(expected, actual):
            raise AssertionError(
                f"{exercise}: the parallel version returned a different result from the sequential one, "
                "so there is no speedup to measure"
            )
        measurement = Measurement(exercise, nodeid, workers, None, None, None, None, None, "not-measured")
        if workers > self.cpus:
            measurement.reason = f"needs {workers} usable CPUs, this process may use {self.cpus}"
            return measurement
        capacity = self.capacity(workers)
        startup_s = self.startup(workers, module)
        required = 0.0  # the bar only rises: a retry in a noisy moment never lowers what was asked
        for attempt in range(ATTEMPTS):
            if attempt:  # a miss: measure again; the best capacity and start-up seen stay the evidence
                capacity = self.measure_capacity(workers)
                startup_s = self.measure_startup(workers, module)
            seq_time, par_time = best_times(sequential, parallel)
            speedup = seq_time / par_time
            if speedup > capacity:
                # Faster than the machine's capacity reading: that reading was taken in a noisy moment.
                capacity = self.measure_capacity(workers)
            attainable = attainable_speedup(capacity, seq_time, startup_s)
            measurement.capacity = round(capacity, 3)
            measurement.attainable = round(attainable, 3)
            measurement.startup_s = round(startup_s, 4)
            measurement.attempts.append(
                {"capacity": round(capacity, 3), "startup_s": round(startup_s, 4), "sequential_s": round(seq_time, 4),
                 "parallel_s": round(par_time, 4), "speedup": round(speedup, 3)}
            )
            if speedup > workers * SKIPPED_WORK_FACTOR:
                required = max(required, required_speedup(attainable, self.fraction))
                break  # skipped work, whatever the machine: no retry and no excuse
            if attainable < MIN_CAPACITY and not required:
                measurement.reason = (
                    f"with {workers} workers this machine reaches {capacity:.2f}x on the reference workload, and "
                    f"starting them takes {startup_s:.2f} s of this {seq_time:.2f} s workload: at most "
                    f"{attainable:.2f}x, too little to tell parallel code from sequential code"
                )
                return measurement
            required = max(required, required_speedup(attainable, self.fraction))
            measurement.attempts[-1]["required"] = round(required, 3)
            if speedup >= required:
                break
        measurement.sequential_s = round(seq_time, 4)
        measurement.parallel_s = round(par_time, 4)
        measurement.speedup = round(speedup, 3)
        measurement.required = round(required, 3)
        if speedup > workers * SKIPPED_WORK_FACTOR:
            measurement.verdict = "fail"
            measurement.reason = say(
                "speedup_skipped_work", speedup=speedup, workers=workers, bound=workers * SKIPPED_WORK_FACTOR
            )
        elif speedup >= required:
            measurement.verdict, measurement.reason = "pass", ""
        else:
            measurement.verdict, measurement.reason = "fail", "below the required speedup"
        return measurement
