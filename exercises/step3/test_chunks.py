"""Step 3 — chunks: four strategies over the same NumPy chunks, checked and timed."""

import functools
import multiprocessing.pool
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
    assert tuple(outcome) == STRATEGIES or set(outcome) == set(STRATEGIES)
    for name in STRATEGIES:
        assert set(outcome[name]) == {"seconds", "result"}, f"{name}: {{'seconds': ..., 'result': ...}}"
        assert isinstance(outcome[name]["seconds"], float) and outcome[name]["seconds"] > 0, name
    timed = sum(outcome[name]["seconds"] for name in STRATEGIES)
    assert timed <= elapsed, (
        f"the strategies' seconds add up to {timed:.3f}, more than the {elapsed:.3f} s the call took"
    )
    assert outcome["sequential"]["seconds"] >= sequential_s / 2, (
        f"the sequential strategy took {outcome['sequential']['seconds']:.4f} s "
        f"for work that takes {sequential_s:.4f} s here"
    )
    np.testing.assert_array_equal(outcome["sequential"]["result"], expected)
    np.testing.assert_array_equal(outcome["map"]["result"], expected)
    np.testing.assert_array_equal(outcome["partial"]["result"], 2 * outcome["map"]["result"])
    np.testing.assert_array_equal(outcome["shared_memory"]["result"], expected)
    np.testing.assert_array_equal(data, original, err_msg="data itself must be left unchanged")


@pytest.mark.exercise("step3.compare_strategies")
def test_the_pooled_strategies_hand_their_chunks_to_the_workers(lab_seed, monkeypatch, segments_created):
    """Catches: a "map" or "partial" strategy without a pool, a partial that does not fix multiplier=2,
    a "shared_memory" strategy that shares nothing or leaks its segment, and ignoring chunks or processes."""
    calls = []  # (method, func, pool size, number of tasks)
    for method in ("map", "starmap"):
        original = getattr(multiprocessing.pool.Pool, method)

        def recording(self, func, iterable, chunksize=None, _original=original, _method=method):
            tasks = list(iterable)
            calls.append((_method, func, self._processes, len(tasks)))
            return _original(self, func, tasks, chunksize)

        monkeypatch.setattr(multiprocessing.pool.Pool, method, recording)
    compare_strategies(np.random.default_rng(lab_seed).random(30_000), chunks=3, processes=3)
    assert sorted((method, size, tasks) for method, _, size, tasks in calls) == [
        ("map", 3, 3), ("map", 3, 3), ("starmap", 3, 3)
    ], f"(Pool method, pool size, tasks) per call: {calls}; expected map, map and starmap, 3 workers, 3 chunks"
    functions = [func for _, func, _, _ in calls]
    assert process_chunk in functions, '"map" maps process_chunk itself'
    assert process_shared_chunk in functions, '"shared_memory" starmaps process_shared_chunk'
    doubled = [f for f in functions if isinstance(f, functools.partial)]
    assert [(f.func, f.args, f.keywords) for f in doubled] == [(process_chunk_scaled, (), {"multiplier": 2})], (
        '"partial" maps functools.partial(process_chunk_scaled, multiplier=2)'
    )
    assert len(segments_created) == 1, f"{len(segments_created)} SharedMemory segments created: copy data into one"
    assert not segments_created.still_there(), "the segment still exists: unlink() it in a finally: block"
