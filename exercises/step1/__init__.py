"""Step 1 — processes: start, join, and get results back from other processes."""

TITLE = "Processes"

EXERCISES = {
    "parent_and_child_pids": {
        "title": "Run a function in a child process",
        "hint": "Create multiprocessing.Process(target=report_pid, args=(queue,)), start() it, get the pid from "
        "the queue, then join() it.\nThe child has its own pid: os.getpid() differs between parent and child.",
    },
    "run_workers": {
        "points": 2,
        "title": "Run several processes at the same time",
        "hint": "Start every process first, then join them all; exit codes are in process.exitcode after join().\n"
        "Starting and joining one process at a time runs them one after another, not in parallel.",
    },
    "collect_results": {
        "points": 2,
        "title": "Bring results back through a Queue",
        "hint": "A child's return value is lost: let each child put (index, func(x)) on a multiprocessing.Queue.\n"
        "Get one item per child before joining (a child cannot exit while its data waits in the pipe), "
        "then sort the results by index.",
    },
    "completion_order": {
        "title": "See that completion order is not start order",
        "hint": "Let each child put its index on a Queue when it is done; the queue yields them in the order "
        "they finished.\nDo not sort: the order is the answer.",
    },
}
