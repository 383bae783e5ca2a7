"""Step 2 — pools: map, starmap, sizing a pool, and measured speedup."""

TITLE = "Pools"
TITLE_ZH = "进程池"

EXERCISES = {
    "parallel_map": {
        "points": 2,
        "title": "Map a function over items with Pool.map",
        "title_zh": "用 Pool.map 把函数映射到每一项上",
        "hint": "A multiprocessing.Pool used as a context manager, and its map method. When processes is None, "
        "the pool's size comes from usable_cpus(), not from the Pool's own default.",
        "hint_zh": "把 multiprocessing.Pool 当作上下文管理器使用，再用它的 map 方法。processes "
        "为 None 时，进程池的大小来自 usable_cpus()，而不是 Pool 自己的默认值。",
        "hint_full": "Open multiprocessing.Pool(size) in a with block, where size is processes, or usable_cpus() "
        "when processes is None; return pool.map(func, items) from inside the block. map hands items to the "
        "workers in chunks and returns the results in input order.",
        "hint_full_zh": "在一个 with 块中打开 multiprocessing.Pool(size)，其中 size "
        "是 processes，processes 为 None 时是 usable_cpus()；在块内部返回 "
        "pool.map(func, items)。map 把各项分块交给工作进程，并按输入顺序返回结果。",
    },
    "parallel_starmap": {
        "points": 2,
        "title": "Pass several arguments per task with Pool.starmap",
        "title_zh": "用 Pool.starmap 给每个任务传多个参数",
        "hint": "The same pool as in parallel_map (same sizing rule, usable_cpus() by default), with starmap "
        "instead of map.",
        "hint_zh": "和 parallel_map 一样的进程池（同样的大小规则，默认用 usable_cpus()），用 starmap 代替 map。",
        "hint_full": "Open multiprocessing.Pool(size) in a with block, size being processes or, when it is None, "
        "usable_cpus(); return pool.starmap(func, arg_tuples) from inside the block. starmap calls func(*args) "
        "for each tuple; map would pass the whole tuple as one argument.",
        "hint_full_zh": "在一个 with 块中打开 multiprocessing.Pool(size)，size 是 "
        "processes，为 None 时是 usable_cpus()；在块内部返回 pool.starmap(func, "
        "arg_tuples)。starmap 对每个元组调用 func(*args)；map 会把整个元组当作一个参数传进去。",
    },
    "usable_cpus": {
        "title": "Count the CPUs this process may really use",
        "title_zh": "数一数这个进程真正能用的 CPU",
        "hint": "Start from the process's affinity set (os.sched_getaffinity) rather than os.cpu_count(); then "
        "let a cgroup quota in CPU_MAX lower the count. See 'How many workers?' in the lesson.",
        "hint_zh": "从进程的亲和性集合（os.sched_getaffinity）出发，而不是 os.cpu_count()；"
        "再让 CPU_MAX 中的 cgroup 配额降低这个数。见讲义中的“要多少个工作进程？”。",
        "hint_full": "cpus = len(os.sched_getaffinity(0)) if os has sched_getaffinity, else os.cpu_count(). If "
        "CPU_MAX can be read and its first word is not 'max', the two words are quota and period: cap cpus at "
        "math.floor(quota / period). Return at least 1. A missing file means no quota.",
        "hint_full_zh": "如果 os 有 sched_getaffinity，cpus = len(os.sched_getaffinity(0))，"
        "否则用 os.cpu_count()。如果能读取 CPU_MAX，并且它的第一个词不是 'max'，"
        "那两个词就是配额和周期：把 cpus 限制在 math.floor(quota / period) "
        "以内。至少返回 1。文件不存在表示没有配额。",
    },
}
