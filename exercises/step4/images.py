"""Step 4 — parallel image processing with Pillow.

Fill in each function below; its docstring says exactly what to build. Run ``pytest exercises/step4``
to check your work. The lesson is in README.md beside this file.
"""

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
    """Create ``count`` random RGB images of ``size`` = ``(width, height)`` in ``folder``; return their paths.

    - Use one generator for all images: ``rng = np.random.default_rng(seed)``.
    - Image ``index`` (0, 1, …) is ``rng.integers(0, 256, (height, width, 3), dtype=np.uint8)``, made
      with ``Image.fromarray`` and saved as ``folder / f"sample_{index:02d}.png"``.
    - Return the paths in index order. The same seed gives the same pixels, and so byte-identical files
      with the same Pillow and zlib.
    """
    raise NotImplementedError("step4.make_sample_images: see the docstring")


def apply_filters(image_path, out_folder):
    """Apply each of ``FOUR_FILTERS`` to one image with ``apply_one_filter``; return the four output
    paths in ``FOUR_FILTERS`` order (``blur_<name>``, ``edges_<name>``, ``emboss_<name>``, ``sharpen_<name>``)."""
    raise NotImplementedError("step4.apply_filters: see the docstring")


def filter_folder_sequential(in_folder, out_folder):
    """Run ``apply_filters`` on every image of ``image_files(in_folder)``, one after another, in this
    process; return all output paths, image by image, each image's in ``FOUR_FILTERS`` order."""
    raise NotImplementedError("step4.filter_folder_sequential: see the docstring")


def filter_folder_parallel(in_folder, out_folder, processes=2):
    """Like ``filter_folder_sequential``, with one pool task per image.

    - Create one ``multiprocessing.Pool(processes)``, as a context manager.
    - ``map`` ``functools.partial(apply_filters, out_folder=out_folder)`` over ``image_files(in_folder)``:
      each task carries a path, and its worker opens the image itself.
    - Return the output paths in the same order as ``filter_folder_sequential``.
    """
    raise NotImplementedError("step4.filter_folder_parallel: see the docstring")


def eight_filters(pool, image_path, out_folder):
    """Apply all of ``EIGHT_FILTERS`` to one image, one filter per task of ``pool``, and return the eight
    output paths in ``EIGHT_FILTERS`` order.

    - ``pool`` is a running ``multiprocessing.Pool`` you are given: use it, do not create one.
    - Hand all eight filters to the pool at once with ``pool.map`` over ``EIGHT_FILTERS``, so that they
      run in parallel. ``map`` passes each filter name as the first argument of ``apply_one_filter``;
      fix the other two by keyword:
      ``functools.partial(apply_one_filter, image_path=image_path, out_folder=out_folder)``.
    """
    raise NotImplementedError("step4.eight_filters: see the docstring")


def filter_folder_eight(in_folder, out_folder, processes=2):
    """Apply ``eight_filters`` to every image of ``image_files(in_folder)``, reusing ONE
    ``multiprocessing.Pool(processes)`` for the whole folder (not a new pool per image).
    Return all output paths, image by image, each image's in ``EIGHT_FILTERS`` order."""
    raise NotImplementedError("step4.filter_folder_eight: see the docstring")


def compare_approaches(in_folder, out_folder, processes=2):
    """Time the three approaches on the images of ``in_folder``; return ``{approach: seconds}``.

    For each name of ``APPROACHES``, in that order, create the folder ``out_folder / name`` and time,
    with ``time.perf_counter()``, one run of:

    - ``"sequential"``: ``filter_folder_sequential``;
    - ``"task_per_image"``: ``filter_folder_parallel`` with ``processes`` (one pool, one task per image);
    - ``"task_per_filter"``: ``filter_folder_eight`` with ``processes`` (one pool, one task per filter).

    Each timing is the seconds of the whole call, pool start-up included, as measured: return them
    unchanged. (When you read them, mind that the third approach applies eight filters per image and
    the others four: it does twice the work, so compare seconds per output image, not bar against bar.)
    """
    raise NotImplementedError("step4.compare_approaches: see the docstring")


def plot_comparison(timings, png_path):
    """Draw ``timings`` (``{approach: seconds}``) as a bar chart and save it as a PNG at ``png_path``.

    - Use ``matplotlib.figure.Figure(figsize=(8, 5), dpi=100)`` and its ``savefig``: a ``Figure`` made
      directly (not with ``pyplot``) needs no window and does not touch matplotlib's global backend.
    - One bar per approach, in the dict's order; label the y axis ``"seconds"``; give it a title.
    - The saved image is 800 x 500 pixels. Return ``png_path``.
    """
    raise NotImplementedError("step4.plot_comparison: see the docstring")
