"""Step 5 — beyond one machine: the same argument passing on a Dask distributed cluster."""

TITLE = "Beyond one machine: Dask distributed"

EXERCISES = {
    "gather_in_order": {
        "points": 2,
        "title": "Submit one task per item and gather in submission order",
        "hint": "futures = [client.submit(func, item) for item in items]; return client.gather(futures)\n"
        "Like apply_async then get(): gather keeps submission order and raises a task's exception again, "
        "with its own type.",
    },
    "map_with_keywords": {
        "points": 2,
        "title": "Map with fixed keyword arguments, and pure=False for fresh values",
        "hint": "return client.gather(client.map(func, items, pure=False, **fixed))\n"
        "Dask takes every function to be pure: identical calls share one result unless you say pure=False.",
    },
    "in_completion_order": {
        "title": "Collect results in the order tasks finish with as_completed",
        "hint": "futures = [client.submit(func, item) for item in items]; "
        "return [future.result() for future in as_completed(futures)]\n"
        "gather() would wait for them in submission order instead.",
    },
    "share_large_array": {
        "points": 2,
        "title": "Scatter a large array once and pass its future to every task",
        "hint": "data_future = client.scatter(data); futures = [client.submit(func, data_future, *args) for args in "
        "arg_tuples]; return client.gather(futures)\nThe array itself as a task argument is sent once per task.",
    },
    "two_stage_pipeline": {
        "points": 2,
        "title": "Chain two stages with futures as arguments",
        "hint": "firsts = client.map(first, items); seconds = client.map(second, firsts); "
        "return client.gather(seconds)\nA future passed to a task is replaced by its result on the worker: "
        "the intermediate data never comes back to you.",
    },
    "results_despite_failures": {
        "title": "Retry failed tasks and survive a worker that dies",
        "hint": "return client.gather(client.map(func, items, retries=retries))\n"
        "retries= runs a task again when it raises; tasks of a worker that dies are rescheduled on another one.",
    },
    "estimate_pi": {
        "points": 2,
        "title": "Measure a speedup on the cluster: a Monte Carlo estimate of pi",
        "hint": "hits = client.gather(client.map(count_hits, seeds, samples=samples)); "
        "return 4 * sum(hits) / (len(seeds) * samples)\nOne task per seed: each worker process counts its own samples.",
    },
}
