"""Step 1 — processes: the specification of each exercise, as tests.

Helpers that run in child processes are defined at module level, so every start method can send them.
"""

import contextlib
import functools
import json
import multiprocessing
import multiprocessing.managers
import multiprocessing.queues
import os
import random
import sys
import threading
import time
from multiprocessing.reduction import ForkingPickler
from pathlib import Path

import pytest

import exercises.step1.processes as processes_module
from exercises.step1.processes import collect_results, completion_order, parent_and_child_pids, run_workers
from plugin.boundary.learner import learner_context
from plugin.messages import say
from plugin.processes import assert_no_children_left
from plugin.workers import note_pid

RENDEZVOUS_S = 5.0  # ample for processes started together; a sequential run waits this long in vain
STAGGER_S = 0.25  # after the rendezvous, later inputs finish this much earlier than the one before


def shared_barrier(parties):
    """A barrier this process can hand to the learner process, which is never forked from this one: so
    not a fork context's, even under --start-method fork (its lock could not be sent)."""
    return learner_context().Barrier(parties)


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


def meet_twice(barrier):
    """Wait at the barrier with the deciding process, which lists the learner's children meanwhile, and
    stay until it has: a short-lived child (under fork it lives a millisecond) is then never missed."""
    if rendezvous(barrier):
        rendezvous(barrier)


def pid_after_meeting(barrier, _item):
    meet_twice(barrier)
    return os.getpid()


def note_pid_and_meet(folder, barrier):
    note_pid(folder)
    meet_twice(barrier)


def note_pid_and_meet_for_input(folder, barrier, _item):
    note_pid_and_meet(folder, barrier)


def megabyte_of(x):
    return bytes([x]) * (1 << 20)


def square(x):
    return x * x


def report_pid_as_text(queue):
    """Stands in for report_pid: a value only queue.get() can return (Process.pid is a number)."""
    queue.put(f"pid {os.getpid()}")


def report_pid_and_meet(barrier, queue):
    """Stands in for report_pid: the child stays until the deciding process has seen it."""
    queue.put(os.getpid())
    meet_twice(barrier)


def report_pid_and_wait_to_be_read(folder, queue):
    """Stands in for report_pid: notes the queue's type, and whether the parent read the pid while this
    child was still running (it must: read, then join), in ``folder/<pid>.json``."""
    if isinstance(queue, multiprocessing.queues.Queue):
        # Queue.put() leaves the writing to a thread; write now, as it would, so that an empty pipe
        # below means that the parent has read the pid.
        queue._sem.acquire()
        with queue._wlock:
            queue._writer.send_bytes(ForkingPickler.dumps(os.getpid()))
    else:
        queue.put(os.getpid())
    deadline = time.monotonic() + RENDEZVOUS_S
    while not queue.empty() and time.monotonic() < deadline:
        time.sleep(0.005)
    note = {"read": queue.empty(), "type": [f"{c.__module__}.{c.__qualname__}" for c in type(queue).__mro__]}
    (Path(folder) / f"{os.getpid()}.json").write_text(json.dumps(note))


def learner_children(learner):
    """The learner process's descendants now, listed from outside, without multiprocessing's helpers."""
    return {process.pid for process in learner.descendants()}


@contextlib.contextmanager
def children_seen_at(barrier, learner):
    """Yield a set that, once the block is over, holds the learner's children as this (deciding) process
    listed them while they waited at ``barrier`` (see ``meet_twice``); empty if they never all met.

    This process waits without a timeout (the learner process and its children may be slow to start on
    a busy machine): the block's end releases it.
    """
    seen = set()

    def watch():
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
            seen.update(learner_children(learner))
            barrier.wait()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield seen
    finally:
        watcher.join(0.5)
        if watcher.is_alive():
            barrier.abort()
        watcher.join()


def assert_ran_in_child_processes(pids, seen, learner, count, unit):
    """``pids`` (where the work ran) are ``count`` distinct children of the learner process, as seen from
    outside while they ran, and none is the learner process itself."""
    assert learner.pid not in pids, say("step1.ran_in_the_caller", unit=unit)
    assert len(set(pids)) == count, say("step1.processes_per_unit", count=count, unit=unit, processes=len(set(pids)))
    assert set(pids) <= seen, say("step1.not_children", pids=sorted(set(pids) - seen))


