"""Picklable helpers that step-5 tests hand to the learner's code, to run as Dask tasks.

They live at module level in a module that imports only the standard library, ``distributed`` and
the kit's message table (``plugin.messages``, standard library only), so any worker, a LocalCluster's
or a real cluster's, can import them by reference.

Coordination between tasks uses Dask's own cluster-wide primitives (``Event``, ``Lock``,
``Variable``), reached from inside a task through the worker's client: unlike a
``multiprocessing.Manager`` proxy, they need no shared authentication key, so they work on a real
cluster too.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import time
import uuid

from plugin.messages import say


def on_a_worker() -> bool:
    """Whether this runs as a task of a Dask worker (not in the learner's process, a thread of it, or
    a local process pool). A process that has not imported ``distributed`` is no worker: importing it
    there would make errors unpicklable (distributed has tblib pickle tracebacks)."""
    worker = sys.modules.get("distributed.worker")
    try:
        return worker is not None and worker.get_worker() is not None
    except ValueError:
        return False


def refuse_outside_a_worker() -> None:
    """Raise a clear error when a task helper runs anywhere but on a Dask worker."""
    if not on_a_worker():
        raise RuntimeError(say("dask.task_outside_cluster", pid=os.getpid()))


@dataclasses.dataclass(frozen=True)
class ClusterBarrier:
    """A rendezvous of ``parties`` tasks that works across a whole Dask cluster.

    ``wait()`` returns only once ``parties`` tasks have called it (each then goes on), or raises
    ``TimeoutError`` after ``timeout`` seconds: tasks that run one after another can never all meet.
    Create it with ``ClusterBarrier.open(client, parties, timeout)``, which sets its count to zero.
    """

    parties: int
    timeout: float
    name: str

    @classmethod
    def open(cls, client, parties: int, timeout: float) -> ClusterBarrier:
        from distributed import Variable

        barrier = cls(parties, timeout, f"lab-barrier-{uuid.uuid4().hex}")
        Variable(barrier.name, client=client).set(0)
        return barrier

    def wait(self) -> None:
        from distributed import Lock, Variable

        refuse_outside_a_worker()
        arrived = Variable(self.name)
        with Lock(self.name):
            count = arrived.get() + 1
            arrived.set(count)
        deadline = time.monotonic() + self.timeout
        while count < self.parties:
            if time.monotonic() > deadline:
                raise TimeoutError(say("dask.barrier_timeout", count=count, parties=self.parties, seconds=self.timeout))
            time.sleep(0.02)
            count = arrived.get()


def pid_at_barrier(barrier: ClusterBarrier, item):
    """Wait at the barrier, then return ``(item, pid of the process that ran this task)``."""
    barrier.wait()
    return item, os.getpid()


def affine(item, scale=1, offset=0):
    return item * scale + offset


def affine_at_barrier(barrier: ClusterBarrier, item, scale=1, offset=0):
    """``affine(item, scale, offset)`` and this task's pid, once every party met at the barrier."""
    barrier.wait()
    return affine(item, scale, offset), os.getpid()


def hits_at_barrier(barrier: ClusterBarrier, seed, samples):
    """Stands in for ``count_hits``: on a Dask worker, meets the other tasks at the barrier and counts
    every sample a hit; anywhere else it counts none (raising there could break a local process pool
    without a word), so the estimate says where the counting ran."""
    if not on_a_worker():
        return 0
    barrier.wait()
    return samples


def late_first(item):
    """Sleep ``delay`` seconds, then return ``value``: items are made to finish out of order."""
    delay, value = item
    time.sleep(delay)
    return value


def finished_at(item):
    """``item`` is ``(delay, value)``: sleep ``delay`` seconds, then return ``(value, the wall-clock
    time it finished)``."""
    delay, value = item
    time.sleep(delay)
    return value, time.time()


def fragile(x):
    if x < 0:
        raise KeyError(f"negative input {x}")
    return x * 10


def fresh_random(_item, scale=1.0):
    """A new random number on every call, as a sampling or simulation task gives."""
    return int.from_bytes(os.urandom(8), "little") * scale


def window_sum_and_pid(data, start, stop):
    """The sum of ``data[start:stop]`` and the pid of the process that computed it."""
    return float(data[start:stop].sum()), os.getpid()


def noisy_image(seed, size=256):
    """A seeded ``size`` x ``size`` float image: the first stage's output, large enough to notice."""
    import numpy

    return numpy.random.default_rng(seed).random((size, size))


def brightness_and_pid(image):
    """The mean of an image and the pid of the process that computed it: the second stage."""
    return float(image.mean()), os.getpid()


def fails_first_attempts(name, failures, x):
    """Raise ``ConnectionError`` the first ``failures`` times it runs for ``x`` (a flaky network, a busy
    disk), then return ``x * 10``. ``name`` makes the attempts of one test distinct from another's.

    Dask runs the attempts of one task one after another, so one event per failed attempt counts them."""
    from distributed import Event

    refuse_outside_a_worker()
    for attempt in range(failures):
        failed_before = Event(f"{name}-{x}-{attempt}")
        if not failed_before.is_set():
            failed_before.set()
            raise ConnectionError(say("dask.transient_failures", item=x, attempt=attempt + 1, failures=failures))
    return x * 10


def kills_its_worker_once(name, x):
    """The first task to run for ``x == 0`` kills its own worker process (SIGKILL: no clean-up, as
    when a machine is lost); every other run returns ``x * 10``."""
    from distributed import Event

    refuse_outside_a_worker()
    time.sleep(0.2)  # the other tasks are running or queued when the worker dies
    killed_before = Event(name)
    if x == 0 and not killed_before.is_set():
        killed_before.set()
        os.kill(os.getpid(), signal.SIGKILL)
    return x * 10
