"""Step 1 — processes: start, join, and get results back from other processes."""

TITLE = "Processes"
TITLE_ZH = "进程"

EXERCISES = {
    "parent_and_child_pids": {
        "title": "Run a function in a child process",
        "title_zh": "在子进程中运行一个函数",
        "hint": "A multiprocessing.Process runs report_pid in the child; the child's pid comes back through the "
        "Queue you give it. See 'Starting and joining' in the lesson.",
        "hint_zh": "由一个 multiprocessing.Process 在子进程中运行 report_pid；子进程的 "
        "pid 通过你交给它的 Queue 传回来。见讲义中的“启动与 join”。",
        "hint_full": "Create a multiprocessing.Queue and a multiprocessing.Process whose target is report_pid and "
        "whose args hold the queue; start() it, take the pid off the queue with get(), then join() the child. "
        "The parent's own pid is os.getpid().",
        "hint_full_zh": "创建一个 multiprocessing.Queue 和一个 multiprocessing.Process，"
        "它的 target 是 report_pid，args 里放着这个队列；start() 它，用 "
        "get() 从队列中取出 pid，然后 join() 这个子进程。父进程自己的 pid 是 os.getpid()。",
    },
    "run_workers": {
        "points": 2,
        "title": "Run several processes at the same time",
        "title_zh": "同时运行多个进程",
        "hint": "Start every process before you join any. Each process's exitcode tells how it ended.",
        "hint_zh": "先启动所有进程，再 join 其中任何一个。每个进程的 exitcode 说明了它是怎么结束的。",
        "hint_full": "Build the list of Process objects first; loop once to start() them all, then once more to "
        "join() them all; read exitcode from each, in the order of args_list. A loop that starts and joins one "
        "process at a time runs them one after another, and the test's barrier catches it.",
        "hint_full_zh": "先建好 Process 对象的列表；用一个循环把它们全部 start()，再用另一个循环把它们全部 "
        "join()；按 args_list 的顺序读取每个进程的 exitcode。一个启动一个、join "
        "一个的循环会让它们一个接一个地运行，测试的屏障（barrier）会发现这一点。",
    },
    "collect_results": {
        "points": 2,
        "title": "Bring results back through a Queue",
        "title_zh": "通过 Queue 把结果带回来",
        "hint": "A child's return value is lost: it must put its result on a multiprocessing.Queue, tagged with "
        "its index. Read the queue before you join (rule 2 in the lesson).",
        "hint_zh": "子进程的返回值会丢失：它必须把结果连同自己的下标放进一个 multiprocessing.Queue。"
        "先读队列，再 join（讲义中的规则 2）。",
        "hint_full": "Write a module-level helper taking (func, index, x, queue) that puts (index, func(x)) on the "
        "queue. Start one Process per input, all of them; then get() exactly one item per process, then join() "
        "them all; finally put the results in input order using their indices.",
        "hint_full_zh": "写一个模块顶层的辅助函数，接收 (func, index, x, queue)，把 (index, "
        "func(x)) 放进队列。为每个输入启动一个 Process，全部启动；然后正好为每个进程 get() "
        "一项，再把它们全部 join()；最后按下标把结果排成输入的顺序。",
    },
    "completion_order": {
        "title": "See that completion order is not start order",
        "title_zh": "看到完成顺序不是启动顺序",
        "hint": "Each child reports on a shared Queue when it is done; the order you read the queue in is the answer.",
        "hint_zh": "每个子进程完成时在一个共享的 Queue 上报告；你读取队列的顺序就是答案。",
        "hint_full": "Write a module-level helper taking (func, index, x, queue) that calls func(x) and then puts "
        "index on the queue. Start every process, get() one index per process into a list, join() them all, and "
        "return the list as it came: do not sort it.",
        "hint_full_zh": "写一个模块顶层的辅助函数，接收 (func, index, x, queue)，先调用 func(x)，"
        "再把 index 放进队列。启动所有进程，为每个进程 get() 一个下标放进列表，把它们全部 "
        "join()，然后按原样返回这个列表：不要排序。",
    },
}
