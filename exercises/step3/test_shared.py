"""Step 3 — shared data: Array through inheritance, shared memory with NumPy, a locked counter."""

import ctypes
import functools
import multiprocessing
import multiprocessing.process
import multiprocessing.sharedctypes
import os
from multiprocessing import pool as mp_pool
from pathlib import Path

import numpy as np
import pytest

import exercises.step3.shared as shared_module
from exercises.step3.shared import count_with_lock, square_in_place, transform, transform_in_shared_memory
from plugin.messages import say
from plugin.workers import CountingLock, note_pid

# -- step3.square_in_place --------------------------------------------------------------------------


@pytest.mark.exercise("step3.square_in_place")
def test_array_is_squared_in_place(lab_seed, inheritable):
    """Catches: computing squares without writing them back, or the Array passed as a task argument
    (RuntimeError: synchronized objects are shared only through inheritance)."""
    values = np.random.default_rng(lab_seed).integers(-3000, 3000, size=1000).tolist()
    array = inheritable.Array("q", values)
    assert square_in_place(array, processes=2) is None, "square_in_place returns None: the array holds the result"
    wrong = sum(a != v * v for a, v in zip(array[:], values, strict=True))
    assert not wrong, f"{wrong} of {len(values)} elements were not squared in place: each worker writes its slice"


@pytest.mark.exercise("step3.square_in_place")
def test_one_chunk_per_worker_goes_to_a_pool_with_an_initializer(pool_calls, inheritable):
    """Catches: the whole array as one task, a task per element, threads, ignoring ``processes``, and a
    global array that only fork would hand over (no initializer)."""
    array = inheritable.Array("q", list(range(30)))
    square_in_place(array, processes=3)
    assert array[:] == [v * v for v in range(30)]
    (call,) = pool_calls.expect(("starmap", "map"), calls=1, pool_size=3, tasks_per_call=3, references_only=True)
    assert call.initializer is not None, (
        "the pool had no initializer: create it with initializer= a function that stores the array in a global, "
        "and initargs=(array,), so that every start method hands the array over"
    )


_array_moments = []  # in the learner process: (moment, the array's values)


def watch_the_array_around_the_pool(array):
    """In the learner process: note the array's values when a pool is created, and each time the pool's
    results are ready (``map``, ``starmap``, ``get()`` and ``wait()`` return)."""
    create, wait = mp_pool.Pool.__init__, mp_pool.ApplyResult.wait

    def noting_create(pool, *args, **kwargs):
        _array_moments.append(("pool created", array[:]))
        create(pool, *args, **kwargs)

    def noting_wait(result, timeout=None):  # get() waits too
        wait(result, timeout)
        if result.ready():
            _array_moments.append(("results ready", array[:]))

    mp_pool.Pool.__init__, mp_pool.ApplyResult.wait = noting_create, noting_wait


def array_moments():
    return list(_array_moments)


@pytest.mark.exercise("step3.square_in_place")
def test_the_squaring_happens_in_the_workers(lab_seed, learner, inheritable):
    """Catches: squaring in the calling process, or copying the values out to the pool and back."""
    values = np.random.default_rng(lab_seed).integers(-3000, 3000, size=200).tolist()
    squares = [v * v for v in values]
    array = inheritable.Array("q", values)
    learner.install(watch_the_array_around_the_pool, array)
    square_in_place(array, processes=2)
    assert array[:] == squares, say("step3.not_squared")
    moments = learner.run(array_moments)
    assert moments and moments[0] == ("pool created", values), say("step3.squared_before_the_pool")
    assert ("results ready", squares) in moments, say("step3.squared_by_the_caller")


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
    assert segments_created.names(), "no SharedMemory(create=True) was made: put the data in one shared segment"
    leaked = segments_created.still_there()
    assert not leaked, f"shared-memory segment(s) {leaked} still exist: call unlink() once, after close()"


def transform_noting_the_process(folder, chunk):
    """``transform``, which first leaves a file named after the pid of the process it runs in."""
    note_pid(folder)
    transform(chunk)


@pytest.mark.exercise("step3.transform_in_shared_memory")
def test_the_transform_runs_in_the_workers(signal_data, monkeypatch, learner, tmp_path):
    """Catches: transforming the shared array in the calling process."""
    folder = tmp_path / "pids"
    folder.mkdir()
    folder.chmod(0o777)  # the learner process may run as another account
    # Forked workers inherit the noting transform; spawned ones import the given one: only the caller must not note.
    monkeypatch.setattr(shared_module, "transform", functools.partial(transform_noting_the_process, str(folder)))
    expected = signal_data.copy()
    transform(expected)
    np.testing.assert_array_equal(transform_in_shared_memory(signal_data, processes=2), expected)
    noted = {int(entry.name) for entry in Path(folder).iterdir() if entry.name.isdigit()}
    assert learner.pid not in noted, "transform ran in the calling process: each pool worker transforms its own slice"


@pytest.mark.exercise("step3.transform_in_shared_memory")
def test_workers_receive_the_segment_name_not_the_data(signal_data, bytes_sent):
    """Catches: chunks of the array sent to the workers as task arguments (pickled copies)."""
    transform_in_shared_memory(signal_data, processes=2)
    bytes_sent = bytes_sent()
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


def transform_integers(length, processes):
    """In the learner process: ``transform_in_shared_memory`` of integers, whose workers fail (np.sin
    cannot write its results into integers); the name of the error it raised, or None."""
    try:
        transform_in_shared_memory(np.arange(length), processes=processes)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - numpy's casting error is not plain data: its name comes back
        return "TypeError" if isinstance(error, TypeError) else type(error).__name__
    return None


