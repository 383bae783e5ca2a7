"""Step 4 — parallel image processing with Pillow: the specification, as tests.

Every output image is compared pixel for pixel with a reference computed here with plain Pillow.
"""

import contextlib
import functools
import multiprocessing
import os
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pytest
from PIL import Image, ImageFilter

import exercises.step4.images as images_module
from exercises.step4.images import (
    APPROACHES,
    EIGHT_FILTERS,
    FOUR_FILTERS,
    apply_filters,
    apply_one_filter,
    compare_approaches,
    eight_filters,
    filter_folder_eight,
    filter_folder_parallel,
    filter_folder_sequential,
    image_files,
    make_sample_images,
    plot_comparison,
)
from plugin.messages import say
from plugin.workers import note_pid

REFERENCE_FILTERS = {
    "blur": ImageFilter.GaussianBlur(radius=5),
    "edges": ImageFilter.FIND_EDGES,
    "emboss": ImageFilter.EMBOSS,
    "sharpen": ImageFilter.SHARPEN,
    "contour": ImageFilter.CONTOUR,
    "detail": ImageFilter.DETAIL,
    "smooth": ImageFilter.SMOOTH,
    "smooth_more": ImageFilter.SMOOTH_MORE,
}
SIZE = (256, 192)


def reference_images(folder, count, size, seed):
    """The kit's own sample images, written as make_sample_images must write them."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(count):
        pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
        paths.append(folder / f"sample_{index:02d}.png")
        Image.fromarray(pixels).save(paths[-1])
    return paths


def assert_filtered(output, source, name):
    assert output.name == f"{name}_{source.name}", f"expected the name {name}_{source.name}, got {output.name}"
    assert output.exists(), (
        f"{output.name} does not exist: the paths were returned before the work finished (every pool result "
        "must be waited for, e.g. map_async needs get()), or were never written"
    )
    with Image.open(source) as image, Image.open(output) as produced:
        expected = np.asarray(image.filter(REFERENCE_FILTERS[name]))
        assert np.array_equal(np.asarray(produced), expected), (
            f"{output.name}: pixels differ from {name} of {source.name}"
        )


def assert_every_output_filtered(outputs, in_folder):
    """Each output, named <filter>_sample_NN.png, holds that filter of the sample it names."""
    for output in outputs:
        name, source = output.name.split("_sample_")
        assert_filtered(output, in_folder / f"sample_{source}", name)


def measure_folder_speedup(speedup, images, tmp_path, filters, filter_folder):
    """``filter_folder`` in a pool of 2 against applying ``filters`` to each image, one after the other."""
    folder = images[0].parent
    (tmp_path / "seq").mkdir()
    (tmp_path / "par").mkdir()
    speedup(
        sequential=lambda: [
            apply_one_filter(name, image, tmp_path / "seq").name for image in image_files(folder) for name in filters
        ],
        parallel=lambda: [path.name for path in filter_folder(folder, tmp_path / "par", processes=2)],
        workers=2,
    )


def expected_outputs(images, out_folder, filters):
    return [out_folder / f"{name}_{image.name}" for image in images for name in filters]


def plant_stale_outputs(images, out_folder, filters):
    """Gray images where the outputs go, as an earlier run might have left: each call must write its own."""
    for path in expected_outputs(images, out_folder, filters):
        Image.new("RGB", SIZE, (128, 128, 128)).save(path)


@pytest.fixture
def samples(tmp_path, lab_seed):
    return reference_images(tmp_path / "in", 4, SIZE, lab_seed)


@pytest.fixture
def large_samples(tmp_path, lab_seed):
    """Images large enough that the work outweighs starting the workers, even under spawn."""
    return reference_images(tmp_path / "large", 4, (448, 336), lab_seed)


@pytest.fixture
def out_folder(tmp_path):
    (tmp_path / "out").mkdir()
    return tmp_path / "out"


def noting_filters(folder):
    """Probe, in the learner process: from now on every process that filters an image (this one, and workers
    forked from it) leaves a file named after its pid in ``folder``."""
    original = Image.Image.filter

    def noting(self, *args, **kwargs):
        note_pid(folder)
        return original(self, *args, **kwargs)

    Image.Image.filter = noting


def note_folder(tmp_path, name):
    """A folder of the test's where processes of the learner's tree leave notes (it may run as another account)."""
    folder = tmp_path / name
    folder.mkdir()
    folder.chmod(0o777)
    return folder


def noted_pids(folder):
    return {int(entry.name) for entry in folder.iterdir() if entry.name.isdigit()}


@pytest.fixture
def filtering_pids(learner, tmp_path):
    """``filtering_pids()``: the processes that filtered an image, read from outside. Workers started by
    spawn or forkserver do not inherit the probe, so the learner process itself is always among them if it
    filtered one."""
    folder = note_folder(tmp_path, "filtered-by")
    learner.install(noting_filters, str(folder))
    return lambda: noted_pids(folder)


def assert_not_filtered_here(learner, filtering_pids, function):
    assert learner.pid not in filtering_pids(), say("step4.filtered_here", function=function)


def assert_one_pool_of(processes, pool_calls):
    workers = pool_calls.worker_pids()
    assert len(workers) <= processes, say("step4.workers_of_one_pool", count=len(workers), processes=processes)


# -- step4.make_sample_images -----------------------------------------------------------------------


@pytest.mark.exercise("step4.make_sample_images")
def test_sample_images_follow_the_seed(tmp_path, lab_seed):
    """Catches: wrong names, sizes, mode, or pixels that do not come from the seeded generator."""
    (tmp_path / "a").mkdir()
    paths = make_sample_images(tmp_path / "a", 3, (40, 30), lab_seed)
    expected = reference_images(tmp_path / "ref", 3, (40, 30), lab_seed)
    assert [p.name for p in paths] == ["sample_00.png", "sample_01.png", "sample_02.png"]
    for made, reference in zip(paths, expected, strict=True):
        with Image.open(made) as image, Image.open(reference) as wanted:
            assert (image.size, image.mode) == ((40, 30), "RGB")
            assert np.array_equal(np.asarray(image), np.asarray(wanted)), f"{made.name}: pixels differ"


@pytest.mark.exercise("step4.make_sample_images")
def test_the_same_seed_gives_byte_identical_files(tmp_path, lab_seed):
    """Catches: unseeded randomness (a new generator per run, or the global one)."""
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
    first = make_sample_images(tmp_path / "a", 2, (16, 16), lab_seed)
    again = make_sample_images(tmp_path / "b", 2, (16, 16), lab_seed)
    other = make_sample_images(tmp_path / "c", 2, (16, 16), lab_seed + 1)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in other]


# -- step4.apply_filters ----------------------------------------------------------------------------


@pytest.mark.exercise("step4.apply_filters")
def test_four_filters_with_their_names_and_pixels(samples, out_folder):
    """Catches: a missing or wrong filter (blur radius), wrong file names, or the wrong order."""
    plant_stale_outputs(samples[:1], out_folder, FOUR_FILTERS)
    outputs = apply_filters(samples[0], out_folder)
    assert outputs == expected_outputs(samples[:1], out_folder, FOUR_FILTERS), (
        f"outputs {[o.name for o in outputs]}: the four paths apply_one_filter returned, in FOUR_FILTERS order"
    )
    for output, name in zip(outputs, FOUR_FILTERS, strict=True):
        assert_filtered(output, samples[0], name)


def noting_one_filter(folder, name, image_path, out_folder):
    """Stands in for apply_one_filter: notes, in order, the filter asked for and the process that asked."""
    folder = Path(folder)
    (folder / f"{len(list(folder.iterdir())):02d}-{name}-{os.getpid()}").touch()
    return Path(out_folder) / f"{name}_{Path(image_path).name}"


def filters_called_in_order(folder):
    """``[(filter name, pid)]`` of ``noting_one_filter``'s calls, in call order."""
    calls = [entry.name.split("-") for entry in sorted(folder.iterdir())]
    return [(name, int(pid)) for _, name, pid in calls]


