"""Step 3 — advanced argument passing: apply vs apply_async, partial, callbacks, locks, shared memory.

The exercises are in the order of the lesson: each adds one idea to the ones before.
"""

TITLE = "Advanced argument passing"
TITLE_ZH = "高级参数传递"

EXERCISES = {
    "blocking_results": {
        "title": "Run tasks one at a time with Pool.apply",
        "title_zh": "用 Pool.apply 一次运行一个任务",
        "hint": "One pool for all items, and its apply method, which waits for each result before you send the "
        "next task.",
        "hint_zh": "所有项共用一个进程池，用它的 apply 方法，它会等每个结果返回之后，你才发送下一个任务。",
        "hint_full": "In one 'with multiprocessing.Pool(processes) as pool:' block, call pool.apply(func, (item,)) "
        "for each item in turn and collect the values in a list, in item order. apply blocks until its result is "
        "back, so the next task starts only then.",
        "hint_full_zh": "在一个 'with multiprocessing.Pool(processes) as pool:' "
        "块中，依次对每一项调用 pool.apply(func, (item,))，把值按项的顺序收集到一个列表里。"
        "apply 会阻塞直到结果返回，所以下一个任务要等到那时才开始。",
    },
    "async_results": {
        "points": 2,
        "title": "Overlap tasks with Pool.apply_async and get()",
        "title_zh": "用 Pool.apply_async 和 get() 让任务重叠运行",
        "hint": "Submit every task with apply_async before you ask for any result; then get() each result, "
        "inside the with block.",
        "hint_zh": "先用 apply_async 提交所有任务，再去要任何结果；然后在 with 块内部对每个结果调用 get()。",
        "hint_full": "In one pool's with block: build a list of AsyncResult handles, one pool.apply_async(func, "
        "(item,)) per item; then return [handle.get() for each handle], still inside the block (leaving it "
        "terminates the pool). get() returns results in submission order and re-raises a worker's exception.",
        "hint_full_zh": "在一个进程池的 with 块中：建立一个 AsyncResult 句柄的列表，每一项一个 pool.apply_async(func, "
        "(item,))；然后返回 [handle.get() for each handle]，仍然在块内部（离开这个块会终止进程池）"
        "。get() 按提交顺序返回结果，并重新抛出工作进程中的异常。",
    },
    "make_scaler": {
        "points": 1,
        "all_or_nothing": True,
        "title": "Fix an argument with functools.partial",
        "title_zh": "用 functools.partial 固定一个参数",
        "hint": "functools.partial fixes an argument of a module-level function and still pickles; a lambda does not.",
        "hint_zh": "functools.partial 固定模块顶层函数的一个参数，而且仍然可以序列化（pickle）；lambda 不行。",
        "hint_full": "Return functools.partial(scale, factor=factor): calling it with a value calls scale(value, "
        "factor=factor). A lambda or a nested function cannot be pickled, so it cannot be sent to a worker.",
        "hint_full_zh": "返回 functools.partial(scale, factor=factor)：用一个值调用它，"
        "就是调用 scale(value, factor=factor)。lambda 或嵌套函数无法序列化，"
        "所以不能发送给工作进程。",
    },
    "scale_all": {
        "title": "Map a partial over a pool",
        "title_zh": "在进程池上映射一个偏函数",
        "hint": "Pool.map over the callable that make_scaler returns.",
        "hint_zh": "用 Pool.map 映射 make_scaler 返回的可调用对象。",
        "hint_full": "In a 'with multiprocessing.Pool(processes) as pool:' block, return pool.map(make_scaler("
        "factor), values). map passes each value as the first argument; the partial supplies factor.",
        "hint_full_zh": "在一个 'with multiprocessing.Pool(processes) as pool:' "
        "块中，返回 pool.map(make_scaler(factor), values)。map "
        "把每个值作为第一个参数传入；偏函数提供 factor。",
    },
    "results_with_callbacks": {
        "points": 2,
        "title": "Collect results and errors with callbacks",
        "title_zh": "用回调函数收集结果和错误",
        "hint": "apply_async takes callback= and error_callback=; bind the item to them with functools.partial, "
        "and wait for every callback (close, then join) before leaving the with block.",
        "hint_zh": "apply_async 接受 callback= 和 error_callback=；用 functools.partial "
        "把这一项绑定到它们上面，并在离开 with 块之前等待所有回调函数（先 close，再 join）"
        "。",
        "hint_full": "Write two module-level helpers, one storing results[item] = value and one storing "
        "errors[item] = f'{type(error).__name__}: {error}'. For each item, pool.apply_async(func, (item,), "
        "callback=partial(helper, results, item), error_callback=partial(other helper, errors, item)). Then, "
        "still inside the with block, pool.close() and pool.join(), and return (results, errors). Callbacks run "
        "in a thread of this process: keep them short and never let them raise.",
        "hint_full_zh": "写两个模块顶层的辅助函数，一个保存 results[item] = value，另一个保存 errors[item] "
        "= f'{type(error).__name__}: {error}'。对每一项调用 pool.apply_async(func, "
        "(item,), callback=partial(helper, results, item), "
        "error_callback=partial(other helper, errors, item))。"
        "然后仍在 with 块内部，pool.close() 再 pool.join()，返回 (results, "
        "errors)。回调函数在本进程的一个线程中运行：让它们保持简短，并且绝不要让它们抛出异常。",
    },
    "count_with_lock": {
        "points": 2,
        "all_or_nothing": True,
        "title": "Increment a shared counter without losing updates",
        "title_zh": "给共享计数器加一，且不丢失更新",
        "hint": "A multiprocessing.Value given to each Process; hold its lock (get_lock()) around each increment.",
        "hint_zh": "把一个 multiprocessing.Value 交给每个 Process；每次加一时都持有它的锁（get_lock()）。",
        "hint_full": "counter = multiprocessing.Value('i', 0); a module-level target that, increments times, does "
        "'with counter.get_lock(): counter.value += 1'; start every Process, join them all, return counter.value. "
        "counter.value += 1 alone is a read and a write: two processes can read the same value and one update is "
        "lost.",
        "hint_full_zh": "counter = multiprocessing.Value('i', 0)；一个模块顶层的 "
        "target 函数，执行 increments 次 'with counter.get_lock(): "
        "counter.value += 1'；启动所有 Process，把它们全部 join，返回 counter.value。"
        "单独的 counter.value += 1 是一次读加一次写：两个进程可能读到同一个值，于是丢失一次更新。",
    },
    "square_in_place": {
        "points": 2,
        "title": "Share a multiprocessing.Array through the pool's initializer",
        "title_zh": "通过进程池的 initializer 共享一个 multiprocessing.Array",
        "hint": "The pool's initializer= and initargs= hand the Array to each worker once; tasks carry only "
        "(start, stop). See 'Sharing instead of copying' in the lesson.",
        "hint_zh": "进程池的 initializer= 和 initargs= 把 Array 一次性交给每个工作进程；"
        "任务只携带 (start, stop)。见讲义中的“共享而不是复制”。",
        "hint_full": "A module-level initializer stores the array in a global; Pool(processes, initializer=it, "
        "initargs=(array,)); starmap a module-level worker over chunk_bounds(len(array), processes); the worker "
        "squares its slice through np.ctypeslib.as_array(the_global.get_obj()). Passing the Array itself as a "
        "task argument raises RuntimeError: synchronized objects are shared only through inheritance.",
        "hint_full_zh": "一个模块顶层的初始化函数把数组保存到一个全局变量中；Pool(processes, initializer=它, "
        "initargs=(array,))；用 starmap 把一个模块顶层的工作函数映射到 chunk_bounds(len(array), "
        "processes) 上；工作函数通过 np.ctypeslib.as_array(那个全局变量.get_obj()) "
        "对自己的片段求平方。把 Array 本身作为任务参数传递会抛出 RuntimeError：同步对象只能通过继承来共享。",
    },
    "transform_in_shared_memory": {
        "points": 3,
        "title": "Process a NumPy array in place in shared memory",
        "title_zh": "在共享内存中原地处理 NumPy 数组",
        "hint": "One SharedMemory segment holds the data; workers attach to it by name and transform their slice. "
        "Mind the order at the end: copy out, drop the views, close, unlink.",
        "hint_zh": "一段 SharedMemory 存放数据；工作进程按名字连接上去，变换自己的片段。注意最后的顺序："
        "先复制出来，再丢掉视图，然后 close，最后 unlink。",
        "hint_full": "SharedMemory(create=True, size=data.nbytes); copy data into an np.ndarray view of its buf; "
        "starmap a module-level worker over (segment.name, shape, dtype, start, stop) tuples from chunk_bounds; "
        "each worker attaches with SharedMemory(name=...), runs transform on its slice, deletes its view and "
        "close()s. The parent copies the result out, deletes its view, then close() and unlink() in a finally "
        "block.",
        "hint_full_zh": "SharedMemory(create=True, size=data.nbytes)；把 data "
        "复制到它的 buf 的一个 np.ndarray 视图中；用 starmap 把一个模块顶层的工作函数映射到由 "
        "chunk_bounds 得到的 (segment.name, shape, dtype, start, "
        "stop) 元组上；每个工作进程用 SharedMemory(name=...) 连接，对自己的片段运行 "
        "transform，删除自己的视图，然后 close()。父进程把结果复制出来，删除自己的视图，"
        "再在 finally 块中 close() 和 unlink()。",
    },
    "compare_strategies": {
        "points": 2,
        "title": "Compare sequential, map, partial and shared-memory chunk processing",
        "title_zh": "比较顺序、map、偏函数和共享内存四种分块处理方式",
        "hint": "Time each whole strategy with time.perf_counter(), its pool's start-up and its segment's "
        "creation and unlinking included; the chunks are those of np.array_split.",
        "hint_zh": "用 time.perf_counter() 给每种方式整体计时，包括进程池的启动以及共享内存段的创建和 "
        "unlink；数据块就是 np.array_split 切出来的那些。",
        "hint_full": "Split once with np.array_split(data, chunks). For each strategy, start = time.perf_counter(); "
        "run it (a new 'with Pool(processes)' block for each pooled strategy; for shared memory: create the "
        "segment, copy data in, starmap process_shared_chunk over the array_split bounds, copy nothing back but "
        "the results, close and unlink in finally); np.concatenate the chunk results; seconds = "
        "time.perf_counter() - start.",
        "hint_full_zh": "用 np.array_split(data, chunks) 切分一次。对每种方式，start "
        "= time.perf_counter()；运行它（每种使用进程池的方式都新开一个 'with "
        "Pool(processes)' 块；共享内存方式：创建共享内存段，把数据复制进去，用 starmap "
        "把 process_shared_chunk 映射到 array_split 的各段边界上，除了结果什么都不复制回来，"
        "在 finally 中 close 并 unlink）；用 np.concatenate 拼接各块的结果；"
        "seconds = time.perf_counter() - start。",
    },
}
