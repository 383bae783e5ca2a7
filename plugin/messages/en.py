"""The English table: every sentence a learner or grader reads, by stable key (the reference every
other language's table follows, key for key and placeholder for placeholder)."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        # -- report stamping: todo lines, explanations, seed (house, issue 11) --------------------------
        "todo": "not implemented yet: {location}",
        "todo.other_stub": "not implemented yet: {location} ({stub})",
        "todo.detail": "not implemented yet: {location}  ({exercise}: {title})",
        "todo.detail_other_stub": "not implemented yet: {location}  ({stub}, which {exercise} uses)",
        "failure.with_hint": "{explanation}\nhint ({exercise}): {hint}",
        "seed.rerun": "inputs were seeded with {seed}; rerun with: {command}",
        # -- failure explanations (plugin/session/failures.py) ----------------------------------------
        "failure.pickling": (
            "something sent to another process could not be pickled ({error}). Lambdas and functions "
            "defined inside other functions have no importable name: define the function at module level, "
            "and fix arguments with functools.partial."
        ),
        "failure.inheritance": (
            "a Lock, Value, Array or Queue was sent as a task argument ({error}). Synchronized objects are "
            "shared only through inheritance: hand them to the workers with Pool(initializer=..., "
            "initargs=...) or Process(args=...), or use a Manager's proxies."
        ),
        "failure.main_guard": (
            "a child process started processes while importing the main module. Under spawn and forkserver "
            'every child imports it: put the code that starts processes under if __name__ == "__main__":'
        ),
        "failure.not_together": (
            "the tasks never ran at the same time: the test's barrier lets them through only when all of "
            "them wait at it together. Run them in parallel: start every process before joining any, or use "
            "a pool with enough workers."
        ),
        "failure.worker_died": (
            "a worker process died abruptly ({error}): it was killed, crashed, or called os._exit(), and the "
            "pool cannot finish its tasks."
        ),
        # a callback that raised stopped the pool's result-handler thread (lessons, issue 16)
        "failure.callback_raised": (
            "{failure}: a callback of apply_async raised an exception. Callbacks run in the pool's "
            "result-handler thread, in your process: an exception there stops that thread (a KeyError leaves "
            "its task unfinished instead), so get() and join() wait forever and leaving the with block fails. "
            "Keep callbacks short and never let them raise (catch errors inside the callback)."
        ),
        "failure.segment_already_unlinked": (
            "a shared-memory segment was gone when it was opened or unlinked ({error}): a worker must only "
            "close() its handle; unlink once, in the creator, after the workers are done"
        ),
        "failure.in_worker": "{error} — raised inside a worker process. The worker's traceback:\n{traceback}",
        # -- timeouts (plugin/safety/hang_guard.py) ---------------------------------------------------
        "timeout.terminated": ", and {count} child process(es) were terminated",
        "timeout": (
            "timed out after {seconds:g} s{terminated}. A multiprocessing program that never ends usually "
            "has: a join() on a process that never finishes; a queue.get() or pool result that never comes "
            "(a worker crashed, or left with os._exit, and the pool waits forever); a join() before reading "
            "a queue that holds large results; or a lock that is never released."
        ),
        "timeout.callback": "timed out after {seconds:g} s{terminated}",
        "timeout.worker_exited": (
            "timed out after {seconds:g} s{terminated}: a pool worker exited with code {codes} while it held "
            "a task, and the pool waits forever for its result. Did a task call os._exit() or sys.exit(), or "
            'crash, or does your module start processes at import time, outside if __name__ == "__main__": ?'
        ),
        # -- leftovers (plugin/safety/leftovers.py) ---------------------------------------------------
        "leftovers.pool_workers": (
            "{count} pool worker process(es) were still running: use the pool as a context manager "
            "(with Pool(...) as pool:) or call close() and join()"
        ),
        "leftovers.pool_never_closed": (
            "{count} multiprocessing.Pool(s) were never closed (its workers kept running until the garbage "
            "collector ended them): use the pool as a context manager, with Pool(...) as pool:"
        ),
        "leftovers.running": "{count} child process(es) were still running: join() every process you start",
        "leftovers.unjoined": "{count} child process(es) had finished but were never joined: call join()",
        "leftovers.segments": (
            "{count} shared-memory segment(s) were never unlinked ({names}): close() them in every process "
            "and unlink() once, when the work is done"
        ),
        "leftovers.cleaned": "{problems} (cleaned up by the kit)",
        "leftovers.children": "{count} child process(es) still running or never joined: {advice}",
        "list.separator": "; ",
        # -- speedup (plugin/measure/speedup.py) ------------------------------------------------------
        "speedup.too_low": (
            "speedup too low: {speedup:.2f}x with {workers} workers (sequential {sequential_s:.3f} s, parallel "
            "{parallel_s:.3f} s), needed {required:.2f}x: this machine has reached {capacity:.2f}x on a reference "
            "workload during this run. Does the work really run in {workers} processes at once, with one pool "
            "created once, and little data sent to the workers?"
        ),
        "speedup.results_differ": (
            "{exercise}: the parallel version returned a different result from the sequential one, so there "
            "is no speedup to measure"
        ),
        "speedup.too_few_cpus": "needs {workers} usable CPUs, this process may use {cpus}",
        "speedup.cannot_tell": (
            "with {workers} workers this machine reaches {capacity:.2f}x on the reference workload, and "
            "starting them takes {startup_s:.2f} s of this {sequential_s:.2f} s workload: at most "
            "{attainable:.2f}x, too little to tell parallel code from sequential code"
        ),
        "speedup.skipped_work": (
            "speedup of {speedup:.2f}x with {workers} workers is more than {workers} processes can give "
            "({bound:.2f}x at most): work was skipped (outputs reused from an earlier call?), not sped up. "
            "Do all the work on every call"
        ),
        "speedup.ran_in_caller": (
            "the work ran in the calling process, not in worker processes: during the parallel run that process "
            "itself used CPU time equal to {share:.0%} of the sequential run's (a loop, threads, or a loop that "
            "keeps checking whether results are ready). Hand the work to the worker processes (a pool's, or the "
            "cluster's through the client), and let the caller only send tasks and wait for results with "
            "get(), wait() or gather()"
        ),
        "speedup.below_required": "below the required speedup",
        "speedup.busy": (
            "The machine was busier than its best during {busy} of the attempts (other work running): if your "
            "code does run in parallel, rerun when the machine is quieter."
        ),
        "speedup.out_of_time": (
            "The machine was so slow that the measurement stopped after {attempts} attempt(s), before the test's "
            "time limit (ini lab_speedup_timeout): rerun when the machine is quieter."
        ),
        "speedup.fixture_needs_marker": "{nodeid}: the speedup fixture needs an @pytest.mark.exercise test",
        # -- the pool spy (plugin/safety/poolspy.py): a done that can be trusted (issue 9) -----------
        "poolspy.not_used": (
            "no multiprocessing.Pool method did the work: use {wanted} (threads, concurrent.futures "
            "executors and plain loops do not count)"
        ),
        "poolspy.threads": (
            "the tasks went to a ThreadPool (multiprocessing.dummy), whose workers are threads of this "
            "process: use {wanted} of a multiprocessing.Pool"
        ),
        "poolspy.wrong_method": "the work went through {used}: the exercise asks for {wanted}",
        "poolspy.call_count": "{wanted} was called {count} time(s): the exercise needs {expected}",
        "poolspy.size": (
            "the pool had {sizes} worker(s), the exercise asked for {expected}: create the pool with the "
            "number of processes you are given"
        ),
        "poolspy.task_count": (
            "the pool calls handed over {counts} task(s): the exercise asks for {expected} per call "
            "(one chunk per worker, one task per image or per filter, as the docstring says)"
        ),
        "poolspy.large_task": (
            "a task of {size} bytes went to a worker: send a reference (a path, a segment name, slice "
            "bounds), not the data itself"
        ),
        "poolspy.no_task_ran": "no task of {wanted} ran in a worker: hand the work to the pool",
        "poolspy.ran_here": (
            "tasks of {wanted} ran in this process, not in worker processes: use a multiprocessing.Pool (not threads)"
        ),
        # -- collection (plugin/session/collection.py) ------------------------------------------------
        "collection.no_marker": (
            "{nodeid} belongs to no exercise: decorate it with "
            '@pytest.mark.exercise("{step}.<function_name>") (this step has: {names})'
        ),
        "collection.many_markers": "{nodeid} has {count} exercise markers: a test belongs to exactly one exercise",
        "collection.marker_form": '{nodeid}: write the marker as @pytest.mark.exercise("stepN.<function_name>")',
        "collection.unknown_exercise": (
            "{nodeid}: {exercise!r} is not an exercise; declare it in exercises/{step}/__init__.py or fix the marker"
        ),
        "collection.failed": "it could not be collected",
        "collection.marker_help": "{marker}(id): the exercise (stepN.<function_name>) this test belongs to",
        "catalog.error": "parallel-lab: {error}",
        "catalog.not_literal": "{path}: {name} must be a plain literal ({error})",
        "catalog.not_a_dict": "{path}: EXERCISES must be a dict of name -> {{'title', 'hint'}}",
        "catalog.entry_not_a_dict": "{path}: EXERCISES[{name!r}] must be a dict with 'title' and 'hint'",
        "catalog.no_function": "{path}: exercise {name!r} is not a function of any module in {folder}",
        # -- terminal summary (plugin/outputs/terminal.py) --------------------------------------------
        "header": (
            "parallel-lab: target {target}, start method {start_method}, {cpus} usable CPUs, language {language}, "
            "seed {seed} (rerun with --lab-seed {seed})"
        ),
        "header.note": "parallel-lab: {note}",
        "summary.progress": "Parallel Lab: progress ({target})",
        "summary.speedup": "Parallel Lab: speedup",
        "summary.step": "{step}  {title} {bar} {done}/{total} done",  # title padded by display width
        "summary.collection_error": "{step}: could not collect {error}: fix that first (the error is shown above)",
        "summary.all_done": "All exercises of the steps you ran are done.",
        "summary.next": "Next: {exercise} — {title} ({state})",
        "summary.edit": "      edit {location}",
        "summary.also_failing": "Also failing:",
        "summary.failing_exercise": "  {exercise} — {title}",
        "summary.hint": "hint: {hint}",
        "summary.speedup_heading": "exercise",
        "summary.verdict_heading": "verdict",
        "summary.verdict_reason": "{verdict} ({reason})",
        "status.done": "done",
        "status.todo": "todo",
        "status.failing": "failing",
        "status.not-run": "not run this time",
        "verdict.pass": "pass",
        "verdict.fail": "fail",
        "verdict.not-measured": "not-measured",
        "summary.column.workers": "workers",
        "summary.column.sequential_s": "seq s",
        "summary.column.parallel_s": "par s",
        "summary.column.speedup": "speedup",
        "summary.column.required": "required",
        "summary.column.capacity": "capacity",
        "summary.column.of_capacity": "of cap.",
        "chart.title": "Parallel Lab: measured speedups",
        "chart.y_label": "speedup over sequential (x)",
        "chart.capacity": "capacity",
        "chart.required": "required",
        # -- grading (plugin/grading/) ----------------------------------------------------------------
        "exercise.name": "{exercise}: {title}",
        "grade.tally": "{passed} of {counted} tests passed",
        "grade.not_measured": "; {count} speedup test(s) not measured on this machine (no points either way)",
        "grade.all_or_nothing": "; this exercise scores only when every test passes",
        "grade.hint": "hint: {hint}",
        "grade.first_problem": "{test}: {message}",
        "grade.none_ran": "none of its tests ran",
        "grade.summary": (
            "Parallel Lab: {score:g} / {max_score:g} points; {full} of {count} exercises complete (seed {seed})"
        ),
        "gradescope.leaderboard": "{exercise} speedup",
        "grade.row": "{number:>5} {exercise:<36} {score:g}/{max_score:g}",
        "grade.missing_module": "{module} is missing from the submission: its exercises are graded on the stub",
        "target.missing_module": "{module} is missing from the submission: its exercises use the stub",
        "grade.whole_run_timeout": "the whole-run timeout ({timeout:g} s) ended the run before {which} finished",
        "grade.killed": "the run was killed by signal {signal} before {which} finished",
        "grade.ended_early": "the run ended (exit code {code}) before {which} finished",
        "grade.this_test": "this test",
        "grade.every_test": "every test",
        "grade.did_not_run": "this test did not run",
        "grade.cannot_import": "its test module could not import the submission: {error}",
        "grade.no_message": "(no message)",
        "grade.forged": "{count} result line(s) were not written by the kit",
        "grade.tampering": "tampering detected: {found}",
        # -- grading command: the boundary around learner code (issue 10) ---------------------------
        "grade.could_not_grade": "could not grade: {reason}",
        "grade.stderr": "grade: {message}",
        "grade.write_failed": "grade: {path}: {error}",
        "grade.time_limit": "the grading took longer than its limit of {seconds:g} s",
        "grade.unexpected": "the grading command failed ({error}); the submission was not scored",
        "grade.no_folder": "{path}: no such folder",
        "grade.upload_unreadable": "{path} in the submission was not read ({why})",
        "upload.not_regular": "not a regular file",
        "upload.too_large": "larger than {limit_kib} KiB",
        "upload.unreadable": "unreadable",
        "sandbox.runs_as_root": (
            "the submission ran as root: the unprivileged account cannot run {python} ({why}); let other "
            "users read and search the Python installation (see the README's grader's guide)"
        ),
        "grade.oversized_lines": "{count} result line(s) longer than {limit_kib} KiB were sent to the grader",
        "grade.flooded": "the result channel was flooded with more than {limit_mib} MiB",
        "grade.kit_changed": "the kit's files were changed during the run: {paths}",
        "grade.forked": (
            "{count} process(es) were forked from the process running the submission although the grading "
            "runs under {start_method} (set_start_method('fork'), get_context('fork') or os.fork)"
        ),
        "grade.not_collected": "the kit's tests could not be collected (pytest exit code {code})",
        "stream.key_missing": "--lab-stream-fd is for the grading command: it hands the key over in {variable}",
        # -- settings (plugin/settings.py) ------------------------------------------------------------
        "settings.choose_one": "{where} = {value!r}: choose one of {choices}",
        "settings.start_method_unavailable": "{where} = {value}: this start method is not available on this platform",
        "settings.fraction": "{where} = {value!r}: write a number between 0 and 1",
        "settings.seconds": "{where} = {value!r}: write a number of seconds greater than 0",
        "settings.no_folder": "{where} {value}: no such directory",
        "settings.two_targets": "--solutions and --submission DIR exclude each other: choose one target",
        "settings.submission_equals": (
            "pytest took {rootdir} as the rootdir because it read the submission folder as a test path: "
            "write the option with '=', as in  pytest --submission={submission}"
        ),
        # -- step 5: the Dask cluster (plugin/cluster, plugin/settings.py; dask, issue 14) ------------
        "dask.bad_address": (
            "{where} = {value!r} is not a Dask scheduler address: write it as tcp://HOST:PORT, "
            "e.g. tcp://10.0.0.5:8786 (the address `dask scheduler` prints)"
        ),
        "dask.unreachable": (
            "could not connect to the Dask scheduler at {address} ({error}): is `dask scheduler` "
            "running there, and is its port open from this machine?"
        ),
        "dask.not_importable": (
            "the workers of the Dask scheduler at {address} cannot import {modules}, even after "
            "the kit uploaded them: install the kit on every worker (pip install -e . in a copy of it) and start "
            "the workers again"
        ),
        "dask.workers_missing": (
            "the cluster did not get its {workers} worker(s) back within {seconds} s: a "
            "worker that died was not replaced; restart the cluster (or the test run)"
        ),
        "dask.barrier_timeout": "{count} of {parties} tasks met at the barrier within {seconds} s",
        "dask.left_open": (
            "{clients} Dask Client(s) and {clusters} cluster(s) created by your code were still open: "
            "use the client the function receives instead of starting your own, or close what you start "
            "(with Client(...) as client:) (closed by the kit)"
        ),
        # -- authoring check: the course's own consistency (plugin/course_check.py, issue 11 item 7) --
        "course_catalog_error": "the catalog cannot be read: {error}",
        "course_given_missing": "given helper {name}() is in {present} but not in {missing}: copy it there unchanged",
        "course_given_differs": "given helper {name}() differs between {stub} and {solution}: make them identical",
        "course_constant_missing": "constant {name} is in {present} but not in {missing}: copy it there unchanged",
        "course_constant_differs": "constant {name} differs between {stub} and {solution}: make them identical",
        "course_stub_not_in_catalog": (
            "{exercise_id} in {path} is not an exercise of the catalog: add it to the step's EXERCISES, "
            "or start its docstring with '{given}' if the learner is given it"
        ),
        "course_stub_does_not_raise": (
            '{exercise_id}: its stub in {path} must raise NotImplementedError("{exercise_id}: see the docstring")'
        ),
        "course_stub_raise_names_other": (
            "{exercise_id}: its stub raises NotImplementedError({message!r}) at {path}:{line}; "
            "the message must start with its own id"
        ),
        "course_solution_missing_exercise": "{exercise_id} has no solution in {path}",
        "course_solution_not_implemented": "{exercise_id}: its solution in {path} still raises NotImplementedError",
        "course_solution_module_missing": "{stub} has no solution module {solution}",
        "course_module_unparsable": "{path}:{line} does not parse ({error}): fix it first",
        "course_lesson_missing": "{step} has no lesson: write {path} with an '## Exercises' section",
        "course_lesson_no_exercise_list": (
            "{path} has no '## Exercises' section listing the step's exercises as `name`s"
        ),
        "course_lesson_lists_unknown": "{path} lists `{exercise_id}`, which is not an exercise of the catalog",
        "course_lesson_omits": "{path} does not list {exercise_id} in its '## Exercises' section",
        "course_summary": "course check: {problems} problems",
        # -- Exercism results.json (plugin/outputs/exercism.py, issue 11 item 4) --
        "exercism_test_name": "{exercise_id}: {test}",
        "exercism_output_truncated": "Output was truncated. Please limit to {limit} chars.",
        "exercism_failed_without_message": "this test did not pass (no message)",
        "exercism_no_test_ran": "no test could run:\n{errors}",
        "exercism_collection_error_name": "{step}: the tests could not be collected",
        # -- lab: the learner's loop (plugin/lab/, issue 12) --
        "lab_no_kit": (
            "lab: no Parallel Lab checkout here ({folder}): run lab inside the folder you cloned the kit into."
        ),
        "lab_unknown_exercise": (
            "lab: {exercise!r} is not an exercise. Run `lab list` to see them all, as stepN.<function_name>."
        ),
        "lab_all_done": "Every exercise is done. Well done!",
        "lab_status_done": "done",
        "lab_status_todo": "todo",
        "lab_status_failing": "failing",
        "lab_status_unknown": "not checked yet",
        "lab_step_line": "{step}  {title} {bar} {done}/{total} done",  # title padded by display width
        "lab_list_row": "  {mark} {exercise:<36} {status} {points:>4g} pt  {location}",  # status padded likewise
        "lab_current": "{exercise} — {title}",
        "lab_edit": "edit {location}",
        "lab_status_line": "status: {status} ({tests_passed}/{tests} tests pass)",
        "lab_status_only": "status: {status}",
        "lab_checked": "checked at {time}",
        "lab_last_run": "run #{run} took {seconds:.1f} s",
        "lab_not_checked": "not checked yet: save the file, or press r to run its tests",
        "lab_collection_error": "its tests could not be loaded: {problem}",
        "lab_speedup": (
            "speedup {speedup}x with {workers} workers (required {required}x, machine capacity {capacity}x): {verdict}"
        ),
        "lab_speedup_reason": "speedup not measured: {reason}",
        "lab_hint": "hint: {hint}",
        "lab_log": "full pytest output: {path}",
        "lab_running": "{spinner} running {what}… {done}/{total} tests",
        "lab_running_starting": "{spinner} running {what}… starting",
        "lab_running_once": "running the tests of {exercise}…",
        "lab_running_step": "the whole of {step}",
        "lab_running_all": "every step",
        "lab_keys": "keys: h hint · n next · l list · c check all · r re-run · x reset · q quit",
        "lab_keys_manual": "manual mode: press r to run after saving.",
        "lab_watching": "watching exercises/: save the file to check it.",
        "lab_list_close": "press any key to go back",
        "lab_reset_confirm": "Reset {exercise} to its stub? Your code in that function will be lost. [y/N] ",
        "lab_reset_done": "{exercise} is back to its stub in {file}.",
        "lab_reset_cancelled": "reset cancelled: nothing changed.",
        "lab_reset_no_stub": (
            "lab: there is no pristine stub of {exercise} in this copy of the kit: reinstall the kit to get it back."
        ),
        "lab_reset_no_function": (
            "lab: {file} has no function {name}() to reset: write `def {name}(...):` back in, or restore the file."
        ),
        "lab_moved_on": "{exercise} is done: on to {next}.",
        "lab_no_next": "every other exercise is done too.",
        "lab_broke": "Careful: {exercises} passed before and fail now (press l to see every status).",
        "lab_solution_not_done": (
            "The solution of {exercise} is shown once it is done: it is {status} now ({tests_passed} of "
            "{tests} tests pass). Keep going: `lab hint {exercise}` may help."
        ),
        "lab_solution_none": "This copy of the kit has no solutions: your teacher reveals them.",
        "lab_solution_header": "Reference solution of {exercise} (yours passes too; compare them):",
        "lab_run_failed": "lab: pytest could not run the tests (exit code {code}); its output is in {path}.",
        "lab_bad_start_method": "lab: --start-method {method} is not available here; choose one of {methods}.",
        "lab_not_a_terminal": "lab watch needs a terminal: run it in a terminal window, or use `lab run`.",
        "lab_bye": "bye: your progress is saved in {path}.",
        "lab_help": "Parallel Lab: the exercises, one at a time.",
        "lab_help_watch": "watch your files and check the current exercise on every save (the default)",
        "lab_help_list": "every exercise with its status, points and where to edit it",
        "lab_help_run": "run one exercise's tests (default: the current one)",
        "lab_help_hint": "the full hint of an exercise (default: the current one)",
        "lab_help_reset": "put one function back to its stub (the rest of the file is kept)",
        "lab_help_solution": "the reference solution of an exercise you have done",
        # -- learner edition (python -m plugin.edition learner OUT): read by the teacher (teachers, issue 15) --
        "edition_written": "Learner edition: {out} ({files} files, one commit). Publish it as the Classroom template, "
        "e.g. git -C {out} remote add origin URL && git -C {out} push -u origin HEAD",
        "edition_out_not_empty": "edition: {out} already exists and is not empty: choose a new folder",
        "edition_not_a_checkout": "edition: {kit} is not a git checkout: the edition takes the files git tracks, "
        "so build it from a clone of the kit",
        "edition_no_learners_guide": (
            "edition: the kit's README.md has no \"## Learner's guide\" section to give learners"
        ),
        "edition_leak": "edition: solution code found in {out}, nothing was committed; leave these files out of the "
        "edition (plugin/edition/__init__.py, LEFT_OUT):\n  {leaks}",
        # -- class grading (python -m plugin.grade --class DIR): read by the grader, and in the gradebook ----
        "class_epilog": "A whole class: python -m plugin.grade --class DIR (see --class DIR --help).",
        "class_plan": "Grading {pending} of {total} submission(s) in {folder}; {current} already graded with this kit "
        "(version {version}) are kept (--regrade grades them again).",
        "class_progress": "[{bar}] {done}/{total}  {name}: {outcome}  elapsed {elapsed}, about {left} left",
        "class_outcome_scored": "{score}/{max_score}",
        "class_outcome_refused": "not a valid upload",
        "class_outcome_not_graded": "could not be graded (see the gradebook's error column)",
        "class_done": "Gradebook: {path} ({rows} submission(s); {failed} could not be graded and will be retried "
        "by the same command).",
        "class_interrupted": "Interrupted: every submission graded so far is in {path}; run the same command again "
        "to grade the rest.",
        "class_no_folder": "grade: {folder}: no such folder",
        "class_empty": "grade: {folder} holds no submission: each must be a subfolder, a .zip or a .tar.gz",
        "class_kit_broken": "grade: the kit's exercise catalog is broken, nothing was graded: {detail}",
        "class_duplicate_name": "two submissions are named {name} ({first} and {second}): {second} is skipped; "
        "rename one of them",
        "class_upload_unreadable": "not a valid upload: {archive} is not a readable {kind} archive ({detail}); "
        "ask for a new upload",
        "class_upload_outside": "not a valid upload: the archive member {member} would be written outside the "
        "submission (refused); ask for a new archive of the exercises folder",
        "class_upload_link": "not a valid upload: the archive member {member} is a link or a special file (refused); "
        "ask for an archive of plain files",
        "class_upload_too_big": "not a valid upload: more than {megabytes} MB or {members} files named like the "
        "exercise modules (refused); ask for the exercise modules only",
        "class_grading_timeout": "the grading did not finish within {seconds:g} s and was stopped: no score",
        "class_grading_failed": "the grading could not run (exit code {code}): {detail}",
        "class_output_flood": "the submission printed {megabytes} MB of output (discarded)",
        "class_worker_kit_differs": "not graded: the Dask worker on {worker} has another kit (version {theirs}, "
        "here {ours}); install this kit on every worker",
        "class_worker_failed": "not graded: the Dask worker failed while grading ({detail})",
        "class_dask_missing": 'grade: --dask-scheduler needs Dask distributed: pip install "dask[distributed]"',
        "class_no_scheduler": "grade: could not reach the Dask scheduler at {address} ({detail}); is it running?",
        "class_no_grading_workers": "grade: no worker of the Dask scheduler at {address} offers the resource "
        "grading=1 (waited {seconds:g} s); on each grading machine run: "
        'dask worker {address} --nworkers 1 --nthreads 1 --resources "grading=1"',
        # -- language check: every text in every language (plugin/language_check.py, issue 13) --
        "language_missing_message": "message {message!r} is in the {present} table, not in the {missing} one: add it",
        "language_placeholders_differ": (
            "message {message!r} has placeholders {found} in the {language} table but {expected} in English: "
            "use the same names"
        ),
        "language_missing_text": "{path}: {what} has no {language} text: add {entry}",
        "language_missing_lesson": "{present} has no translation: write {missing} beside it",
        "language_code_differs": "{translation}: its code blocks differ from those of {original}: copy them unchanged",
        "language_summary": "language check: {problems} problems",
        # -- step1 (issue 9/10 conversion) --
        "step1.ran_in_the_caller": (
            "work for one {unit} ran in the calling process itself (a loop or a thread): start one "
            "multiprocessing.Process per {unit} and let it run there"
        ),
        "step1.processes_per_unit": (
            "{count} {unit}s ran in {processes} process(es): start one multiprocessing.Process per {unit}, "
            "all before joining any"
        ),
        "step1.not_children": (
            "the work reported running in processes {pids}, which were never child processes of your code: "
            "run it in the multiprocessing.Process objects you start"
        ),
        "step1.child_pid_not_a_child": (
            "the child pid {child!r} is not the pid of a child process your code started: start "
            "Process(target=report_pid, args=(queue,)) and return the pid it put on the queue"
        ),
        "step1.counts_malformed": (
            "the count of the queues your code made came back malformed: was the kit's probe changed?"
        ),
        "step1.report_pid_not_run": (
            "report_pid did not run exactly once, in the child {child!r} you returned: give it to one "
            "multiprocessing.Process as target and return what it put on the queue"
        ),
        "step1.not_a_queue": (
            "report_pid was given a {type}: the lesson's channel is a multiprocessing.Queue(), made once "
            "in the parent and passed as the Process's argument"
        ),
        "step1.joined_before_reading": (
            "the child had to exit before its pid was read: call queue.get() first, then join() (a child "
            "that has put a large value on a queue cannot exit until the parent reads it)"
        ),
        # -- step2 (issue 9/10 conversion) --
        "step2.affinity_count": (
            "usable_cpus() said {count}; this process may use {expected} CPU(s) (its affinity set): count "
            "len(os.sched_getaffinity(0)), not os.cpu_count()"
        ),
        "step2.pinned_count": (
            "this process was pinned to one CPU (as under taskset -c 0), and usable_cpus() said {count}: count "
            "its affinity set, len(os.sched_getaffinity(0))"
        ),
        "step2.quota_below_one": (
            "usable_cpus() said {count!r} with cpu.max {cpu_max!r}: return an int, and a process may always use "
            "at least 1 CPU"
        ),
        "step2.quota_count": (
            "usable_cpus() said {count} with cpu.max {cpu_max!r} and {cpus} CPU(s) in the affinity set: expected "
            "{expected} (the quota, quota / period rounded down, caps the count; 'max' means no quota)"
        ),
        "step2.fractional_count": (
            "usable_cpus() said {count} with cpu.max {cpu_max!r} and 8 CPUs in the affinity set: expected "
            "{expected} (math.floor(quota / period), never more than the affinity set and never below 1)"
        ),
        "step2.map_order": (
            "results {results}, expected {expected}: keep the order of the items (the first one finished last); "
            "Pool.map does"
        ),
        "step2.starmap_order": (
            "results {results}, expected {expected}: keep the order of arg_tuples (the first task finished last); "
            "Pool.starmap does"
        ),
        "step2.starmap_unpack": (
            "results {results}, expected {expected}: each tuple holds the arguments of one call; Pool.starmap "
            "unpacks them"
        ),
        "step2.ran_in_caller": (
            "the tasks ran in the process that called your function, not in worker processes: use a "
            "multiprocessing.Pool"
        ),
        "step2.pids_not_seen": (
            "the tasks reported running in processes {pids}, which were never seen among the processes your code "
            "started: return what the tasks return, computed in worker processes of your pool"
        ),
        "step2.distinct_workers": (
            "two tasks that had to run at the same time ran in {count} process(es): they need two worker "
            "processes, a pool of the size you were given"
        ),
        "step2.chunks_split": (
            "{items} items with 2 workers: Pool.map's default chunk size hands them over {chunk} at a time, and "
            "the items of a chunk run one after another in one worker; the chunk starting at item {first} was "
            "split between workers: call pool.map(func, items) without chunksize"
        ),
        "step2.chunk_never_met": (
            "item 0 waited for item {chunk} to run at the same time in another worker, and it never did: with 2 "
            "workers, Pool.map's default chunk size puts them in different tasks ({chunk} items each); a larger "
            "chunk size, fewer workers or a loop puts them one after the other: call pool.map(func, items) "
            "without chunksize"
        ),
        "step2.tasks_never_met": (
            "tasks that had to run at the same time, each in a worker process of its own, never all did: a loop, "
            "threads of one process, a pool smaller than asked for, or tasks handed over one at a time run them "
            "one after the other"
        ),
        "step2.affinity_changed": (
            "the process that ran usable_cpus() was pinned to one CPU, and your code changed its affinity: "
            "usable_cpus() only reads it"
        ),
        "step2.worker_count": "{workers} worker processes ran {tasks} tasks, expected {expected}",
        "step2.one_worker": (
            "{tasks} tasks ran in {workers} worker processes; processes=1 asks for a pool of 1 worker"
        ),
        "step2.use_context_manager": "use the pool as a context manager (with multiprocessing.Pool(...) as pool:)",
        # -- step3 shared and chunks (issue 9/10 conversion) --
        "step3.record_tampered": (
            "a recorder the kit installed in your code's process sent back something malformed: "
            "leave the kit's recorders alone"
        ),
        "step3.not_squared": (
            "the array does not hold the squares of its values: each worker squares its slice in place"
        ),
        "step3.squared_before_the_pool": (
            "the array was already changed when the pool was created: square it in the pool's workers, not before"
        ),
        "step3.squared_by_the_caller": (
            "when the pool's results were ready the array was not squared yet: the workers must write the squares "
            "into the shared array themselves, not send values back for the calling process to write"
        ),
        "step3.worker_error_not_raised": (
            "the workers failed on integer data but transform_in_shared_memory raised {raised}: let the pool's "
            "error (a TypeError) reach the caller, and free the segment in a finally: block"
        ),
        "step3.caller_wrote_the_counter": (
            "the calling process wrote the counter {writes} time(s) after starting the processes: only the "
            "processes add to it; return counter.value as they left it"
        ),
        "step3.lock_per_increment": (
            "the counter's lock was taken {taken} time(s) in the worker processes for {increments} increments: "
            "take it once around each single increment (with counter.get_lock(): counter.value += 1), "
            "in the processes, not once per process nor never"
        ),
        "step3.forced_start_method": (
            "processes were started with the {methods} start method while this run uses {session}: use "
            "multiprocessing.Process and Value as they are; code that needs fork loses its points where the "
            "grader runs"
        ),
        "step3.counter_type": (
            'the counter was made as multiprocessing.Value({made}): make it multiprocessing.Value("i", 0), '
            "with its lock (the default), as the docstring says"
        ),
        "step3.tasks_were_views_of_the_segment": (
            "the process running your code crashed when the kit read the tasks your pools were given: a task "
            'held a NumPy view of a shared-memory segment that was closed afterwards. The "shared_memory" '
            "strategy sends each worker the segment's name, shape, dtype and (start, stop), never slices of its view"
        ),
        "step3.chunks_worker_error_not_raised": (
            'a worker of the "shared_memory" strategy failed but compare_strategies raised {raised}: '
            "let the pool's error reach the caller, and free the segment in a finally: block"
        ),
        "step3.chunks_segment_left": (
            'a worker of the "shared_memory" strategy failed and the segment(s) {names} were never unlinked: '
            "close() and unlink() the segment in a finally: block"
        ),
        # -- step3 tasks (issue 9/10 conversion) --
        "step3.tasks.apply_results": (
            "blocking_results returned {results}, expected {expected}: one pool.apply(func, (item,)) per item, in order"
        ),
        "step3.tasks.apply_ran_in_caller": (
            "func ran in the process that called blocking_results (or in a thread of it): hand each task to "
            "the workers of a multiprocessing.Pool with pool.apply"
        ),
        "step3.tasks.apply_one_pool": (
            "a pool of one worker ran the tasks in {count} processes: create one pool and apply every item in it"
        ),
        "step3.tasks.pids_not_seen": (
            "the process ids {pids} were never among the processes your function started: do the work in the "
            "pool's worker processes and return what they computed"
        ),
        "step3.tasks.apply_overlapped": (
            "two tasks ran at the same time: apply() blocks until each result is back, so call it once per "
            "item, one after the other"
        ),
        "step3.tasks.async_order": (
            "results {results}, expected {expected}: keep submission order (the first task finished last): "
            "get() each AsyncResult in the order you submitted them"
        ),
        "step3.tasks.async_values": "async_results returned {results}, expected {expected}",
        "step3.tasks.async_not_together": (
            "only {count} of 3 tasks met at the barrier in worker processes: submit every task with "
            "apply_async to the pool before you call get() on any of them"
        ),
        "step3.tasks.async_ran_in_caller": (
            "the tasks ran in the process that called async_results (or in threads of it): submit them to a "
            "multiprocessing.Pool with apply_async"
        ),
        "step3.tasks.callback_raised": (
            "your callback raised {error} for item {item}: callbacks run in the pool's result thread, where an "
            "exception stops every later result; keep them short and make sure they never raise"
        ),
        "step3.tasks.callbacks_not_given": (
            "(callback given, error_callback given) per apply_async call: {submitted}; expected one call per "
            "item with both"
        ),
        "step3.tasks.callbacks_read": (
            "outcomes were read with AsyncResult.{how}() ({count} calls): let callback and error_callback store "
            "them, then close() and join() the pool"
        ),
        "step3.tasks.callbacks_missing": (
            "no outcome for items {items}: close() and join() the pool before returning, so every callback has "
            "run, and give apply_async both callback and error_callback"
        ),
        "step3.tasks.callbacks_results": "results {results}, expected {expected}: results[item] = func(item)",
        "step3.tasks.callbacks_errors": "errors {errors}, expected {expected}: '<ExceptionType>: <message>'",
        "step3.tasks.callbacks_outcomes": "(results, errors) {outcomes}, expected {expected}",
        "step3.tasks.scaler_values": (
            "make_scaler({factor}) gave {results} for the values {values}: each value times {factor}, "
            "f(value) == scale(value, factor)"
        ),
        "step3.tasks.scaler_not_partial": (
            "make_scaler({factor}) returned {described}: return functools.partial(scale, factor=factor), a "
            "partial of the module-level scale with factor fixed by keyword"
        ),
        "step3.tasks.scaler_unpicklable": (
            "make_scaler's result cannot be pickled ({error}): use functools.partial(scale, factor=factor)"
        ),
        "step3.tasks.scaler_spawned": (
            "a spawned worker mapped make_scaler(3) over [1, 2] to {results}, expected [3, 6]"
        ),
        "step3.tasks.make_scaler_calls": (
            "make_scaler was called with the factors {factors}: call make_scaler(factor) once"
        ),
        "step3.tasks.other_callable": ("Pool.map mapped {func}: map the callable that make_scaler(factor) returned"),
        "step3.tasks.scale_all_pids": (
            "the tasks ran in the processes {pids}: map make_scaler(factor) in a pool of as many worker "
            "processes as asked for"
        ),
        "step3.tasks.scale_all_results": (
            "scale_all({values}, {factor}) returned {results}: every value times {factor}, in order"
        ),
        "step3.tasks.other_error": (
            "get() raised ValueError: {error}; expected the task's own error: negative input -3"
        ),
        "step3.tasks.error_swallowed": (
            "async_results returned {results} although the task for -3 raised ValueError: let get() raise it again, "
            "do not catch it"
        ),
        "step3.tasks.scale_all_not_together": (
            "the three tasks never ran at the same time: map make_scaler(factor) over a pool of processes workers "
            "(here 3)"
        ),
        # -- step4 (issue 9/10 conversion) --
        "step4.filtered_here": (
            "an image was filtered in {function}'s own process: send the work to the pool, whose worker "
            "processes open and filter the images"
        ),
        "step4.workers_of_one_pool": (
            "the tasks ran in {count} different worker processes, more than the {processes} of one "
            "Pool({processes}): create one pool for the whole folder and reuse it, not one per image"
        ),
        "step4.sequential_children": (
            "filter_folder_sequential started {count} child processes: it works in its own process, "
            "one image after another, with no pool"
        ),
        "step4.not_apply_one_filter": (
            "apply_one_filter was called for {called}, {where}: call it once per name of FOUR_FILTERS "
            "({expected}), in that order, from apply_filters itself"
        ),
        "step4.apply_one_filter_elsewhere": "in processes {pids} other than the one running apply_filters",
        "step4.apply_one_filter_here": "in the process running apply_filters",
        "step4.unreadable_image": "{name} cannot be read (the test makes this task fail on purpose)",
        "step4.pool_left_after_failure": (
            "after a task raised, worker processes {pids} of your pool were still running: create the pool "
            "in a with block (or end it in finally), so that it is ended even when a task fails"
        ),
        "step4.start_method": (
            "the pool's workers were started with {used}, but this run uses {expected}: do not force a start "
            "method (get_context, set_start_method); code that works only under fork loses its points in the "
            "grading command. Pass what the tasks need as arguments (functools.partial)"
        ),
        "step4.not_the_given_pool": (
            "tasks ran in processes {pids}, which are not workers of the pool eight_filters was given: use "
            "that pool, do not create one"
        ),
        "step4.outputs_of_this_call": (
            "{approach}: {folder} holds {found}, expected {expected}: each call must run every approach "
            "again, into out_folder / name (never reuse timings or outputs of an earlier call)"
        ),
        "step4.images_not_together": (
            "the images were never filtered at the same time, although the pool had one worker per image: make "
            "every image a task of its own (map with its default chunksize, not one that groups images)"
        ),
        "step4.filters_not_together": (
            "the filters never ran at the same time: hand all eight to the pool at once with one pool.map, not "
            "one apply (or one get()) at a time"
        ),
        # -- step5 (issue 9/10 conversion) --
        "dask.task_outside_cluster": (
            "a task ran outside the Dask cluster (in process {pid}, which is no Dask worker): run every task "
            "on the cluster with the client your function receives (client.submit, client.map), not in your "
            "own process, its threads or a local pool (dask.compute, multiprocessing)"
        ),
        "dask.local_cluster_failed": (
            "the kit's local Dask cluster did not start within {seconds} s (its errors are above): check that "
            "dask[distributed] is installed (pip install -e .), or name a running scheduler with --dask-scheduler"
        ),
        "dask.transient_failures": "transient failure {attempt} of {failures} for {item}",
        # -- grading (issue 9/10 conversion) --
        "grade.channel_broken": (
            "the result channel carried what the kit never writes ({found}): nothing the run reported is used"
        ),
        "grade.no_results": "the run reported no result at all: {ending}",
        "boundary.forked": (
            "{count} process(es) were copies of the process running your code, made by fork, although the tests "
            "run under {start_method}: start processes with the start method the kit sets (no "
            "set_start_method('fork'), no get_context('fork')) and give them functions defined at module level"
        ),
        # -- plugin self-tests (issue 9/10 conversion) --
        # -- the process boundary (plugin/boundary/, issue 10) -------------------------------------------
        "poolspy.unknown_workers": (
            "tasks reported running in processes {pids}, which were never seen among the processes your code "
            "started: the work must run in worker processes of your pool"
        ),
        "poolspy.malformed": "the record of your pool's calls came back malformed: was the kit's pool spy changed?",
        "boundary.no_learner": "the learner's code can only be called while a test runs (in its learner process)",
        "boundary.ended": "the test is over: its learner process has ended",
        "boundary.inheritance_after_start": (
            "a test passed an object shared only through inheritance after the learner process started "
            "({error}): create it before the test's first call into the learner's code"
        ),
        "boundary.died": (
            "the process running your code ended unexpectedly (exit code {code}): something in your code "
            "ended it (os._exit, a signal, a crash). Its last output:\n{output}"
        ),
        "boundary.not_plain": (
            "your code sent back something that is not plain data ({what}): return builtin values (numbers, "
            "strings, lists, tuples, dicts), paths or NumPy arrays, not objects of your own classes"
        ),
        "boundary.unpicklable": (
            "your code returned {type} ({value}), which cannot leave its process: return plain data "
            "(numbers, strings, lists, tuples, dicts, paths, NumPy arrays)"
        ),
        "boundary.cannot_send": ("the test's arguments could not be sent to the process that runs your code ({error})"),
        "boundary.output_section": "Captured output of your code",
        "boundary.raised": "your code raised {type}: {message}",
    },
}
