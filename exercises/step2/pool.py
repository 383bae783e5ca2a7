"""Step 2 — pools.

Fill in each function below; its docstring says exactly what to build. Run ``pytest exercises/step2``
to check your work. The lesson is in README.md beside this file.
"""

import math
import multiprocessing
import os
from pathlib import Path

CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def count_primes(limit):
    """Given: count the primes below ``limit`` by trial division: CPU-bound work to try your pool on (the
    speedup test times work of the kit's own, so that only the pool can make it faster)."""
    count = 0
    for n in range(2, limit):
        divisor = 2
        while divisor * divisor <= n:
            if n % divisor == 0:
                break
            divisor += 1
        else:
            count += 1
    return count


def parallel_map(func, items, processes=None):
    """Return ``[func(item) for item in items]``, computed in a pool of worker processes.

    - Create a ``multiprocessing.Pool`` with ``processes`` workers; when ``processes`` is None, size it
      with ``usable_cpus()`` (the last exercise of this step), not with the Pool's own default
      (``os.cpu_count()``; ``os.process_cpu_count()`` from Python 3.13).
    - Use ``Pool.map`` with its default chunk size, and use the pool as a context manager, returning
      the result from inside the ``with`` block, so its workers are gone when the function returns.
    - The results are in the order of ``items``, whichever finished first.
    """
    raise NotImplementedError("step2.parallel_map: see the docstring")


def parallel_starmap(func, arg_tuples, processes=None):
    """Return ``[func(*args) for args in arg_tuples]``, computed in a pool of worker processes.

    Same rules as ``parallel_map`` (pool size, context manager, input order), with ``Pool.starmap``:
    each tuple is unpacked into the arguments of one call.
    """
    raise NotImplementedError("step2.parallel_starmap: see the docstring")


def usable_cpus():
    """Return how many CPUs this process may really use (an int, at least 1).

    - Start from the CPUs in this process's affinity set, ``len(os.sched_getaffinity(0))``; on a platform
      without ``os.sched_getaffinity`` (macOS), use ``os.cpu_count()``.
    - If the file ``CPU_MAX`` (cgroup v2) exists and holds a quota, ``"<quota> <period>"`` with a number
      as quota (not ``"max"``), a container may use only ``quota / period`` CPUs: cap the count at
      ``math.floor(quota / period)``, but never below 1. A missing or unreadable file means no quota.
      (cgroup v1 and a cgroup other than the container's own are left out: see the lesson.)
    """
    raise NotImplementedError("step2.usable_cpus: see the docstring")
