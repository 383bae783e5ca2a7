"""Speedup measured against what this machine can give right now.

``capacity`` is the speedup that a reference embarrassingly-parallel CPU workload (pure-Python loops,
``REFERENCE_S`` of sequential work split into tasks) reaches with the same number of workers over one
worker, all in pool workers that are already running: what the machine itself gives now, whatever the
start method, and never more than linear. It is measured once per session and worker count (shared by
all xdist workers), again before a miss is retried, and again when a speedup beats it (a reading taken
in a noisy moment; the higher one is kept).

The learner's parallel time includes starting their pool, which under spawn and forkserver means a
new interpreter importing the exercise's module (NumPy and all). That start-up is measured too, and
what a perfect parallel version of the workload could show is

    attainable = min(capacity, seq / (seq / capacity + startup))
    required   = 1 + fraction * (attainable - 1)        (fraction: ini ``lab_speedup_fraction``, 0.5)

so a machine that reaches 1.9x asks for about 1.45x of a workload whose start-up is small. Where
``attainable`` is below ``MIN_CAPACITY`` the run cannot tell parallel from sequential code (one usable
core, a throttled container, a saturated host, a start-up that dwarfs the work): the verdict is
``not-measured``, with the reason, reported and never failed.

Timing: a warm-up run of each callable (which also checks that their results agree), then sequential
and parallel runs interleaved, alternating which goes first, ``ROUNDS`` times or until the time budget
is spent; the best time of each side counts, since noise only ever adds time. A miss is retried, up
to ``ATTEMPTS`` in all, with capacity and start-up measured anew each time. All clocks are the
plugin's own (``plugin.measure.clock``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import multiprocessing
import statistics
from collections.abc import Callable
from pathlib import Path

from plugin.measure import clock
from plugin.messages import say
from plugin.safety.start_method import unforked_start_method
from plugin.workers import cpu_work as reference_work

MIN_CAPACITY = 1.3
ROUNDS = 3
MIN_ROUNDS = 2
BUDGET_S = 5.0
REFERENCE_S = 0.3
TASKS_PER_WORKER = 2
STARTUP_TRIES = 3
ATTEMPTS = 3  # a noisy spell on a shared machine can outlast one retry
PASS, FAIL, NOT_MEASURED = "pass", "fail", "not-measured"  # the verdicts


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

    @property
    def of_capacity(self) -> float | None:
        """The speedup as a fraction of the machine's capacity: how close the learner came."""
        if self.speedup is None or not self.capacity:
            return None
        return round(self.speedup / self.capacity, 3)

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "of_capacity": self.of_capacity}

    def judge(self, sequential_s: float, parallel_s: float, required: float) -> None:
        """The verdict of the times measured against the speedup required."""
        speedup = sequential_s / parallel_s
        self.sequential_s, self.parallel_s = round(sequential_s, 4), round(parallel_s, 4)
        self.speedup, self.required = round(speedup, 3), round(required, 3)
        self.verdict = PASS if speedup >= required else FAIL
        self.reason = "" if speedup >= required else say("speedup.below_required")

    def explain(self) -> str:
        return say(
            "speedup.too_low",
            speedup=self.speedup,
            workers=self.workers,
            sequential_s=self.sequential_s,
            parallel_s=self.parallel_s,
            required=self.required,
            capacity=self.capacity,
        )


