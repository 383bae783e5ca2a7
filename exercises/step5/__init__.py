"""Step 5 — beyond one machine: the same argument passing on a Dask distributed cluster."""

TITLE = "Beyond one machine: Dask distributed"

EXERCISES = {
    "gather_in_order": {
        "points": 2,
        "title": "Submit one task per item and gather in submission order",
        "hint": "Like apply_async then get(): submit every task before waiting for any; gather keeps submission order "
        "and raises a task's exception again, with its own type.",
        "hint_full": "futures = [client.submit(func, item) for item in items]; return client.gather(futures)",
    },
    "map_with_keywords": {
        "points": 2,
        "title": "Map with fixed keyword arguments, and pure=False for fresh values",
        "hint": "One client.map call passes the keywords on to every task; Dask takes every function to be pure, so "
        "identical calls share one result unless you say otherwise.",
        "hint_full": "return client.gather(client.map(func, items, pure=False, **fixed))",
    },
    "in_completion_order": {
        "title": "Collect results in the order tasks finish with as_completed",
        "hint": "Submit one task per item, then take each future as it finishes: gather() would wait for them in "
        "submission order instead.",
        "hint_full": "futures = [client.submit(func, item) for item in items]; "
        "return [future.result() for future in as_completed(futures)]",
    },
    "share_large_array": {
        "points": 2,
        "title": "Scatter a large array once and pass its future to every task",
        "hint": "The array itself as a task argument is sent once per task: send it to the cluster once and hand the "
        "tasks what that returns.",
        "hint_full": "data_future = client.scatter(data); "
        "futures = [client.submit(func, data_future, *args) for args in "
        "arg_tuples]; return client.gather(futures)",
    },
    "two_stage_pipeline": {
        "points": 2,
        "title": "Chain two stages with futures as arguments",
        "hint": "A future passed to a task is replaced by its result on the worker: the intermediate data never "
        "comes back to you. Gather only the second stage.",
        "hint_full": "firsts = client.map(first, items); seconds = client.map(second, firsts); "
        "return client.gather(seconds)",
    },
    "results_despite_failures": {
        "title": "Retry failed tasks and survive a worker that dies",
        "hint": "Dask can run a task that raised again for you, if you ask when you submit it; tasks of a worker that "
        "dies are rescheduled on another one.",
        "hint_full": "return client.gather(client.map(func, items, retries=retries))",
    },
    "estimate_pi": {
        "points": 2,
        "title": "Measure a speedup on the cluster: a Monte Carlo estimate of pi",
        "hint": "One task per seed, each counting its own samples on a worker; add the counts up here.",
        "hint_full": "hits = client.gather(client.map(count_hits, seeds, samples=samples)); "
        "return 4 * sum(hits) / (len(seeds) * samples)",
    },
}
