"""Grade an untrusted submission: ``python -m plugin.grade SUBMISSION_DIR --gradescope results.json``.

Only the kit's exercise modules are taken from SUBMISSION_DIR, found as ``step3/shared.py``,
``exercises/step3/shared.py`` or a bare ``shared.py``. The kit's tests, from a fresh copy of the kit
(without its solutions), run in a child pytest with a new random seed, no plugin but the kit's own
and pytest-timeout, and ``plugin.stream`` reporting each result as a signed line into a pipe whose read
end only this process holds (``plugin.channel`` validates every line). Where this process is root, the
child runs as an unprivileged account (``plugin.sandbox``). This process writes every output itself,
from those lines alone:

- a test whose result never arrived (the run crashed, was killed, ended early through ``os._exit``,
  or hit the whole-run timeout) scores 0 with the reason; what finished keeps its score;
- a line not signed with this run's key or not shaped like the kit's, a flood of the channel, a changed
  reporting function or kit file, or a copy of the test run forked under a non-fork start method
  (``plugin.treewatch``) voids the grade: every exercise scores 0 with "tampering detected".

Exit status: 0 full marks, 1 fewer points, 2 the grading itself could not run (the documents asked for
are still written, saying "could not grade" and why). The whole grading ends within
``--timeout`` + ``SETUP_LIMIT_S``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from plugin import channel, clock, failsafe, grading, processes, reports, sandbox, stream
from plugin.exercises import CatalogError, load_catalog
from plugin.machine import usable_cpus
from plugin.messages import say
from plugin.progress import Ledger
from plugin.targets import EXERCISES, SUBMISSION_PACKAGE, Target, exercise_modules
from plugin.treewatch import ForkWatch

KIT = Path(__file__).resolve().parents[1]
KIT_FILES = ("pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini", "conftest.py")
CHILD_PLUGINS = ("-p", "plugin.pytest_plugin", "-p", "pytest_timeout", "-p", "plugin.stream", "-p", "no:cacheprovider")
KILL_GRACE_S = 5.0
COLLECT_TIMEOUT_S = 120.0
DRAIN_S = 2.0  # after the test run ends, how long what it left behind may keep the channel open
SETUP_LIMIT_S = COLLECT_TIMEOUT_S + 60  # collecting, copying, scoring and writing, beyond --timeout


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
    ``shared.py`` (a drag-and-drop upload), and read only if it is a plain file (``sandbox.read_upload``:
    not a symlink, a FIFO or a device). Returns a note for each module the upload lacks.
    """
    missing = []
    for step, module in exercise_modules(kit):
        candidates = (Path(step, f"{module}.py"), Path(EXERCISES, step, f"{module}.py"), Path(f"{module}.py"))
        source, refused = None, []
        for relative in candidates:
            try:
                source = sandbox.read_upload(upload, relative)
                break
            except FileNotFoundError:
                continue
            except sandbox.UploadError as error:
                refused.append(say("grade_upload_unreadable", path=relative, why=error))
        if source is None:
            missing += refused
            missing.append(f"{step}/{module}.py is missing from the submission: its exercises are graded on the stub")
            continue
        (destination / step).mkdir(parents=True, exist_ok=True)
        (destination / step / f"{module}.py").write_bytes(source)
    return missing


class ChildRun:
    """One pytest child: its signed events, and how it ended.

    ``workplace``: where it runs and as whom. ``watch_forks``: the session's start method is not fork,
    so a copy of the test run forked from it is tampering (``plugin.treewatch``).
    """

    def __init__(self, workplace: sandbox.Workplace, args: list[str], timeout: float, output=None,
                 watch_forks: bool = False):
        key = secrets.token_bytes(32)
        read_end, write_end = os.pipe()
        os.write(write_end, key)
        os.close(write_end)
        results = channel.ResultChannel()
        environment = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
        environment.update(workplace.environment())
        environment.update({"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", stream.KEY_FD_ENV: str(read_end)})
        command = [sys.executable, "-m", "pytest", *CHILD_PLUGINS, f"--lab-stream-fd={results.write_fd}", *args]
        started = clock.perf_counter()
        try:
            process = subprocess.Popen(
                command, cwd=workplace.kit, env=environment, pass_fds=(read_end, results.write_fd),
                start_new_session=True, stdin=subprocess.DEVNULL, stdout=output, **workplace.identity(),
            )
        finally:
            os.close(read_end)
            results.close_write_end()  # the child holds the only write end
        watch, self.timed_out = None, True
        try:
            watch = ForkWatch(process.pid) if watch_forks else None
            self.timed_out = _supervise(process, results, timeout, watch)
        finally:  # also when the grading's own time limit interrupts the wait
            self.returncode = _stop(process)
            _drain(results)
            results.close()
        self.elapsed = clock.perf_counter() - started
        self.events, self.forged = channel.read_events(results.lines, key)
        self.oversized, self.flooded = results.oversized, results.flooded
        self.forks = len(watch.forked) if watch else 0

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


def _supervise(
    process: subprocess.Popen, results: channel.ResultChannel, timeout: float, watch: ForkWatch | None
) -> bool:
    """Read the channel and sample the process tree until the child exits; True when ``timeout`` ended it."""
    deadline = clock.perf_counter() + timeout
    interval = watch.interval if watch else 0.2
    while process.poll() is None:
        remaining = deadline - clock.perf_counter()
        if remaining <= 0:
            return True
        if results.eof:  # the learner closed its end: nothing to wait on but time
            time.sleep(min(remaining, interval))
        else:
            select.select([results.read_fd], [], [], min(remaining, interval))
        results.pump()
        if watch:
            watch.sample()
    return False


