"""Step 4 — parallel image processing with Pillow: the specification, as tests.

Every output image is compared pixel for pixel with a reference computed here with plain Pillow.
"""

import functools
import inspect
import multiprocessing
import multiprocessing.pool
import os
import time
from pathlib import Path

import numpy as np
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


@pytest.fixture
def pools_created(monkeypatch):
    """The sizes of the pools created from now on in this process (every way of making one ends here)."""
    created = []
    original = multiprocessing.pool.Pool.__init__

    def counting_init(self, processes=None, *args, **kwargs):
        created.append(processes)
        original(self, processes, *args, **kwargs)

    monkeypatch.setattr(multiprocessing.pool.Pool, "__init__", counting_init)
    return created


@pytest.fixture
def no_filtering_here(monkeypatch):
    """Make Image.filter fail in this process only: work done by pool workers still succeeds."""
    here = os.getpid()
    original = Image.Image.filter

    def guarded(self, *args, **kwargs):
        if os.getpid() == here:
            raise AssertionError("an image was filtered in the test's own process: send the work to the pool")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "filter", guarded)


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


# -- step4.filter_folder_sequential -----------------------------------------------------------------


@pytest.mark.exercise("step4.filter_folder_sequential")
def test_sequential_folder_filters_every_image(samples, out_folder, pools_created):
    """Catches: images skipped or out of order, and a pool where none was asked for."""
    plant_stale_outputs(samples, out_folder, FOUR_FILTERS)
    outputs = filter_folder_sequential(samples[0].parent, out_folder)
    assert outputs == expected_outputs(samples, out_folder, FOUR_FILTERS), (
        "outputs image by image in folder order, each image's in FOUR_FILTERS order"
    )
    assert_every_output_filtered(outputs, samples[0].parent)
    assert pools_created == [], "filter_folder_sequential works in this process: no pool"


# -- step4.filter_folder_parallel -------------------------------------------------------------------


@pytest.mark.exercise("step4.filter_folder_parallel")
def test_parallel_folder_gives_the_sequential_outputs(samples, out_folder, pools_created, no_filtering_here):
    """Catches: work done in this process, a pool per image, wrong pixels, names or order."""
    outputs = filter_folder_parallel(samples[0].parent, out_folder, processes=2)
    assert pools_created == [2], f"pools created: {pools_created}; create one Pool(processes) for the folder"
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


@pytest.mark.exercise("step4.eight_filters")
def test_eight_filters_run_in_the_given_pool(samples, out_folder, pools_created, no_filtering_here):
    """Catches: filtering in this process, or a new pool instead of the one given."""
    with multiprocessing.Pool(2) as pool:
        pools_created.clear()  # the test's own pool
        outputs = eight_filters(pool, samples[0], out_folder)
    assert pools_created == [], "eight_filters must use the pool it is given, not create one"
    assert outputs == expected_outputs(samples[:1], out_folder, EIGHT_FILTERS), (
        "the eight output paths, in EIGHT_FILTERS order"
    )


@pytest.mark.exercise("step4.eight_filters")
def test_eight_tasks_carry_the_path_and_a_filter_name(samples, out_folder, pool_calls):
    """Catches: one task for all eight filters, pixels sent instead of the path, or another Pool method."""
    with multiprocessing.Pool(2) as pool:
        eight_filters(pool, samples[0], out_folder)
    (call,) = pool_calls.expect("map", calls=1, pool_size=2, tasks_per_call=8, references_only=True)
    assert list(call.tasks) == list(EIGHT_FILTERS), f"tasks {call.tasks}: map over EIGHT_FILTERS, one name per task"


def meet_then_name(barrier, name, image_path, out_folder):
    """Stands in for apply_one_filter: returns the output path once another task is running too."""
    barrier.wait()
    return out_folder / f"{name}_{image_path.name}"


@pytest.mark.exercise("step4.eight_filters")
def test_eight_filters_run_at_the_same_time(samples, out_folder, monkeypatch, rendezvous):
    """Catches: one filter at a time (pool.apply in a loop, or get() after each apply_async)."""
    monkeypatch.setattr(images_module, "apply_one_filter", functools.partial(meet_then_name, rendezvous(2)))
    with multiprocessing.Pool(2) as pool:
        outputs = eight_filters(pool, samples[0], out_folder)
    assert outputs == expected_outputs(samples[:1], out_folder, EIGHT_FILTERS)


@pytest.mark.exercise("step4.eight_filters")
def test_eight_filters_pixels(samples, out_folder):
    """Catches: a filter missing, swapped or misnamed, and outputs left from an earlier run."""
    plant_stale_outputs(samples[1:2], out_folder, EIGHT_FILTERS)
    with multiprocessing.Pool(2) as pool:
        outputs = eight_filters(pool, samples[1], out_folder)
    for output, name in zip(outputs, EIGHT_FILTERS, strict=True):
        assert_filtered(output, samples[1], name)


# -- step4.filter_folder_eight ----------------------------------------------------------------------


@pytest.mark.exercise("step4.filter_folder_eight")
def test_one_pool_serves_every_image(samples, out_folder, pools_created, no_filtering_here):
    """Catches: a new pool per image (start-up paid again and again), or work in this process."""
    outputs = filter_folder_eight(samples[0].parent, out_folder, processes=2)
    assert pools_created == [2], f"pools created: {pools_created}; create one Pool(processes) and reuse it"
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


