"""Step 3 — shared data: a multiprocessing.Array, shared memory with NumPy, and a locked counter.

Fill in each function below; its docstring says exactly what to build. Run ``pytest exercises/step3``
to check your work. The lesson is in README.md beside this file.
"""

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


def square_in_place(array, processes=2):
    """Square every element of ``array``, a ``multiprocessing.Array`` of integers, in place, in a pool.

    - Hand the array to the workers *through inheritance*: create the pool with
      ``initializer=`` a module-level function that stores the array in a global variable, and
      ``initargs=(array,)``. Passing the array itself as an argument of ``map``/``starmap`` raises
      ``RuntimeError``: synchronized objects are shared only through inheritance.
    - Split the indices with ``chunk_bounds(len(array), processes)`` and send each worker only its
      ``(start, stop)`` pair (``starmap`` or ``map``); each worker squares its slice of the global array,
      best through a NumPy view of its memory, ``np.ctypeslib.as_array(array.get_obj())`` (one operation
      per slice, instead of taking the array's lock twice per element). The slices do not overlap, so
      no other lock is needed.
    - Use the pool as a context manager. Return None: the caller's array holds the result.
    """
    raise NotImplementedError("step3.square_in_place: see the docstring")


def transform_in_shared_memory(data, processes=2):
    """Return a new array equal to ``transform`` applied to a copy of ``data`` (a float64 NumPy array),
    with the work done in place in shared memory by a pool of ``processes`` workers.

    - Create a ``shared_memory.SharedMemory(create=True, size=data.nbytes)`` and copy ``data`` into a
      NumPy view of its buffer (``np.ndarray(data.shape, data.dtype, buffer=segment.buf)``).
    - Send each worker only the segment's name, the shape and dtype, and its ``(start, stop)`` from
      ``chunk_bounds(len(data), processes)``: never the data itself. Each worker attaches with
      ``SharedMemory(name=...)``, runs ``transform`` on its slice of a NumPy view, deletes the view
      (``del view``), then ``close()``s its handle.
    - Copy the result out of the segment (``result = view.copy()``) and ``del`` the view, then
      ``close()`` and ``unlink()`` the segment in a ``finally:`` block, so that it is freed even if a
      worker fails. Return the copy. ``data`` itself is left unchanged.
    """
    raise NotImplementedError("step3.transform_in_shared_memory: see the docstring")


def count_with_lock(processes, increments):
    """Start ``processes`` processes that each add 1 to a shared counter ``increments`` times, and
    return the counter's final value, which must be ``processes * increments``.

    - The counter is a ``multiprocessing.Value("i", 0)``, given to each ``Process`` in ``args``.
    - Each increment holds the counter's lock: ``with counter.get_lock(): counter.value += 1``.
    - Start every process before joining any, then join them all.
    """
    raise NotImplementedError("step3.count_with_lock: see the docstring")
