"""Failure explanations: real exceptions of common multiprocessing mistakes in, the sentence out."""

from __future__ import annotations

import multiprocessing
import pickle
import threading
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.pool import RemoteTraceback

import pytest

from plugin import failures


def raised(action) -> BaseException:
    try:
        action()
    except BaseException as error:  # noqa: BLE001 - the error itself is what the test hands in
        return error
    raise AssertionError("the action raised nothing")


def _pickle_local_function():
    def local():
        pass

    pickle.dumps(local)


def _chained(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as cause:  # noqa: BLE001
        try:
            raise ValueError("while sending tasks") from cause
        except ValueError as outer:
            return outer


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        (raised(lambda: pickle.dumps(lambda: 0)), "define the function at module level"),
        (raised(_pickle_local_function), "define the function at module level"),
        (raised(lambda: pickle.dumps(multiprocessing.Array("i", 3))), "Pool(initializer=..., initargs=...)"),
        (RuntimeError("An attempt has been made to start a new process before the current process has finished "
                      "its bootstrapping phase."), 'if __name__ == "__main__":'),
        (threading.BrokenBarrierError(), "start every process before joining any"),
        (BrokenProcessPool("A process in the process pool was terminated abruptly"), "called os._exit()"),
    ],
    ids=["lambda", "local-function", "array-as-argument", "no-main-guard", "not-together", "worker-died"],
)
def test_each_mistake_gets_its_explanation_also_when_it_is_the_cause(error, advice):
    assert advice in failures.explain(error)
    assert advice in failures.explain(_chained(error))


def test_the_original_error_is_quoted_where_it_helps():
    error = raised(lambda: pickle.dumps(multiprocessing.Array("i", 3)))
    assert "(RuntimeError: SynchronizedArray objects should only be shared" in failures.explain(error)


def test_the_first_timeout_of_a_chain_is_the_explanation():
    first = failures.timeout_message(4, 1)
    later = RuntimeError(failures.timeout_message(9, 0))
    later.__context__ = RuntimeError(first)
    assert failures.explain(later) == first


def test_an_error_raised_in_a_worker_shows_the_workers_frames_only():
    error = ZeroDivisionError("division by zero")
    error.__cause__ = RemoteTraceback(
        '\n"""\nTraceback (most recent call last):\n'
        '  File "/usr/lib/python3.11/multiprocessing/pool.py", line 125, in worker\n'
        "    result = (True, func(*args, **kwds))\n"
        '  File "/kit/exercises/step2/pool.py", line 7, in divide\n'
        "    return 1 / x\n"
        'ZeroDivisionError: division by zero\n"""'
    )
    explanation = failures.explain(error)
    assert explanation.startswith("ZeroDivisionError: division by zero — raised inside a worker process.")
    assert 'File "/kit/exercises/step2/pool.py", line 7, in divide' in explanation
    assert "multiprocessing/pool.py" not in explanation


def test_an_ordinary_failure_is_left_to_pytest():
    assert failures.explain(AssertionError("assert 3 == 4")) is None


def test_timeout_messages_count_terminated_children_and_name_worker_exit_codes():
    assert failures.timeout_message(4, 0).startswith("timed out after 4 s. A multiprocessing program")
    assert failures.timeout_message(4, 2).startswith("timed out after 4 s, and 2 child process(es) were terminated.")
    exited = failures.timeout_message(4.5, 1, [3, 3, 1])
    assert exited.startswith("timed out after 4.5 s, and 1 child process(es) were terminated: a pool worker exited "
                             "with code 1, 3 while it held a task")
