"""Step 4 — parallel image processing with Pillow."""

TITLE = "Parallel image processing"
TITLE_ZH = "并行图像处理"

EXERCISES = {
    "make_sample_images": {
        "title": "Generate seeded sample images",
        "title_zh": "生成带随机种子的示例图片",
        "hint": "One np.random.default_rng(seed) for all images; Image.fromarray turns a uint8 array of shape "
        "(height, width, 3) into an RGB image.",
        "hint_zh": "所有图像共用一个 np.random.default_rng(seed)；Image.fromarray "
        "把一个形状为 (height, width, 3) 的 uint8 数组变成一张 RGB 图像。",
        "hint_full": "rng = np.random.default_rng(seed) once; for each index, pixels = rng.integers(0, 256, "
        "(height, width, 3), dtype=np.uint8) (note: height first), Image.fromarray(pixels).save(folder / "
        "f'sample_{index:02d}.png'); return the paths in index order.",
        "hint_full_zh": "只创建一次 rng = np.random.default_rng(seed)；对每个 index，"
        "pixels = rng.integers(0, 256, (height, width, 3), "
        "dtype=np.uint8)（注意：height 在前），Image.fromarray(pixels).save(folder "
        "/ f'sample_{index:02d}.png')；按 index 的顺序返回这些路径。",
    },
    "apply_filters": {
        "points": 2,
        "title": "Apply the four filters to one image",
        "title_zh": "对一张图片应用四个滤镜",
        "hint": "apply_one_filter does one filter; call it for each name of FOUR_FILTERS, in that order.",
        "hint_zh": "apply_one_filter 完成一个滤镜；按 FOUR_FILTERS 的顺序，对其中每个名字调用它。",
        "hint_full": "Return a list with apply_one_filter(name, image_path, out_folder) for each name in "
        "FOUR_FILTERS, in FOUR_FILTERS order.",
        "hint_full_zh": "返回一个列表，对 FOUR_FILTERS 中的每个名字调用 apply_one_filter(name, "
        "image_path, out_folder)，按 FOUR_FILTERS 的顺序。",
    },
    "filter_folder_sequential": {
        "title": "Filter a folder, one image after another",
        "title_zh": "逐张处理一个文件夹中的图片",
        "hint": "image_files lists the images; apply_filters does one image. No pool here.",
        "hint_zh": "image_files 列出所有图像；apply_filters 处理一张图像。这里不用进程池。",
        "hint_full": "Loop over image_files(in_folder), call apply_filters(image, out_folder) for each, and "
        "extend one list with the outputs, image by image.",
        "hint_full_zh": "遍历 image_files(in_folder)，对每张图像调用 apply_filters(image, "
        "out_folder)，一张接一张地把输出追加到同一个列表中。",
    },
    "filter_folder_parallel": {
        "points": 2,
        "title": "Filter a folder, one image per pool task",
        "title_zh": "处理一个文件夹，每张图片一个进程池任务",
        "hint": "One pool for the folder; map apply_filters over the image paths, with out_folder fixed by "
        "functools.partial. Send paths, not pixels.",
        "hint_zh": "整个文件夹一个进程池；把 apply_filters 映射到图像路径上，用 functools.partial "
        "固定 out_folder。发送路径，而不是像素。",
        "hint_full": "In one 'with multiprocessing.Pool(processes) as pool:' block, per_image = pool.map("
        "functools.partial(apply_filters, out_folder=out_folder), image_files(in_folder)); then flatten "
        "per_image into one list, keeping its order.",
        "hint_full_zh": "在一个 'with multiprocessing.Pool(processes) as pool:' "
        "块中，per_image = pool.map(functools.partial(apply_filters, "
        "out_folder=out_folder), image_files(in_folder))；"
        "然后把 per_image 展平成一个列表，保持它的顺序。",
    },
    "eight_filters": {
        "points": 2,
        "title": "Apply eight filters to one image in parallel, in a pool you are given",
        "title_zh": "在给定的进程池中，对一张图片并行应用八个滤镜",
        "hint": "Use the pool you are given, not a new one: one map over EIGHT_FILTERS, with a functools.partial "
        "of apply_one_filter that fixes the image and the folder by keyword.",
        "hint_zh": "使用给你的进程池，不要新建：对 EIGHT_FILTERS 做一次 map，配合一个按关键字固定图像和文件夹的 "
        "apply_one_filter 偏函数（functools.partial）。",
        "hint_full": "Return pool.map(functools.partial(apply_one_filter, image_path=image_path, "
        "out_folder=out_folder), EIGHT_FILTERS). map passes each filter name as apply_one_filter's first "
        "argument; the caller reuses one pool for every image, so do not create one here.",
        "hint_full_zh": "返回 pool.map(functools.partial(apply_one_filter, "
        "image_path=image_path, out_folder=out_folder), EIGHT_FILTERS)。"
        "map 把每个滤镜名作为 apply_one_filter 的第一个参数传入；调用者会为每张图像复用同一个进程池，"
        "所以不要在这里创建进程池。",
    },
    "filter_folder_eight": {
        "points": 2,
        "title": "Reuse one pool for every image",
        "title_zh": "为每张图片复用同一个进程池",
        "hint": "Create one pool for the whole folder, outside the loop over images, and hand it to eight_filters.",
        "hint_zh": "为整个文件夹创建一个进程池，放在遍历图像的循环外面，再把它交给 eight_filters。",
        "hint_full": "In one 'with multiprocessing.Pool(processes) as pool:' block, loop over "
        "image_files(in_folder) and extend one list with eight_filters(pool, image, out_folder). A new pool per "
        "image pays the workers' start-up again and again.",
        "hint_full_zh": "在一个 'with multiprocessing.Pool(processes) as pool:' "
        "块中，遍历 image_files(in_folder)，把 eight_filters(pool, "
        "image, out_folder) 的结果追加到同一个列表中。每张图像新建一个进程池，就要一遍又一遍地付出工作进程的启动开销。",
    },
    "compare_approaches": {
        "title": "Time the three approaches",
        "title_zh": "给三种做法计时",
        "hint": "time.perf_counter() before and after one call per approach, each writing into its own folder "
        "out_folder / name.",
        "hint_zh": "每种做法调用一次，前后各取一次 time.perf_counter()，每种做法写入它自己的文件夹 out_folder / name。",
        "hint_full": "For each name in APPROACHES, in order: make the folder out_folder / name (mkdir with "
        "parents=True, exist_ok=True), start = time.perf_counter(), call the approach's function with "
        "processes where it takes it, timings[name] = time.perf_counter() - start. Return the dict.",
        "hint_full_zh": "按顺序对 APPROACHES 中的每个名字：创建文件夹 out_folder / name（mkdir "
        "时用 parents=True, exist_ok=True），start = time.perf_counter()，"
        "调用这种做法的函数（需要时传入 processes），timings[name] = time.perf_counter() "
        "- start。返回这个字典。",
    },
    "plot_comparison": {
        "title": "Draw the timings as a bar chart",
        "title_zh": "把计时画成柱状图",
        "hint": "A matplotlib.figure.Figure made directly (not pyplot), one bar per approach, saved with the "
        "figure's savefig.",
        "hint_zh": "直接创建一个 matplotlib.figure.Figure（不用 pyplot），每种做法一根柱子，"
        "用这个 figure 的 savefig 保存。",
        "hint_full": "figure = Figure(figsize=(8, 5), dpi=100) from matplotlib.figure; axes = "
        "figure.add_subplot(); axes.bar(list(timings), list(timings.values())); axes.set_ylabel('seconds'); "
        "axes.set_title(...); figure.savefig(png_path); return png_path.",
        "hint_full_zh": "figure = Figure(figsize=(8, 5), dpi=100)，Figure "
        "来自 matplotlib.figure；axes = figure.add_subplot()；"
        "axes.bar(list(timings), list(timings.values()))；"
        "axes.set_ylabel('seconds')；axes.set_title(...)；figure.savefig(png_path)；"
        "return png_path。",
    },
}