def _drain(results: channel.ResultChannel) -> None:
    """What the child wrote just before it ended; a process it left holding the pipe ends this in DRAIN_S."""
    deadline = clock.perf_counter() + DRAIN_S
    results.pump()
    while not results.eof and (remaining := deadline - clock.perf_counter()) > 0:
        select.select([results.read_fd], [], [], remaining)
        results.pump()


def _stop(process: subprocess.Popen) -> int:
    """Terminate the child's whole process group, then kill what is left (also what an ended run left)."""
    if process.poll() is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # its pid stays the group's while members are alive
        return process.returncode
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


def expected_tests(workplace: sandbox.Workplace) -> list[dict]:
    """The kit's exercise tests, collected from the pristine stubs: no learner code is involved."""
    run = ChildRun(workplace, [EXERCISES, "--collect-only", "-q"], timeout=COLLECT_TIMEOUT_S, output=subprocess.DEVNULL)
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


def tampering(run: ChildRun, kit_changes: list[str], start_method: str | None) -> str | None:
    found = []
    if run.forged:
        found.append(say("tamper_rejected_lines", count=run.forged))
    if run.oversized:
        found.append(say("tamper_oversized_lines", count=run.oversized, limit_kib=channel.MAX_LINE_BYTES // 1024))
    if run.flooded:
        found.append(say("tamper_flooded", limit_mib=channel.MAX_CHANNEL_BYTES // (1024 * 1024)))
    for event in run.of("tampered"):
        found.append(say("tamper_replaced", names=", ".join(event["changes"])))
    if kit_changes:
        found.append(say("tamper_kit_changed", paths=", ".join(kit_changes[:10])))
    if run.forks:
        found.append(say("tamper_forked", count=run.forks, start_method=start_method))
    return say("tamper_detected", problems="; ".join(found)) if found else None


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
        workplace = sandbox.Workplace.prepare(Path(work), kit_copy, arranged)
        expected = expected_tests(workplace)
        args = [EXERCISES, f"--submission={arranged}", f"--lab-seed={seed}", "-q"]
        if start_method:
            args.append(f"--start-method={start_method}")
        kit_before = sandbox.fingerprint(kit_copy)
        run = ChildRun(workplace, args, timeout, watch_forks=start_method not in (None, "fork"))
        kit_changes = sandbox.changed_entries(kit_before, sandbox.fingerprint(kit_copy))
        ledger = ledger_from(run, expected, timeout)
        for record in ledger.tests.values():  # "step2/pool.py:59", not a path in a folder about to vanish
            record.message = record.message.replace(f"{arranged}{os.sep}", "")
        target = Target("submission", SUBMISSION_PACKAGE, arranged, arranged)
        scores = grading.score_run(catalog, ledger, target)
    problem = tampering(run, kit_changes, start_method)
    if problem:
        scores = grading.void(scores, problem)
    speedups = [row for phase in run.of("phase") for row in phase.get("speedups", [])]
    notes = list(missing)
    if workplace.warning:
        notes.append(workplace.warning)
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
    parser.add_argument(
        "submission",
        type=Path,
        help="folder with the learner's modules (step3/shared.py, exercises/step3/shared.py or shared.py)",
    )
    parser.add_argument("--gradescope", type=Path, metavar="PATH", help="write a Gradescope results.json")
    parser.add_argument("--classroom", type=Path, metavar="PATH", help="write GitHub Classroom's result document")
    parser.add_argument("--lab-json", type=Path, metavar="PATH", help="write the --lab-json report with scores")
    parser.add_argument("--timeout", type=float, default=600, help="whole-run timeout in seconds (default 600)")
    parser.add_argument(
        "--start-method",
        choices=("fork", "spawn", "forkserver"),
        # A start method that pickles every target and argument, as macOS and Python 3.14 do.
        default=processes.unforked_start_method(),
        help="default: forkserver (spawn where there is none), under which code that works only with fork fails",
    )
    parser.add_argument("--kit", type=Path, default=KIT, help=argparse.SUPPRESS)  # the plugin's own tests
    return parser.parse_args(argv)


class GradingTimeLimit(Exception):
    """The whole grading outlived its limit (a wait that should have ended did not)."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise GradingTimeLimit in this (main) thread after ``seconds``, whatever it is waiting on."""

    def expire(signum, frame):
        raise GradingTimeLimit(say("grade_time_limit", seconds=seconds))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def main(argv: list[str]) -> int:
    options = _arguments(argv)
    submission = options.submission.expanduser().resolve()
    kit = options.kit.resolve()
    seed = random.SystemRandom().randrange(1, 1_000_000)  # hard-coded answers cannot follow it
    started = clock.perf_counter()
    status = None
    try:
        if not submission.is_dir():
            raise GradingError(say("grade_no_folder", path=options.submission))
        with time_limit(options.timeout + SETUP_LIMIT_S):
            result = grade(submission, kit, options.timeout, seed, options.start_method)
    except (GradingError, CatalogError, OSError, GradingTimeLimit) as error:  # the kit or the machine
        reason = str(error)
    except Exception as error:  # noqa: BLE001 - a bug of the grader still ends in documents, not a traceback
        reason = say("grade_unexpected", error=f"{type(error).__name__}: {error}")
    else:
        reason = None
    if reason is not None:
        print(f"grade: {say('grade_could_not_grade', reason=reason)}", file=sys.stderr)
        result = failsafe.could_not_grade(kit, reason, seed, options.start_method, clock.perf_counter() - started)
        status = 2
    for kind, path in (("gradescope", options.gradescope), ("classroom", options.classroom), ("lab", options.lab_json)):
        if path is not None:
            try:
                sandbox.write_document(path, result[kind])  # replaces, never follows, what may be there
            except OSError as error:
                print(f"grade: {path}: {error.strerror}", file=sys.stderr)
                status = 2
    if status is not None:
        return status
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
