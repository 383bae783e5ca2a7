"""Step 1 — processes: start, join, and get results back from other processes."""

TITLE = "Processes"
TITLE_ZH = "进程"

EXERCISES = {
    "parent_and_child_pids": {
        "title": "Run a function in a child process",
        "title_zh": "在子进程中运行一个函数",
        "hint": "Create multiprocessing.Process(target=report_pid, args=(queue,)), start() it, get the pid from "
        "the queue, then join() it.\nThe child has its own pid: os.getpid() differs between parent and child.",
        "hint_zh": "创建 multiprocessing.Process(target=report_pid, args=(queue,))，"
        "start() 它，从队列里取出 pid，再 join() 它。\n子进程有自己的 pid：父进程和子进程的 "
        "os.getpid() 不一样。",
    },
    "run_workers": {
        "points": 2,
        "title": "Run several processes at the same time",
        "title_zh": "同时运行多个进程",
        "hint": "Start every process first, then join them all; exit codes are in process.exitcode after join().\n"
        "Starting and joining one process at a time runs them one after another, not in parallel.",
        "hint_zh": "先启动所有进程，再逐个 join；join() 之后退出码在 process.exitcode "
        "中。\n启动一个、join 一个地轮流进行，进程就是一个接一个地运行，而不是并行。",
    },
    "collect_results": {
        "points": 2,
        "title": "Bring results back through a Queue",
        "title_zh": "通过 Queue 把结果带回来",
        "hint": "A child's return value is lost: let each child put (index, func(x)) on a multiprocessing.Queue.\n"
        "Get one item per child before joining (a child cannot exit while its data waits in the pipe), "
        "then sort the results by index.",
        "hint_zh": "子进程的返回值会丢失：让每个子进程把 (index, func(x)) 放进一个 multiprocessing.Queue。"
        "\n在 join 之前为每个子进程 get 一项（数据还在管道里等着时，子进程无法退出），然后按 "
        "index 给结果排序。",
    },
    "completion_order": {
        "title": "See that completion order is not start order",
        "title_zh": "看到完成顺序不是启动顺序",
        "hint": "Let each child put its index on a Queue when it is done; the queue yields them in the order "
        "they finished.\nDo not sort: the order is the answer.",
        "hint_zh": "让每个子进程完成时把自己的 index 放进 Queue；队列按它们完成的先后给出 index。"
        "\n不要排序：这个顺序本身就是答案。",
    },
}