_made = {"queues": 0, "managers": 0}  # in the learner process: what its code made


def count_queues_and_managers():
    """Installed in the learner process: count the multiprocessing Queues made and Managers started."""
    queue_init = multiprocessing.queues.Queue.__init__
    manager_start = multiprocessing.managers.BaseManager.start

    def counting_queue_init(self, *args, **kwargs):
        _made["queues"] += 1
        queue_init(self, *args, **kwargs)

    def counting_manager_start(self, *args, **kwargs):
        _made["managers"] += 1
        return manager_start(self, *args, **kwargs)

    multiprocessing.queues.Queue.__init__ = counting_queue_init
    multiprocessing.managers.BaseManager.start = counting_manager_start


def queues_and_managers_made():
    return dict(_made)


@pytest.fixture
def pid_folder(tmp_path):
    """A folder where ``note_pid`` leaves one file per process that ran it."""

    def pids():
        return {int(entry.name) for entry in tmp_path.iterdir()}

    return str(tmp_path), pids


@pytest.fixture
def queues_made(learner):
    """Reads what the code under test used to bring values back: multiprocessing Queues made, Managers
    started (counted in the learner process, from before its first line runs)."""
    learner.install(count_queues_and_managers)
    return lambda: learner.run(queues_and_managers_made)


def assert_one_queue_and_no_manager(queues_made):
    made = queues_made()
    assert isinstance(made, dict) and set(made) == {"queues", "managers"}, say("step1.counts_malformed")
    assert made["managers"] == 0, (
        "a Manager was started: the values come back through one multiprocessing.Queue, which needs no server process"
    )
    assert made["queues"] == 1, f"{made['queues']} multiprocessing.Queue(s) were made: make one and share it"


# -- step1.parent_and_child_pids -----------------------------------------------------------------


@pytest.mark.exercise("step1.parent_and_child_pids")
def test_report_pid_runs_in_a_child_process(monkeypatch, learner):
    """Catches: calling report_pid in the parent instead of handing it to a Process as target, and a
    made-up child pid (the pid must be one of a real child of the caller, seen from outside)."""
    barrier = shared_barrier(2)  # the child and this process
    monkeypatch.setattr(processes_module, "report_pid", functools.partial(report_pid_and_meet, barrier))
    with children_seen_at(barrier, learner) as seen:
        parent, child = parent_and_child_pids()
    assert parent == learner.pid, "the first pid is the calling process's own: os.getpid()"
    assert child != parent, "report_pid ran in this process: pass it as Process(target=report_pid, ...)"
    assert child in seen, say("step1.child_pid_not_a_child", child=child)


@pytest.mark.exercise("step1.parent_and_child_pids")
def test_the_child_is_joined_before_returning(monkeypatch, learner):
    """Catches: returning without join(), which leaves the child running or as a zombie (of a real child:
    one seen from outside while it ran)."""
    barrier = shared_barrier(2)  # the child and this process
    monkeypatch.setattr(processes_module, "report_pid", functools.partial(report_pid_and_meet, barrier))
    with children_seen_at(barrier, learner) as seen:
        _, child = parent_and_child_pids()
    assert child in seen, say("step1.child_pid_not_a_child", child=child)
    assert child not in learner_children(learner), f"child {child} was not joined: call join() before returning"
    assert_no_children_left("join() every process you start")


@pytest.mark.exercise("step1.parent_and_child_pids")
def test_the_child_pid_is_the_one_report_pid_put_on_the_queue(monkeypatch):
    """Catches: returning Process.pid instead of reading the pid the child sent through the queue."""
    monkeypatch.setattr(processes_module, "report_pid", report_pid_as_text)
    _, child = parent_and_child_pids()
    assert isinstance(child, str) and child.startswith("pid "), (
        f"the child's pid was {child!r}, not what report_pid put on the queue: return queue.get(), not Process.pid"
    )


@pytest.mark.exercise("step1.parent_and_child_pids")
def test_the_pid_is_read_from_a_queue_before_the_child_is_joined(monkeypatch, tmp_path):
    """Catches: join() before queue.get() (it hangs once the value is large), and a SimpleQueue or a
    Manager's queue where the lesson is a multiprocessing.Queue."""
    monkeypatch.setattr(processes_module, "report_pid", functools.partial(report_pid_and_wait_to_be_read, tmp_path))
    _, child = parent_and_child_pids()
    notes = {int(path.stem): json.loads(path.read_text()) for path in tmp_path.glob("*.json")}
    assert list(notes) == [child], say("step1.report_pid_not_run", child=child)
    note = notes[child]
    assert "multiprocessing.queues.Queue" in note["type"], say("step1.not_a_queue", type=note["type"][0])
    assert note["read"] is True, say("step1.joined_before_reading")


