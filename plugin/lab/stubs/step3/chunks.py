"""Step 3 — chunks: sequential versus map versus partial versus shared memory, measured.

Fill in the function below; its docstring says exactly what to build. Run ``pytest exercises/step3``
to check your work. The lesson is in README.md beside this file.
"""

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


def compare_strategies(data, chunks=4, processes=2):
    """Process ``data`` (a 1-D NumPy array) chunk by chunk in four ways; time each; return all.

    The chunks are ``np.array_split(data, chunks)``. Return a dict with exactly the keys of
    ``STRATEGIES``, each mapping to ``{"seconds": float, "result": np.ndarray}``, where ``result`` is
    the ``np.concatenate`` of the chunk results in chunk order and ``seconds`` the wall time of the
    whole strategy, measured with ``time.perf_counter()`` from its first step to its last.
    Each pooled strategy opens its own ``multiprocessing.Pool(processes)`` in a ``with`` block, and its
    time includes starting that pool:

    - ``"sequential"``: ``process_chunk`` on each chunk in a loop, in this process.
    - ``"map"``: ``pool.map(process_chunk, chunks)``: every chunk is pickled and copied to a worker,
      and its result copied back.
    - ``"partial"``: ``pool.map`` over ``functools.partial(process_chunk_scaled, multiplier=2)``:
      its result is exactly twice the ``"map"`` result.
    - ``"shared_memory"``: create one ``SharedMemory`` segment, copy ``data`` into it once, and
      ``starmap`` ``process_shared_chunk`` over ``(name, data.shape, data.dtype, start, stop)`` tuples;
      then close and unlink the segment (``finally:``). Its time includes creating, filling and
      unlinking the segment. The ``(start, stop)`` bounds are those of the ``np.array_split`` chunks
      (each chunk starts where the previous one stopped; the first ``len(data) % chunks`` chunks are
      one longer), not those of ``shared.chunk_bounds``, which splits differently.
    """
    raise NotImplementedError("step3.compare_strategies: see the docstring")