@pytest.mark.exercise("step4.apply_filters")
def test_each_filter_is_applied_with_apply_one_filter(samples, out_folder, monkeypatch, learner, tmp_path):
    """Catches: filters applied inline instead of with apply_one_filter (the helper every pool task of
    this step runs), and the four filters sent to a pool of their own."""
    calls = note_folder(tmp_path, "calls")
    monkeypatch.setattr(images_module, "apply_one_filter", functools.partial(noting_one_filter, str(calls)))
    outputs = apply_filters(samples[0], out_folder)
    called = filters_called_in_order(calls)
    names = [name for name, _ in called]
    elsewhere = sorted({pid for _, pid in called} - {learner.pid})
    where = say("step4.apply_one_filter_elsewhere", pids=elsewhere) if elsewhere else say("step4.apply_one_filter_here")
    assert names == list(FOUR_FILTERS) and not elsewhere, say(
        "step4.not_apply_one_filter", called=names, where=where, expected=", ".join(FOUR_FILTERS)
    )
    assert outputs == expected_outputs(samples[:1], out_folder, FOUR_FILTERS), "the paths apply_one_filter returned"


# -- step4.filter_folder_sequential -----------------------------------------------------------------


@pytest.mark.exercise("step4.filter_folder_sequential")
def test_sequential_folder_filters_every_image(samples, out_folder, learner):
    """Catches: images skipped or out of order, and a pool where none was asked for."""
    plant_stale_outputs(samples, out_folder, FOUR_FILTERS)
    outputs = filter_folder_sequential(samples[0].parent, out_folder)
    assert outputs == expected_outputs(samples, out_folder, FOUR_FILTERS), (
        "outputs image by image in folder order, each image's in FOUR_FILTERS order"
    )
    assert_every_output_filtered(outputs, samples[0].parent)
    assert not learner.seen, say("step4.sequential_children", count=len(learner.seen))


