"""Step 5 — the same argument passing on a Dask distributed cluster.

Every function receives ``client``, a ``distributed.Client`` connected to a running cluster: the
tests start one for you (a LocalCluster of two worker processes, or the scheduler you name with
``--dask-scheduler``). Use it; do not start a cluster of your own. Fill in each function below; its
docstring says exactly what to build. Run ``pytest exercises/step5`` to check your work. The lesson
is in README.md beside this file.
"""

import random

from distributed import as_completed


def count_hits(seed, samples):
    """Given: how many of ``samples`` random points (seeded with ``seed``) of the unit square fall
    inside the quarter circle of radius 1. Pure Python: it keeps one CPU busy."""
    rng = random.Random(seed)
    hits = 0
    for _ in range(samples):
        x, y = rng.random(), rng.random()
        hits += x * x + y * y <= 1.0
    return hits


def gather_in_order(client, func, items):
    """Return ``[func(item) for item in items]``, every call run as a task on the cluster.

    - Submit *every* task first with ``client.submit(func, item)``, one per item, before waiting for
      any result (the tasks then run at the same time on the workers).
    - Then ``client.gather`` the futures: results come back in submission order, and an exception
      raised in a task is raised here again with its own type. Let it propagate.
    """
    raise NotImplementedError("step5.gather_in_order: see the docstring")


def map_with_keywords(client, func, items, **fixed):
    """Return ``[func(item, **fixed) for item in items]``, computed on the cluster with one
    ``client.map`` call that passes the keyword arguments ``fixed`` on to every task.

    ``func`` may return a fresh random value on every call (a simulation, a sample): identical items
    must still give one task each, each with its own value. Dask assumes functions are *pure* and runs
    identical calls once: say ``pure=False``. (Keywords that ``client.map`` takes itself, such as
    ``pure``, ``retries`` or ``key``, are read by Dask, not passed on: the tests use other names.)
    """
    raise NotImplementedError("step5.map_with_keywords: see the docstring")


def in_completion_order(client, func, items):
    """Return the values ``func(item)`` in the order the tasks *finished*, not the order of ``items``.

    Submit one task per item, then iterate over ``distributed.as_completed(futures)``: it yields each
    future as soon as it is done.
    """
    raise NotImplementedError("step5.in_completion_order: see the docstring")


def share_large_array(client, func, data, arg_tuples):
    """Return ``[func(data, *args) for args in arg_tuples]``, one task per tuple, on the cluster.

    ``data`` is a large NumPy array. Send it to the cluster **once** with ``client.scatter(data)`` and
    pass the future it returns to every task instead of the array: a task argument is sent with each
    task, so the array itself would travel once per task. Results in the order of ``arg_tuples``.
    """
    raise NotImplementedError("step5.share_large_array: see the docstring")


def two_stage_pipeline(client, first, second, items):
    """Return ``[second(first(item)) for item in items]``, both stages run as tasks on the cluster.

    Pass the futures of the first stage straight to the tasks of the second: the worker replaces each
    future with its result, so the intermediate values (large images, say) stay on the workers and
    never travel back here. Gather only the final results, in the order of ``items``.
    """
    raise NotImplementedError("step5.two_stage_pipeline: see the docstring")


def results_despite_failures(client, func, items, retries=2):
    """Return ``[func(item) for item in items]`` on the cluster, even when some attempts fail.

    ``func`` sometimes raises on a first attempt (a flaky network, a busy disk): run every task with
    ``retries=retries``, so that Dask runs a task that raised again, up to ``retries`` more times. A
    worker may also die while it runs a task: Dask then reschedules that task on another worker.
    Results in the order of ``items``.
    """
    raise NotImplementedError("step5.results_despite_failures: see the docstring")


def estimate_pi(client, seeds, samples):
    """Return ``4 * total_hits / (len(seeds) * samples)``, where ``total_hits`` is the sum of
    ``count_hits(seed, samples)`` over ``seeds``, each count computed as its own task on the cluster.

    Call ``count_hits`` by its name in this module (the tests replace it to watch the tasks run).
    """
    raise NotImplementedError("step5.estimate_pi: see the docstring")
