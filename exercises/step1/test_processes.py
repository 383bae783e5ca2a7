"""Step 1 — processes: the specification of each exercise, as tests.

Helpers that run in child processes are defined at module level, so every start method can send them.
"""

import functools
import multiprocessing
import multiprocessing.managers
import multiprocessing.queues
import os
import random
import sys
import threading
import time

import psutil
import pytest

import exercises.step1.processes as processes_module
from exercises.step1.processes import collect_results, completion_order, parent_and_child_pids, run_workers
from plugin.processes import assert_no_children_left
from plugin.workers import note_pid

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


def report_pid_as_text(queue):
    """Stands in for report_pid: a value only queue.get() can return (Process.pid is a number)."""
    queue.put(f"pid {os.getpid()}")


def unreaped(pids):
    """The pids that still exist: alive, or exited but never joined (zombies)."""
    return [pid for pid in pids if psutil.pid_exists(pid) and pid != os.getpid()]


@pytest.fixture
def pid_folder(tmp_path):
    """A folder where ``note_pid`` leaves one file per process that ran it."""

    def pids():
        return {int(entry.name) for entry in tmp_path.iterdir()}

    return str(tmp_path), pids


@pytest.fixture
def queues_made(monkeypatch):
    """What the code under test used to bring values back: multiprocessing Queues made, Managers started."""
    made = {"queues": 0, "managers": 0}
    queue_init = multiprocessing.queues.Queue.__init__
    manager_start = multiprocessing.managers.BaseManager.start

    def counting_queue_init(self, *args, **kwargs):
        made["queues"] += 1
        queue_init(self, *args, **kwargs)

    def counting_manager_start(self, *args, **kwargs):
        made["managers"] += 1
        return manager_start(self, *args, **kwargs)

    monkeypatch.setattr(multiprocessing.queues.Queue, "__init__", counting_queue_init)
    monkeypatch.setattr(multiprocessing.managers.BaseManager, "start", counting_manager_start)
    return made


def assert_one_queue_and_no_manager(made):
    assert made["managers"] == 0, (
        "a Manager was started: the values come back through one multiprocessing.Queue, which needs no server process"
    )
    assert made["queues"] == 1, f"{made['queues']} multiprocessing.Queue(s) were made: make one and share it"


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


@pytest.mark.exercise("step1.parent_and_child_pids")
def test_the_child_pid_is_the_one_report_pid_put_on_the_queue(monkeypatch):
    """Catches: returning Process.pid instead of reading the pid the child sent through the queue."""
    monkeypatch.setattr(processes_module, "report_pid", report_pid_as_text)
    _, child = parent_and_child_pids()
    assert isinstance(child, str) and child.startswith("pid "), (
        f"the child's pid was {child!r}, not what report_pid put on the queue: return queue.get(), not Process.pid"
    )


# -- step1.run_workers ----------------------------------------------------------------------------


@pytest.mark.exercise("step1.run_workers")
def test_all_workers_run_at_the_same_time():
    """Catches: start() and join() one process at a time. Only simultaneous processes meet at the barrier."""
    barrier = multiprocessing.Barrier(3)
    codes = run_workers(meet_then_exit, [(barrier, 0, 0.0)] * 3)
    assert codes == [0, 0, 0], (
        f"exit codes {codes}: 99 means a process waited in vain for the others; start every process before joining any"
    )


@pytest.mark.exercise("step1.run_workers")
def test_exit_codes_come_back_in_argument_order(lab_seed):
    """Catches: exit codes listed in completion order, or read before join() (None)."""
    codes = random.Random(lab_seed).sample(range(1, 60), 3)
    barrier = multiprocessing.Barrier(3)
    # The first process finishes last, the last first.
    args = [(barrier, code, STAGGER_S * (2 - index)) for index, code in enumerate(codes)]
    returned = run_workers(meet_then_exit, args)
    assert returned == codes, (
        f"exit codes {returned}, expected {codes}: return them in the order of args_list (the first process "
        "finished last), each read from Process.exitcode after join()"
    )
    assert_no_children_left("join() every process you start")


@pytest.mark.exercise("step1.run_workers")
def test_each_tuple_runs_in_a_child_process_of_its_own(pid_folder):
    """Catches: threads or a loop in this process, and one process reused for several tuples."""
    folder, pids = pid_folder
    assert run_workers(note_pid, [(folder,)] * 3) == [0, 0, 0], "exit code 0 from each process: Process.exitcode"
    assert os.getpid() not in pids(), "target ran in this process: give it to multiprocessing.Process(target=...)"
    assert len(pids()) == 3, f"3 tuples ran in {len(pids())} process(es): one Process per tuple"


# -- step1.collect_results ------------------------------------------------------------------------


@pytest.mark.exercise("step1.collect_results")
def test_results_are_the_function_values(lab_seed):
    """Catches: results lost (a process's return value never reaches the parent) or computed wrongly."""
    inputs = random.Random(lab_seed).sample(range(-1000, 1000), 4)
    if sorted(x * x for x in inputs) == [x * x for x in inputs]:
        inputs.reverse()  # so that sorted results cannot pass for the right ones
    results = collect_results(square, inputs)
    assert results == [x * x for x in inputs], (
        f"collect_results(square, {inputs}) returned {results}: one func(x) per input, in the order of inputs"
    )


@pytest.mark.exercise("step1.collect_results")
def test_results_come_back_in_input_order_when_later_inputs_finish_first():
    """Catches: returning results in the order they arrived on the queue."""
    barrier = multiprocessing.Barrier(4)
    inputs = [(STAGGER_S * (3 - index), index + 2) for index in range(4)]
    results = collect_results(functools.partial(meet_then_square, barrier), inputs)
    assert results == [4, 9, 16, 25], (
        f"results {results}, expected [4, 9, 16, 25]: return them in input order, not in the order they arrived "
        "on the queue (the last input finished first): put (index, result) on the queue and order by index"
    )


@pytest.mark.exercise("step1.collect_results")
def test_each_input_runs_in_its_own_child_process():
    """Catches: computing in the parent, or reusing one child for every input."""
    pids = collect_results(pid_of, range(3))
    assert os.getpid() not in pids, "func ran in the parent process: run it in a child"
    assert len(set(pids)) == 3, f"pids {pids}: start one process per input"
    assert_no_children_left("join() every process you start")


@pytest.mark.exercise("step1.collect_results")
def test_results_come_back_through_one_queue(queues_made):
    """Catches: a Manager().list() or dict, or a Pipe per child, where the lesson is one shared Queue."""
    assert collect_results(square, [3, 4]) == [9, 16]
    assert_one_queue_and_no_manager(queues_made)


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
    returned = completion_order(meet_then_wait, inputs)
    assert returned == expected, (
        f"indices {returned}, expected {expected}: input {expected[0]} finished first and input {expected[-1]} "
        "last; return the order in which the indices came off the queue (not start order, not sorted)"
    )
    assert_no_children_left("join() every process you start")


@pytest.mark.exercise("step1.completion_order")
def test_each_input_runs_in_a_child_process_and_reports_through_one_queue(pid_folder, queues_made):
    """Catches: threads or a loop in this process, and a Manager list where the lesson is a shared Queue."""
    folder, pids = pid_folder
    assert sorted(completion_order(functools.partial(note_pid, folder), range(3))) == [0, 1, 2]
    assert os.getpid() not in pids(), "func ran in this process: run each input in a multiprocessing.Process"
    assert len(pids()) == 3, f"3 inputs ran in {len(pids())} process(es): one Process per input"
    assert_one_queue_and_no_manager(queues_made)