@pytest.mark.exercise("step3.transform_in_shared_memory")
def test_the_segment_is_unlinked_even_when_a_worker_fails(segments_created, learner):
    """Catches: close() and unlink() on the happy path only (not in a finally: block)."""
    raised = learner.run(transform_integers, 3000, 2)
    assert raised == "TypeError", say("step3.worker_error_not_raised", raised=raised)
    assert segments_created.names(), "no SharedMemory(create=True) was made: put the data in one shared segment"
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


class WatchedCounter(multiprocessing.sharedctypes.Synchronized):
    """The learner's counter, in memory the test created; its writes by the process that made it, once a
    process has started, are counted in ``tally[1]`` (spawned workers receive a plain Synchronized)."""

    def __init__(self, memory, lock, tally):
        super().__init__(memory, lock)
        self._tally, self._owner = tally, os.getpid()

    value = property(multiprocessing.sharedctypes.Synchronized.value.fget)

    @value.setter
    def value(self, new):
        if os.getpid() == self._owner and _counter_log["events"]:
            self._tally[1] += 1
        multiprocessing.sharedctypes.Synchronized.value.fset(self, new)


_counter_log = {"made": 0, "other_counters": [], "events": [], "start_methods": []}  # in the learner process


def watch_the_counter(memory, tally):
    """In the learner process: the first ``Value("i", ...)`` made is a counter in ``memory`` (created by
    the test) whose lock counts its acquisitions in the workers (``CountingLock``); every Process start
    and join is noted, with the start method the process was made for."""
    make_value = multiprocessing.sharedctypes.Value
    start, join = multiprocessing.process.BaseProcess.start, multiprocessing.process.BaseProcess.join

    def providing_value(typecode_or_type, *args, lock=True, ctx=None):
        _counter_log["made"] += 1
        if typecode_or_type not in ("i", ctypes.c_int) or _counter_log["made"] > 1 or lock is False:
            _counter_log["other_counters"].append(repr(typecode_or_type) if lock is not False else "lock=False")
            return make_value(typecode_or_type, *args, lock=lock, ctx=ctx)
        memory.value = args[0] if args else 0
        real_lock = lock if lock not in (True, None) else (ctx or multiprocessing.get_context()).RLock()
        return WatchedCounter(memory, CountingLock(real_lock, tally, os.getpid()), tally)

    def noting_start(process):
        _counter_log["events"].append("start")
        _counter_log["start_methods"].append(process._start_method or multiprocessing.get_start_method())
        start(process)

    def noting_join(process, timeout=None):
        _counter_log["events"].append("join")
        join(process, timeout)

    multiprocessing.sharedctypes.Value = providing_value
    multiprocessing.process.BaseProcess.start = noting_start
    multiprocessing.process.BaseProcess.join = noting_join


def counter_log():
    return {key: value if isinstance(value, int) else list(value) for key, value in _counter_log.items()}


@pytest.fixture
def watched_counter(learner):
    """The counter count_with_lock makes, in memory this test created: ``(memory, tally, log)`` where
    ``tally`` is [lock acquisitions in the workers, writes by the caller after a start] and ``log()``
    what the learner process noted."""
    memory, tally = multiprocessing.RawValue("i", 0), multiprocessing.RawArray("q", 2)
    learner.install(watch_the_counter, memory, tally)

    def log():
        noted = learner.run(counter_log)
        if not (isinstance(noted, dict) and isinstance(noted.get("made"), int)):
            raise AssertionError(say("step3.record_tampered"))
        return noted

    return memory, tally, log


@pytest.mark.exercise("step3.count_with_lock")
def test_the_total_is_the_shared_counters_own_value(watched_counter):
    """Catches: returning processes * increments (or any made-up total) instead of the counter's final value,
    and a total written into the counter by the caller after the workers ran."""
    memory, tally, log = watched_counter
    total = count_with_lock(processes=4, increments=50_000)  # enough that updates without the lock get lost
    noted = log()
    made = noted["made"]
    assert made == 1, f"{made} multiprocessing.Value(s) were made: make one counter and share it"
    assert not noted["other_counters"], say("step3.counter_type", made=", ".join(map(str, noted["other_counters"])))
    assert memory.value == total == 200_000, (
        f"count_with_lock returned {total} and the shared counter holds {memory.value}, expected 200000 in both: "
        "hold counter.get_lock() around each increment, and return counter.value after joining every process"
    )
    assert tally[1] == 0, say("step3.caller_wrote_the_counter", writes=tally[1])


@pytest.mark.exercise("step3.count_with_lock")
def test_each_increment_takes_the_lock_in_a_worker_process(watched_counter):
    """Catches: the lock taken once per process around a bulk add or the whole loop, increments without
    the lock (each read and write of counter.value then takes it on its own), and counting in the caller."""
    memory, tally, _ = watched_counter
    count_with_lock(processes=3, increments=5000)
    assert tally[0] == 15_000, say("step3.lock_per_increment", taken=tally[0], increments=15_000)


@pytest.mark.exercise("step3.count_with_lock")
def test_every_process_starts_before_any_is_joined(watched_counter):
    """Catches: start() and join() one process at a time (nothing runs at once, so nothing can race),
    a total computed without starting the processes, and processes forced onto another start method
    (code that works only under fork loses its points where the grader runs)."""
    _, _, log = watched_counter
    assert count_with_lock(processes=3, increments=1000) == 3000
    noted = log()
    events = noted["events"]
    assert events == ["start"] * 3 + ["join"] * 3, f"calls in order: {events}: start all three, then join them"
    session = multiprocessing.get_start_method()
    # Spawn and forkserver work wherever the grader runs; fork-only code (closures, globals) does not.
    forced = sorted({method for method in noted["start_methods"] if method == "fork" != session})
    assert not forced, say("step3.forced_start_method", methods=", ".join(map(str, forced)), session=session)