# -- step4.filter_folder_parallel -------------------------------------------------------------------


@pytest.mark.exercise("step4.filter_folder_parallel")
def test_parallel_folder_gives_the_sequential_outputs(samples, out_folder, pool_calls, filtering_pids, learner):
    """Catches: work done in this process, a pool per image, wrong pixels, names or order."""
    outputs = filter_folder_parallel(samples[0].parent, out_folder, processes=2)
    assert_not_filtered_here(learner, filtering_pids, "filter_folder_parallel")
    pool_calls.expect("map", pool_size=2)
    assert_one_pool_of(2, pool_calls)
    assert outputs == expected_outputs(samples, out_folder, FOUR_FILTERS), (
        "outputs image by image in folder order, each image's in FOUR_FILTERS order"
    )
    missing = [output.name for output in outputs if not output.exists()]
    assert not missing, (
        f"{missing} do not exist: the paths were returned before the work finished (map_async needs get())"
    )


@pytest.mark.exercise("step4.filter_folder_parallel")
def test_one_task_per_image_carries_its_path_to_a_worker_process(samples, out_folder, pool_calls):
    """Catches: one filter per task instead of one image, decoded pixels sent instead of paths, threads or
    an executor, and ignoring ``processes``."""
    filter_folder_parallel(samples[0].parent, out_folder, processes=3)
    (call,) = pool_calls.expect("map", calls=1, pool_size=3, tasks_per_call=len(samples), references_only=True)
    assert [Path(task) for task in call.tasks] == samples, (
        f"tasks {call.tasks}: map over image_files(in_folder), one image path per task"
    )


def meet(barrier, advice):
    """Wait at the test's barrier. A broken one fails the task with ``advice`` (a message key): the
    barrier's own error is not plain data, so it could not come back from the learner's process."""
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        raise TimeoutError(say(advice)) from None


def meet_then_name_outputs(barrier, image_path, out_folder):
    """Stands in for apply_filters: returns the four output paths once every other image's task runs too."""
    meet(barrier, "step4.images_not_together")
    return [Path(out_folder) / f"{name}_{Path(image_path).name}" for name in FOUR_FILTERS]


@pytest.mark.exercise("step4.filter_folder_parallel")
def test_every_image_is_a_task_of_its_own(samples, out_folder, monkeypatch, rendezvous):
    """Catches: images handed to the workers in chunks (a chunksize that puts several images in one task),
    so that a pool of one worker per image cannot filter them all at the same time."""
    # Longer than the usual rendezvous: four workers start slowly under spawn on a busy machine, and the
    # test's own timeout (20 s) must still leave room for the explanation of a broken barrier.
    barrier = rendezvous(len(samples), timeout=10.0)
    monkeypatch.setattr(images_module, "apply_filters", functools.partial(meet_then_name_outputs, barrier))
    outputs = filter_folder_parallel(samples[0].parent, out_folder, processes=len(samples))
    assert outputs == expected_outputs(samples, out_folder, FOUR_FILTERS), "outputs image by image, in folder order"


