"""Unit tests of the explanations of common multiprocessing mistakes."""

from __future__ import annotations

import multiprocessing

import pytest

from plugin.session import failures


def _raise_in_callback(result):
    raise ValueError(f"cannot store {result}")


@pytest.mark.slow  # waits out a pool that hangs (about 16 s)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_callback_that_raises_is_explained_when_the_pool_ends_and_when_it_hangs():
    """A raising callback kills the pool's result-handler thread: results stop coming (a hang, caught by
    the timeout), and leaving the with block fails inside multiprocessing."""
    with pytest.raises(AssertionError) as caught, multiprocessing.Pool(1) as pool:
        pool.apply_async(abs, (-1,), callback=_raise_in_callback)
        pending = pool.apply_async(abs, (-2,))
        with pytest.raises(multiprocessing.TimeoutError):
            pending.get(timeout=1)  # never delivered: the thread that delivers results is gone
        assert failures.callback_raised_in_a_pool()
        hang = failures.timeout_message(20, 1, callback_raised=True)
    for worker in multiprocessing.active_children():  # terminate() stopped them, then failed before joining
        worker.join(timeout=5)
    explanation = failures.explain(caught.value)
    assert explanation.startswith("AssertionError: Cannot have cache") and "never let them raise" in explanation
    assert hang.startswith("timed out after 20 s, and 1 child") and "never let them raise" in hang
    timed_out = Exception(hang)
    setattr(timed_out, failures.TIMED_OUT, True)  # as the hang guard marks its failure
    assert failures.explain(timed_out) == hang  # a timeout keeps its own message


def _key_error_in_callback(result):
    raise KeyError(result)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_key_error_in_a_callback_is_seen_too():
    """multiprocessing swallows a KeyError from a callback: the thread lives on, the task never completes."""
    with multiprocessing.Pool(1) as pool:
        pool.apply_async(abs, (-1,), callback=_key_error_in_callback)
        pool.apply_async(abs, (-2,)).get(timeout=5)  # results still come: the thread survived
        assert failures.callback_raised_in_a_pool()


def test_a_healthy_pool_is_not_blamed_on_a_callback():
    with multiprocessing.Pool(1) as pool:
        pool.apply_async(abs, (-1,), callback=print).get(timeout=5)
        assert not failures.callback_raised_in_a_pool()
