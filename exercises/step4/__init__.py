"""Step 4 — parallel image processing with Pillow."""

TITLE = "Parallel image processing"
TITLE_ZH = "并行图像处理"

EXERCISES = {
    "make_sample_images": {
        "title": "Generate seeded sample images",
        "title_zh": "生成带随机种子的示例图片",
        "hint": "rng = np.random.default_rng(seed); for each index: Image.fromarray(rng.integers(0, 256, "
        "(height, width, 3), dtype=np.uint8)).save(folder / f'sample_{index:02d}.png')",
        "hint_zh": "rng = np.random.default_rng(seed); for each index: "
        "Image.fromarray(rng.integers(0, 256, (height, width, "
        "3), dtype=np.uint8)).save(folder / f'sample_{index:02d}.png')（每个 "
        "index 生成并保存一张图片）",
    },
    "apply_filters": {
        "points": 2,
        "title": "Apply the four filters to one image",
        "title_zh": "对一张图片应用四个滤镜",
        "hint": "return [apply_one_filter(image_path, out_folder, name) for name in FOUR_FILTERS]",
        "hint_zh": "return [apply_one_filter(image_path, out_folder, "
        "name) for name in FOUR_FILTERS]",
    },
    "filter_folder_sequential": {
        "title": "Filter a folder, one image after another",
        "title_zh": "逐张处理一个文件夹中的图片",
        "hint": "for image_path in image_files(in_folder): outputs.extend(apply_filters(image_path, out_folder))",
        "hint_zh": "for image_path in image_files(in_folder): outputs.extend(apply_filters(image_path, "
        "out_folder))",
    },
    "filter_folder_parallel": {
        "points": 2,
        "title": "Filter a folder, one image per pool task",
        "title_zh": "处理一个文件夹，每张图片一个进程池任务",
        "hint": "with Pool(processes) as pool: per_image = pool.map(partial(apply_filters, out_folder=out_folder), "
        "image_files(in_folder)); then flatten.\nSend paths, not pixels: each worker opens its own image.",
        "hint_zh": "with Pool(processes) as pool: per_image = pool.map(partial(apply_filters, "
        "out_folder=out_folder), image_files(in_folder))；"
        "然后展平成一个列表。\n发送路径，而不是像素：每个工作进程自己打开图片。",
    },
    "eight_filters": {
        "points": 2,
        "title": "Apply eight filters to one image in parallel, in a pool you are given",
        "title_zh": "在给定的进程池中，对一张图片并行应用八个滤镜",
        "hint": "return pool.map(partial(apply_one_filter, image_path, out_folder), EIGHT_FILTERS)\n"
        "Do not create a pool here: the caller reuses one pool for every image.",
        "hint_zh": "return pool.map(partial(apply_one_filter, image_path, "
        "out_folder), EIGHT_FILTERS)\n不要在这里创建进程池：调用者会为每张图片复用同一个进程池。",
    },
    "filter_folder_eight": {
        "points": 2,
        "title": "Reuse one pool for every image",
        "title_zh": "为每张图片复用同一个进程池",
        "hint": "Create one Pool(processes) for the whole folder and call eight_filters(pool, ...) per image.\n"
        "A new pool per image pays the workers' start-up again and again.",
        "hint_zh": "为整个文件夹创建一个 Pool(processes)，对每张图片调用 eight_filters(pool, "
        "...)。\n每张图片新建一个进程池，就要一遍又一遍地付出工作进程的启动开销。",
    },
    "compare_approaches": {
        "title": "Time the three approaches",
        "title_zh": "给三种做法计时",
        "hint": "For each approach: start = time.perf_counter(); run it into out_folder / name; "
        "timings[name] = time.perf_counter() - start",
        "hint_zh": "对每种做法：start = time.perf_counter()；把它运行到 out_folder "
        "/ name 中；timings[name] = time.perf_counter() - start",
    },
    "plot_comparison": {
        "title": "Draw the timings as a bar chart",
        "title_zh": "把计时画成柱状图",
        "hint": "figure = matplotlib.figure.Figure(figsize=(8, 5), dpi=100); FigureCanvasAgg(figure); "
        "axes = figure.add_subplot(); axes.bar(names, seconds); figure.savefig(png_path)",
        "hint_zh": "figure = matplotlib.figure.Figure(figsize=(8, 5), "
        "dpi=100); FigureCanvasAgg(figure); axes = figure.add_subplot(); "
        "axes.bar(names, seconds); figure.savefig(png_path)",
    },
}
