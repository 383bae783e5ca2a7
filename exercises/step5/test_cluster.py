"""Step 5 — the same argument passing on a Dask distributed cluster, as tests.

``dask_client`` is a client of the session's cluster (two single-threaded worker processes unless
``--dask-scheduler`` names another); handed to your function, it reaches your process as a client of
the same cluster. The task helpers come from ``plugin.cluster.tasks``, which every worker can import.
Where the tasks ran is checked against the cluster's worker processes (``cluster_workers``), as this
process sees them.
"""

import functools
import os
import random
import uuid

import numpy
import pytest
from distributed import Event

import exercises.step5.cluster as cluster_module
from exercises.step5.cluster import (
    count_hits,
    estimate_pi,
    gather_in_order,
    in_completion_order,
    map_with_keywords,
    results_despite_failures,
    share_large_array,
    two_stage_pipeline,
)
from plugin.cluster.tasks import (
    affine,
    affine_at_barrier,
    brightness_and_pid,
    fails_first_attempts,
    finished_at,
    fragile,
    fresh_random,
    hits_at_barrier,
    kills_its_worker_once,
    late_first,
    noisy_image,
    pid_at_barrier,
    window_sum_and_pid,
)


def seeded_values(seed, count=6):
    return random.Random(seed).sample(range(1, 10_000), count)


def worker_pids(results):
    return [pid for _, pid in results]


def assert_ran_on_the_workers(pids, learner, cluster_workers):
    """The tasks ran in the cluster's worker processes: not in yours, nor in this one."""
    assert set(pids) <= cluster_workers and not {learner.pid, os.getpid()} & set(pids), (
        f"tasks ran in processes {sorted(set(pids))}, the cluster's workers are {sorted(cluster_workers)}: "
        "submit them to the cluster with the client your function receives"
    )


# -- step5.gather_in_order --------------------------------------------------------------------------


@pytest.mark.exercise("step5.gather_in_order")
def test_results_come_back_in_submission_order(dask_client, lab_seed):
    """Catches: results collected as tasks finish (as_completed) instead of gathered in order."""
    values = seeded_values(lab_seed)
    items = [(0.5 if i == 0 else 0.0, v) for i, v in enumerate(values)]
    assert gather_in_order(dask_client, late_first, items) == values


@pytest.mark.exercise("step5.gather_in_order")
def test_a_task_exception_is_raised_again_with_its_type(dask_client):
    """Catches: errors swallowed (None in the results) or turned into another exception type."""
    with pytest.raises(KeyError, match="negative input -3"):
        gather_in_order(dask_client, fragile, [1, -3, 2])


@pytest.mark.exercise("step5.gather_in_order")
def test_tasks_run_at_the_same_time_in_two_worker_processes(dask_client, cluster_rendezvous, learner, cluster_workers):
    """Catches: waiting for each result before submitting the next task, or calling func in your process."""
    barrier = cluster_rendezvous(2)
    results = gather_in_order(dask_client, functools.partial(pid_at_barrier, barrier), ["a", "b"])
    assert [item for item, _ in results] == ["a", "b"]
    pids = worker_pids(results)
    assert_ran_on_the_workers(pids, learner, cluster_workers)
    assert len(set(pids)) == 2, f"both tasks ran in process {pids[0]}: submit every task before gathering"


@pytest.mark.exercise("step5.gather_in_order")
def test_one_task_is_submitted_per_item_then_gathered(dask_client, traffic):
    """Catches: client.map (the next exercise's tool) instead of one client.submit per item, and results
    read with future.result() one by one (or gathered one future at a time) instead of one gather."""
    gather_in_order(dask_client, affine, [4, 5, 6])
    calls = traffic.calls
    assert calls == ["submit", "submit", "submit", "gather"], (
        f"client calls: {calls}; expected one client.submit per item, then one client.gather of all "
        "the futures (not future.result() one by one)"
    )


# -- step5.map_with_keywords ------------------------------------------------------------------------


@pytest.mark.exercise("step5.map_with_keywords")
def test_keywords_reach_every_task(dask_client, lab_seed):
    values = seeded_values(lab_seed)
    assert map_with_keywords(dask_client, affine, values, scale=3, offset=-7) == [v * 3 - 7 for v in values]


@pytest.mark.exercise("step5.map_with_keywords")
def test_identical_calls_of_a_random_function_give_fresh_values(dask_client):
    """Catches: the pure=False trap. Without it, Dask runs identical calls once and shares the value."""
    values = map_with_keywords(dask_client, fresh_random, [0] * 6, scale=1.0)
    assert len(set(values)) == 6, (
        f"{len(set(values))} distinct values from 6 calls: Dask took the function to be pure; pass pure=False"
    )


