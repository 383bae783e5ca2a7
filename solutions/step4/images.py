"""Step 4 — parallel image processing: reference solutions."""

import functools
import multiprocessing
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

FOUR_FILTERS = ("blur", "edges", "emboss", "sharpen")
EIGHT_FILTERS = FOUR_FILTERS + ("contour", "detail", "smooth", "smooth_more")
APPROACHES = ("sequential", "task_per_image", "task_per_filter")


def image_filter(name):
    """Given: the Pillow filter called ``name`` ("blur" is a Gaussian blur, ``radius=5``: for Pillow, the
    standard deviation of the Gaussian, in pixels)."""
    return {
        "blur": ImageFilter.GaussianBlur(radius=5),
        "edges": ImageFilter.FIND_EDGES,
        "emboss": ImageFilter.EMBOSS,
        "sharpen": ImageFilter.SHARPEN,
        "contour": ImageFilter.CONTOUR,
        "detail": ImageFilter.DETAIL,
        "smooth": ImageFilter.SMOOTH,
        "smooth_more": ImageFilter.SMOOTH_MORE,
    }[name]


def apply_one_filter(name, image_path, out_folder):
    """Given: apply filter ``name`` to the image at ``image_path``, save it as
    ``out_folder / f"{name}_{image_path.name}"``, and return that path. ``name`` comes first, so that
    ``pool.map`` can pass it while ``functools.partial`` fixes the others by keyword."""
    image_path, out_folder = Path(image_path), Path(out_folder)
    with Image.open(image_path) as image:
        output = out_folder / f"{name}_{image_path.name}"
        image.filter(image_filter(name)).save(output)
    return output


def image_files(folder):
    """Given: the PNG images of ``folder``, sorted by name."""
    return sorted(Path(folder).glob("*.png"))


def make_sample_images(folder, count, size, seed):
    folder = Path(folder)
    width, height = size
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(count):
        path = folder / f"sample_{index:02d}.png"
        Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def apply_filters(image_path, out_folder):
    return [apply_one_filter(name, image_path, out_folder) for name in FOUR_FILTERS]


def filter_folder_sequential(in_folder, out_folder):
    return [output for image in image_files(in_folder) for output in apply_filters(image, out_folder)]


def filter_folder_parallel(in_folder, out_folder, processes=2):
    with multiprocessing.Pool(processes) as pool:
        per_image = pool.map(functools.partial(apply_filters, out_folder=out_folder), image_files(in_folder))
    return [output for outputs in per_image for output in outputs]


def eight_filters(pool, image_path, out_folder):
    return pool.map(functools.partial(apply_one_filter, image_path=image_path, out_folder=out_folder), EIGHT_FILTERS)


def filter_folder_eight(in_folder, out_folder, processes=2):
    with multiprocessing.Pool(processes) as pool:
        return [output for image in image_files(in_folder) for output in eight_filters(pool, image, out_folder)]


def compare_approaches(in_folder, out_folder, processes=2):
    runs = {
        "sequential": lambda target: filter_folder_sequential(in_folder, target),
        "task_per_image": lambda target: filter_folder_parallel(in_folder, target, processes),
        "task_per_filter": lambda target: filter_folder_eight(in_folder, target, processes),
    }
    timings = {}
    for name in APPROACHES:
        target = Path(out_folder) / name
        target.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        runs[name](target)
        timings[name] = time.perf_counter() - start
    return timings


def plot_comparison(timings, png_path):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 5), dpi=100)
    axes = figure.add_subplot()
    axes.bar(list(timings), list(timings.values()), color=["tab:gray", "tab:blue", "tab:green"][: len(timings)])
    axes.set_ylabel("seconds")
    axes.set_title("Filtering a folder of images: three approaches")
    figure.savefig(png_path)
    return png_path
