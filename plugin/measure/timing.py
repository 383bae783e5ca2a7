"""Timing helpers of the speedup engine (``plugin.measure.speedup``): interleaved rounds on the plugin's
own clock (their times, or the typical ratio of the two sides), the check that both sides agree, and the
attainable and required speedups."""

from __future__ import annotations

import statistics
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


def round_times(
    sequential,
    parallel,
    rounds: int = ROUNDS,
    budget_s: float = BUDGET_S,
    first_round: tuple[float, float] | None = None,
    settled: Callable[[list[float], list[float]], bool] | None = None,
) -> tuple[list[float], list[float]]:
    """The times of two callables run interleaved, alternating which goes first, round after round, up
    to ``rounds`` or until the time budget is spent (after ``MIN_ROUNDS``): the sequential times and the
    parallel times, each round's pair side by side.

    ``first_round``: the (sequential, parallel) times of a run already made in that order (the warm-up),
    counted as the first of the ``rounds``: a real timing like the others.
    ``settled``: told the times after each round from ``MIN_ROUNDS`` on; True ends the rounds there: the
    times so far already decide."""
    seq_times: list[float] = [first_round[0]] if first_round else []
    par_times: list[float] = [first_round[1]] if first_round else []
    started = clock.perf_counter()
    for round_number in range(len(seq_times), rounds):
        pair = [(sequential, seq_times), (parallel, par_times)]
        for function, times in pair if round_number % 2 == 0 else reversed(pair):
            times.append(timed(function)[0])
        spent = clock.perf_counter() - started > budget_s
        if round_number + 1 >= MIN_ROUNDS and (spent or (settled is not None and settled(seq_times, par_times))):
            break
    return seq_times, par_times


def typical_ratio(sequential, parallel, **options) -> float:
    """The median, over interleaved rounds (``round_times``), of each round's sequential time over its
    parallel time: a ratio that one noisy run on either side cannot raise (unlike the best of each side,
    where a hiccup in every sequential run but not in one parallel run inflates the ratio)."""
    seq_times, par_times = round_times(sequential, parallel, **options)
    return statistics.median(seq / par for seq, par in zip(seq_times, par_times, strict=True))


def attainable_speedup(capacity: float, sequential_s: float, startup_s: float) -> float:
    """The speedup a perfect parallel version of a workload could show: the machine's capacity, less
    the time it takes to start the workers (which spawn and forkserver make real)."""
    return min(capacity, sequential_s / (sequential_s / capacity + startup_s))


def required_speedup(attainable: float, fraction: float) -> float:
    return 1 + fraction * (attainable - 1)
