"""Step 2 — pools: reference solutions."""

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
    with multiprocessing.Pool(processes or usable_cpus()) as pool:
        return pool.map(func, items)


def parallel_starmap(func, arg_tuples, processes=None):
    with multiprocessing.Pool(processes or usable_cpus()) as pool:
        return pool.starmap(func, arg_tuples)


def usable_cpus():
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = CPU_MAX.read_text().split()[:2]
    except (OSError, ValueError):
        return max(1, cpus)
    if quota != "max":
        cpus = min(cpus, math.floor(int(quota) / int(period)))
    return max(1, cpus)
