"""Step 5 — the same argument passing on a Dask distributed cluster: reference solutions."""

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
    futures = [client.submit(func, item) for item in items]
    return client.gather(futures)


def map_with_keywords(client, func, items, **fixed):
    return client.gather(client.map(func, items, pure=False, **fixed))


def in_completion_order(client, func, items):
    futures = [client.submit(func, item) for item in items]
    return [future.result() for future in as_completed(futures)]


def share_large_array(client, func, data, arg_tuples):
    data_future = client.scatter(data)
    futures = [client.submit(func, data_future, *args) for args in arg_tuples]
    return client.gather(futures)


def two_stage_pipeline(client, first, second, items):
    firsts = client.map(first, items)
    seconds = client.map(second, firsts)
    return client.gather(seconds)


def results_despite_failures(client, func, items, retries=2):
    return client.gather(client.map(func, items, retries=retries))


def estimate_pi(client, seeds, samples):
    hits = client.gather(client.map(count_hits, seeds, samples=samples))
    return 4 * sum(hits) / (len(seeds) * samples)
