"""Grade an untrusted submission: ``python -m plugin.grade SUBMISSION_DIR --gradescope results.json``.

Only the kit's exercise modules are taken from SUBMISSION_DIR, found as ``step3/shared.py``,
``exercises/step3/shared.py`` or a bare ``shared.py``. The kit's tests, from a fresh copy of the kit
(without its solutions), run in a child pytest with a new random seed, no plugin but the kit's own
and pytest-timeout, and ``plugin.grading.stream`` reporting each result as a signed line into a pipe
whose read end only this process holds (``plugin.grading.channel`` validates every line). Where this
process is root, the learner's code runs as an unprivileged account (``plugin.grading.sandbox``). This process
writes every output itself, from those lines alone:

- a test whose result never arrived (the run crashed, was killed, ended early through ``os._exit``,
  or hit the whole-run timeout) scores 0 with the reason; what finished keeps its score;
- a changed kit file, or a copy of a learner process forked under a non-fork start method (seen from
  outside by ``plugin.boundary.learner``) voids the grade: every exercise scores 0 with "tampering
  detected";
- a line not signed with this run's key or not shaped like the kit's, a flood of the channel, or a run
  that reported nothing at all means the grading itself went wrong (only kit code writes the channel):
  exit 2, "could not grade".

Exit status: 0 full marks, 1 fewer points, 2 the grading itself could not run (the documents asked for
are still written, saying "could not grade" and why: ``plugin.grading.failsafe``). The whole grading
ends within ``--timeout`` + ``SETUP_LIMIT_S``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from plugin.catalog import CatalogError, load_catalog
from plugin.grading import channel, failsafe, sandbox
from plugin.grading import scores as grading
from plugin.grading.arguments import arguments
from plugin.grading.child import ChildRun
from plugin.grading.failsafe import GradingTimeLimit, time_limit
from plugin.measure import clock
from plugin.measure.machine import usable_cpus
from plugin.messages import language, locale_language, say, use_language
from plugin.outputs import lab_json
from plugin.outputs.formats import FORMATS
from plugin.outputs.result import RunResult
from plugin.progress import Ledger
from plugin.safety.start_method import default_start_method
from plugin.targets import EXERCISES, SUBMISSION, SUBMISSION_PACKAGE, Target, exercise_modules

KIT = Path(__file__).resolve().parents[2]
KIT_FILES = ("pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini", "conftest.py")
COLLECT_TIMEOUT_S = 120.0
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
        source, refused = sandbox.read_first(upload, candidates)
        if source is None:
            missing += refused
            missing.append(say("grade.missing_module", module=f"{step}/{module}.py"))
            continue
        (destination / step).mkdir(parents=True, exist_ok=True)
        (destination / step / f"{module}.py").write_bytes(source)
    return missing


def expected_tests(workplace: sandbox.Workplace) -> list[dict]:
    """The kit's exercise tests, collected from the pristine stubs: no learner code is involved."""
    run = ChildRun(workplace, [EXERCISES, "--collect-only", "-q"], timeout=COLLECT_TIMEOUT_S, output=subprocess.DEVNULL)
    collected = run.of("collected")
    if not collected or not collected[0]["tests"]:
        raise GradingError(say("grade.not_collected", code=run.returncode))
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
            say("grade.cannot_import", error=_last_line(broken_modules[module]))
            if module in broken_modules
            else run.ending(timeout)
        )
        ledger.add(test["nodeid"], test["exercise"], "error", reason, 0.0)
    return ledger


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else say("grade.no_message")


