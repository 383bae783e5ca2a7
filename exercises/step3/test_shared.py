"""Step 3 — shared data: Array through inheritance, shared memory with NumPy, a locked counter."""

import multiprocessing
import multiprocessing.process
import multiprocessing.sharedctypes
import os

import numpy as np
import pytest

import exercises.step3.shared as shared_module
from exercises.step3.shared import count_with_lock, square_in_place, transform, transform_in_shared_memory

# -- step3.square_in_place --------------------------------------------------------------------------


@pytest.mark.exercise("step3.square_in_place")
def test_array_is_squared_in_place(lab_seed):
    """Catches: computing squares without writing them back, or the Array passed as a task argument
    (RuntimeError: synchronized objects are shared only through inheritance)."""
    values = np.random.default_rng(lab_seed).integers(-3000, 3000, size=1000).tolist()
    array = multiprocessing.Array("q", values)
    assert square_in_place(array, processes=2) is None, "square_in_place returns None: the array holds the result"
    wrong = sum(a != v * v for a, v in zip(array[:], values, strict=True))
    assert not wrong, f"{wrong} of {len(values)} elements were not squared in place: each worker writes its slice"


@pytest.mark.exercise("step3.square_in_place")
def test_one_chunk_per_worker_goes_to_a_pool_with_an_initializer(pool_calls):
    """Catches: the whole array as one task, a task per element, threads, ignoring ``processes``, and a
    global array that only fork would hand over (no initializer)."""
    array = multiprocessing.Array("q", list(range(30)))
    square_in_place(array, processes=3)
    assert array[:] == [v * v for v in range(30)]
    (call,) = pool_calls.expect(("starmap", "map"), calls=1, pool_size=3, tasks_per_call=3, references_only=True)
    assert call.initializer is not None, (
        "the pool had no initializer: create it with initializer= a function that stores the array in a global, "
        "and initargs=(array,), so that every start method hands the array over"
    )


@pytest.mark.exercise("step3.square_in_place")
def test_the_squaring_happens_in_the_workers(lab_seed, monkeypatch):
    """Catches: squaring in the calling process, or copying the values out to the pool and back."""
    values = np.random.default_rng(lab_seed).integers(-3000, 3000, size=200).tolist()
    array = multiprocessing.Array("q", values)
    caller = os.getpid()
    write = multiprocessing.sharedctypes.SynchronizedArray.__setitem__

    def write_in_workers_only(self, index, value):  # forked workers inherit this, and may write
        if os.getpid() == caller:
            raise AssertionError("the Array was written by the calling process: each pool worker squares its own slice")
        write(self, index, value)

    monkeypatch.setattr(multiprocessing.sharedctypes.SynchronizedArray, "__setitem__", write_in_workers_only)
    square_in_place(array, processes=2)
    assert array[:] == [v * v for v in values]


# -- step3.transform_in_shared_memory ---------------------------------------------------------------


@pytest.fixture
def signal_data(lab_seed):
    return np.random.default_rng(lab_seed).random(1_000_000)


@pytest.mark.exercise("step3.transform_in_shared_memory")
def test_shared_memory_result_matches_the_sequential_transform(signal_data):
    """Catches: chunks lost or processed twice, wrong slices, or the result read from the wrong buffer."""
    expected = signal_data.copy()
    transform(expected)
    original = signal_data.copy()
    result = transform_in_shared_memory(signal_data, processes=2)
    assert isinstance(result, np.ndarray) and result is not signal_data
    np.testing.assert_array_equal(result, expected)
    np.testing.assert_array_equal(signal_data, original, err_msg="data itself must be left unchanged")


@pytest.mark.exercise("step3.transform_in_shared_memory")
def test_one_segment_is_created_and_unlinked_afterwards(signal_data, segments_created):
    """Catches: a segment closed but never unlinked, which stays in memory until the program ends (the
    resource tracker then unlinks it and warns of a leak), and an implementation that sends copies of
    the array to the workers instead of sharing it."""
    transform_in_shared_memory(signal_data[:1000], processes=2)
    assert segments_created, "no SharedMemory(create=True) was made: put the data in one shared segment"
    leaked = segments_created.still_there()
    assert not leaked, f"shared-memory segment(s) {leaked} still exist: call unlink() once, after close()"


