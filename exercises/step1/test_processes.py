"""Step 1 — processes: the specification of each exercise, as tests.

Helpers that run in child processes are defined at module level, so every start method can send them.
"""

import functools
import multiprocessing
import os
import random
import sys
import threading
import time

import psutil
import pytest

from exercises.step1.processes import collect_results, completion_order, parent_and_child_pids, run_workers
from plugin.processes import assert_no_children_left

RENDEZVOUS_S = 5.0  # ample for processes started together; a sequential run waits this long in vain
STAGGER_S = 0.25  # after the rendezvous, later inputs finish this much earlier than the one before


def rendezvous(barrier):
    """Wait until every process is at the barrier; return False if they never were there together."""
    try:
        barrier.wait(RENDEZVOUS_S)
        return True
    except threading.BrokenBarrierError:
        return False


def meet_then_exit(barrier, code, delay):
    if not rendezvous(barrier):
        sys.exit(99)
    time.sleep(delay)
    sys.exit(code)


def meet_then_square(barrier, item):
    delay, x = item
    if not rendezvous(barrier):
        return "the processes did not run at the same time: start every process before joining any"
    time.sleep(delay)
    return x * x


def meet_then_wait(barrier_and_delay):
    barrier, delay = barrier_and_delay
    rendezvous(barrier)
    time.sleep(delay)


def pid_of(_item):
    return os.getpid()


def megabyte_of(x):
    return bytes([x]) * (1 << 20)


def square(x):
    return x * x


def unreaped(pids):
    """The pids that still exist: alive, or exited but never joined (zombies)."""
    return [pid for pid in pids if psutil.pid_exists(pid) and pid != os.getpid()]


# -- step1.parent_and_child_pids -----------------------------------------------------------------


@pytest.mark.exercise("step1.parent_and_child_pids")
def test_report_pid_runs_in_a_child_process():
    """Catches: calling report_pid in the parent instead of handing it to a Process as target."""
    parent, child = parent_and_child_pids()
    assert parent == os.getpid(), "the first pid is the calling process's own: os.getpid()"
    assert child != parent, "report_pid ran in this process: pass it as Process(target=report_pid, ...)"


@pytest.mark.exercise("step1.parent_and_child_pids")
def test_the_child_is_joined_before_returning():
    """Catches: returning without join(), which leaves the child running or as a zombie."""
    _, child = parent_and_child_pids()
    assert not unreaped([child]), f"child {child} was not joined: call join() before returning"
    assert_no_children_left("join() every process you start")


# -- step1.run_workers ----------------------------------------------------------------------------


@pytest.mark.exercise("step1.run_workers")
def test_all_workers_run_at_the_same_time():
    """Catches: start() and join() one process at a time. Only simultaneous processes meet at the barrier."""
    barrier = multiprocessing.Barrier(3)
    codes = run_workers(meet_then_exit, [(barrier, 0, 0.0)] * 3)
    assert codes == [0, 0, 0], (
        f"exit codes {codes}: 99 means a process waited in vain for the others; "
        "start every process before joining any"
    )


@pytest.mark.exercise("step1.run_workers")
def test_exit_codes_come_back_in_argument_order(lab_seed):
    """Catches: exit codes listed in completion order, or read before join() (None)."""
    codes = random.Random(lab_seed).sample(range(1, 60), 3)
    barrier = multiprocessing.Barrier(3)
    # The first process finishes last, the last first.
    args = [(barrier, code, STAGGER_S * (2 - index)) for index, code in enumerate(codes)]
    assert run_workers(meet_then_exit, args) == codes
    assert_no_children_left("join() every process you start")


# -- step1.collect_results ------------------------------------------------------------------------


@pytest.mark.exercise("step1.collect_results")
def test_results_are_the_function_values(lab_seed):
    """Catches: results lost (a process's return value never reaches the parent) or computed wrongly."""
    inputs = random.Random(lab_seed).sample(range(-1000, 1000), 4)
    if sorted(x * x for x in inputs) == [x * x for x in inputs]:
        inputs.reverse()  # so that sorted results cannot pass for the right ones
    assert collect_results(square, inputs) == [x * x for x in inputs]


@pytest.mark.exercise("step1.collect_results")
def test_results_come_back_in_input_order_when_later_inputs_finish_first():
    """Catches: returning results in the order they arrived on the queue."""
    barrier = multiprocessing.Barrier(4)
    inputs = [(STAGGER_S * (3 - index), index + 2) for index in range(4)]
    assert collect_results(functools.partial(meet_then_square, barrier), inputs) == [4, 9, 16, 25]


@pytest.mark.exercise("step1.collect_results")
def test_each_input_runs_in_its_own_child_process():
    """Catches: computing in the parent, or reusing one child for every input."""
    pids = collect_results(pid_of, range(3))
    assert os.getpid() not in pids, "func ran in the parent process: run it in a child"
    assert len(set(pids)) == 3, f"pids {pids}: start one process per input"
    assert_no_children_left("join() every process you start")


@pytest.mark.exercise("step1.collect_results")
@pytest.mark.timeout(20)
def test_large_results_do_not_deadlock():
    """Catches: joining before reading the queue, which hangs once results fill the pipe."""
    results = collect_results(megabyte_of, [1, 2, 3])
    assert [(len(r), r[0]) for r in results] == [(1 << 20, 1), (1 << 20, 2), (1 << 20, 3)]


# -- step1.completion_order -----------------------------------------------------------------------


@pytest.mark.exercise("step1.completion_order")
def test_indices_come_back_in_the_order_processes_finished(lab_seed):
    """Catches: returning start order, sorted indices, or any order but the one the queue gave."""
    finishing_rank = list(range(4))
    while finishing_rank == sorted(finishing_rank):  # start order must differ from finishing order
        random.Random(lab_seed).shuffle(finishing_rank)
        lab_seed += 1
    barrier = multiprocessing.Barrier(4)
    inputs = [(barrier, STAGGER_S * rank) for rank in finishing_rank]
    expected = sorted(range(4), key=lambda index: finishing_rank[index])
    assert completion_order(meet_then_wait, inputs) == expected, (
        f"input {expected[0]} finished first and input {expected[-1]} last"
    )
    assert_no_children_left("join() every process you start")