def note_how_started(folder, image_path, out_folder):
    """Stands in for apply_filters: notes the pid of the worker, its parent's, and whether it was spawned
    (a spawned interpreter's command line ends with this flag; spawn resets sys.argv, not the command line)."""
    spawned = "--multiprocessing-fork" in psutil.Process().cmdline()
    (Path(folder) / str(os.getpid())).write_text(f"{os.getppid()} {int(spawned)}")
    return [Path(out_folder) / f"{name}_{Path(image_path).name}" for name in FOUR_FILTERS]


def start_methods_used(folder, learner_pid):
    """How each noting worker was started, told from its parent: the learner process forks (fork) or
    spawns (spawn) a worker itself; under forkserver, the forkserver process does."""
    used = set()
    for note in folder.iterdir():
        parent, spawned = (int(word) for word in note.read_text().split())
        used.add("spawn" if spawned else "fork" if parent == learner_pid else "forkserver")
    return used


@pytest.mark.exercise("step4.filter_folder_parallel")
def test_the_workers_start_with_the_runs_start_method(samples, out_folder, monkeypatch, learner, tmp_path):
    """Catches: a start method forced in the code (``get_context("fork")``, ``set_start_method``), which
    lets code that works only under fork pass here and lose its points in the grading command."""
    notes = note_folder(tmp_path, "started")
    monkeypatch.setattr(images_module, "apply_filters", functools.partial(note_how_started, str(notes)))
    filter_folder_parallel(samples[0].parent, out_folder, processes=2)
    expected = multiprocessing.get_start_method()
    used = start_methods_used(notes, learner.pid)
    assert used == {expected}, say("step4.start_method", used=", ".join(sorted(used)) or "-", expected=expected)


def fail_on_the_second_image(image_path, out_folder):
    """Stands in for apply_filters: the task of sample_01.png fails, as an unreadable image would."""
    if Path(image_path).name == "sample_01.png":
        raise ValueError(say("step4.unreadable_image", name=Path(image_path).name))
    return [Path(out_folder) / f"{name}_{Path(image_path).name}" for name in FOUR_FILTERS]


def still_running(pids):
    """The pids of ``pids`` whose process still runs (seen from outside; a zombie has ended)."""
    running = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                running.append(pid)
    return running


@pytest.mark.exercise("step4.filter_folder_parallel")
def test_the_pool_is_ended_when_a_task_fails(samples, out_folder, monkeypatch, pool_calls):
    """Catches: a pool closed only on the happy path (no with block, no finally): a task that raises
    leaves its worker processes running."""
    monkeypatch.setattr(images_module, "apply_filters", fail_on_the_second_image)
    with pytest.raises(ValueError):
        filter_folder_parallel(samples[0].parent, out_folder, processes=2)
    running = still_running(pool_calls.worker_pids())
    assert not running, say("step4.pool_left_after_failure", pids=running)


def first_image_last(image_path, out_folder):
    """Stands in for apply_filters: the folder's first image is done only after another one is (or
    after 5 s, if no other worker ever comes); returns the output paths."""
    out_folder = Path(out_folder)
    if image_path.name == "sample_00.png":
        deadline = time.monotonic() + 5.0
        while not any(out_folder.glob("done_*")) and time.monotonic() < deadline:
            time.sleep(0.01)
    else:
        (out_folder / f"done_{image_path.name}").touch()
    return [out_folder / f"{name}_{image_path.name}" for name in FOUR_FILTERS]


@pytest.mark.exercise("step4.filter_folder_parallel")
def test_parallel_folder_keeps_image_order_when_the_first_finishes_last(samples, out_folder, monkeypatch):
    """Catches: outputs gathered as images finish (imap_unordered, apply_async callbacks)."""
    monkeypatch.setattr(images_module, "apply_filters", first_image_last)
    outputs = filter_folder_parallel(samples[0].parent, out_folder, processes=2)
    assert outputs == expected_outputs(samples, out_folder, FOUR_FILTERS), "outputs image by image, in folder order"