@pytest.mark.exercise("step4.compare_approaches")
def test_comparison_times_each_approach_into_its_own_folder(tmp_path, lab_seed):
    """Catches: a missing approach, timings that are not seconds, or outputs mixed in one folder."""
    images = reference_images(tmp_path / "in", 2, (64, 48), lab_seed)
    timings = compare_approaches(tmp_path / "in", tmp_path / "out", processes=2)
    assert list(timings) == list(APPROACHES)
    assert all(isinstance(s, float) and s > 0 for s in timings.values()), timings
    filters = {"sequential": FOUR_FILTERS, "task_per_image": FOUR_FILTERS, "task_per_filter": EIGHT_FILTERS}
    for approach, names in filters.items():
        made = sorted(p.name for p in (tmp_path / "out" / approach).iterdir())
        assert made == sorted(f"{name}_{image.name}" for image in images for name in names), approach


@pytest.mark.exercise("step4.compare_approaches")
def test_comparison_times_each_approach_with_the_pool_size_asked_for(tmp_path, monkeypatch):
    """Catches: made-up timings, an approach run twice, out of order or not at all, and ignoring processes."""
    pauses = {"filter_folder_sequential": 0.05, "filter_folder_parallel": 0.1, "filter_folder_eight": 0.15}
    calls = []  # (function, processes it was given)
    for name, pause in pauses.items():
        signature = inspect.signature(getattr(images_module, name))

        def stand_in(*args, _name=name, _pause=pause, _signature=signature, **kwargs):
            bound = _signature.bind(*args, **kwargs)
            calls.append((_name, bound.arguments.get("processes")))
            time.sleep(_pause)
            return []

        monkeypatch.setattr(images_module, name, stand_in)
    started = time.perf_counter()
    timings = compare_approaches(tmp_path / "in", tmp_path / "out", processes=3)
    elapsed = time.perf_counter() - started
    expected_calls = [("filter_folder_sequential", None), ("filter_folder_parallel", 3), ("filter_folder_eight", 3)]
    assert calls == expected_calls, calls
    for approach, (name, pause) in zip(APPROACHES, pauses.items(), strict=True):
        assert timings[approach] >= pause, (
            f"{approach}: {timings[approach]:.3f} s for a run of {name} that took {pause} s"
        )
    assert sum(timings.values()) <= elapsed, f"timings {timings} add up to more than the {elapsed:.3f} s the call took"


# -- step4.plot_comparison --------------------------------------------------------------------------


class SavedFigures(list):
    """The figures saved as PNG; ``from_pyplot`` says, for each, whether pyplot held it when it was saved."""

    def __init__(self):
        super().__init__()
        self.from_pyplot = []


@pytest.fixture
def figures_saved(monkeypatch):
    """The matplotlib figures written as PNG from now on: Figure.savefig, plt.savefig and the canvas's
    own print_png or print_figure all end in FigureCanvasAgg.print_png."""
    from matplotlib._pylab_helpers import Gcf  # pyplot's registry of the figures it manages
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    saved = SavedFigures()
    print_png = FigureCanvasAgg.print_png

    @functools.wraps(print_png)  # matplotlib reads its signature to choose the arguments it passes
    def recording(self, *args, **kwargs):
        saved.append(self.figure)
        saved.from_pyplot.append(any(manager.canvas.figure is self.figure for manager in Gcf.get_all_fig_managers()))
        return print_png(self, *args, **kwargs)

    monkeypatch.setattr(FigureCanvasAgg, "print_png", recording)
    return saved


@pytest.mark.exercise("step4.plot_comparison")
def test_chart_is_a_real_800_by_500_bar_chart(tmp_path, figures_saved):
    """Catches: no file, a blank image, the wrong size, bars missing or out of order, no axis label."""
    from matplotlib.patches import Rectangle

    timings = {"sequential": 3.0, "task_per_image": 1.6, "task_per_filter": 1.1}
    path = tmp_path / "chart.png"
    assert plot_comparison(timings, path) == path
    with Image.open(path) as chart:
        assert chart.format == "PNG" and chart.size == (800, 500)
        pixels = np.asarray(chart.convert("RGB"))
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20, "the image looks blank: draw the chart"
    assert len(figures_saved) == 1, "save one matplotlib figure"
    figure = figures_saved[0]
    assert not figures_saved.from_pyplot[0], (
        "the figure came from pyplot's global state (plt.figure, plt.subplots, plt.bar): create a "
        "matplotlib.figure.Figure yourself and attach a FigureCanvasAgg"
    )
    axes = figure.axes
    bars = [patch for ax in axes for patch in ax.patches if isinstance(patch, Rectangle)]
    heights = [bar.get_height() for bar in bars]
    assert heights == pytest.approx(list(timings.values())), f"bar heights {heights}: one bar per approach, in order"
    assert any(ax.get_ylabel() == "seconds" for ax in axes), 'label the y axis "seconds"'
    titles = [ax.get_title(loc) for ax in axes for loc in ("left", "center", "right")]
    titles.append(figure._suptitle.get_text() if figure._suptitle is not None else "")
    assert any(titles), "give the chart a title"
