"""Step 4 — parallel image processing with Pillow."""

TITLE = "Parallel image processing"

EXERCISES = {
    "make_sample_images": {
        "title": "Generate seeded sample images",
        "hint": "rng = np.random.default_rng(seed); for each index: Image.fromarray(rng.integers(0, 256, "
        "(height, width, 3), dtype=np.uint8)).save(folder / f'sample_{index:02d}.png')",
    },
    "apply_filters": {
        "points": 2,
        "title": "Apply the four filters to one image",
        "hint": "return [apply_one_filter(image_path, out_folder, name) for name in FOUR_FILTERS]",
    },
    "filter_folder_sequential": {
        "title": "Filter a folder, one image after another",
        "hint": "for image_path in image_files(in_folder): outputs.extend(apply_filters(image_path, out_folder))",
    },
    "filter_folder_parallel": {
        "points": 2,
        "title": "Filter a folder, one image per pool task",
        "hint": "with Pool(processes) as pool: per_image = pool.map(partial(apply_filters, out_folder=out_folder), "
        "image_files(in_folder)); then flatten.\nSend paths, not pixels: each worker opens its own image.",
    },
    "eight_filters": {
        "points": 2,
        "title": "Apply eight filters to one image in parallel, in a pool you are given",
        "hint": "return pool.map(partial(apply_one_filter, image_path, out_folder), EIGHT_FILTERS)\n"
        "Do not create a pool here: the caller reuses one pool for every image.",
    },
    "filter_folder_eight": {
        "points": 2,
        "title": "Reuse one pool for every image",
        "hint": "Create one Pool(processes) for the whole folder and call eight_filters(pool, ...) per image.\n"
        "A new pool per image pays the workers' start-up again and again.",
    },
    "compare_approaches": {
        "title": "Time the three approaches",
        "hint": "For each approach: start = time.perf_counter(); run it into out_folder / name; "
        "timings[name] = time.perf_counter() - start",
    },
    "plot_comparison": {
        "title": "Draw the timings as a bar chart",
        "hint": "figure = matplotlib.figure.Figure(figsize=(8, 5), dpi=100); FigureCanvasAgg(figure); "
        "axes = figure.add_subplot(); axes.bar(names, seconds); figure.savefig(png_path)",
    },
}