@pytest.mark.exercise("step4.filter_folder_parallel")
def test_parallel_folder_outputs_match_pillow(samples, out_folder):
    """Catches: wrong pixels (a filter or radius swapped inside the tasks), and outputs left from an earlier run."""
    plant_stale_outputs(samples, out_folder, FOUR_FILTERS)
    assert_every_output_filtered(filter_folder_parallel(samples[0].parent, out_folder, processes=2), samples[0].parent)


@pytest.mark.exercise("step4.filter_folder_parallel")
def test_parallel_folder_is_faster(speedup, large_samples, tmp_path):
    """Catches: sequential work, and a pool per image."""
    measure_folder_speedup(speedup, large_samples, tmp_path, FOUR_FILTERS, filter_folder_parallel)


# -- step4.eight_filters ----------------------------------------------------------------------------


def eight_filters_in_a_given_pool(image_path, out_folder, pool_notes):
    """Act, in the learner process: a Pool(2) whose workers note their pids in ``pool_notes`` as they
    start, handed to eight_filters (a pool cannot cross processes, so the test creates it here)."""
    with multiprocessing.Pool(2, initializer=note_pid, initargs=(pool_notes,)) as pool:
        return eight_filters(pool, image_path, out_folder)


def eight_filters_in_a_pool(learner, image_path, out_folder, tmp_path):
    """``eight_filters(pool, image_path, out_folder)`` with a Pool(2) created in the learner process."""
    return learner.run(eight_filters_in_a_given_pool, image_path, out_folder, str(note_folder(tmp_path, "pool")))


@pytest.mark.exercise("step4.eight_filters")
def test_eight_filters_run_in_the_given_pool(samples, out_folder, pool_calls, filtering_pids, learner, tmp_path):
    """Catches: filtering in this process, or a new pool instead of the one given."""
    pool_notes = note_folder(tmp_path, "given-pool")
    outputs = learner.run(eight_filters_in_a_given_pool, samples[0], out_folder, str(pool_notes))
    assert_not_filtered_here(learner, filtering_pids, "eight_filters")
    pool_calls.expect("map")
    strangers = sorted(pool_calls.worker_pids() - noted_pids(pool_notes))
    assert not strangers, say("step4.not_the_given_pool", pids=strangers)
    assert outputs == expected_outputs(samples[:1], out_folder, EIGHT_FILTERS), (
        "the eight output paths, in EIGHT_FILTERS order"
    )


@pytest.mark.exercise("step4.eight_filters")
def test_eight_tasks_carry_the_path_and_a_filter_name(samples, out_folder, pool_calls, learner, tmp_path):
    """Catches: one task for all eight filters, pixels sent instead of the path, or another Pool method."""
    eight_filters_in_a_pool(learner, samples[0], out_folder, tmp_path)
    (call,) = pool_calls.expect("map", calls=1, pool_size=2, tasks_per_call=8, references_only=True)
    assert list(call.tasks) == list(EIGHT_FILTERS), f"tasks {call.tasks}: map over EIGHT_FILTERS, one name per task"


def meet_then_name(barrier, name, image_path, out_folder):
    """Stands in for apply_one_filter: returns the output path once another task is running too."""
    meet(barrier, "step4.filters_not_together")
    return Path(out_folder) / f"{name}_{Path(image_path).name}"


@pytest.mark.exercise("step4.eight_filters")
def test_eight_filters_run_at_the_same_time(samples, out_folder, monkeypatch, rendezvous, learner, tmp_path):
    """Catches: one filter at a time (pool.apply in a loop, or get() after each apply_async)."""
    monkeypatch.setattr(images_module, "apply_one_filter", functools.partial(meet_then_name, rendezvous(2)))
    outputs = eight_filters_in_a_pool(learner, samples[0], out_folder, tmp_path)
    assert outputs == expected_outputs(samples[:1], out_folder, EIGHT_FILTERS)


