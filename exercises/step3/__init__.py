"""Step 3 — advanced argument passing: apply vs apply_async, partial, shared memory, locks."""

TITLE = "Advanced argument passing"
TITLE_ZH = "高级参数传递"

EXERCISES = {
    "blocking_results": {
        "title": "Run tasks one at a time with Pool.apply",
        "title_zh": "用 Pool.apply 一次运行一个任务",
        "hint": "for item in items: results.append(pool.apply(func, (item,)))\n"
        "apply blocks until its result is back, so the next task starts only then.",
        "hint_zh": "for item in items: results.append(pool.apply(func, "
        "(item,)))\napply 会阻塞直到结果返回，所以下一个任务要等到那时才开始。",
    },
    "async_results": {
        "points": 2,
        "title": "Overlap tasks with Pool.apply_async and get()",
        "title_zh": "用 Pool.apply_async 和 get() 让任务重叠运行",
        "hint": "Submit everything first: handles = [pool.apply_async(func, (item,)) for item in items]; then "
        "[h.get() for h in handles].\nget() returns results in submission order and re-raises a worker's exception.",
        "hint_zh": "先把所有任务都提交：handles = [pool.apply_async(func, (item,)) "
        "for item in items]；然后 [h.get() for h in handles]。"
        "\nget() 按提交顺序返回结果，并重新抛出工作进程中的异常。",
    },
    "results_with_callbacks": {
        "points": 2,
        "title": "Collect results and errors with callbacks",
        "title_zh": "用回调函数收集结果和错误",
        "hint": "pool.apply_async(func, (item,), callback=partial(on_result, item), "
        "error_callback=partial(on_error, item)); "
        "then pool.close(); pool.join() before reading what the callbacks stored.",
        "hint_zh": "pool.apply_async(func, (item,), callback=partial(on_result, "
        "item), error_callback=partial(on_error, item))；然后先 "
        "pool.close()、pool.join()，再读取回调函数保存的内容。",
    },
    "make_scaler": {
        "points": 1, "all_or_nothing": True,
        "title": "Fix an argument with functools.partial",
        "title_zh": "用 functools.partial 固定一个参数",
        "hint": "return functools.partial(scale, factor=factor)\n"
        "A lambda or a nested function cannot be pickled, so it cannot be sent to a worker.",
        "hint_zh": "return functools.partial(scale, factor=factor)\nlambda "
        "或嵌套函数无法序列化（pickle），所以不能发送给工作进程。",
    },
    "scale_all": {
        "title": "Map a partial over a pool",
        "title_zh": "在进程池上映射一个偏函数",
        "hint": "with Pool(processes) as pool: return pool.map(make_scaler(factor), values)",
        "hint_zh": "with Pool(processes) as pool: return pool.map(make_scaler(factor), "
        "values)",
    },
    "square_in_place": {
        "points": 2,
        "title": "Share a multiprocessing.Array through the pool's initializer",
        "title_zh": "通过进程池的 initializer 共享一个 multiprocessing.Array",
        "hint": "Pool(processes, initializer=_attach, initargs=(array,)) where _attach stores the array in a global; "
        "tasks then carry only (start, stop).\nPassing the Array itself as a task argument raises RuntimeError: "
        "synchronized objects are shared only through inheritance.",
        "hint_zh": "Pool(processes, initializer=_attach, initargs=(array,))，"
        "其中 _attach 把数组保存到一个全局变量里；这样任务只需携带 (start, stop)。"
        "\n把 Array 本身作为任务参数传递会抛出 RuntimeError：同步对象只能通过继承来共享。",
    },
    "transform_in_shared_memory": {
        "points": 3,
        "title": "Process a NumPy array in place in shared memory",
        "title_zh": "在共享内存中原地处理 NumPy 数组",
        "hint": "SharedMemory(create=True, size=data.nbytes); copy data in; send workers (name, shape, dtype, start, "
        "stop); each attaches with SharedMemory(name=...), transforms its slice, and close()s; the parent copies "
        "the result out, then close() and unlink() in a finally block.",
        "hint_zh": "SharedMemory(create=True, size=data.nbytes)；把 data "
        "复制进去；发给工作进程 (name, shape, dtype, start, stop)；每个工作进程用 "
        "SharedMemory(name=...) 连接，变换自己的那一段，然后 close()；父进程把结果复制出来，"
        "再在 finally 块中 close() 和 unlink()。",
    },
    "count_with_lock": {
        "points": 2, "all_or_nothing": True,
        "title": "Increment a shared counter without losing updates",
        "title_zh": "给共享计数器加一，且不丢失更新",
        "hint": "with counter.get_lock(): counter.value += 1\n"
        "counter.value += 1 alone is a read and a write: two processes can read the same value and one update is lost.",
        "hint_zh": "with counter.get_lock(): counter.value += 1\n单独的 "
        "counter.value += 1 是一次读加一次写：两个进程可能读到同一个值，于是丢失一次更新。",
    },
    "compare_strategies": {
        "points": 2,
        "title": "Compare sequential, map, partial and shared-memory chunk processing",
        "title_zh": "比较顺序、map、偏函数和共享内存四种分块处理方式",
        "hint": "Time each strategy with time.perf_counter() around the whole strategy (pool start-up included); "
        "np.concatenate the chunk results.",
        "hint_zh": "用 time.perf_counter() 给每种方式整体计时（包括进程池的启动）；用 np.concatenate "
        "拼接各块的结果。",
    },
}