@pytest.mark.exercise("step5.map_with_keywords")
def test_one_map_call_runs_tasks_at_the_same_time(dask_client, cluster_rendezvous, traffic, learner, cluster_workers):
    """Catches: a loop of submit()s, or tasks that wait for each other."""
    barrier = cluster_rendezvous(2)
    results = map_with_keywords(dask_client, functools.partial(affine_at_barrier, barrier), [1, 2], scale=10)
    assert [value for value, _ in results] == [10, 20]
    pids = worker_pids(results)
    assert_ran_on_the_workers(pids, learner, cluster_workers)
    assert len(set(pids)) == 2, f"both tasks ran in process {pids[0]}: one client.map call runs them at once"
    assert traffic.calls.count("map") == 1 and "submit" not in traffic.calls, (
        f"client calls: {traffic.calls}; expected one client.map call"
    )


# -- step5.in_completion_order ----------------------------------------------------------------------


@pytest.mark.exercise("step5.in_completion_order")
def test_results_come_back_in_the_order_tasks_finished(dask_client, lab_seed):
    """Catches: gather() (submission order), or results sorted by value."""
    values = seeded_values(lab_seed, 3)
    items = [(0.9, values[0]), (0.0, values[1]), (0.4, values[2])]
    results = in_completion_order(dask_client, finished_at, items)
    assert sorted(value for value, _ in results) == sorted(values), "every task's value, exactly once"
    finish_times = [finished for _, finished in results]
    assert finish_times == sorted(finish_times), (
        f"values {[value for value, _ in results]} are not in the order their tasks finished: use as_completed"
    )
    assert [value for value, _ in results] != values, "the first task sleeps longest: it cannot finish first"


# -- step5.share_large_array ------------------------------------------------------------------------


@pytest.fixture
def large_array(lab_seed):
    return numpy.random.default_rng(lab_seed).random(1_000_000)  # 8 MB


def windows(size, count=8):
    step = size // count
    return [(start, start + step) for start in range(0, size, step)]


@pytest.mark.exercise("step5.share_large_array")
def test_the_array_is_sent_to_the_cluster_once(dask_client, large_array, traffic):
    """Catches: the array as a task argument (sent once per task), or scattered once per task."""
    share_large_array(dask_client, window_sum_and_pid, large_array, windows(large_array.size))
    scattered, in_arguments = sum(traffic.scattered_bytes), sum(traffic.task_argument_bytes)
    assert in_arguments < large_array.nbytes / 100, (
        f"the tasks' arguments carried {in_arguments} bytes: pass the future of the scattered array, not the array"
    )
    assert large_array.nbytes <= scattered < 2 * large_array.nbytes, (
        f"{scattered} bytes scattered for a {large_array.nbytes}-byte array: scatter it once, before the tasks"
    )


@pytest.mark.exercise("step5.share_large_array")
def test_every_window_is_summed_on_the_workers_in_order(dask_client, large_array, learner, cluster_workers):
    """Catches: wrong windows or order, or summing in your process instead of in tasks."""
    spans = windows(large_array.size)
    results = share_large_array(dask_client, window_sum_and_pid, large_array, spans)
    assert [total for total, _ in results] == pytest.approx([large_array[a:b].sum() for a, b in spans])
    assert_ran_on_the_workers(worker_pids(results), learner, cluster_workers)


# -- step5.two_stage_pipeline -----------------------------------------------------------------------


@pytest.mark.exercise("step5.two_stage_pipeline")
def test_pipeline_results_are_computed_on_the_workers_in_order(dask_client, lab_seed, learner, cluster_workers):
    seeds = seeded_values(lab_seed, 4)
    results = two_stage_pipeline(dask_client, noisy_image, brightness_and_pid, seeds)
    assert [mean for mean, _ in results] == pytest.approx([noisy_image(seed).mean() for seed in seeds])
    assert_ran_on_the_workers(worker_pids(results), learner, cluster_workers)


@pytest.mark.exercise("step5.two_stage_pipeline")
def test_the_second_stage_gets_the_first_stages_futures(dask_client, lab_seed, traffic):
    """Catches: both stages in one task (second(first(item)) on the worker): the second stage must be
    tasks of its own, each handed a future of the first."""
    seeds = seeded_values(lab_seed, 4)
    two_stage_pipeline(dask_client, noisy_image, brightness_and_pid, seeds)
    tasks = list(zip(traffic.functions, traffic.future_arguments, strict=True))
    firsts = [futures for function, futures in tasks if function == "noisy_image"]
    seconds = [futures for function, futures in tasks if function == "brightness_and_pid"]
    assert firsts and sum(seconds) == len(seeds), (
        f"tasks submitted (function, future arguments): {tasks}; expected tasks of the first stage, then "
        f"tasks of the second stage handed their {len(seeds)} futures: two stages, not one task doing both"
    )


