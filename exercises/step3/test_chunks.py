"""Step 3 — chunks: four strategies over the same NumPy chunks, checked and timed."""

import time

import numpy as np
import pytest

import exercises.step3.chunks as chunks_module
from exercises.step3.chunks import (
    STRATEGIES,
    compare_strategies,
    process_chunk,
    process_chunk_scaled,
    process_shared_chunk,
)
from plugin.boundary.learner import LearnerError
from plugin.messages import say
from plugin.safety.poolspy import describe


def sequential_chunks(data):
    return np.concatenate([process_chunk(chunk) for chunk in np.array_split(data, 4)])


def seconds_of(function, *args):
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def assert_strategy_result(outcome, name, expected, what):
    result = outcome[name]["result"]
    same = isinstance(result, np.ndarray) and result.shape == expected.shape and np.array_equal(result, expected)
    assert same, f'the "{name}" strategy\'s result differs from {what}: {STRATEGY_ADVICE[name]}'


STRATEGY_ADVICE = {
    "sequential": "process_chunk on each chunk of np.array_split(data, chunks), concatenated in chunk order",
    "map": "Pool.map(process_chunk, chunks), concatenated in chunk order",
    "partial": "map functools.partial(process_chunk_scaled, multiplier=2): multiplier given by keyword, "
    "so each chunk arrives as the first argument",
    "shared_memory": "starmap process_shared_chunk over (name, data.shape, data.dtype, start, stop) with the chunk "
    "bounds of np.array_split, concatenated in chunk order",
}


@pytest.mark.exercise("step3.compare_strategies")
def test_every_strategy_computes_the_same_chunks(lab_seed):
    """Catches: chunks in the wrong order, missing or repeated, and partial not fixing multiplier=2."""
    data = np.random.default_rng(lab_seed).random(200_000) * 10
    original = data.copy()
    expected = sequential_chunks(data)
    started = time.perf_counter()
    outcome = compare_strategies(data, chunks=4, processes=2)
    elapsed = time.perf_counter() - started
    # The quickest of a few runs here: a busy moment (another xdist worker starting its cluster) only adds time.
    sequential_s = min(seconds_of(sequential_chunks, data) for _ in range(3))
    assert set(outcome) == set(STRATEGIES), f"keys {sorted(outcome)}: return exactly the keys {STRATEGIES}"
    for name in STRATEGIES:
        assert set(outcome[name]) == {"seconds", "result"}, f"{name}: {{'seconds': ..., 'result': ...}}"
        seconds = outcome[name]["seconds"]
        assert isinstance(seconds, float) and seconds > 0, (
            f'the "{name}" strategy took {seconds!r} seconds: measure its wall time with time.perf_counter()'
        )
    timed = sum(outcome[name]["seconds"] for name in STRATEGIES)
    assert timed <= elapsed, (
        f"the strategies' seconds add up to {timed:.3f}, more than the {elapsed:.3f} s the call took"
    )
    # A fifth: this test's own measurement may have run in a busy moment (another xdist worker, a loaded host).
    assert outcome["sequential"]["seconds"] >= sequential_s / 5, (
        f"the sequential strategy took {outcome['sequential']['seconds']:.4f} s "
        f"for work that takes {sequential_s:.4f} s here: time the whole loop over the chunks with time.perf_counter()"
    )
    assert_strategy_result(outcome, "sequential", expected, "process_chunk of every chunk")
    assert_strategy_result(outcome, "map", expected, "process_chunk of every chunk")
    assert_strategy_result(outcome, "partial", 2 * expected, "twice process_chunk of every chunk")
    assert_strategy_result(outcome, "shared_memory", expected, "process_chunk of every chunk")
    assert np.array_equal(data, original), "data itself was changed: leave it unchanged (work on copies or the segment)"


@pytest.mark.exercise("step3.compare_strategies")
def test_the_pooled_strategies_hand_their_chunks_to_the_workers(lab_seed, segments_created, pool_calls):
    """Catches: a "map" or "partial" strategy without a pool or with threads, a partial that does not fix
    multiplier=2, a "shared_memory" strategy that shares nothing or leaks its segment, and ignoring chunks
    or processes."""
    compare_strategies(np.random.default_rng(lab_seed).random(30_000), chunks=3, processes=3)
    try:
        calls = pool_calls.expect(("map", "starmap"), pool_size=3, tasks_per_call=3)
    except LearnerError as error:  # the recorded tasks were read after your code returned: views of a freed segment
        raise AssertionError(say("step3.tasks_were_views_of_the_segment")) from error
    assert sorted(call.method for call in calls) == ["map", "map", "starmap"], (
        f'Pool methods called: {[call.method for call in calls]}; expected map ("map"), map ("partial") and '
        'starmap ("shared_memory"), each once'
    )
    functions = [call.func for call in calls]
    assert describe(process_chunk) in functions, '"map" maps process_chunk itself'
    assert describe(process_shared_chunk) in functions, '"shared_memory" starmaps process_shared_chunk'
    doubled = [f for f in functions if isinstance(f, dict)]
    assert doubled == [{"partial": describe(process_chunk_scaled), "args": [], "keywords": {"multiplier": 2}}], (
        '"partial" maps functools.partial(process_chunk_scaled, multiplier=2)'
    )
    (shared,) = [call for call in calls if call.method == "starmap"]
    assert shared.largest_task_bytes is not None and shared.largest_task_bytes < 64 * 1024, (
        '"shared_memory" tasks carry the segment\'s name and bounds, not the data'
    )
    created = segments_created.names()
    assert len(created) == 1, f"{len(created)} SharedMemory segments created: copy data into one"
    assert not segments_created.still_there(), "the segment still exists: unlink() it in a finally: block"


def failing_shared_chunk(name, shape, dtype, start, stop):
    """Stands in for process_shared_chunk: a worker that fails."""
    raise RuntimeError("a worker of the shared_memory strategy failed (on purpose, to test the cleanup)")


@pytest.mark.exercise("step3.compare_strategies")
def test_the_shared_memory_segment_is_unlinked_even_when_a_worker_fails(lab_seed, monkeypatch, segments_created):
    """Catches: the "shared_memory" strategy's close() and unlink() on the happy path only (not in a finally:
    block), and a worker's error swallowed."""
    monkeypatch.setattr(chunks_module, "process_shared_chunk", failing_shared_chunk)
    try:
        compare_strategies(np.random.default_rng(lab_seed).random(3000), chunks=2, processes=2)
    except NotImplementedError:  # a RuntimeError too: the stub's, reported as not implemented yet
        raise
    except RuntimeError:
        raised = "RuntimeError"
    else:
        raised = None
    assert raised == "RuntimeError", say("step3.chunks_worker_error_not_raised", raised=raised)
    assert segments_created.names(), "no SharedMemory(create=True) was made: copy data into one shared segment"
    leaked = segments_created.still_there()
    assert not leaked, say("step3.chunks_segment_left", names=", ".join(leaked))