def results_equal(a, b) -> bool:
    import numpy

    if isinstance(a, numpy.ndarray) or isinstance(b, numpy.ndarray):
        return bool(numpy.array_equal(a, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(results_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(results_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def check_results_agree(sequential, parallel, exercise: str) -> None:
    """A warm-up run of each side, which must return the same result: else there is nothing to compare."""
    _, expected = timed(sequential)
    _, actual = timed(parallel)
    if not results_equal(expected, actual):
        raise AssertionError(say("speedup.results_differ", exercise=exercise))


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

    def measure_capacity(self, workers: int, at_least: float = 0.0) -> float:
        """Measure capacity now; ``at_least``: a reading known to be low, which this one must not go under."""
        tasks = self._reference_tasks(workers)
        # Both sides run in pool workers that are already up, so only the number of workers differs
        # (and the start method does not matter: never fork, as the first pool's threads are running).
        context = multiprocessing.get_context(unforked_start_method())
        with context.Pool(1) as single, context.Pool(workers) as pool:
            single.map(reference_work, [1], chunksize=1)
            pool.map(reference_work, [1] * workers, chunksize=1)
            seq, par = best_times(
                lambda: single.map(reference_work, tasks, chunksize=1),
                lambda: pool.map(reference_work, tasks, chunksize=1),
            )
        capacity = min(max(seq / par, at_least), workers)  # more than linear is noise, not capacity
        (self.run_folder / f"capacity-{workers}.json").write_text(json.dumps(capacity))
        return capacity

    def capacity(self, workers: int) -> float:
        cached = self.run_folder / f"capacity-{workers}.json"
        if cached.exists():
            return json.loads(cached.read_text())
        return self.measure_capacity(workers)

    def measure_startup(self, workers: int, module: str) -> float:
        """Seconds to start ``workers`` pool workers that import ``module``, as the learner's pool must:
        the median of a few tries, a start-up a pool can expect rather than its luckiest."""

        def start_pool():
            with multiprocessing.Pool(workers, initializer=importlib.import_module, initargs=(module,)) as pool:
                pool.map(abs, range(workers), chunksize=1)

        self._startup[(workers, module)] = statistics.median(timed(start_pool)[0] for _ in range(STARTUP_TRIES))
        return self._startup[(workers, module)]

    def startup(self, workers: int, module: str) -> float:
        if (workers, module) not in self._startup:
            return self.measure_startup(workers, module)
        return self._startup[(workers, module)]

    def compare(
        self, sequential, parallel, workers: int, exercise: str, nodeid: str, module: str, workers_running=False
    ) -> Measurement:
        """``workers_running``: the parallel side's workers are already up (step 5's cluster): no start-up."""
        with self.alone():
            return self._compare(sequential, parallel, workers, exercise, nodeid, module, workers_running)

    def _compare(self, sequential, parallel, workers, exercise, nodeid, module, workers_running) -> Measurement:
        check_results_agree(sequential, parallel, exercise)
        measurement = Measurement(exercise, nodeid, workers, None, None, None, None, None, NOT_MEASURED)
        if workers > self.cpus:
            measurement.reason = say("speedup.too_few_cpus", workers=workers, cpus=self.cpus)
            return measurement
        capacity = self.capacity(workers)
        measurement.startup_s = 0.0 if workers_running else round(self.startup(workers, module), 4)
        for attempt in range(ATTEMPTS):
            if attempt:  # a miss: perhaps the machine got busier; measure it again, then retry
                capacity = self.measure_capacity(workers)
                if not workers_running:
                    measurement.startup_s = round(self.measure_startup(workers, module), 4)
            seq_time, par_time = best_times(sequential, parallel)
            if seq_time / par_time > capacity:
                # Faster than the machine's capacity reading: that reading was taken in a noisy moment.
                capacity = self.measure_capacity(workers, at_least=capacity)
            attainable = attainable_speedup(capacity, seq_time, measurement.startup_s)
            measurement.capacity = round(capacity, 3)
            measurement.attainable = round(attainable, 3)
            if attainable < MIN_CAPACITY:
                measurement.reason = say(
                    "speedup.cannot_tell",
                    workers=workers,
                    capacity=capacity,
                    startup_s=measurement.startup_s,
                    sequential_s=seq_time,
                    attainable=attainable,
                )
                return measurement
            required = required_speedup(attainable, self.fraction)
            speedup = seq_time / par_time
            if speedup >= required:
                break
        measurement.judge(seq_time, par_time, required)
        return measurement
