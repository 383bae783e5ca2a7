"""Step 3 — advanced argument passing: apply vs apply_async, partial, shared memory, locks."""

TITLE = "Advanced argument passing"

EXERCISES = {
    "blocking_results": {
        "title": "Run tasks one at a time with Pool.apply",
        "hint": "for item in items: results.append(pool.apply(func, (item,)))\n"
        "apply blocks until its result is back, so the next task starts only then.",
    },
    "async_results": {
        "points": 2,
        "title": "Overlap tasks with Pool.apply_async and get()",
        "hint": "Submit everything first: handles = [pool.apply_async(func, (item,)) for item in items]; then "
        "[h.get() for h in handles].\nget() returns results in submission order and re-raises a worker's exception.",
    },
    "results_with_callbacks": {
        "points": 2,
        "title": "Collect results and errors with callbacks",
        "hint": "pool.apply_async(func, (item,), callback=partial(on_result, item), "
        "error_callback=partial(on_error, item)); "
        "then pool.close(); pool.join() before reading what the callbacks stored.",
    },
    "make_scaler": {
        "points": 1, "all_or_nothing": True,
        "title": "Fix an argument with functools.partial",
        "hint": "return functools.partial(scale, factor=factor)\n"
        "A lambda or a nested function cannot be pickled, so it cannot be sent to a worker.",
    },
    "scale_all": {
        "title": "Map a partial over a pool",
        "hint": "with Pool(processes) as pool: return pool.map(make_scaler(factor), values)",
    },
    "square_in_place": {
        "points": 2,
        "title": "Share a multiprocessing.Array through the pool's initializer",
        "hint": "Pool(processes, initializer=_attach, initargs=(array,)) where _attach stores the array in a global; "
        "tasks then carry only (start, stop).\nPassing the Array itself as a task argument raises RuntimeError: "
        "synchronized objects are shared only through inheritance.",
    },
    "transform_in_shared_memory": {
        "points": 3,
        "title": "Process a NumPy array in place in shared memory",
        "hint": "SharedMemory(create=True, size=data.nbytes); copy data in; send workers (name, shape, dtype, start, "
        "stop); each attaches with SharedMemory(name=...), transforms its slice, and close()s; the parent copies "
        "the result out, then close() and unlink() in a finally block.",
    },
    "count_with_lock": {
        "points": 2, "all_or_nothing": True,
        "title": "Increment a shared counter without losing updates",
        "hint": "with counter.get_lock(): counter.value += 1\n"
        "counter.value += 1 alone is a read and a write: two processes can read the same value and one update is lost.",
    },
    "compare_strategies": {
        "points": 2,
        "title": "Compare sequential, map, partial and shared-memory chunk processing",
        "hint": "Time each strategy with time.perf_counter() around the whole strategy (pool start-up included); "
        "np.concatenate the chunk results.",
    },
}
