"""The Simplified Chinese table (zh-CN): the same keys and placeholders as ``en.py``, written for
Python beginners with the lab's own terms (多进程, 进程池, 参数传递, 共享内存, 偏函数, 子进程, 序列化,
加速比, 屏障). Code, function names and file paths stay as they are."""

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        # -- report stamping: todo lines, explanations, seed (house, issue 11) --------------------------
        "todo": "尚未实现：{location}",
        "todo.other_stub": "尚未实现：{location}（{stub}）",
        "todo.detail": "尚未实现：{location}  （{exercise}：{title}）",
        "todo.detail_other_stub": "尚未实现：{location}  （{exercise} 用到的 {stub}）",
        "failure.with_hint": "{explanation}\n提示（{exercise}）：{hint}",
        "seed.rerun": "输入数据的随机种子是 {seed}；用同样的输入重新运行：{command}",
        # -- failure explanations (plugin/session/failures.py) ----------------------------------------
        "failure.pickling": (
            "发送给另一个进程的东西无法序列化（pickle）（{error}）。lambda 和定义在其他函数内部的函数"
            "没有可导入的名字：请把函数定义在模块顶层，需要固定的参数用 functools.partial 来固定。"
        ),
        "failure.inheritance": (
            "把 Lock、Value、Array 或 Queue 当作任务参数传递了（{error}）。同步对象只能通过继承在进程间共享："
            "请用 Pool(initializer=..., initargs=...) 或 Process(args=...) 交给工作进程，"
            "或者使用 Manager 的代理对象。"
        ),
        "failure.main_guard": (
            "一个子进程在导入主模块时又启动了进程。在 spawn 和 forkserver 下每个子进程都会导入主模块："
            '请把启动进程的代码放到 if __name__ == "__main__": 之下'
        ),
        "failure.not_together": (
            "这些任务从来没有同时运行：测试用的屏障（barrier）只有在所有任务一起等在它前面时才会放行。"
            "请让它们并行运行：先启动所有进程再逐个 join，或者使用工作进程足够多的进程池。"
        ),
        "failure.worker_died": (
            "一个工作进程突然终止了（{error}）：它被杀死、崩溃了，或者调用了 os._exit()，进程池无法完成它的任务。"
        ),
        "failure.callback_raised": (
            "{failure}：apply_async 的一个回调函数抛出了异常。回调函数在你的进程中、进程池的结果处理线程里运行："
            "那里的异常会让这个线程停止（如果是 KeyError，则是让它的任务永远无法完成），于是 get() 和 join() "
            "会永远等下去，离开 with 块时也会出错。让回调函数保持简短，绝不要让它们抛出异常（在回调函数内部捕获错误）。"
        ),
        "failure.in_worker": "{error} —— 在工作进程中抛出。工作进程的回溯信息：\n{traceback}",
        # -- timeouts (plugin/safety/hang_guard.py) ---------------------------------------------------
        "timeout.terminated": "，并终止了 {count} 个子进程",
        "timeout": (
            "{seconds:g} 秒后超时{terminated}。一个停不下来的多进程程序通常是因为：对一个永远不结束的进程"
            "调用了 join()；queue.get() 或进程池的结果永远等不到（某个工作进程崩溃了，或用 os._exit 退出了，"
            "进程池就会一直等下去）；在读取装着大量结果的队列之前就调用了 join()；或者某个锁从未释放。"
        ),
        "timeout.callback": "{seconds:g} 秒后超时{terminated}",
        "timeout.worker_exited": (
            "{seconds:g} 秒后超时{terminated}：一个进程池工作进程在处理任务时以退出码 {codes} 退出了，"
            "进程池会永远等待它的结果。是不是某个任务调用了 os._exit() 或 sys.exit()，或者崩溃了，"
            '或者你的模块在导入时、在 if __name__ == "__main__": 之外启动了进程？'
        ),
        # -- leftovers (plugin/safety/leftovers.py) ---------------------------------------------------
        "leftovers.pool_workers": (
            "还有 {count} 个进程池工作进程在运行：请把进程池当作上下文管理器使用"
            "（with Pool(...) as pool:），或者调用 close() 和 join()"
        ),
        "leftovers.running": "还有 {count} 个子进程在运行：每个启动的进程都要 join()",
        "leftovers.unjoined": "有 {count} 个子进程已经结束但从未被 join：请调用 join()",
        "leftovers.segments": (
            "有 {count} 个共享内存段从未 unlink（{names}）：在每个进程中 close() 它们，并在工作完成后 unlink() 一次"
        ),
        "leftovers.cleaned": "{problems}（已由本套件清理）",
        "leftovers.children": "有 {count} 个子进程仍在运行或从未被 join：{advice}",
        "list.separator": "；",
        # -- speedup (plugin/measure/speedup.py) ------------------------------------------------------
        "speedup.too_low": (
            "加速比太低：{workers} 个工作进程只有 {speedup:.2f} 倍（顺序 {sequential_s:.3f} 秒，并行 "
            "{parallel_s:.3f} 秒），至少需要 {required:.2f} 倍：这台机器在本次运行中曾在参考任务上"
            "达到 {capacity:.2f} 倍。"
            "这些工作真的同时在 {workers} 个进程中运行吗？进程池是否只创建了一次？发给工作进程的数据是否够少？"
        ),
        "speedup.results_differ": "{exercise}：并行版本返回的结果和顺序版本不同，因此无法测量加速比",
        "speedup.too_few_cpus": "需要 {workers} 个可用的 CPU，这个进程只能使用 {cpus} 个",
        "speedup.cannot_tell": (
            "这台机器用 {workers} 个工作进程在参考任务上能达到 {capacity:.2f} 倍，而启动它们就要占用这个 "
            "{sequential_s:.2f} 秒任务中的 {startup_s:.2f} 秒：最多只能达到 {attainable:.2f} 倍，"
            "不足以区分并行代码和顺序代码"
        ),
        "speedup.ran_in_caller": (
            "工作是在调用它的进程里完成的，而不是在工作进程中：并行运行期间，这个进程自己用掉的 CPU 时间"
            "相当于顺序运行的 {share:.0%}（是循环、线程，或者一个不停检查结果是否就绪的循环在占用 CPU）。"
            "请把工作交给工作进程（进程池的，或者通过 client 交给集群的），调用方只负责发送任务，"
            "并用 get()、wait() 或 gather() 等待结果"
        ),
        "speedup.below_required": "低于要求的加速比",
        "speedup.busy": (
            "在 {busy} 次尝试中，这台机器比它最好的时候更忙（有其他工作在运行）：如果你的代码确实在并行运行，"
            "请等机器空闲一些再运行。"
        ),
        "speedup.out_of_time": (
            "这台机器太慢，测量在 {attempts} 次尝试后停止，以免超过测试的时间限制（ini 选项 lab_speedup_timeout）："
            "请等机器空闲一些再运行。"
        ),
        "speedup.fixture_needs_marker": "{nodeid}：speedup fixture 只能用在带 @pytest.mark.exercise 的测试里",
        # -- collection (plugin/session/collection.py) ------------------------------------------------
        "collection.no_marker": (
            "{nodeid} 不属于任何练习：请给它加上 "
            '@pytest.mark.exercise("{step}.<function_name>")（这一步的练习有：{names}）'
        ),
        "collection.many_markers": "{nodeid} 有 {count} 个练习标记：一个测试只能属于一个练习",
        "collection.marker_form": '{nodeid}：标记要写成 @pytest.mark.exercise("stepN.<function_name>")',
        "collection.unknown_exercise": (
            "{nodeid}：{exercise!r} 不是一个练习；请在 exercises/{step}/__init__.py 中声明它，或者改正标记"
        ),
        "collection.failed": "它无法被收集",
        "collection.marker_help": "{marker}(id)：这个测试所属的练习（stepN.<function_name>）",
        "catalog.error": "parallel-lab：{error}",
        "catalog.not_literal": "{path}：{name} 必须是一个普通的字面量（{error}）",
        "catalog.not_a_dict": "{path}：EXERCISES 必须是一个 名字 -> {{'title', 'hint'}} 的字典",
        "catalog.entry_not_a_dict": "{path}：EXERCISES[{name!r}] 必须是一个带有 'title' 和 'hint' 的字典",
        "catalog.no_function": "{path}：练习 {name!r} 不是 {folder} 中任何模块的函数",
        # -- terminal summary (plugin/outputs/terminal.py) --------------------------------------------
        "header": (
            "parallel-lab：目标 {target}，启动方式 {start_method}，可用 CPU {cpus} 个，语言 {language}，"
            "随机种子 {seed}（用 --lab-seed {seed} 重新运行）"
        ),
        "header.note": "parallel-lab：{note}",
        "summary.progress": "Parallel Lab：进度（{target}）",
        "summary.speedup": "Parallel Lab：加速比",
        "summary.step": "{step}  {title} {bar} 完成 {done}/{total}",
        "summary.collection_error": "{step}：无法收集 {error}：请先修正它（错误信息见上方）",
        "summary.all_done": "你运行的这些步骤中的练习全部完成了。",
        "summary.next": "下一个：{exercise} —— {title}（{state}）",
        "summary.edit": "      编辑 {location}",
        "summary.also_failing": "还未通过：",
        "summary.failing_exercise": "  {exercise} —— {title}",
        "summary.hint": "提示：{hint}",
        "summary.speedup_heading": "练习",
        "summary.verdict_heading": "结论",
        "summary.verdict_reason": "{verdict}（{reason}）",
        "status.done": "已完成",
        "status.todo": "待完成",
        "status.failing": "未通过",
        "status.not-run": "本次未运行",
        "verdict.pass": "通过",
        "verdict.fail": "未通过",
        "verdict.not-measured": "未测量",
        "summary.column.workers": "进程数",
        "summary.column.sequential_s": "顺序 秒",
        "summary.column.parallel_s": "并行 秒",
        "summary.column.speedup": "加速比",
        "summary.column.required": "要求",
        "summary.column.capacity": "机器能力",
        "summary.column.of_capacity": "占能力",
        "chart.title": "Parallel Lab：测得的加速比",
        "chart.y_label": "相对顺序执行的加速比（倍）",
        "chart.capacity": "机器能力",
        "chart.required": "要求",
        # -- grading (plugin/grading/) ----------------------------------------------------------------
        "exercise.name": "{exercise}：{title}",
        "grade.tally": "{counted} 个测试中通过了 {passed} 个",
        "grade.not_measured": "；有 {count} 个加速比测试在这台机器上无法测量（不加分也不扣分）",
        "grade.all_or_nothing": "；这个练习只有在全部测试通过时才得分",
        "grade.hint": "提示：{hint}",
        "grade.first_problem": "{test}：{message}",
        "grade.none_ran": "它的测试一个都没有运行",
        "grade.summary": (
            "Parallel Lab：{score:g} / {max_score:g} 分；{count} 个练习中完成了 {full} 个（随机种子 {seed}）"
        ),
        "gradescope.leaderboard": "{exercise} 加速比",
        "grade.row": "{number:>5} {exercise:<36} {score:g}/{max_score:g}",
        "grade.missing_module": "提交中缺少 {module}：它的练习按原始存根评分",
        "target.missing_module": "提交中缺少 {module}：它的练习使用原始存根",
        "grade.whole_run_timeout": "整体运行超时（{timeout:g} 秒），{which}还没有结束运行就被终止了",
        "grade.killed": "{which}还没有结束，运行就被信号 {signal} 杀死了",
        "grade.ended_early": "{which}还没有结束，运行就提前结束了（退出码 {code}）",
        "grade.this_test": "这个测试",
        "grade.every_test": "所有测试",
        "grade.did_not_run": "这个测试没有运行",
        "grade.cannot_import": "它的测试模块无法导入提交的代码：{error}",
        "grade.no_message": "（没有信息）",
        "grade.forged": "有 {count} 行结果不是本套件写的",
        "grade.tampering": "检测到篡改：{found}",
        "grade.no_folder": "grade：{path}：没有这个文件夹",
        "grade.not_collected": "无法收集本套件的测试（pytest 退出码 {code}）",
        "grade.could_not_grade": "无法评分：{reason}",
        "grade.stderr": "grade：{message}",
        "grade.write_failed": "grade：{path}：{error}",
        "grade.time_limit": "评分用时超过了 {seconds:g} 秒的上限",
        "grade.unexpected": "评分命令出错了（{error}）；这份提交没有被评分",
        "grade.upload_unreadable": "提交中的 {path} 没有被读取（{why}）",
        "upload.not_regular": "不是普通文件",
        "upload.too_large": "大于 {limit_kib} KiB",
        "upload.unreadable": "无法读取",
        "sandbox.runs_as_root": (
            "提交的代码以 root 身份运行了：无权限的账户无法运行 {python}（{why}）；请让其他用户可以读取和访问"
            "这个 Python 安装（见 README 的评分者指南）"
        ),
        "grade.oversized_lines": "有 {count} 行发给评分程序的结果超过了 {limit_kib} KiB",
        "grade.flooded": "结果通道被超过 {limit_mib} MiB 的数据淹没了",
        "grade.kit_changed": "运行期间本套件的文件被修改了：{paths}",
        "grade.forked": (
            "虽然评分在 {start_method} 下运行，却有 {count} 个进程从运行提交代码的进程中 fork 出来"
            "（set_start_method('fork')、get_context('fork') 或 os.fork）"
        ),
        "stream.key_missing": "--lab-stream 是给评分命令用的：它通过 {variable} 传递密钥",
        # -- settings (plugin/settings.py) ------------------------------------------------------------
        "settings.choose_one": "{where} = {value!r}：请从 {choices} 中选择一个",
        "settings.start_method_unavailable": "{where} = {value}：这个平台上没有这种启动方式",
        "settings.fraction": "{where} = {value!r}：请写一个 0 到 1 之间的数",
        "settings.seconds": "{where} = {value!r}：请写一个大于 0 的秒数",
        "settings.no_folder": "{where} {value}：没有这个目录",
        "settings.two_targets": "--solutions 和 --submission DIR 不能同时使用：请只选一个目标",
        "settings.submission_equals": (
            "pytest 把提交文件夹当成了测试路径，因此把 {rootdir} 当作了 rootdir："
            "请用 '=' 写这个选项，例如  pytest --submission={submission}"
        ),
        # -- authoring check: the course's own consistency (plugin/course_check.py, issue 11 item 7) --
        "course_catalog_error": "无法读取练习目录：{error}",
        "course_given_missing": "给定的辅助函数 {name}() 在 {present} 中有，在 {missing} 中却没有：请原样复制过去",
        "course_given_differs": "给定的辅助函数 {name}() 在 {stub} 和 {solution} 中不一样：请让它们完全相同",
        "course_constant_missing": "常量 {name} 在 {present} 中有，在 {missing} 中却没有：请原样复制过去",
        "course_constant_differs": "常量 {name} 在 {stub} 和 {solution} 中不一样：请让它们完全相同",
        "course_stub_not_in_catalog": (
            "{path} 中的 {exercise_id} 不是练习目录中的练习：请把它加到这一步的 EXERCISES 中，"
            "如果它是直接给学习者的，就让它的文档字符串以 '{given}' 开头"
        ),
        "course_stub_does_not_raise": (
            '{exercise_id}：它在 {path} 中的存根必须 raise NotImplementedError("{exercise_id}: see the docstring")'
        ),
        "course_stub_raise_names_other": (
            "{exercise_id}：它的存根在 {path}:{line} 抛出 NotImplementedError({message!r})；信息必须以它自己的 id 开头"
        ),
        "course_solution_missing_exercise": "{exercise_id} 在 {path} 中没有答案",
        "course_solution_not_implemented": "{exercise_id}：它在 {path} 中的答案仍然抛出 NotImplementedError",
        "course_solution_module_missing": "{stub} 没有对应的答案模块 {solution}",
        "course_module_unparsable": "{path}:{line} 无法解析（{error}）：请先修正它",
        "course_lesson_missing": "{step} 没有课程讲义：请编写 {path}，其中要有 '## Exercises' 一节",
        "course_lesson_no_exercise_list": "{path} 没有用 `name` 的形式列出这一步练习的 '## Exercises' 一节",
        "course_lesson_lists_unknown": "{path} 列出了 `{exercise_id}`，但它不是练习目录中的练习",
        "course_lesson_omits": "{path} 的 '## Exercises' 一节没有列出 {exercise_id}",
        "course_summary": "课程检查：{problems} 个问题",
        # -- Exercism results.json (plugin/outputs/exercism.py, issue 11 item 4) --
        "exercism_test_name": "{exercise_id}：{test}",
        "exercism_output_truncated": "输出已被截断。请把输出限制在 {limit} 个字符以内。",
        "exercism_failed_without_message": "这个测试没有通过（没有信息）",
        "exercism_no_test_ran": "没有任何测试能够运行：\n{errors}",
        "exercism_collection_error_name": "{step}：无法收集测试",
        # -- lab: the learner's loop (plugin/lab/, issue 12) --
        "lab_no_kit": "lab：这里没有 Parallel Lab 的代码（{folder}）：请在你克隆本套件的文件夹里运行 lab。",
        "lab_unknown_exercise": (
            "lab：{exercise!r} 不是一个练习。运行 `lab list` 查看所有练习，格式为 stepN.<function_name>。"
        ),
        "lab_all_done": "所有练习都完成了。干得好！",
        "lab_status_done": "已完成",
        "lab_status_todo": "待完成",
        "lab_status_failing": "未通过",
        "lab_status_unknown": "尚未检查",
        "lab_step_line": "{step}  {title} {bar} 完成 {done}/{total}",
        "lab_list_row": "  {mark} {exercise:<36} {status} {points:>4g} 分  {location}",
        "lab_current": "{exercise} —— {title}",
        "lab_edit": "编辑 {location}",
        "lab_status_line": "状态：{status}（通过 {tests_passed}/{tests} 个测试）",
        "lab_status_only": "状态：{status}",
        "lab_checked": "检查于 {time}",
        "lab_last_run": "第 {run} 次运行用时 {seconds:.1f} 秒",
        "lab_not_checked": "尚未检查：保存文件，或按 r 运行它的测试",
        "lab_collection_error": "无法加载它的测试：{problem}",
        "lab_speedup": (
            "{workers} 个工作进程的加速比为 {speedup} 倍（要求 {required} 倍，机器能力 {capacity} 倍）：{verdict}"
        ),
        "lab_speedup_reason": "未测量加速比：{reason}",
        "lab_hint": "提示：{hint}",
        "lab_log": "完整的 pytest 输出：{path}",
        "lab_running": "{spinner} 正在运行 {what}…… {done}/{total} 个测试",
        "lab_running_starting": "{spinner} 正在运行 {what}…… 启动中",
        "lab_running_once": "正在运行 {exercise} 的测试……",
        "lab_running_step": "{step} 的全部练习",
        "lab_running_all": "所有步骤",
        "lab_keys": "按键：h 提示 · n 下一个 · l 列表 · c 全部检查 · r 重新运行 · x 重置 · q 退出",
        "lab_keys_manual": "手动模式：保存后按 r 运行。",
        "lab_watching": "正在监视 exercises/：保存文件即可检查。",
        "lab_list_close": "按任意键返回",
        "lab_reset_confirm": "把 {exercise} 重置为原始存根吗？你在这个函数里写的代码会丢失。[y/N] ",
        "lab_reset_done": "{exercise} 已在 {file} 中恢复为原始存根。",
        "lab_reset_cancelled": "已取消重置：没有任何改动。",
        "lab_reset_no_stub": "lab：这份套件中没有 {exercise} 的原始存根：请重新安装本套件来找回它。",
        "lab_reset_no_function": (
            "lab：{file} 中没有可以重置的函数 {name}()：请把 `def {name}(...):` 写回去，或者恢复这个文件。"
        ),
        "lab_moved_on": "{exercise} 完成了：接下来是 {next}。",
        "lab_no_next": "其他练习也都完成了。",
        "lab_broke": "注意：{exercises} 之前通过了，现在却失败了（按 l 查看所有状态）。",
        "lab_solution_not_done": (
            "{exercise} 完成之后才会显示它的参考答案：它现在的状态是{status}（{tests} 个测试中通过了 "
            "{tests_passed} 个）。继续加油：`lab hint {exercise}` 也许能帮上忙。"
        ),
        "lab_solution_none": "这份套件不含参考答案：答案由你的老师公布。",
        "lab_solution_header": "{exercise} 的参考答案（你的代码也通过了；对比一下吧）：",
        "lab_run_failed": "lab：pytest 无法运行测试（退出码 {code}）；它的输出在 {path} 中。",
        "lab_bad_start_method": "lab：这里不能使用 --start-method {method}；请从 {methods} 中选择一个。",
        "lab_not_a_terminal": "lab watch 需要一个终端：请在终端窗口中运行它，或者使用 `lab run`。",
        "lab_bye": "再见：你的进度已保存在 {path} 中。",
        "lab_help": "Parallel Lab：一次做一个练习。",
        "lab_help_watch": "监视你的文件，每次保存时检查当前练习（默认）",
        "lab_help_list": "列出每个练习的状态、分数和要编辑的位置",
        "lab_help_run": "运行一个练习的测试（默认：当前练习）",
        "lab_help_hint": "显示一个练习的完整提示（默认：当前练习）",
        "lab_help_reset": "把一个函数恢复为原始存根（文件的其余部分保持不变）",
        "lab_help_solution": "显示你已完成的练习的参考答案",
        # -- step 5 on Dask (plugin/cluster/, issue 14) --
        "dask.bad_address": (
            "{where} = {value!r} 不是 Dask 调度器的地址：请写成 tcp://HOST:PORT，例如 tcp://10.0.0.5:8786"
            "（`dask scheduler` 打印的地址）"
        ),
        "dask.unreachable": (
            "无法连接到 {address} 上的 Dask 调度器（{error}）：那里在运行 `dask scheduler` 吗？"
            "从这台机器能访问它的端口吗？"
        ),
        "dask.not_importable": (
            "{address} 上 Dask 调度器的工作进程无法导入 {modules}，即使本套件已经上传了它们：请在每个工作进程上"
            "安装本套件（在它的一份副本中运行 pip install -e .），然后重新启动工作进程"
        ),
        "dask.workers_missing": (
            "集群没能在 {seconds} 秒内恢复它的 {workers} 个工作进程：死掉的工作进程没有被替换；"
            "请重启集群（或重新运行测试）"
        ),
        "dask.barrier_timeout": "{parties} 个任务中只有 {count} 个在 {seconds} 秒内到达了屏障",
        "dask.left_open": (
            "你的代码创建的 {clients} 个 Dask Client 和 {clusters} 个集群仍然没有关闭：请使用函数收到的 client，"
            "不要自己再启动一个，或者关闭你启动的东西（with Client(...) as client:）（已由本套件关闭）"
        ),
        # -- learner edition and class grading (issue 15) --
        "edition_written": (
            "学习者版本：{out}（{files} 个文件，一次提交）。把它发布为 Classroom 模板，例如 "
            "git -C {out} remote add origin URL && git -C {out} push -u origin HEAD"
        ),
        "edition_out_not_empty": "edition：{out} 已经存在并且不是空的：请选择一个新的文件夹",
        "edition_not_a_checkout": (
            "edition：{kit} 不是一个 git 检出：学习者版本取的是 git 跟踪的文件，所以请从本套件的一个克隆来构建它"
        ),
        "edition_no_learners_guide": 'edition：本套件的 README.md 中没有可以交给学习者的 "## Learner\'s guide" 一节',
        "edition_leak": (
            "edition：在 {out} 中发现了答案代码，什么都没有提交；请把这些文件排除在学习者版本之外"
            "（plugin/edition/__init__.py，LEFT_OUT）：\n  {leaks}"
        ),
        "class_epilog": "整个班级：python -m plugin.grade --class DIR（见 --class DIR --help）。",
        "class_plan": (
            "正在给 {folder} 中 {total} 份提交中的 {pending} 份评分；{current} 份已经用这个版本（{version}）的"
            "本套件评过分，予以保留（--regrade 会重新评分）。"
        ),
        "class_progress": "[{bar}] {done}/{total}  {name}：{outcome}  已用 {elapsed}，大约还剩 {left}",
        "class_outcome_scored": "{score}/{max_score}",
        "class_outcome_refused": "不是有效的上传",
        "class_outcome_not_graded": "无法评分（见成绩册的错误一栏）",
        "class_done": "成绩册：{path}（{rows} 份提交；{failed} 份无法评分，再次运行同一条命令时会重试）。",
        "class_interrupted": "已中断：到目前为止评过分的每份提交都在 {path} 中；再次运行同一条命令即可给其余的评分。",
        "class_no_folder": "grade：{folder}：没有这个文件夹",
        "class_empty": "grade：{folder} 中没有提交：每份提交必须是一个子文件夹、一个 .zip 或一个 .tar.gz",
        "class_kit_broken": "grade：本套件的练习目录坏了，什么都没有评分：{detail}",
        "class_duplicate_name": "有两份提交都叫 {name}（{first} 和 {second}）：跳过 {second}；请给其中一份改名",
        "class_upload_unreadable": "不是有效的上传：{archive} 不是可读的 {kind} 压缩包（{detail}）；请要求重新上传",
        "class_upload_outside": (
            "不是有效的上传：压缩包成员 {member} 会被写到提交之外（已拒绝）；请要求重新打包练习文件夹"
        ),
        "class_upload_link": (
            "不是有效的上传：压缩包成员 {member} 是一个链接或特殊文件（已拒绝）；请要求只含普通文件的压缩包"
        ),
        "class_upload_too_big": (
            "不是有效的上传：超过 {megabytes} MB，或者有超过 {members} 个和练习模块同名的文件（已拒绝）；"
            "请要求只上传练习模块"
        ),
        "class_grading_timeout": "评分没有在 {seconds:g} 秒内完成，已被停止：没有分数",
        "class_grading_failed": "评分无法运行（退出码 {code}）：{detail}",
        "class_output_flood": "提交的代码打印了 {megabytes} MB 的输出（已丢弃）",
        "class_worker_kit_differs": (
            "未评分：{worker} 上的 Dask 工作进程装的是另一个版本的本套件（它的版本 {theirs}，这里是 {ours}）；"
            "请在每个工作进程上安装这个版本"
        ),
        "class_worker_failed": "未评分：Dask 工作进程在评分时出错了（{detail}）",
        "class_dask_missing": 'grade：--dask-scheduler 需要 Dask distributed：pip install "dask[distributed]"',
        "class_no_scheduler": "grade：无法连接到 {address} 上的 Dask 调度器（{detail}）；它在运行吗？",
        "class_no_grading_workers": (
            "grade：{address} 上的 Dask 调度器没有任何工作进程提供 grading=1 资源（已等待 {seconds:g} 秒）；"
            '请在每台评分机器上运行：dask worker {address} --nworkers 1 --nthreads 1 --resources "grading=1"'
        ),
        # -- done means done right: pool spy, leftovers, skipped work (issue 9) --
        "failure.segment_already_unlinked": (
            "打开或 unlink 一个共享内存段时，它已经不存在了（{error}）：工作进程只能 close() 自己的句柄；"
            "unlink 只做一次，在创建它的进程中、在工作进程都完成之后"
        ),
        "leftovers.pool_never_closed": (
            "有 {count} 个 multiprocessing.Pool 从未关闭（它的工作进程一直运行到被垃圾回收器结束）："
            "请把进程池当作上下文管理器使用，with Pool(...) as pool:"
        ),
        "speedup.skipped_work": (
            "{workers} 个工作进程得到 {speedup:.2f} 倍的加速比，超过了 {workers} 个进程所能给出的"
            "（最多 {bound:.2f} 倍）："
            "这是跳过了工作（重用了之前某次调用的输出？），而不是加快了速度。每次调用都要完成全部工作"
        ),
        "poolspy.not_used": (
            "没有任何 multiprocessing.Pool 方法完成这项工作：请使用 {wanted}（线程、concurrent.futures 执行器和"
            "普通循环都不算）"
        ),
        "poolspy.threads": (
            "任务被交给了一个 ThreadPool（multiprocessing.dummy），它的工作者是本进程中的线程："
            "请使用 multiprocessing.Pool 的 {wanted}"
        ),
        "poolspy.wrong_method": "工作是通过 {used} 完成的：这个练习要求使用 {wanted}",
        "poolspy.call_count": "{wanted} 被调用了 {count} 次：这个练习需要 {expected}",
        "poolspy.size": "进程池有 {sizes} 个工作进程，这个练习要求 {expected} 个：请用给你的进程数来创建进程池",
        "poolspy.task_count": (
            "进程池调用交出了 {counts} 个任务：这个练习要求每次调用 {expected} 个（每个工作进程一块数据，"
            "每张图像或每个滤镜一个任务，如文档字符串所说）"
        ),
        "poolspy.large_task": (
            "一个 {size} 字节的任务被发给了工作进程：请发送引用（路径、共享内存段的名字、片段范围），而不是数据本身"
        ),
        "poolspy.no_task_ran": "{wanted} 的任务一个都没有在工作进程中运行：请把工作交给进程池",
        "poolspy.ran_here": (
            "{wanted} 的任务在本进程中运行，而不是在工作进程中：请使用 multiprocessing.Pool（而不是线程）"
        ),
        # -- language check: every text in every language (plugin/language_check.py, issue 13) --
        "language_missing_message": "消息 {message!r} 在 {present} 表中有，在 {missing} 表中却没有：请补上",
        "language_placeholders_differ": (
            "消息 {message!r} 在 {language} 表中的占位符是 {found}，英文表中是 {expected}：请使用相同的名字"
        ),
        "language_missing_text": "{path}：{what} 没有 {language} 文本：请添加 {entry}",
        "language_missing_lesson": "{present} 没有翻译：请在它旁边编写 {missing}",
        "language_code_differs": "{translation}：它的代码块和 {original} 中的不一样：请原样复制过去",
        "language_summary": "语言检查：{problems} 个问题",
        # -- step1 (issue 9/10 conversion) --
        "step1.ran_in_the_caller": (
            "有一个 {unit} 的工作是在调用你的函数的进程本身里运行的（循环或线程）：请为每个 {unit} "
            "启动一个 multiprocessing.Process，让它在子进程里运行"
        ),
        "step1.processes_per_unit": (
            "{count} 个 {unit} 只在 {processes} 个进程中运行：请为每个 {unit} 启动一个 "
            "multiprocessing.Process，并在 join 任何一个之前全部启动"
        ),
        "step1.not_children": (
            "工作报告自进程 {pids}，但它们从来不是你的代码启动的子进程：请在你启动的 multiprocessing.Process 中运行它"
        ),
        "step1.child_pid_not_a_child": (
            "子进程 pid {child!r} 不是你的代码启动的子进程的 pid：请启动 "
            "Process(target=report_pid, args=(queue,))，并返回它放进队列的 pid"
        ),
        "step1.counts_malformed": ("你的代码创建的队列数量的记录格式不对：是不是改动了本套件的探针？"),
        "step1.report_pid_not_run": (
            "report_pid 没有恰好运行一次、并且在你返回的子进程 {child!r} 中运行：请把它作为 target "
            "交给一个 multiprocessing.Process，并返回它放进队列的值"
        ),
        "step1.not_a_queue": (
            "report_pid 收到的是 {type}：本课使用的通道是 multiprocessing.Queue()，在父进程中创建一次，"
            "作为 Process 的参数传进去"
        ),
        "step1.joined_before_reading": (
            "子进程的 pid 还没被读取，它就不得不先退出了：请先调用 queue.get()，再 join()"
            "（子进程把很大的值放进队列后，要等父进程读走才能退出）"
        ),
        # -- step2 (issue 9/10 conversion) --
        "step2.affinity_count": (
            "usable_cpus() 返回 {count}；这个进程可以使用 {expected} 个 CPU（它的亲和性集合）：请计算 "
            "len(os.sched_getaffinity(0))，而不是 os.cpu_count()"
        ),
        "step2.pinned_count": (
            "这个进程被绑定到了一个 CPU 上（就像在 taskset -c 0 下那样），usable_cpus() 却返回 {count}：请计算它的"
            "亲和性集合 len(os.sched_getaffinity(0))"
        ),
        "step2.quota_below_one": (
            "cpu.max 为 {cpu_max!r} 时 usable_cpus() 返回 {count!r}：请返回一个 int，而且一个进程至少总能使用 1 个 CPU"
        ),
        "step2.quota_count": (
            "cpu.max 为 {cpu_max!r}、亲和性集合中有 {cpus} 个 CPU 时，usable_cpus() 返回 {count}，应为 {expected}"
            "（配额 quota / period 向下取整后限制 CPU 数；'max' 表示没有配额）"
        ),
        "step2.fractional_count": (
            "cpu.max 为 {cpu_max!r}、亲和性集合中有 8 个 CPU 时，usable_cpus() 返回 {count}，应为 {expected}"
            "（math.floor(quota / period)，不超过亲和性集合，也不小于 1）"
        ),
        "step2.map_order": (
            "结果是 {results}，应为 {expected}：请保持 items 的顺序（第一个最后完成）；Pool.map 会保持顺序"
        ),
        "step2.starmap_order": (
            "结果是 {results}，应为 {expected}：请保持 arg_tuples 的顺序（第一个任务最后完成）；Pool.starmap 会保持顺序"
        ),
        "step2.starmap_unpack": (
            "结果是 {results}，应为 {expected}：每个元组是一次调用的全部参数；Pool.starmap 会把它们拆开传入"
        ),
        "step2.ran_in_caller": "任务在调用你的函数的进程中运行，而不是在工作进程中：请使用 multiprocessing.Pool",
        "step2.pids_not_seen": (
            "任务报告自己运行在进程 {pids} 中，但在你的代码启动的进程里从未见过它们：请返回任务本身的返回值，"
            "并让它们在你的进程池的工作进程中计算"
        ),
        "step2.distinct_workers": (
            "两个必须同时运行的任务只用了 {count} 个进程：它们需要两个工作进程，也就是按给你的大小创建的进程池"
        ),
        "step2.chunks_split": (
            "{items} 个元素、2 个工作进程：Pool.map 默认的分块大小每次交出 {chunk} 个元素，同一块中的元素在一个"
            "工作进程中依次运行；从第 {first} 个元素开始的那一块被拆到了不同的工作进程：请调用 "
            "pool.map(func, items)，不要传 chunksize"
        ),
        "step2.chunk_never_met": (
            "元素 0 等待元素 {chunk} 在另一个工作进程中同时运行，但它一直没有来：2 个工作进程时，Pool.map 默认的"
            "分块大小会把它们放进不同的任务（每块 {chunk} 个元素）；更大的分块、更少的工作进程或一个循环都会让它们"
            "先后运行：请调用 pool.map(func, items)，不要传 chunksize"
        ),
        "step2.tasks_never_met": (
            "几个必须同时运行、各自在一个工作进程中的任务始终没有全部到齐：循环、同一进程中的线程、比要求更小的进程池，"
            "或者一次只交出一个任务，都会让它们先后运行"
        ),
        "step2.affinity_changed": (
            "运行 usable_cpus() 的进程被绑定到了一个 CPU 上，你的代码却改变了它的亲和性：usable_cpus() 只应读取它"
        ),
        "step2.worker_count": "{workers} 个工作进程运行了 {tasks} 个任务，应为 {expected} 个",
        "step2.one_worker": "{tasks} 个任务在 {workers} 个工作进程中运行；processes=1 要求进程池只有 1 个工作进程",
        "step2.use_context_manager": "请把进程池当作上下文管理器使用（with multiprocessing.Pool(...) as pool:）",
        # -- step3 shared and chunks (issue 9/10 conversion) --
        "step3.record_tampered": "套件装在你的代码进程里的记录器返回了格式不对的内容：请不要改动套件的记录器",
        "step3.not_squared": "数组里不是各元素的平方：每个工作进程应原地求出自己那一段的平方",
        "step3.squared_before_the_pool": "创建进程池时数组就已经被改动了：请在进程池的工作进程中求平方，而不是之前",
        "step3.squared_by_the_caller": (
            "进程池的结果就绪时数组还没有被平方：工作进程要自己把平方写进共享数组，而不是把值发回来再由调用进程写入"
        ),
        "step3.worker_error_not_raised": (
            "工作进程处理整数数据时失败了，但 transform_in_shared_memory 抛出的是 {raised}：让进程池的错误"
            "（TypeError）传回调用者，并在 finally: 块中释放共享内存段"
        ),
        "step3.caller_wrote_the_counter": (
            "调用进程在启动子进程之后写了计数器 {writes} 次：只应由子进程累加，并按它们留下的结果返回 counter.value"
        ),
        "step3.lock_per_increment": (
            "为了 {increments} 次加一，计数器的锁在工作进程中被获取了 {taken} 次：请在子进程中为每一次加一单独加锁"
            "（with counter.get_lock(): counter.value += 1），不要每个进程只加一次锁，也不要不加锁"
        ),
        "step3.forced_start_method": (
            "进程是用 {methods} 启动方式启动的，而本次运行使用 {session}：请直接使用 multiprocessing.Process 和 "
            "Value；只能在 fork 下运行的代码在评分环境中会失分"
        ),
        "step3.counter_type": (
            '计数器被创建为 multiprocessing.Value({made})：请按文档字符串所说创建 multiprocessing.Value("i", 0)，'
            "并保留它自带的锁（默认）"
        ),
        "step3.tasks_were_views_of_the_segment": (
            "套件读取你交给进程池的任务时，运行你代码的进程崩溃了：某个任务持有一个共享内存段的 NumPy 视图，"
            '而这个段随后被关闭了。"shared_memory" 策略只应把段的名字、shape、dtype 和 (start, stop) 发给工作进程，'
            "绝不能发送它的视图切片"
        ),
        "step3.chunks_worker_error_not_raised": (
            '"shared_memory" 策略的一个工作进程失败了，但 compare_strategies 抛出的是 {raised}：'
            "让进程池的错误传回调用者，并在 finally: 块中释放共享内存段"
        ),
        "step3.chunks_segment_left": (
            '"shared_memory" 策略的一个工作进程失败后，共享内存段 {names} 一直没有被 unlink：'
            "请在 finally: 块中 close() 并 unlink() 这个段"
        ),
        # -- step3 tasks (issue 9/10 conversion) --
        "step3.tasks.apply_results": (
            "blocking_results 返回了 {results}，应为 {expected}：每个 item 按顺序调用一次 pool.apply(func, (item,))"
        ),
        "step3.tasks.apply_ran_in_caller": (
            "func 在调用 blocking_results 的进程（或它的线程）里运行了：用 pool.apply 把每个任务交给 "
            "multiprocessing.Pool 的工作进程"
        ),
        "step3.tasks.apply_one_pool": (
            "只有一个工作进程的进程池却在 {count} 个进程里运行了任务：只创建一个进程池，在其中 apply 每个 item"
        ),
        "step3.tasks.pids_not_seen": (
            "进程号 {pids} 从未出现在你的函数启动的进程中：请在进程池的工作进程里完成计算，并返回它们算出的结果"
        ),
        "step3.tasks.apply_overlapped": (
            "有两个任务同时运行了：apply() 会阻塞到结果返回为止，所以请对每个 item 依次调用一次"
        ),
        "step3.tasks.async_order": (
            "结果为 {results}，应为 {expected}：保持提交顺序（第一个任务最后完成）：按提交的顺序对每个 "
            "AsyncResult 调用 get()"
        ),
        "step3.tasks.async_values": "async_results 返回了 {results}，应为 {expected}",
        "step3.tasks.async_not_together": (
            "3 个任务中只有 {count} 个在工作进程里到达了屏障：先用 apply_async 把所有任务都提交给进程池，"
            "再对任何一个调用 get()"
        ),
        "step3.tasks.async_ran_in_caller": (
            "任务在调用 async_results 的进程（或它的线程）里运行了：用 apply_async 把它们提交给 multiprocessing.Pool"
        ),
        "step3.tasks.callback_raised": (
            "你的回调函数在处理 item {item} 时抛出了 {error}：回调在进程池的结果线程里运行，那里的异常会让之后的"
            "结果全部丢失；回调要简短，并确保它永远不抛出异常"
        ),
        "step3.tasks.callbacks_not_given": (
            "每次 apply_async 调用的（是否给了 callback，是否给了 error_callback）：{submitted}；"
            "应为每个 item 调用一次，并且两者都给"
        ),
        "step3.tasks.callbacks_read": (
            "结果是用 AsyncResult.{how}() 读取的（{count} 次调用）：让 callback 和 error_callback 保存结果，"
            "然后对进程池调用 close() 和 join()"
        ),
        "step3.tasks.callbacks_missing": (
            "item {items} 没有任何结果：返回前先对进程池调用 close() 和 join()，让每个回调都运行完，"
            "并给 apply_async 同时传 callback 和 error_callback"
        ),
        "step3.tasks.callbacks_results": "results 为 {results}，应为 {expected}：results[item] = func(item)",
        "step3.tasks.callbacks_errors": "errors 为 {errors}，应为 {expected}：格式为 '<ExceptionType>: <message>'",
        "step3.tasks.callbacks_outcomes": "(results, errors) 为 {outcomes}，应为 {expected}",
        "step3.tasks.scaler_values": (
            "make_scaler({factor}) 对 {values} 给出了 {results}：每个值都应乘以 {factor}，"
            "即 f(value) == scale(value, factor)"
        ),
        "step3.tasks.scaler_not_partial": (
            "make_scaler({factor}) 返回了 {described}：请返回 functools.partial(scale, factor=factor)，"
            "即对模块级函数 scale 的偏函数，用关键字参数固定 factor"
        ),
        "step3.tasks.scaler_unpicklable": (
            "make_scaler 的返回值无法序列化 (pickle)（{error}）：请使用 functools.partial(scale, factor=factor)"
        ),
        "step3.tasks.scaler_spawned": (
            "spawn 方式启动的工作进程把 make_scaler(3) 映射到 [1, 2] 上得到 {results}，应为 [3, 6]"
        ),
        "step3.tasks.make_scaler_calls": "make_scaler 被调用时的 factor 为 {factors}：只调用一次 make_scaler(factor)",
        "step3.tasks.other_callable": "Pool.map 映射的是 {func}：请映射 make_scaler(factor) 返回的可调用对象",
        "step3.tasks.scale_all_pids": (
            "任务运行在进程 {pids} 中：在一个工作进程数与要求相同的进程池里映射 make_scaler(factor)"
        ),
        "step3.tasks.scale_all_results": (
            "scale_all({values}, {factor}) 返回了 {results}：应按顺序把每个值乘以 {factor}"
        ),
        "step3.tasks.other_error": "get() 抛出了 ValueError: {error}；应为任务自身的错误：negative input -3",
        "step3.tasks.error_swallowed": (
            "-3 对应的任务抛出了 ValueError，async_results 却返回了 {results}：让 get() 把它重新抛出，不要捕获它"
        ),
        "step3.tasks.scale_all_not_together": (
            "三个任务从未同时运行：在有 processes 个工作进程（这里是 3 个）的进程池里映射 make_scaler(factor)"
        ),
        # -- step4 (issue 9/10 conversion) --
        "step4.filtered_here": (
            "有图像在 {function} 自己的进程中被滤波了：请把工作交给进程池，由它的工作进程打开并处理图像"
        ),
        "step4.workers_of_one_pool": (
            "任务运行在 {count} 个不同的工作进程中，多于一个 Pool({processes}) 的 {processes} 个："
            "请为整个文件夹创建一个进程池并重复使用它，而不是每张图像创建一个"
        ),
        "step4.sequential_children": (
            "filter_folder_sequential 启动了 {count} 个子进程：它应该在自己的进程中一张接一张地处理图像，不使用进程池"
        ),
        "step4.not_apply_one_filter": (
            "apply_one_filter 被调用的滤镜是 {called}，{where}：请在 apply_filters 中为 FOUR_FILTERS 的每个名字"
            "（{expected}）按顺序调用它一次"
        ),
        "step4.apply_one_filter_elsewhere": "调用发生在进程 {pids} 中，而不是运行 apply_filters 的进程",
        "step4.apply_one_filter_here": "调用发生在运行 apply_filters 的进程中",
        "step4.unreadable_image": "{name} 无法读取（测试故意让这个任务失败）",
        "step4.pool_left_after_failure": (
            "一个任务抛出异常之后，你的进程池的工作进程 {pids} 仍在运行：请在 with 块中创建进程池"
            "（或在 finally 中结束它），这样即使有任务失败它也会被结束"
        ),
        "step4.start_method": (
            "进程池的工作进程是用 {used} 启动的，但这次运行使用的是 {expected}：不要强制指定启动方式"
            "（get_context、set_start_method）；只能在 fork 下运行的代码会在评分命令中失分。"
            "请把任务需要的东西作为参数传递（functools.partial）"
        ),
        "step4.not_the_given_pool": (
            "任务运行在进程 {pids} 中，它们不是传给 eight_filters 的那个进程池的工作进程："
            "请使用那个进程池，不要自己创建"
        ),
        "step4.outputs_of_this_call": (
            "{approach}：{folder} 中有 {found}，应该是 {expected}：每次调用都必须重新运行每种方法，"
            "输出到 out_folder / name（绝不能重用之前某次调用的计时或输出）"
        ),
        "step4.images_not_together": (
            "虽然进程池为每张图像准备了一个工作进程，这些图像却从来没有同时被处理：请让每张图像成为单独的一个任务"
            "（使用 map 默认的 chunksize，不要用把几张图像合在一起的 chunksize）"
        ),
        "step4.filters_not_together": (
            "这些滤镜从来没有同时运行：请用一次 pool.map 把八个滤镜一起交给进程池，"
            "而不是一次 apply（或一次 get()）处理一个"
        ),
        # -- step5 (issue 9/10 conversion) --
        "dask.task_outside_cluster": (
            "有一个任务在 Dask 集群之外运行（在进程 {pid} 中，它不是 Dask 工作进程）：请用函数收到的 client"
            "（client.submit、client.map）把每个任务都放到集群上运行，不要在你自己的进程、它的线程或本地进程池"
            "（dask.compute、multiprocessing）中运行"
        ),
        "dask.local_cluster_failed": (
            "本套件的本地 Dask 集群没有在 {seconds} 秒内启动（错误信息见上方）：请检查是否安装了 dask[distributed]"
            "（pip install -e .），或者用 --dask-scheduler 指定一个正在运行的调度器"
        ),
        "dask.transient_failures": "{item} 的临时失败（第 {attempt} 次，共 {failures} 次）",
        # -- grading (issue 9/10 conversion) --
        "grade.channel_broken": "结果通道里出现了本套件从不写出的内容（{found}）：这次运行报告的任何内容都不采用",
        "grade.no_results": "这次运行没有报告任何结果：{ending}",
        "boundary.forked": (
            "虽然测试在 {start_method} 下运行，却有 {count} 个进程是运行你代码的进程用 fork 复制出来的："
            "请用本套件设定的启动方式创建子进程（不要用 set_start_method('fork') 或 get_context('fork')），"
            "并把模块顶层定义的函数交给它们"
        ),
        # -- plugin self-tests (issue 9/10 conversion) --
        # -- the process boundary (plugin/boundary/, issue 10) -------------------------------------------
        "poolspy.unknown_workers": (
            "任务声称运行在进程 {pids} 中，但在你的代码启动的进程里从未见过它们：工作必须在你的进程池的工作进程中运行"
        ),
        "poolspy.malformed": "你的进程池调用记录返回时格式不对：套件的进程池监视器被改动了吗？",
        "boundary.no_learner": "只有在测试运行时（在它的学习者进程中）才能调用学习者的代码",
        "boundary.ended": "测试已经结束：它的学习者进程已经退出",
        "boundary.inheritance_after_start": (
            "测试在学习者进程启动之后才传入一个只能通过继承共享的对象（{error}）："
            "请在测试第一次调用学习者代码之前创建它"
        ),
        "boundary.died": (
            "运行你的代码的进程意外退出了（退出码 {code}）：你的代码中的某处结束了它"
            "（os._exit、信号或崩溃）。它最后的输出：\n{output}"
        ),
        "boundary.not_plain": (
            "你的代码返回了不是普通数据的东西（{what}）：请返回内置类型的值（数字、字符串、列表、元组、字典）、"
            "路径或 NumPy 数组，而不是你自己定义的类的对象"
        ),
        "boundary.unpicklable": (
            "你的代码返回了 {type}（{value}），它无法离开所在的进程：请返回普通数据"
            "（数字、字符串、列表、元组、字典、路径、NumPy 数组）"
        ),
        "boundary.cannot_send": "测试的参数无法发送给运行你的代码的进程（{error}）",
        "boundary.output_section": "你的代码的输出",
        "boundary.raised": "你的代码抛出了 {type}：{message}",
    },
}
