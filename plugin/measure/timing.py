"""Timing helpers of the speedup engine (``plugin.measure.speedup``): best-of-N interleaved times on
the plugin's own clock, the check that both sides agree, and the attainable and required speedups."""

from __future__ import annotations

from collections.abc import Callable

from plugin.measure import clock
from plugin.messages import say

ROUNDS = 3
MIN_ROUNDS = 2
BUDGET_S = 5.0


def results_equal(a, b) -> bool:
    import numpy

    if isinstance(a, numpy.ndarray) or isinstance(b, numpy.ndarray):
        return bool(numpy.array_equal(a, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(results_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(results_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def check_results_agree(sequential, parallel, exercise: str) -> tuple[float, float]:
    """A warm-up run of each side, which must return the same result (else there is nothing to compare);
    its times, as the first round of the timing that follows."""
    seq_s, expected = timed(sequential)
    par_s, actual = timed(parallel)
    if not results_equal(expected, actual):
        raise AssertionError(say("speedup.results_differ", exercise=exercise))
    return seq_s, par_s


def timed(function: Callable[[], object]) -> tuple[float, object]:
    start = clock.perf_counter()
    result = function()
    return clock.perf_counter() - start, result


def best_times(
    sequential,
    parallel,
    rounds: int = ROUNDS,
    budget_s: float = BUDGET_S,
    first_round: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """Best-of-N times of two callables, run interleaved and alternating, within a time budget.

    ``first_round``: the (sequential, parallel) times of a run already made in that order (the warm-up),
    counted as the first of the ``rounds``: a real timing like the others, and noise only adds time."""
    seq_times: list[float] = [first_round[0]] if first_round else []
    par_times: list[float] = [first_round[1]] if first_round else []
    started = clock.perf_counter()
    for round_number in range(len(seq_times), rounds):
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
