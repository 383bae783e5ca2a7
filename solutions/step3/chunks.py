"""Step 3 — chunks: reference solution."""

import functools
import multiprocessing
import time
from multiprocessing import shared_memory

import numpy as np

STRATEGIES = ("sequential", "map", "partial", "shared_memory")


def process_chunk(chunk):
    """Given: CPU-heavy work on one chunk; returns a new array of the same shape."""
    result = np.array(chunk, dtype=np.float64)
    for _ in range(10):
        result = np.sqrt(np.abs(np.sin(result)) + 1.0)
    return result


def process_chunk_scaled(chunk, multiplier):
    """Given: ``process_chunk(chunk) * multiplier``."""
    return process_chunk(chunk) * multiplier


def process_shared_chunk(name, shape, dtype, start, stop):
    """Given: attach to the shared-memory segment ``name`` and return ``process_chunk`` of
    ``[start:stop]`` of the array it holds (``shape``, ``dtype``)."""
    segment = shared_memory.SharedMemory(name=name)
    array = np.ndarray(shape, dtype=dtype, buffer=segment.buf)
    try:
        return process_chunk(array[start:stop])
    finally:
        del array  # the view must go before the segment can close
        segment.close()


def _timed(strategy):
    start = time.perf_counter()
    result = strategy()
    return {"seconds": time.perf_counter() - start, "result": result}


def _sequential(chunks):
    return np.concatenate([process_chunk(chunk) for chunk in chunks])


def _mapped(func, chunks, processes):
    with multiprocessing.Pool(processes) as pool:
        return np.concatenate(pool.map(func, chunks))


def _through_shared_memory(data, chunks, processes):
    segment = shared_memory.SharedMemory(create=True, size=data.nbytes)
    try:
        view = np.ndarray(data.shape, dtype=data.dtype, buffer=segment.buf)
        view[:] = data
        del view
        edges = np.cumsum([0] + [len(chunk) for chunk in chunks])
        bounds = zip(edges[:-1], edges[1:], strict=True)
        tasks = [(segment.name, data.shape, data.dtype, int(start), int(stop)) for start, stop in bounds]
        with multiprocessing.Pool(processes) as pool:
            return np.concatenate(pool.starmap(process_shared_chunk, tasks))
    finally:
        segment.close()
        segment.unlink()


def compare_strategies(data, chunks=4, processes=2):
    parts = np.array_split(data, chunks)
    doubled = functools.partial(process_chunk_scaled, multiplier=2)
    return {
        "sequential": _timed(lambda: _sequential(parts)),
        "map": _timed(lambda: _mapped(process_chunk, parts, processes)),
        "partial": _timed(lambda: _mapped(doubled, parts, processes)),
        "shared_memory": _timed(lambda: _through_shared_memory(data, parts, processes)),
    }
