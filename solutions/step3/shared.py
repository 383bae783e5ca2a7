"""Step 3 — shared data: reference solutions."""

import multiprocessing
from multiprocessing import shared_memory

import numpy as np

TRANSFORM_ROUNDS = 100


def transform(chunk):
    """Given: CPU-heavy work on a float64 NumPy array, done in place."""
    for _ in range(TRANSFORM_ROUNDS):
        np.sin(chunk, out=chunk)


def chunk_bounds(length, chunks):
    """Given: split ``range(length)`` into ``chunks`` contiguous ``(start, stop)`` pairs of near-equal size."""
    edges = [length * index // chunks for index in range(chunks + 1)]
    return list(zip(edges[:-1], edges[1:], strict=True))


_shared_array = None


def _attach_array(array):
    global _shared_array
    _shared_array = array


def _square_slice(start, stop):
    values = np.ctypeslib.as_array(_shared_array.get_obj())  # a view: no copy, no lock per element
    values[start:stop] **= 2


def square_in_place(array, processes=2):
    with multiprocessing.Pool(processes, initializer=_attach_array, initargs=(array,)) as pool:
        pool.starmap(_square_slice, chunk_bounds(len(array), processes))


def _transform_slice(name, shape, dtype, start, stop):
    segment = shared_memory.SharedMemory(name=name)
    view = np.ndarray(shape, dtype=dtype, buffer=segment.buf)
    try:
        transform(view[start:stop])
    finally:
        del view  # the view must go before the segment can close
        segment.close()


def transform_in_shared_memory(data, processes=2):
    segment = shared_memory.SharedMemory(create=True, size=data.nbytes)
    try:
        view = np.ndarray(data.shape, dtype=data.dtype, buffer=segment.buf)
        view[:] = data
        bounds = chunk_bounds(len(data), processes)
        tasks = [(segment.name, data.shape, data.dtype, start, stop) for start, stop in bounds]
        with multiprocessing.Pool(processes) as pool:
            pool.starmap(_transform_slice, tasks)
        result = view.copy()
        del view
        return result
    finally:
        segment.close()
        segment.unlink()


def _add_ones(counter, increments):
    for _ in range(increments):
        with counter.get_lock():
            counter.value += 1


def count_with_lock(processes, increments):
    counter = multiprocessing.Value("i", 0)
    workers = [multiprocessing.Process(target=_add_ones, args=(counter, increments)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return counter.value
