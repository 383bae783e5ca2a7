"""Step 1 — processes: reference solutions."""

import multiprocessing
import os


def report_pid(queue):
    """Given: put the pid of the process that runs this function on ``queue``."""
    queue.put(os.getpid())


def parent_and_child_pids():
    queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=report_pid, args=(queue,))
    child.start()
    child_pid = queue.get()
    child.join()
    return os.getpid(), child_pid


def run_workers(target, args_list):
    processes = [multiprocessing.Process(target=target, args=args) for args in args_list]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return [process.exitcode for process in processes]


def _compute_and_send(func, index, x, queue):
    queue.put((index, func(x)))


def collect_results(func, inputs):
    queue = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=_compute_and_send, args=(func, index, x, queue))
        for index, x in enumerate(inputs)
    ]
    for process in processes:
        process.start()
    results = dict(queue.get() for _ in processes)  # read before join: children wait for their data to be read
    for process in processes:
        process.join()
    return [results[index] for index in range(len(inputs))]


def _run_and_report(func, index, x, queue):
    func(x)
    queue.put(index)


def completion_order(func, inputs):
    queue = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=_run_and_report, args=(func, index, x, queue)) for index, x in enumerate(inputs)
    ]
    for process in processes:
        process.start()
    finished = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    return finished
