"""Step 3 — chunks: four strategies over the same NumPy chunks, checked and timed."""

import functools
import time

import numpy as np
import pytest

from exercises.step3.chunks import (
    STRATEGIES,
    compare_strategies,
    process_chunk,
    process_chunk_scaled,
    process_shared_chunk,
)


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
    started = time.perf_counter()
    expected = np.concatenate([process_chunk(chunk) for chunk in np.array_split(data, 4)])
    sequential_s = time.perf_counter() - started
    started = time.perf_counter()
    outcome = compare_strategies(data, chunks=4, processes=2)
    elapsed = time.perf_counter() - started
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
    calls = pool_calls.expect(("map", "starmap"), pool_size=3, tasks_per_call=3)
    assert sorted(call.method for call in calls) == ["map", "map", "starmap"], (
        f'Pool methods called: {[call.method for call in calls]}; expected map ("map"), map ("partial") and '
        'starmap ("shared_memory"), each once'
    )
    functions = [call.func for call in calls]
    assert process_chunk in functions, '"map" maps process_chunk itself'
    assert process_shared_chunk in functions, '"shared_memory" starmaps process_shared_chunk'
    doubled = [f for f in functions if isinstance(f, functools.partial)]
    assert [(f.func, f.args, f.keywords) for f in doubled] == [(process_chunk_scaled, (), {"multiplier": 2})], (
        '"partial" maps functools.partial(process_chunk_scaled, multiplier=2)'
    )
    (shared,) = [call for call in calls if call.method == "starmap"]
    assert shared.largest_task_bytes is not None and shared.largest_task_bytes < 64 * 1024, (
        '"shared_memory" tasks carry the segment\'s name and bounds, not the data'
    )
    assert len(segments_created) == 1, f"{len(segments_created)} SharedMemory segments created: copy data into one"
    assert not segments_created.still_there(), "the segment still exists: unlink() it in a finally: block"
