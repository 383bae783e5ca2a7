"""Save-to-screen latency of ``lab watch`` for passing step-1 and step-2 exercises, and where it goes.

    python benchmarks/lab_latency.py [--repeat 7]

1. End to end, as a learner sees it: ``lab`` runs in a pseudo-terminal on a fresh copy of the kit,
   its cursor on the exercise; once it has shown the exercise (todo) and its spare runner is warm,
   a correct implementation is written into the module, and the time until the screen says it is
   done is taken. Each repetition starts a new ``lab`` on pristine stubs. Exercises:
   step1.parent_and_child_pids, and step2.parallel_starmap (usable_cpus written beforehand).
2. The run alone (no watcher, no screen): the same exercise's tests through lab's runner with a warm
   spare interpreter (what ``lab watch`` does) and with a cold ``python`` start per run (what
   ``lab run`` does), to show what the spare buys.

Figures depend on the machine's load: say so when you quote them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from plugin.lab.kit import MARKER  # noqa: E402
from plugin.lab.runner import Runner  # noqa: E402
from plugin.tests.labkit import copy_kit, implement  # noqa: E402

EXERCISE = "step1.parent_and_child_pids"
RIGHT = """
queue = multiprocessing.Queue()
child = multiprocessing.Process(target=report_pid, args=(queue,))
child.start()
child_pid = queue.get()
child.join()
return os.getpid(), child_pid
"""
STEP2_BEFORE = ("step2.usable_cpus", "return len(os.sched_getaffinity(0))")
STEP2 = (
    "step2.parallel_starmap",
    """
with multiprocessing.Pool(processes or usable_cpus()) as pool:
    return pool.starmap(func, arg_tuples)
""",
)
WARM_UP_S = 2.0  # after the first screen: the next spare interpreter starts and imports pytest


def save_to_screen(kit: Path, exercise: str, body: str, module: str) -> float:
    (kit / ".lab-state.json").write_text(json.dumps({"version": 1, "current": exercise, "exercises": {}}))
    child = pexpect.spawn(
        sys.executable, ["-m", "plugin.lab"], cwd=kit, encoding="utf-8", dimensions=(60, 140), timeout=60
    )
    try:
        child.expect_exact("run #1 took")
        time.sleep(WARM_UP_S)
        started = time.perf_counter()
        implement(kit / "exercises" / module, exercise, body)
        child.expect_exact(f"{exercise} is done: on to")
        latency = time.perf_counter() - started
        child.expect_exact("run #3 took")  # the whole step, checked next
        child.send("q")
        child.expect(pexpect.EOF)
        return latency
    finally:
        child.close(force=True)


def run_only(kit: Path, warm: bool) -> float:
    runner = Runner(kit, kit / ".lab-last-run.log", MARKER, warm=warm)
    try:
        if warm:
            runner.run(["exercises/step1"], EXERCISE)  # the first run also starts the next spare
            time.sleep(WARM_UP_S)
        outcome = runner.run(["exercises/step1"], EXERCISE)
        assert outcome.document is not None and outcome.exit_code == 0, outcome
        return outcome.seconds
    finally:
        runner.close()


def describe(name: str, samples: list[float]) -> str:
    median, low, high = statistics.median(samples), min(samples), max(samples)
    return f"{name:<62} median {median:.2f} s  min {low:.2f}  max {high:.2f}  (n={len(samples)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    step1, step2, warm, cold = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="lab-bench-") as folder:
        for index in range(args.repeat):
            kit = copy_kit(Path(folder) / f"kit{index}")
            step1.append(save_to_screen(kit, EXERCISE, RIGHT, "step1/processes.py"))
            warm.append(run_only(kit, warm=True))
            cold.append(run_only(kit, warm=False))
            implement(kit / "exercises/step2/pool.py", *STEP2_BEFORE)
            step2.append(save_to_screen(kit, *STEP2, "step2/pool.py"))
    print(f"machine: {os.cpu_count()} CPUs, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(describe(f"save to screen, {EXERCISE}", step1))
    print(describe(f"save to screen, {STEP2[0]}", step2))
    print(describe(f"run only, warm spare interpreter ({EXERCISE})", warm))
    print(describe(f"run only, cold python start ({EXERCISE})", cold))
    # The target (issue #12): a passing step-1 exercise on screen within 1.5 s, median. Step 2's starmap
    # tests alone take ~0.9 s on an idle machine (their inputs finish in a staggered order, on purpose).
    return 0 if statistics.median(step1) <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