# -- step1.run_workers ----------------------------------------------------------------------------


@pytest.mark.exercise("step1.run_workers")
def test_all_workers_run_at_the_same_time():
    """Catches: start() and join() one process at a time. Only simultaneous processes meet at the barrier."""
    barrier = shared_barrier(3)
    codes = run_workers(meet_then_exit, [(barrier, 0, 0.0)] * 3)
    assert codes == [0, 0, 0], (
        f"exit codes {codes}: 99 means a process waited in vain for the others; start every process before joining any"
    )


@pytest.mark.exercise("step1.run_workers")
def test_exit_codes_come_back_in_argument_order(lab_seed):
    """Catches: exit codes listed in completion order, or read before join() (None)."""
    codes = random.Random(lab_seed).sample(range(1, 60), 3)
    barrier = shared_barrier(3)
    # The first process finishes last, the last first.
    args = [(barrier, code, STAGGER_S * (2 - index)) for index, code in enumerate(codes)]
    returned = run_workers(meet_then_exit, args)
    assert returned == codes, (
        f"exit codes {returned}, expected {codes}: return them in the order of args_list (the first process "
        "finished last), each read from Process.exitcode after join()"
    )
    assert_no_children_left("join() every process you start")


@pytest.mark.exercise("step1.run_workers")
def test_each_tuple_runs_in_a_child_process_of_its_own(pid_folder, learner):
    """Catches: threads or a loop in this process, and one process reused for several tuples."""
    folder, pids = pid_folder
    barrier = shared_barrier(4)  # three processes and this one
    with children_seen_at(barrier, learner) as seen:
        codes = run_workers(note_pid_and_meet, [(folder, barrier)] * 3)
    assert codes == [0, 0, 0], "exit code 0 from each process: Process.exitcode"
    assert_ran_in_child_processes(pids(), seen, learner, 3, "tuple")


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
    barrier = shared_barrier(4)
    inputs = [(STAGGER_S * (3 - index), index + 2) for index in range(4)]
    results = collect_results(functools.partial(meet_then_square, barrier), inputs)
    assert results == [4, 9, 16, 25], (
        f"results {results}, expected [4, 9, 16, 25]: return them in input order, not in the order they arrived "
        "on the queue (the last input finished first): put (index, result) on the queue and order by index"
    )


@pytest.mark.exercise("step1.collect_results")
def test_each_input_runs_in_its_own_child_process(learner):
    """Catches: computing in the parent, or reusing one child for every input."""
    barrier = shared_barrier(4)  # three processes and this one
    with children_seen_at(barrier, learner) as seen:
        pids = collect_results(functools.partial(pid_after_meeting, barrier), range(3))
    assert_ran_in_child_processes(pids, seen, learner, 3, "input")
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
    barrier = shared_barrier(4)
    inputs = [(barrier, STAGGER_S * rank) for rank in finishing_rank]
    expected = sorted(range(4), key=lambda index: finishing_rank[index])
    returned = completion_order(meet_then_wait, inputs)
    assert returned == expected, (
        f"indices {returned}, expected {expected}: input {expected[0]} finished first and input {expected[-1]} "
        "last; return the order in which the indices came off the queue (not start order, not sorted)"
    )
    assert_no_children_left("join() every process you start")


@pytest.mark.exercise("step1.completion_order")
def test_each_input_runs_in_a_child_process_and_reports_through_one_queue(pid_folder, queues_made, learner):
    """Catches: threads or a loop in this process, and a Manager list where the lesson is a shared Queue."""
    folder, pids = pid_folder
    barrier = shared_barrier(4)  # three processes and this one
    with children_seen_at(barrier, learner) as seen:
        order = completion_order(functools.partial(note_pid_and_meet_for_input, folder, barrier), range(3))
    assert sorted(order) == [0, 1, 2], f"indices {order}: one index per input, each once"
    assert_ran_in_child_processes(pids(), seen, learner, 3, "input")
    assert_one_queue_and_no_manager(queues_made)