@pytest.mark.exercise("step4.eight_filters")
def test_eight_filters_pixels(samples, out_folder, learner, tmp_path):
    """Catches: a filter missing, swapped or misnamed, and outputs left from an earlier run."""
    plant_stale_outputs(samples[1:2], out_folder, EIGHT_FILTERS)
    outputs = eight_filters_in_a_pool(learner, samples[1], out_folder, tmp_path)
    for output, name in zip(outputs, EIGHT_FILTERS, strict=True):
        assert_filtered(output, samples[1], name)


# -- step4.filter_folder_eight ----------------------------------------------------------------------


@pytest.mark.exercise("step4.filter_folder_eight")
def test_one_pool_serves_every_image(samples, out_folder, pool_calls, filtering_pids, learner):
    """Catches: a new pool per image (start-up paid again and again), or work in this process."""
    outputs = filter_folder_eight(samples[0].parent, out_folder, processes=2)
    assert_not_filtered_here(learner, filtering_pids, "filter_folder_eight")
    pool_calls.expect("map", pool_size=2)
    assert_one_pool_of(2, pool_calls)
    assert outputs == expected_outputs(samples, out_folder, EIGHT_FILTERS), (
        "outputs image by image in folder order, each image's in EIGHT_FILTERS order"
    )


@pytest.mark.exercise("step4.filter_folder_eight")
def test_each_image_goes_to_the_pool_as_eight_filter_tasks(samples, out_folder, pool_calls):
    """Catches: one task per image instead of eight, pixels sent, threads, and ignoring ``processes``."""
    filter_folder_eight(samples[0].parent, out_folder, processes=3)
    pool_calls.expect("map", calls=len(samples), pool_size=3, tasks_per_call=8, references_only=True)


@pytest.mark.exercise("step4.filter_folder_eight")
def test_eight_filter_outputs_match_pillow(samples, out_folder):
    """Catches: wrong pixels (a filter swapped or misnamed inside the tasks), and outputs left from an earlier run."""
    plant_stale_outputs(samples, out_folder, EIGHT_FILTERS)
    assert_every_output_filtered(filter_folder_eight(samples[0].parent, out_folder, processes=2), samples[0].parent)


@pytest.mark.exercise("step4.filter_folder_eight")
def test_reused_pool_is_faster(speedup, large_samples, tmp_path):
    """Catches: sequential work, and a pool per image."""
    measure_folder_speedup(speedup, large_samples, tmp_path, EIGHT_FILTERS, filter_folder_eight)


# -- step4.compare_approaches -----------------------------------------------------------------------

APPROACH_FILTERS = {"sequential": FOUR_FILTERS, "task_per_image": FOUR_FILTERS, "task_per_filter": EIGHT_FILTERS}


@pytest.mark.exercise("step4.compare_approaches")
def test_comparison_times_each_approach_into_its_own_folder(tmp_path, lab_seed):
    """Catches: a missing approach, timings that are not seconds, outputs mixed in one folder, and a call
    that does not run the approaches again (timings or outputs kept from an earlier call)."""
    for run, seed in (("first", lab_seed), ("second", lab_seed + 1)):
        images = reference_images(tmp_path / "in", 2, (64, 48), seed)  # the same folder, new pixels
        timings = compare_approaches(tmp_path / "in", tmp_path / run, processes=2)
        assert list(timings) == list(APPROACHES)
        assert all(isinstance(s, float) and s > 0 for s in timings.values()), timings
        for approach, names in APPROACH_FILTERS.items():
            folder = tmp_path / run / approach
            made = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
            expected = sorted(f"{name}_{image.name}" for image in images for name in names)
            assert made == expected, say(
                "step4.outputs_of_this_call", approach=approach, folder=folder, found=made, expected=expected
            )
            assert_every_output_filtered(expected_outputs(images, folder, names), tmp_path / "in")


def timed_stand_in(calls_folder, name, pause, in_folder, out_folder, processes=None):
    """Stands in for one of the three filter_folder functions: notes its call (in order, with the
    ``processes`` it was given) and takes ``pause`` seconds."""
    calls_folder = Path(calls_folder)
    (calls_folder / f"{len(list(calls_folder.iterdir())):02d}-{name}-{processes}").touch()
    time.sleep(pause)
    return []