@pytest.mark.exercise("step3.transform_in_shared_memory")
def test_the_transform_runs_in_the_workers(signal_data, monkeypatch):
    """Catches: transforming the shared array in the calling process."""
    caller, ran_here = os.getpid(), []

    def noting_where_it_runs(chunk):  # forked workers inherit this; only the caller's calls are noted
        if os.getpid() == caller:
            ran_here.append(len(chunk))  # noted, not raised: a traceback would outlive the segment
        transform(chunk)

    monkeypatch.setattr(shared_module, "transform", noting_where_it_runs)
    expected = signal_data.copy()
    transform(expected)
    np.testing.assert_array_equal(transform_in_shared_memory(signal_data, processes=2), expected)
    assert not ran_here, "transform ran in the calling process: each pool worker transforms its own slice"


@pytest.mark.exercise("step3.transform_in_shared_memory")
def test_workers_receive_the_segment_name_not_the_data(signal_data, bytes_sent):
    """Catches: chunks of the array sent to the workers as task arguments (pickled copies)."""
    transform_in_shared_memory(signal_data, processes=2)
    assert bytes_sent, "no task was sent to a pool: hand each worker its (name, shape, dtype, start, stop)"
    largest = max(bytes_sent)
    assert largest < 64 * 1024, (
        f"a {largest}-byte message went to a worker: send the segment's name and the slice bounds, not the data"
    )


@pytest.mark.exercise("step3.transform_in_shared_memory")
def test_one_chunk_per_worker_carries_only_a_reference(signal_data, pool_calls):
    """Catches: the whole array as one task, chunks sent as copies, threads, and ignoring ``processes``."""
    transform_in_shared_memory(signal_data[:3000], processes=3)
    pool_calls.expect(("starmap", "map"), calls=1, pool_size=3, tasks_per_call=3, references_only=True)


@pytest.mark.exercise("step3.transform_in_shared_memory")
def test_the_segment_is_unlinked_even_when_a_worker_fails(segments_created):
    """Catches: close() and unlink() on the happy path only (not in a finally: block)."""
    integers = np.arange(3000)  # transform's np.sin cannot write its results into integers: the workers fail
    with pytest.raises(TypeError):  # the workers' numpy casting error, raised again by the pool
        transform_in_shared_memory(integers, processes=2)
    assert segments_created, "no SharedMemory(create=True) was made: put the data in one shared segment"
    leaked = segments_created.still_there()
    assert not leaked, (
        f"a worker failed and the segment(s) {leaked} were never unlinked: close() and unlink() in a finally: block"
    )


@pytest.mark.exercise("step3.transform_in_shared_memory")
def test_shared_memory_transform_is_faster(speedup, signal_data):
    """Catches: sequential work, or shipping the whole array to every worker."""

    def sequential():
        copy = signal_data.copy()
        transform(copy)
        return copy

    speedup(sequential=sequential, parallel=lambda: transform_in_shared_memory(signal_data, 2), workers=2)


# -- step3.count_with_lock --------------------------------------------------------------------------


@pytest.mark.exercise("step3.count_with_lock")
def test_no_update_is_lost():
    """Catches: counter.value += 1 without the lock: processes read the same value and overwrite each other."""
    total = count_with_lock(processes=4, increments=50_000)
    assert total == 200_000, f"{200_000 - total} increments were lost: hold counter.get_lock() around each one"


@pytest.mark.exercise("step3.count_with_lock")
def test_the_total_is_the_shared_counters_own_value(monkeypatch):
    """Catches: returning processes * increments (or any made-up total) instead of the counter's final value."""
    made = []
    value = multiprocessing.sharedctypes.Value

    def recording_value(*args, **kwargs):
        made.append(value(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(multiprocessing.sharedctypes, "Value", recording_value)
    total = count_with_lock(processes=4, increments=50_000)  # enough that updates without the lock get lost
    assert len(made) == 1, f"{len(made)} multiprocessing.Value(s) were made: make one counter and share it"
    assert made[0].value == total == 200_000, (
        f"count_with_lock returned {total} and the shared counter holds {made[0].value}, expected 200000 in both: "
        "hold counter.get_lock() around each increment, and return counter.value after joining every process"
    )


@pytest.mark.exercise("step3.count_with_lock")
def test_every_process_starts_before_any_is_joined(monkeypatch):
    """Catches: start() and join() one process at a time (nothing runs at once, so nothing can race),
    or a total computed without starting the processes."""
    events = []
    start, join = multiprocessing.process.BaseProcess.start, multiprocessing.process.BaseProcess.join

    def recording_start(self):
        events.append("start")
        start(self)

    def recording_join(self, timeout=None):
        events.append("join")
        join(self, timeout)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", recording_start)
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "join", recording_join)
    assert count_with_lock(processes=3, increments=1000) == 3000
    assert events == ["start"] * 3 + ["join"] * 3, f"calls in order: {events}: start all three, then join them"
