"""Step 2 — pools: map, starmap, sizing a pool, and measured speedup."""

TITLE = "Pools"

EXERCISES = {
    "usable_cpus": {
        "title": "Count the CPUs this process may really use",
        "hint": "len(os.sched_getaffinity(0)) where it exists, else os.cpu_count(); then cap it by the quota in "
        "/sys/fs/cgroup/cpu.max when that file sets one.\nos.cpu_count() counts the machine's CPUs, not the ones "
        "this process may use.",
    },
    "parallel_map": {
        "points": 2,
        "title": "Map a function over items with Pool.map",
        "hint": "with multiprocessing.Pool(processes) as pool: return pool.map(func, items)\n"
        "Pool.map hands items to the workers in chunks and returns the results in input order.",
    },
    "parallel_starmap": {
        "points": 2,
        "title": "Pass several arguments per task with Pool.starmap",
        "hint": "with multiprocessing.Pool(processes) as pool: return pool.starmap(func, arg_tuples)\n"
        "starmap calls func(*args) for each tuple; map would pass the whole tuple as one argument.",
    },
}
