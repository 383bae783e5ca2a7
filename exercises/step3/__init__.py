"""Step 3 — advanced argument passing: apply vs apply_async, partial, callbacks, locks, shared memory.

The exercises are in the order of the lesson: each adds one idea to the ones before.
"""

TITLE = "Advanced argument passing"

EXERCISES = {
    "blocking_results": {
        "title": "Run tasks one at a time with Pool.apply",
        "hint": "One pool for all items, and its apply method, which waits for each result before you send the "
        "next task.",
        "hint_full": "In one 'with multiprocessing.Pool(processes) as pool:' block, call pool.apply(func, (item,)) "
        "for each item in turn and collect the values in a list, in item order. apply blocks until its result is "
        "back, so the next task starts only then.",
    },
    "async_results": {
        "points": 2,
        "title": "Overlap tasks with Pool.apply_async and get()",
        "hint": "Submit every task with apply_async before you ask for any result; then get() each result, "
        "inside the with block.",
        "hint_full": "In one pool's with block: build a list of AsyncResult handles, one pool.apply_async(func, "
        "(item,)) per item; then return [handle.get() for each handle], still inside the block (leaving it "
        "terminates the pool). get() returns results in submission order and re-raises a worker's exception.",
    },
    "make_scaler": {
        "points": 1, "all_or_nothing": True,
        "title": "Fix an argument with functools.partial",
        "hint": "functools.partial fixes an argument of a module-level function and still pickles; a lambda does "
        "not.",
        "hint_full": "Return functools.partial(scale, factor=factor): calling it with a value calls scale(value, "
        "factor=factor). A lambda or a nested function cannot be pickled, so it cannot be sent to a worker.",
    },
    "scale_all": {
        "title": "Map a partial over a pool",
        "hint": "Pool.map over the callable that make_scaler returns.",
        "hint_full": "In a 'with multiprocessing.Pool(processes) as pool:' block, return pool.map(make_scaler("
        "factor), values). map passes each value as the first argument; the partial supplies factor.",
    },
    "results_with_callbacks": {
        "points": 2,
        "title": "Collect results and errors with callbacks",
        "hint": "apply_async takes callback= and error_callback=; bind the item to them with functools.partial, "
        "and wait for every callback (close, then join) before leaving the with block.",
        "hint_full": "Write two module-level helpers, one storing results[item] = value and one storing "
        "errors[item] = f'{type(error).__name__}: {error}'. For each item, pool.apply_async(func, (item,), "
        "callback=partial(helper, results, item), error_callback=partial(other helper, errors, item)). Then, "
        "still inside the with block, pool.close() and pool.join(), and return (results, errors). Callbacks run "
        "in a thread of this process: keep them short and never let them raise.",
    },
    "count_with_lock": {
        "points": 2, "all_or_nothing": True,
        "title": "Increment a shared counter without losing updates",
        "hint": "A multiprocessing.Value given to each Process; hold its lock (get_lock()) around each increment.",
        "hint_full": "counter = multiprocessing.Value('i', 0); a module-level target that, increments times, does "
        "'with counter.get_lock(): counter.value += 1'; start every Process, join them all, return counter.value. "
        "counter.value += 1 alone is a read and a write: two processes can read the same value and one update is "
        "lost.",
    },
    "square_in_place": {
        "points": 2,
        "title": "Share a multiprocessing.Array through the pool's initializer",
        "hint": "The pool's initializer= and initargs= hand the Array to each worker once; tasks carry only "
        "(start, stop). See 'Sharing instead of copying' in the lesson.",
        "hint_full": "A module-level initializer stores the array in a global; Pool(processes, initializer=it, "
        "initargs=(array,)); starmap a module-level worker over chunk_bounds(len(array), processes); the worker "
        "squares its slice through np.ctypeslib.as_array(the_global.get_obj()). Passing the Array itself as a "
        "task argument raises RuntimeError: synchronized objects are shared only through inheritance.",
    },
    "transform_in_shared_memory": {
        "points": 3,
        "title": "Process a NumPy array in place in shared memory",
        "hint": "One SharedMemory segment holds the data; workers attach to it by name and transform their slice. "
        "Mind the order at the end: copy out, drop the views, close, unlink.",
        "hint_full": "SharedMemory(create=True, size=data.nbytes); copy data into an np.ndarray view of its buf; "
        "starmap a module-level worker over (segment.name, shape, dtype, start, stop) tuples from chunk_bounds; "
        "each worker attaches with SharedMemory(name=...), runs transform on its slice, deletes its view and "
        "close()s. The parent copies the result out, deletes its view, then close() and unlink() in a finally "
        "block.",
    },
    "compare_strategies": {
        "points": 2,
        "title": "Compare sequential, map, partial and shared-memory chunk processing",
        "hint": "Time each whole strategy with time.perf_counter(), its pool's start-up and its segment's "
        "creation and unlinking included; the chunks are those of np.array_split.",
        "hint_full": "Split once with np.array_split(data, chunks). For each strategy, start = time.perf_counter(); "
        "run it (a new 'with Pool(processes)' block for each pooled strategy; for shared memory: create the "
        "segment, copy data in, starmap process_shared_chunk over the array_split bounds, copy nothing back but "
        "the results, close and unlink in finally); np.concatenate the chunk results; seconds = "
        "time.perf_counter() - start.",
    },
}
