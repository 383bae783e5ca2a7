"""Step 1 — processes: start, join, and get results back from other processes."""

TITLE = "Processes"

EXERCISES = {
    "parent_and_child_pids": {
        "title": "Run a function in a child process",
        "hint": "A multiprocessing.Process runs report_pid in the child; the child's pid comes back through the "
        "Queue you give it. See 'Starting and joining' in the lesson.",
        "hint_full": "Create a multiprocessing.Queue and a multiprocessing.Process whose target is report_pid and "
        "whose args hold the queue; start() it, take the pid off the queue with get(), then join() the child. "
        "The parent's own pid is os.getpid().",
    },
    "run_workers": {
        "points": 2,
        "title": "Run several processes at the same time",
        "hint": "Start every process before you join any. Each process's exitcode tells how it ended.",
        "hint_full": "Build the list of Process objects first; loop once to start() them all, then once more to "
        "join() them all; read exitcode from each, in the order of args_list. A loop that starts and joins one "
        "process at a time runs them one after another, and the test's barrier catches it.",
    },
    "collect_results": {
        "points": 2,
        "title": "Bring results back through a Queue",
        "hint": "A child's return value is lost: it must put its result on a multiprocessing.Queue, tagged with "
        "its index. Read the queue before you join (rule 2 in the lesson).",
        "hint_full": "Write a module-level helper taking (func, index, x, queue) that puts (index, func(x)) on the "
        "queue. Start one Process per input, all of them; then get() exactly one item per process, then join() "
        "them all; finally put the results in input order using their indices.",
    },
    "completion_order": {
        "title": "See that completion order is not start order",
        "hint": "Each child reports on a shared Queue when it is done; the order you read the queue in is the "
        "answer.",
        "hint_full": "Write a module-level helper taking (func, index, x, queue) that calls func(x) and then puts "
        "index on the queue. Start every process, get() one index per process into a list, join() them all, and "
        "return the list as it came: do not sort it.",
    },
}