def check_channel(run: ChildRun, timeout: float) -> None:
    """Only kit code writes the result channel (learner code runs in learner processes, which hold no
    descriptor of it): a line not the kit's, or a run that reported nothing at all, means the grading
    itself went wrong, and nothing it reported is scored."""
    found = []
    if run.forged:
        found.append(say("grade.forged", count=run.forged))
    if run.oversized:
        found.append(say("grade.oversized_lines", count=run.oversized, limit_kib=channel.MAX_LINE_BYTES // 1024))
    if run.flooded:
        found.append(say("grade.flooded", limit_mib=channel.MAX_CHANNEL_BYTES // (1024 * 1024)))
    if found:
        raise GradingError(say("grade.channel_broken", found=say("list.separator").join(found)))
    if not run.of("phase") and not run.finished:
        raise GradingError(say("grade.no_results", ending=run.ending(timeout, "grade.every_test")))


def tampering(run: ChildRun, kit_changes: list[str], start_method: str | None) -> str | None:
    found = []
    if kit_changes:
        found.append(say("grade.kit_changed", paths=", ".join(kit_changes[:10])))
    if run.forks:
        method = start_method or default_start_method()
        found.append(say("grade.forked", count=run.forks, start_method=method))
    return say("grade.tampering", found=say("list.separator").join(found)) if found else None


def grade(submission: Path, kit: Path, timeout: float, seed: int, start_method: str | None) -> RunResult:
    """Run the kit's tests on the submission, in the language chosen with ``use_language``; every output
    format is built from what this returns."""
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
        args = [EXERCISES, f"--submission={arranged}", f"--lab-seed={seed}", f"--lang={language()}", "-q"]
        args += workplace.pytest_args()
        if start_method:
            args.append(f"--start-method={start_method}")
        kit_before = sandbox.fingerprint(kit_copy)
        run = ChildRun(workplace, args, timeout)
        kit_changes = sandbox.changed_entries(kit_before, sandbox.fingerprint(kit_copy))
        check_channel(run, timeout)
        ledger = ledger_from(run, expected, timeout)
        for record in ledger.tests.values():  # "step2/pool.py:59", not a path in a folder about to vanish
            record.message = record.message.replace(f"{arranged}{os.sep}", "")
        target = Target(SUBMISSION, SUBMISSION_PACKAGE, arranged, arranged)
        scores = grading.score_run(catalog, ledger, target)
    problem = tampering(run, kit_changes, start_method)
    if problem:
        scores = grading.void(scores, problem)
    speedups = [row for phase in run.of("phase") for row in phase.get("speedups", [])]
    run_error = problem or ("" if run.finished else run.ending(timeout, "grade.every_test"))
    return RunResult(
        catalog=catalog,
        ledger=ledger,
        target=target,
        environment=lab_json.environment(usable_cpus(), 0, seed, start_method),
        speedups=speedups,
        scores=scores,
        elapsed_s=clock.perf_counter() - started,
        seed=seed,
        rootdir=kit,
        notes=missing + ([workplace.warning] if workplace.warning else []) + ([run_error] if run_error else []),
        run_error=run_error,
    )


def _grade_or_explain(options: argparse.Namespace, seed: int) -> tuple[RunResult, bool]:
    """The grading's result, or when it could not run (the kit, the machine, a bug of the grader, the time
    limit: never the submission's fault) a result saying so; True in the second place in that case."""
    submission = options.submission.expanduser().resolve()
    kit = options.kit.resolve()
    started = clock.perf_counter()
    try:
        if not submission.is_dir():
            raise GradingError(say("grade.no_folder", path=options.submission))
        with time_limit(options.timeout + SETUP_LIMIT_S):
            return grade(submission, kit, options.timeout, seed, options.start_method), False
    except (GradingError, CatalogError, OSError, GradingTimeLimit) as error:
        reason = str(error)
    except Exception as error:  # noqa: BLE001 - a bug of the grader still ends in documents, not a traceback
        reason = say("grade.unexpected", error=f"{type(error).__name__}: {error}")
    print(say("grade.stderr", message=say("grade.could_not_grade", reason=reason)), file=sys.stderr)
    return failsafe.could_not_grade(kit, reason, seed, options.start_method, clock.perf_counter() - started), True


def main(argv: list[str]) -> int:
    if any(arg == "--class" or arg.startswith("--class=") for arg in argv):  # a whole class: grading.classbook
        from plugin.grading import classbook

        return classbook.main(argv)
    options = arguments(argv, doc=__doc__, kit=KIT)
    use_language(options.lang or locale_language())
    seed = random.SystemRandom().randrange(1, 1_000_000)  # hard-coded answers cannot follow it
    result, failed = _grade_or_explain(options, seed)
    paths = {output.name: getattr(options, output.dest) for output in FORMATS}
    if not failsafe.write_documents(result, paths, failed) or failed:
        return 2
    scores = result.scores
    print()
    for score in scores:
        row = {"number": score.number, "exercise": score.exercise.id, "max_score": score.max_score}
        print(say("grade.row", score=score.score, **row))
    for note in result.notes:
        print(note)
    print(grading.summary_line(scores, seed))
    earned, maximum = grading.totals(scores)
    return 0 if earned >= maximum else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
