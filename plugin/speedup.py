"""Speedup measured against what this machine can give right now.

``capacity`` is the speedup a reference embarrassingly-parallel CPU workload reaches with the same
number of workers, measured the same way as the learner's code. The required speedup is

    required = 1 + fraction * (capacity - 1)        (fraction: ini ``lab_speedup_fraction``)

so a machine that gives 1.9x asks for 1.54x at the default fraction of 0.6. Where capacity is below
``MIN_CAPACITY`` the machine cannot tell parallel from sequential code and the verdict is
``not-measured``: reported, never failed.

Timing: one warm-up run of each callable (which also checks their results agree), then sequential and
parallel runs interleaved, alternating which goes first, repeated until ``ROUNDS`` rounds or the time
budget; the best time of each side counts (noise only ever adds time). A miss is retried once.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from typing import Callable

from plugin import clock

MIN_CAPACITY = 1.3
ROUNDS = 3
BUDGET_S = 6.0
REFERENCE_LOOPS = 2_000_000


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

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def explain(self) -> str:
        return (
            f"{self.exercise}: measured speedup {self.speedup:.2f}x with {self.workers} workers "
            f"(sequential {self.sequential_s:.3f} s, parallel {self.parallel_s:.3f} s); "
            f"needed {self.required:.2f}x, as this machine reaches {self.capacity:.2f}x on a reference workload. "
            "Does the work really run in several processes at once, in one pool created once?"
        )


def reference_work(loops: int) -> int:
    """A pure-Python CPU loop: the reference embarrassingly-parallel task."""
    total = 0
    for i in range(loops):
        total += i * i % 7
    return total


def _results_equal(a, b) -> bool:
    try:
        import numpy

        if isinstance(a, numpy.ndarray) or isinstance(b, numpy.ndarray):
            return bool(numpy.array_equal(a, b))
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    try:
        return bool(a == b)
    except ValueError:  # containers of arrays
        return repr(a) == repr(b)


def _timed(function: Callable[[], object]) -> tuple[float, object]:
    start = clock.perf_counter()
    result = function()
    return clock.perf_counter() - start, result


def best_times(sequential, parallel, rounds: int = ROUNDS, budget_s: float = BUDGET_S) -> tuple[float, float]:
    """Interleaved, alternating best-of-N timings of two callables, within a time budget."""
    seq_times, par_times = [], []
    started = clock.perf_counter()
    for round_number in range(rounds):
        order = [(sequential, seq_times), (parallel, par_times)]
        if round_number % 2:
            order.reverse()
        for function, times in order:
            times.append(_timed(function)[0])
        if round_number >= 1 and clock.perf_counter() - started > budget_s:
            break
    return min(seq_times), min(par_times)


class SpeedupMeter:
    def __init__(self, cpus: int, fraction: float):
        self.cpus = cpus
        self.fraction = fraction
        self._capacity: dict[int, float] = {}

    def capacity(self, workers: int) -> float:
        if workers not in self._capacity:
            loops = REFERENCE_LOOPS // 4
            with multiprocessing.Pool(workers) as pool:
                pool.map(reference_work, [1000] * workers)  # the workers are up before timing starts
                seq, par = best_times(
                    lambda: [reference_work(loops) for _ in range(workers * 2)],
                    lambda: pool.map(reference_work, [loops] * (workers * 2), chunksize=1),
                )
            self._capacity[workers] = seq / par
        return self._capacity[workers]

    def required(self, capacity: float) -> float:
        return 1 + self.fraction * (capacity - 1)

    def compare(self, sequential, parallel, workers: int, exercise: str, nodeid: str) -> Measurement:
        seq_time, expected = _timed(sequential)
        par_time, actual = _timed(parallel)
        if not _results_equal(expected, actual):
            raise AssertionError(
                f"{exercise}: the parallel version returned a different result from the sequential one, "
                "so its speed cannot be compared"
            )
        blank = Measurement(exercise, nodeid, workers, None, None, None, None, None, "not-measured")
        if workers > self.cpus:
            blank.reason = f"needs {workers} CPUs, this process may use {self.cpus}"
            return blank
        capacity = self.capacity(workers)
        blank.capacity = round(capacity, 3)
        if capacity < MIN_CAPACITY:
            blank.reason = f"the machine reaches only {capacity:.2f}x on the reference workload right now"
            return blank
        required = self.required(capacity)
        for _attempt in range(2):  # one retry of the whole comparison on a miss
            seq_time, par_time = best_times(sequential, parallel)
            speedup = seq_time / par_time
            if speedup >= required:
                break
        return Measurement(
            exercise,
            nodeid,
            workers,
            round(capacity, 3),
            round(seq_time, 4),
            round(par_time, 4),
            round(speedup, 3),
            round(required, 3),
            "pass" if speedup >= required else "fail",
            "" if speedup >= required else "below the required speedup",
        )
