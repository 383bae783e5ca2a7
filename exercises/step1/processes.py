"""Step 1 — processes.

Fill in each function below; its docstring says exactly what to build. Run ``pytest exercises/step1``
to check your work. The lesson is in README.md beside this file.
"""

import multiprocessing
import os


def report_pid(queue):
    """Given: put the pid of the process that runs this function on ``queue``."""
    queue.put(os.getpid())


def parent_and_child_pids():
    """Run ``report_pid`` in one child process and return ``(parent_pid, child_pid)``.

    - Create a ``multiprocessing.Queue`` and a ``multiprocessing.Process`` whose target is
      ``report_pid`` with the queue as its only argument; ``start()`` it.
    - Read the child's pid from the queue, then ``join()`` the child before returning.
    - ``parent_pid`` is the pid of the process that called this function (``os.getpid()``).
    """
    raise NotImplementedError("step1.parent_and_child_pids: see the docstring")


def run_workers(target, args_list):
    """Run ``target(*args)`` in its own process for every tuple in ``args_list``, all at the same time.

    - Create one ``multiprocessing.Process(target=target, args=args)`` per tuple.
    - Start *every* process before joining any of them, then join them all.
    - Return the processes' exit codes (``Process.exitcode``) as a list, in the order of
      ``args_list`` (not in the order the processes finished).
    """
    raise NotImplementedError("step1.run_workers: see the docstring")


def collect_results(func, inputs):
    """Compute ``func(x)`` for every ``x`` in ``inputs``, each in its own process, all at the same time.

    A process's return value is lost, so the results come back through one ``multiprocessing.Queue``
    that every child shares:

    - Write a module-level helper that receives ``(func, index, x, queue)`` and puts
      ``(index, func(x))`` on the queue (a nested function or lambda could not be sent to a child
      under the spawn start method).
    - Start one process per input, all before waiting for any.
    - Take exactly one item per process off the queue *before* joining the processes: a child that
      has put a large result on a queue cannot exit until the parent reads it.
    - Join every process, and return the results in the order of ``inputs``.
    """
    raise NotImplementedError("step1.collect_results: see the docstring")


def completion_order(func, inputs):
    """Run ``func(x)`` for every ``x`` in ``inputs``, each in its own process, all at the same time,
    and return the indices of the inputs in the order their processes *finished*.

    - Each child calls ``func(x)`` and then puts its index on a shared ``multiprocessing.Queue``.
    - The parent takes one index per process off the queue, joins every process, and returns the
      indices as a list, first finished first. ``func``'s results are not needed.
    """
    raise NotImplementedError("step1.completion_order: see the docstring")
