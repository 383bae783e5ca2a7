"""Step 4 — parallel image processing with Pillow."""

TITLE = "Parallel image processing"

EXERCISES = {
    "make_sample_images": {
        "title": "Generate seeded sample images",
        "hint": "One np.random.default_rng(seed) for all images; Image.fromarray turns a uint8 array of shape "
        "(height, width, 3) into an RGB image.",
        "hint_full": "rng = np.random.default_rng(seed) once; for each index, pixels = rng.integers(0, 256, "
        "(height, width, 3), dtype=np.uint8) (note: height first), Image.fromarray(pixels).save(folder / "
        "f'sample_{index:02d}.png'); return the paths in index order.",
    },
    "apply_filters": {
        "points": 2,
        "title": "Apply the four filters to one image",
        "hint": "apply_one_filter does one filter; call it for each name of FOUR_FILTERS, in that order.",
        "hint_full": "Return a list with apply_one_filter(name, image_path, out_folder) for each name in "
        "FOUR_FILTERS, in FOUR_FILTERS order.",
    },
    "filter_folder_sequential": {
        "title": "Filter a folder, one image after another",
        "hint": "image_files lists the images; apply_filters does one image. No pool here.",
        "hint_full": "Loop over image_files(in_folder), call apply_filters(image, out_folder) for each, and "
        "extend one list with the outputs, image by image.",
    },
    "filter_folder_parallel": {
        "points": 2,
        "title": "Filter a folder, one image per pool task",
        "hint": "One pool for the folder; map apply_filters over the image paths, with out_folder fixed by "
        "functools.partial. Send paths, not pixels.",
        "hint_full": "In one 'with multiprocessing.Pool(processes) as pool:' block, per_image = pool.map("
        "functools.partial(apply_filters, out_folder=out_folder), image_files(in_folder)); then flatten "
        "per_image into one list, keeping its order.",
    },
    "eight_filters": {
        "points": 2,
        "title": "Apply eight filters to one image in parallel, in a pool you are given",
        "hint": "Use the pool you are given, not a new one: one map over EIGHT_FILTERS, with a functools.partial "
        "of apply_one_filter that fixes the image and the folder by keyword.",
        "hint_full": "Return pool.map(functools.partial(apply_one_filter, image_path=image_path, "
        "out_folder=out_folder), EIGHT_FILTERS). map passes each filter name as apply_one_filter's first "
        "argument; the caller reuses one pool for every image, so do not create one here.",
    },
    "filter_folder_eight": {
        "points": 2,
        "title": "Reuse one pool for every image",
        "hint": "Create one pool for the whole folder, outside the loop over images, and hand it to eight_filters.",
        "hint_full": "In one 'with multiprocessing.Pool(processes) as pool:' block, loop over "
        "image_files(in_folder) and extend one list with eight_filters(pool, image, out_folder). A new pool per "
        "image pays the workers' start-up again and again.",
    },
    "compare_approaches": {
        "title": "Time the three approaches",
        "hint": "time.perf_counter() before and after one call per approach, each writing into its own folder "
        "out_folder / name.",
        "hint_full": "For each name in APPROACHES, in order: make the folder out_folder / name (mkdir with "
        "parents=True, exist_ok=True), start = time.perf_counter(), call the approach's function with "
        "processes where it takes it, timings[name] = time.perf_counter() - start. Return the dict.",
    },
    "plot_comparison": {
        "title": "Draw the timings as a bar chart",
        "hint": "A matplotlib.figure.Figure made directly (not pyplot), one bar per approach, saved with the "
        "figure's savefig.",
        "hint_full": "figure = Figure(figsize=(8, 5), dpi=100) from matplotlib.figure; axes = "
        "figure.add_subplot(); axes.bar(list(timings), list(timings.values())); axes.set_ylabel('seconds'); "
        "axes.set_title(...); figure.savefig(png_path); return png_path.",
    },
}
