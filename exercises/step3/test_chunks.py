"""Step 3 — chunks: four strategies over the same NumPy chunks, checked and timed."""

import numpy as np
import pytest

from exercises.step3.chunks import STRATEGIES, compare_strategies, process_chunk


@pytest.mark.exercise("step3.compare_strategies")
def test_every_strategy_computes_the_same_chunks(lab_seed):
    """Catches: chunks in the wrong order, missing or repeated, and partial not fixing multiplier=2."""
    data = np.random.default_rng(lab_seed).random(200_000) * 10
    original = data.copy()
    expected = np.concatenate([process_chunk(chunk) for chunk in np.array_split(data, 4)])
    outcome = compare_strategies(data, chunks=4, processes=2)
    assert tuple(outcome) == STRATEGIES or set(outcome) == set(STRATEGIES)
    for name in STRATEGIES:
        assert set(outcome[name]) == {"seconds", "result"}, f"{name}: {{'seconds': ..., 'result': ...}}"
        assert isinstance(outcome[name]["seconds"], float) and outcome[name]["seconds"] > 0, name
    np.testing.assert_array_equal(outcome["sequential"]["result"], expected)
    np.testing.assert_array_equal(outcome["map"]["result"], expected)
    np.testing.assert_array_equal(outcome["partial"]["result"], 2 * outcome["map"]["result"])
    np.testing.assert_array_equal(outcome["shared_memory"]["result"], expected)
    np.testing.assert_array_equal(data, original, err_msg="data itself must be left unchanged")