@pytest.mark.exercise("step5.two_stage_pipeline")
def test_intermediate_images_never_come_back(dask_client, lab_seed, traffic):
    """Catches: gathering the first stage's images and sending them out again for the second."""
    image_bytes = noisy_image(0).nbytes
    two_stage_pipeline(dask_client, noisy_image, brightness_and_pid, seeded_values(lab_seed, 4))
    assert max(traffic.received_bytes, default=0) < image_bytes / 10, (
        f"{max(traffic.received_bytes)} bytes came back at once: the first stage's images were brought here; "
        "pass its futures straight to the second stage"
    )
    assert sum(traffic.task_argument_bytes) < image_bytes / 10, (
        f"the tasks' arguments carried {sum(traffic.task_argument_bytes)} bytes: pass futures, not images"
    )


# -- step5.results_despite_failures -----------------------------------------------------------------


@pytest.mark.exercise("step5.results_despite_failures")
def test_a_task_that_fails_once_is_retried(dask_client):
    """Catches: tasks submitted without retries (the first ConnectionError ends the run)."""
    flaky = functools.partial(fails_first_attempts, f"lab-flaky-{uuid.uuid4().hex}", 1)
    try:
        results = results_despite_failures(dask_client, flaky, [1, 2, 3], retries=1)
    except ConnectionError as error:
        pytest.fail(f"a task that fails once was not run again ({error}): submit it with retries=retries")
    assert results == [10, 20, 30]


@pytest.mark.exercise("step5.results_despite_failures")
def test_tasks_are_retried_as_often_as_asked(dask_client):
    """Catches: the retries argument ignored (a number of retries written into the code)."""
    twice = functools.partial(fails_first_attempts, f"lab-twice-{uuid.uuid4().hex}", 2)
    try:
        results = results_despite_failures(dask_client, twice, [1, 2], retries=2)
    except ConnectionError as error:
        pytest.fail(f"with retries=2, a task that fails twice was not run a third time ({error}): pass retries=retries")
    assert results == [10, 20]
    once = functools.partial(fails_first_attempts, f"lab-once-{uuid.uuid4().hex}", 1)
    with pytest.raises(ConnectionError):
        results_despite_failures(dask_client, once, [1, 2], retries=0)
        pytest.fail("with retries=0, a task that failed was run again: pass retries=retries, not a number of your own")


@pytest.mark.exercise("step5.results_despite_failures")
def test_a_worker_killed_mid_task_loses_no_result(dask_client):
    """A task kills its own worker process; its work is rescheduled, and no result is lost or reordered."""
    name = f"lab-kill-{uuid.uuid4().hex}"
    results = results_despite_failures(dask_client, functools.partial(kills_its_worker_once, name), [0, 1, 2, 3])
    assert Event(name, client=dask_client).is_set(), "no worker was killed: the task never ran on the cluster"
    assert results == [0, 10, 20, 30]


# -- step5.estimate_pi ------------------------------------------------------------------------------


@pytest.mark.exercise("step5.estimate_pi")
def test_estimate_matches_the_sequential_count(dask_client, lab_seed):
    seeds, samples = seeded_values(lab_seed, 4), 5_000
    expected = 4 * sum(count_hits(seed, samples) for seed in seeds) / (len(seeds) * samples)
    assert estimate_pi(dask_client, seeds, samples) == expected


@pytest.mark.exercise("step5.estimate_pi")
def test_counts_run_at_the_same_time_in_worker_processes(dask_client, cluster_rendezvous, monkeypatch):
    """Catches: counting in your process, its threads or a local pool, or one task after another."""
    barrier = cluster_rendezvous(2)
    monkeypatch.setattr(cluster_module, "count_hits", functools.partial(hits_at_barrier, barrier))
    estimate = estimate_pi(dask_client, [1, 2], 100)
    assert estimate == 4.0, (
        f"the estimate was {estimate}, not 4.0: a stand-in for count_hits counts every sample a hit only when "
        "it runs as a task on a Dask worker. Count with client.map or client.submit, not in your own process, "
        "its threads or a local pool (dask.compute)"
    )


@pytest.mark.exercise("step5.estimate_pi")
def test_estimate_is_faster_on_the_cluster(dask_client, speedup, lab_seed):
    """Catches: tasks that never overlap, or work done in this process."""
    samples = 800_000  # about 0.8 s of sequential work: the cluster's fixed cost per call stays small beside it

    def seed_batches():
        # Each run counts new seeds: Dask would hand back the results of identical pure calls still in
        # its memory, and the time of skipped work is no speedup. The first batches of both sides
        # (the runs whose results the measurement compares) are the same.
        batch = 0
        while True:
            yield [lab_seed * 1_000 + batch * 8 + task for task in range(8)]
            batch += 1

    sequential_seeds, parallel_seeds = seed_batches(), seed_batches()

    def sequential():
        seeds = next(sequential_seeds)
        return 4 * sum(count_hits(seed, samples) for seed in seeds) / (len(seeds) * samples)

    workers = len(dask_client.scheduler_info(n_workers=-1)["workers"])
    speedup(
        sequential=sequential,
        parallel=lambda: estimate_pi(dask_client, next(parallel_seeds), samples),
        workers=workers,
        workers_running=True,
    )
