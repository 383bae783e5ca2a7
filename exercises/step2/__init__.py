"""Step 2 — pools: map, starmap, sizing a pool, and measured speedup."""

TITLE = "Pools"
TITLE_ZH = "进程池"

EXERCISES = {
    "usable_cpus": {
        "title": "Count the CPUs this process may really use",
        "title_zh": "数一数这个进程真正能用的 CPU",
        "hint": "len(os.sched_getaffinity(0)) where it exists, else os.cpu_count(); then cap it by the quota in "
        "/sys/fs/cgroup/cpu.max when that file sets one.\nos.cpu_count() counts the machine's CPUs, not the ones "
        "this process may use.",
        "hint_zh": "有 os.sched_getaffinity 时用 len(os.sched_getaffinity(0))，"
        "否则用 os.cpu_count()；如果 /sys/fs/cgroup/cpu.max 设置了配额，"
        "再用配额给它封顶。\nos.cpu_count() 数的是整台机器的 CPU，而不是这个进程能用的 "
        "CPU。",
    },
    "parallel_map": {
        "points": 2,
        "title": "Map a function over items with Pool.map",
        "title_zh": "用 Pool.map 把函数映射到每一项上",
        "hint": "with multiprocessing.Pool(processes) as pool: return pool.map(func, items)\n"
        "Pool.map hands items to the workers in chunks and returns the results in input order.",
        "hint_zh": "with multiprocessing.Pool(processes) as pool: return "
        "pool.map(func, items)\nPool.map 把各项分块交给工作进程，并按输入顺序返回结果。",
    },
    "parallel_starmap": {
        "points": 2,
        "title": "Pass several arguments per task with Pool.starmap",
        "title_zh": "用 Pool.starmap 给每个任务传多个参数",
        "hint": "with multiprocessing.Pool(processes) as pool: return pool.starmap(func, arg_tuples)\n"
        "starmap calls func(*args) for each tuple; map would pass the whole tuple as one argument.",
        "hint_zh": "with multiprocessing.Pool(processes) as pool: return "
        "pool.starmap(func, arg_tuples)\nstarmap 对每个元组调用 func(*args)；"
        "map 会把整个元组当作一个参数传进去。",
    },
}