@pytest.mark.exercise("step4.compare_approaches")
def test_comparison_times_each_approach_with_the_pool_size_asked_for(tmp_path, monkeypatch, learner):
    """Catches: made-up timings, an approach run twice, out of order or not at all, and ignoring processes."""
    pauses = {"filter_folder_sequential": 0.05, "filter_folder_parallel": 0.1, "filter_folder_eight": 0.15}
    calls_folder = note_folder(tmp_path, "calls")
    for name, pause in pauses.items():
        monkeypatch.setattr(images_module, name, functools.partial(timed_stand_in, str(calls_folder), name, pause))
    learner.run(os.getpid)  # the learner process starts before the clock runs: the time is the call's alone
    started = time.perf_counter()
    timings = compare_approaches(tmp_path / "in", tmp_path / "out", processes=3)
    elapsed = time.perf_counter() - started
    calls = [tuple(entry.name.split("-")[1:]) for entry in sorted(calls_folder.iterdir())]
    expected_calls = [
        ("filter_folder_sequential", "None"),
        ("filter_folder_parallel", "3"),
        ("filter_folder_eight", "3"),
    ]
    assert calls == expected_calls, calls
    for approach, (name, pause) in zip(APPROACHES, pauses.items(), strict=True):
        assert timings[approach] >= pause, (
            f"{approach}: {timings[approach]:.3f} s for a run of {name} that took {pause} s"
        )
    assert sum(timings.values()) <= elapsed, f"timings {timings} add up to more than the {elapsed:.3f} s the call took"


# -- step4.plot_comparison --------------------------------------------------------------------------

_saved_figures = []  # in the learner process: what record_saved_figures saw


def record_saved_figures():
    """Probe, in the learner process: describe every matplotlib figure written as PNG from now on, as it is
    saved. Figure.savefig, plt.savefig and the canvas's own print_png or print_figure all end in
    FigureCanvasAgg.print_png."""
    from matplotlib._pylab_helpers import Gcf  # pyplot's registry of the figures it manages
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.patches import Rectangle

    print_png = FigureCanvasAgg.print_png

    @functools.wraps(print_png)  # matplotlib reads its signature to choose the arguments it passes
    def recording(self, *args, **kwargs):
        figure = self.figure
        axes = figure.axes
        titles = [ax.get_title(loc) for ax in axes for loc in ("left", "center", "right")]
        titles.append(figure._suptitle.get_text() if figure._suptitle is not None else "")
        _saved_figures.append(
            {
                "from_pyplot": any(manager.canvas.figure is figure for manager in Gcf.get_all_fig_managers()),
                "heights": [float(p.get_height()) for ax in axes for p in ax.patches if isinstance(p, Rectangle)],
                "ylabels": [ax.get_ylabel() for ax in axes],
                "titles": titles,
            }
        )
        return print_png(self, *args, **kwargs)

    FigureCanvasAgg.print_png = recording


def saved_figures():
    return list(_saved_figures)


@pytest.mark.exercise("step4.plot_comparison")
def test_chart_is_a_real_800_by_500_bar_chart(tmp_path, learner):
    """Catches: no file, a blank image, the wrong size, bars missing or out of order, no axis label."""
    learner.install(record_saved_figures)
    timings = {"sequential": 3.0, "task_per_image": 1.6, "task_per_filter": 1.1}
    path = tmp_path / "chart.png"
    assert plot_comparison(timings, path) == path
    with Image.open(path) as chart:
        assert chart.format == "PNG" and chart.size == (800, 500)
        pixels = np.asarray(chart.convert("RGB"))
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20, "the image looks blank: draw the chart"
    figures = learner.run(saved_figures)
    assert len(figures) == 1, "save one matplotlib figure"
    (figure,) = figures
    assert not figure["from_pyplot"], (
        "the figure came from pyplot's global state (plt.figure, plt.subplots, plt.bar): create a "
        "matplotlib.figure.Figure yourself and attach a FigureCanvasAgg"
    )
    heights = figure["heights"]
    assert heights == pytest.approx(list(timings.values())), f"bar heights {heights}: one bar per approach, in order"
    assert "seconds" in figure["ylabels"], 'label the y axis "seconds"'
    assert any(figure["titles"]), "give the chart a title"
