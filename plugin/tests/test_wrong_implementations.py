"""The kit's own tests against plausible wrong implementations of the exercises.

Each case copies the reference solutions as a submission, replaces one function with a wrong
version, runs that exercise's tests on it, and checks that the named tests catch it (others may too).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from plugin.tests.minikit import REPO

pytestmark = pytest.mark.timeout(240)

# (exercise id, wrong implementation, tests that must fail on it)
CASES = {
    "run_workers-one-at-a-time": (
        "step1.run_workers",
        """
        def run_workers(target, args_list):
            codes = []
            for args in args_list:
                process = multiprocessing.Process(target=target, args=args)
                process.start()
                process.join()
                codes.append(process.exitcode)
            return codes
        """,
        {"test_all_workers_run_at_the_same_time", "test_exit_codes_come_back_in_argument_order"},
    ),
    "collect_results-completion-order": (
        "step1.collect_results",
        """
        def collect_results(func, inputs):
            queue = multiprocessing.Queue()
            processes = [multiprocessing.Process(target=_compute_and_send, args=(func, i, x, queue))
                         for i, x in enumerate(inputs)]
            for process in processes:
                process.start()
            results = [queue.get()[1] for _ in processes]
            for process in processes:
                process.join()
            return results
        """,
        {"test_results_come_back_in_input_order_when_later_inputs_finish_first"},
    ),
    "parallel_map-sequential": (
        "step2.parallel_map",
        """
        def parallel_map(func, items, processes=None):
            return [func(item) for item in items]
        """,
        {
            "test_map_runs_tasks_at_the_same_time_in_distinct_workers",
            "test_map_sizes_the_pool_from_usable_cpus_by_default",
            "test_map_is_faster_than_a_loop",
        },
    ),
    "parallel_map-completion-order": (
        "step2.parallel_map",
        """
        def parallel_map(func, items, processes=None):
            with multiprocessing.Pool(processes or usable_cpus()) as pool:
                return list(pool.imap_unordered(func, items))
        """,
        {"test_map_returns_results_in_input_order"},
    ),
    "parallel_map-os-cpu-count": (
        "step2.parallel_map",
        """
        def parallel_map(func, items, processes=None):
            with multiprocessing.Pool(processes) as pool:
                return pool.map(func, items)
        """,
        {"test_map_sizes_the_pool_from_usable_cpus_by_default"},
    ),
    "parallel_starmap-sequential": (
        "step2.parallel_starmap",
        """
        def parallel_starmap(func, arg_tuples, processes=None):
            return [func(*args) for args in arg_tuples]
        """,
        {"test_starmap_runs_tasks_at_the_same_time"},
    ),
    "usable_cpus-os-cpu-count": (
        "step2.usable_cpus",
        """
        def usable_cpus():
            return os.cpu_count()
        """,
        {"test_a_process_pinned_to_one_cpu_may_use_one"}
        | {f"test_a_container_quota_caps_the_count[{case}]" for case in ("one-cpu", "half-a-cpu-is-still-one")},
    ),
}


def module_defining(step: str, name: str) -> str:
    for path in sorted((REPO / "solutions" / step).glob("*.py")):
        if re.search(rf"^def {name}\(", path.read_text(), re.MULTILINE):
            return path.stem
    raise LookupError(name)


def replace_function(source: str, name: str, replacement: str) -> str:
    pattern = re.compile(rf"^def {name}\(.*?(?=^\S|\Z)", re.MULTILINE | re.DOTALL)
    assert pattern.search(source), f"no function {name}"
    return pattern.sub(lambda _: textwrap.dedent(replacement).strip() + "\n\n\n", source, count=1)


@pytest.mark.parametrize("case", CASES)
def test_named_tests_catch_the_wrong_implementation(case, tmp_path):
    exercise, wrong, must_fail = CASES[case]
    step, name = exercise.split(".")
    submission = tmp_path / "submission"
    shutil.copytree(REPO / "solutions", submission, ignore=shutil.ignore_patterns("__pycache__"))
    module = submission / step / f"{module_defining(step, name)}.py"
    module.write_text(replace_function(module.read_text(), name, wrong))
    report = tmp_path / "report.json"
    subprocess.run(
        [sys.executable, "-m", "pytest", f"exercises/{step}", "-p", "no:cacheprovider", "-q",
         f"--submission={submission}", f"--lab-json={report}"],
        cwd=REPO, capture_output=True, text=True, timeout=200,
    )
    document = json.loads(report.read_text())
    (tests,) = [e["tests"] for s in document["steps"] for e in s["exercises"] if e["id"] == exercise]
    failed = {t["nodeid"].split("::")[-1] for t in tests if t["outcome"] != "passed"}
    assert must_fail <= failed, f"{case}: only {sorted(failed)} failed; {sorted(must_fail - failed)} must fail too"
