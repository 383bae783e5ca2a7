"""Grade an untrusted submission: ``python -m plugin.grade SUBMISSION_DIR --gradescope results.json``.

Only the kit's exercise modules are taken from SUBMISSION_DIR, found as ``step3/shared.py``,
``exercises/step3/shared.py`` or a bare ``shared.py``. The kit's tests, from a fresh copy of the kit
(without its solutions), run in a child pytest with a new random seed, no plugin but the kit's own
and pytest-timeout, and ``plugin.stream`` reporting each result as a signed line. This process
writes every output itself, from those lines alone:

- a test whose result never arrived (the run crashed, was killed, ended early through ``os._exit``,
  or hit the whole-run timeout) scores 0 with the reason; what finished keeps its score;
- a line not signed with this run's key, or a changed reporting function, voids the grade:
  every exercise scores 0 with "tampering detected".

Exit status: 0 full marks, 1 fewer points, 2 the grading itself could not run.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from plugin import clock, grading, reports, settings as lab_settings, stream
from plugin.exercises import CatalogError, load_catalog
from plugin.machine import usable_cpus
from plugin.progress import Ledger
from plugin.targets import EXERCISES, SUBMISSION_PACKAGE, Target, exercise_modules

KIT = Path(__file__).resolve().parents[1]
KIT_FILES = ("pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini", "conftest.py")
CHILD_PLUGINS = ("-p", "plugin.pytest_plugin", "-p", "pytest_timeout", "-p", "plugin.stream", "-p", "no:cacheprovider")
KILL_GRACE_S = 5.0


class GradingError(Exception):
    """The grading itself could not run (not the submission's fault)."""


def copy_kit(kit: Path, destination: Path) -> None:
    """The kit's tests, stubs, plugin and configuration; never its solutions, never a learner's file."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "tests")
    shutil.copytree(kit / EXERCISES, destination / EXERCISES, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if (kit / "plugin").is_dir():
        shutil.copytree(kit / "plugin", destination / "plugin", ignore=ignore)
    for name in KIT_FILES:
        if (kit / name).is_file():
            shutil.copyfile(kit / name, destination / name)


def arrange_submission(upload: Path, kit: Path, destination: Path) -> list[str]:
    """Copy the kit's exercise modules, and nothing else, from an upload laid out as the learner had it.

    Each module is looked for as ``step3/shared.py``, ``exercises/step3/shared.py`` or a bare
    ``shared.py`` (a drag-and-drop upload). Returns a note for each module the upload lacks.
    """
    missing = []
    for step, module in exercise_modules(kit):
        candidates = (upload / step / f"{module}.py", upload / EXERCISES / step / f"{module}.py", upload / f"{module}.py")
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            missing.append(f"{step}/{module}.py is missing from the submission: its exercises are graded on the stub")
            continue
        (destination / step).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(found, destination / step / f"{module}.py")
    return missing


class ChildRun:
    """One pytest child: its signed events, and how it ended."""

    def __init__(self, kit_copy: Path, args: list[str], timeout: float, output=None):
        self.stream_path = kit_copy / f"stream-{secrets.token_hex(4)}.jsonl"
        key = secrets.token_bytes(32)
        read_end, write_end = os.pipe()
        os.write(write_end, key)
        os.close(write_end)
        environment = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
        environment.update({"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", stream.KEY_FD_ENV: str(read_end)})
        command = [sys.executable, "-m", "pytest", *CHILD_PLUGINS, f"--lab-stream={self.stream_path}", *args]
        started = clock.perf_counter()
        process = subprocess.Popen(
            command, cwd=kit_copy, env=environment, pass_fds=(read_end,), start_new_session=True, stdout=output
        )
        os.close(read_end)
        self.timed_out = False
        try:
            self.returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.timed_out = True
            self.returncode = _stop(process)
        self.elapsed = clock.perf_counter() - started
        self.events, self.forged = stream.read_events(self.stream_path, key)

    def of(self, kind: str) -> list[dict]:
        return [event for event in self.events if event.get("event") == kind]

    @property
    def finished(self) -> bool:
        return bool(self.of("finished"))

    def ending(self, timeout: float) -> str:
        """Why a test that never reported did not: the way the run ended."""
        if self.timed_out:
            return f"the whole-run timeout ({timeout:g} s) ended the run before this test finished"
        if self.returncode < 0:
            return f"the run was killed by signal {-self.returncode} before this test finished"
        if not self.finished:
            return f"the run ended (exit code {self.returncode}) before this test finished"
        return "this test did not run"


def _stop(process: subprocess.Popen) -> int:
    """Terminate the child's whole process group, then kill what is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            return process.wait(timeout=KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            continue
    return process.wait()


def expected_tests(kit_copy: Path) -> list[dict]:
    """The kit's exercise tests, collected from the pristine stubs: no learner code is involved."""
    run = ChildRun(kit_copy, [EXERCISES, "--collect-only", "-q"], timeout=120, output=subprocess.DEVNULL)
    collected = run.of("collected")
    if not collected or not collected[0]["tests"]:
        raise GradingError(f"the kit's tests could not be collected (pytest exit code {run.returncode})")
    return collected[0]["tests"]


def ledger_from(run: ChildRun, expected: list[dict], timeout: float) -> Ledger:
    """The results of the expected tests as they arrived; a 0 with the reason for every missing one."""
    ledger = Ledger()
    wanted = {test["nodeid"] for test in expected}
    for phase in run.of("phase"):
        if phase["nodeid"] in wanted:
            ledger.add(**{key: value for key, value in phase.items() if key != "event"})
    broken_modules = {error["nodeid"]: error["message"] for error in run.of("collect-error")}
    for test in expected:
        if test["nodeid"] in ledger.tests:
            continue
        module = test["nodeid"].split("::")[0]
        reason = (
            f"its test module could not import the submission: {_last_line(broken_modules[module])}"
            if module in broken_modules
            else run.ending(timeout)
        )
        ledger.add(test["nodeid"], test["exercise"], "error", reason, 0.0)
    return ledger


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else "(no message)"


def tampering(run: ChildRun) -> str | None:
    found = []
    if run.forged:
        found.append(f"{run.forged} result line(s) were not written by the kit")
    for event in run.of("tampered"):
        found.append("the submission replaced " + ", ".join(event["changes"]))
    return "tampering detected: " + "; ".join(found) if found else None


def grade(submission: Path, kit: Path, timeout: float, seed: int, start_method: str | None) -> dict:
    """Run the kit's tests on the submission; returns every document the options can ask for."""
    started = clock.perf_counter()
    catalog = load_catalog(kit)
    with tempfile.TemporaryDirectory(prefix="parallel-lab-grade-") as work:
        kit_copy = Path(work) / "kit"
        copy_kit(kit, kit_copy)
        arranged = Path(work) / "submission"
        arranged.mkdir()
        missing = arrange_submission(submission, kit, arranged)
        expected = expected_tests(kit_copy)
        args = [EXERCISES, f"--submission={arranged}", f"--lab-seed={seed}", "-q"]
        if start_method:
            args.append(f"--start-method={start_method}")
        run = ChildRun(kit_copy, args, timeout)
        ledger = ledger_from(run, expected, timeout)
        for record in ledger.tests.values():  # "step2/pool.py:59", not a path in a folder about to vanish
            record.message = record.message.replace(f"{arranged}{os.sep}", "")
        target = Target("submission", SUBMISSION_PACKAGE, arranged, arranged)
        scores = grading.score_run(catalog, ledger, target)
    problem = tampering(run)
    if problem:
        scores = grading.void(scores, problem)
    speedups = [row for phase in run.of("phase") for row in phase.get("speedups", [])]
    notes = list(missing)
    if problem:
        notes.append(problem)
    elif not run.finished:
        notes.append(run.ending(timeout).replace("this test", "every test"))
    environment = reports.environment(usable_cpus(), 0, seed, start_method)
    elapsed = clock.perf_counter() - started
    return {
        "scores": scores,
        "notes": notes,
        "lab": reports.build_json(catalog, ledger, target, environment, speedups, scores),
        "gradescope": grading.gradescope_document(scores, speedups, elapsed, seed, notes),
        "classroom": grading.classroom_document(scores, run_error=bool(problem) or not run.finished),
    }


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m plugin.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("submission", type=Path, help="folder with the learner's modules (step3/shared.py, exercises/step3/shared.py or shared.py)")
    parser.add_argument("--gradescope", type=Path, metavar="PATH", help="write a Gradescope results.json")
    parser.add_argument("--classroom", type=Path, metavar="PATH", help="write GitHub Classroom's result document")
    parser.add_argument("--lab-json", type=Path, metavar="PATH", help="write the --lab-json report with scores")
    parser.add_argument("--timeout", type=float, default=600, help="whole-run timeout in seconds (default 600)")
    parser.add_argument(
        "--start-method",
        choices=("fork", "spawn", "forkserver"),
        # A start method that pickles every target and argument, as macOS and Python 3.14 do.
        default=lab_settings.default_start_method(),
        help="default: forkserver (spawn where there is none), under which code that works only with fork fails",
    )
    parser.add_argument("--kit", type=Path, default=KIT, help=argparse.SUPPRESS)  # the plugin's own tests
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    options = _arguments(argv)
    submission = options.submission.expanduser().resolve()
    if not submission.is_dir():
        print(f"grade: {options.submission}: no such folder", file=sys.stderr)
        return 2
    seed = random.SystemRandom().randrange(1, 1_000_000)  # hard-coded answers cannot follow it
    try:
        result = grade(submission, options.kit.resolve(), options.timeout, seed, options.start_method)
    except (GradingError, CatalogError, OSError) as error:  # the kit or the machine, not the submission
        print(f"grade: the grading could not run: {error}", file=sys.stderr)
        return 2
    for kind, path in (("gradescope", options.gradescope), ("classroom", options.classroom), ("lab", options.lab_json)):
        if path is not None:
            reports.write_json(path, result[kind])  # replaces whatever the submission may have put there
    scores = result["scores"]
    print()
    for score in scores:
        print(f"{score.number:>5} {score.exercise.id:<36} {score.score:g}/{score.max_score:g}")
    for note in result["notes"]:
        print(note)
    print(grading.summary_line(scores, seed))
    earned, maximum = grading.totals(scores)
    return 0 if earned >= maximum else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
