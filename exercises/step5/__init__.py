"""Step 5 — beyond one machine: the same argument passing on a Dask distributed cluster."""

TITLE = "Beyond one machine: Dask distributed"
TITLE_ZH = "走出一台机器：Dask distributed"

EXERCISES = {
    "gather_in_order": {
        "points": 2,
        "title": "Submit one task per item and gather in submission order",
        "title_zh": "每一项提交一个任务，按提交顺序 gather",
        "hint": "Like apply_async then get(): submit every task before waiting for any; gather keeps submission order "
        "and raises a task's exception again, with its own type.",
        "hint_zh": "就像先 apply_async 再 get()：先提交所有任务，再等待其中任何一个；gather "
        "保持提交顺序，并以原来的类型重新抛出任务的异常。",
        "hint_full": "futures = [client.submit(func, item) for item in items]; return client.gather(futures)",
        "hint_full_zh": "futures = [client.submit(func, item) for item in items]; return client.gather(futures)",
    },
    "map_with_keywords": {
        "points": 2,
        "title": "Map with fixed keyword arguments, and pure=False for fresh values",
        "title_zh": "带固定关键字参数的 map，以及用 pure=False 得到新的值",
        "hint": "One client.map call passes the keywords on to every task; Dask takes every function to be pure, so "
        "identical calls share one result unless you say otherwise.",
        "hint_zh": "一次 client.map 调用就会把关键字参数传给每个任务；Dask 认为每个函数都是纯的，所以除非你另外说明，"
        "完全相同的调用会共享一个结果。",
        "hint_full": "return client.gather(client.map(func, items, pure=False, **fixed))",
        "hint_full_zh": "return client.gather(client.map(func, items, pure=False, **fixed))",
    },
    "in_completion_order": {
        "title": "Collect results in the order tasks finish with as_completed",
        "title_zh": "用 as_completed 按任务完成的顺序收集结果",
        "hint": "Submit one task per item, then take each future as it finishes: gather() would wait for them in "
        "submission order instead.",
        "hint_zh": "每一项提交一个任务，然后在每个 future 完成时取走它：gather() 则会按提交顺序等待它们。",
        "hint_full": "futures = [client.submit(func, item) for item in items]; "
        "return [future.result() for future in as_completed(futures)]",
        "hint_full_zh": "futures = [client.submit(func, item) for item in "
        "items]; return [future.result() for future in as_completed(futures)]",
    },
    "share_large_array": {
        "points": 2,
        "title": "Scatter a large array once and pass its future to every task",
        "title_zh": "把大数组 scatter 一次，再把它的 future 传给每个任务",
        "hint": "The array itself as a task argument is sent once per task: send it to the cluster once and hand the "
        "tasks what that returns.",
        "hint_zh": "把数组本身作为任务参数，每个任务都会发送一次：把它一次性发送到集群，再把返回的东西交给各个任务。",
        "hint_full": "data_future = client.scatter(data); "
        "futures = [client.submit(func, data_future, *args) for args in "
        "arg_tuples]; return client.gather(futures)",
        "hint_full_zh": "data_future = client.scatter(data); futures = [client.submit(func, "
        "data_future, *args) for args in arg_tuples]; return "
        "client.gather(futures)",
    },
    "two_stage_pipeline": {
        "points": 2,
        "title": "Chain two stages with futures as arguments",
        "title_zh": "用 future 作为参数串联两个阶段",
        "hint": "A future passed to a task is replaced by its result on the worker: the intermediate data never "
        "comes back to you. Gather only the second stage.",
        "hint_zh": "传给任务的 future 会在工作进程上被替换成它的结果：中间数据永远不会回到你这里。只 gather 第二阶段。",
        "hint_full": "firsts = client.map(first, items); seconds = client.map(second, firsts); "
        "return client.gather(seconds)",
        "hint_full_zh": "firsts = client.map(first, items); seconds = client.map(second, "
        "firsts); return client.gather(seconds)",
    },
    "results_despite_failures": {
        "title": "Retry failed tasks and survive a worker that dies",
        "title_zh": "重试失败的任务，并挺过工作进程的死亡",
        "hint": "Dask can run a task that raised again for you, if you ask when you submit it; tasks of a worker that "
        "dies are rescheduled on another one.",
        "hint_zh": "只要你在提交时提出要求，Dask 可以替你重新运行抛出异常的任务；"
        "死掉的工作进程上的任务会被重新调度到另一个工作进程上。",
        "hint_full": "return client.gather(client.map(func, items, retries=retries))",
        "hint_full_zh": "return client.gather(client.map(func, items, retries=retries))",
    },
    "estimate_pi": {
        "points": 2,
        "title": "Measure a speedup on the cluster: a Monte Carlo estimate of pi",
        "title_zh": "在集群上测量加速比：用蒙特卡洛方法估算 pi",
        "hint": "One task per seed, each counting its own samples on a worker; add the counts up here.",
        "hint_zh": "每个随机种子一个任务，各自在工作进程上统计自己的样本；在这里把计数加起来。",
        "hint_full": "hits = client.gather(client.map(count_hits, seeds, samples=samples)); "
        "return 4 * sum(hits) / (len(seeds) * samples)",
        "hint_full_zh": "hits = client.gather(client.map(count_hits, seeds, "
        "samples=samples)); return 4 * sum(hits) / (len(seeds) "
        "* samples)",
    },
}
