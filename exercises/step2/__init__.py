"""Step 2 — pools: map, starmap, sizing a pool, and measured speedup."""

TITLE = "Pools"

EXERCISES = {
    "parallel_map": {
        "points": 2,
        "title": "Map a function over items with Pool.map",
        "hint": "A multiprocessing.Pool used as a context manager, and its map method. When processes is None, "
        "the pool's size comes from usable_cpus(), not from the Pool's own default.",
        "hint_full": "Open multiprocessing.Pool(size) in a with block, where size is processes, or usable_cpus() "
        "when processes is None; return pool.map(func, items) from inside the block. map hands items to the "
        "workers in chunks and returns the results in input order.",
    },
    "parallel_starmap": {
        "points": 2,
        "title": "Pass several arguments per task with Pool.starmap",
        "hint": "The same pool as in parallel_map (same sizing rule, usable_cpus() by default), with starmap "
        "instead of map.",
        "hint_full": "Open multiprocessing.Pool(size) in a with block, size being processes or, when it is None, "
        "usable_cpus(); return pool.starmap(func, arg_tuples) from inside the block. starmap calls func(*args) "
        "for each tuple; map would pass the whole tuple as one argument.",
    },
    "usable_cpus": {
        "title": "Count the CPUs this process may really use",
        "hint": "Start from the process's affinity set (os.sched_getaffinity) rather than os.cpu_count(); then "
        "let a cgroup quota in CPU_MAX lower the count. See 'How many workers?' in the lesson.",
        "hint_full": "cpus = len(os.sched_getaffinity(0)) if os has sched_getaffinity, else os.cpu_count(). If "
        "CPU_MAX can be read and its first word is not 'max', the two words are quota and period: cap cpus at "
        "math.floor(quota / period). Return at least 1. A missing file means no quota.",
    },
}
