"""Parallel Lab's pytest hooks: thin, each hands its work to the module that owns it."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shlex
import sys
from pathlib import Path

import pytest

from plugin import clock, failures, grading, processes, reports, settings as lab_settings
from plugin.exercises import ID_PATTERN, Catalog, CatalogError, load_catalog, stub_that_raised
from plugin.machine import usable_cpus
from plugin.messages import say
from plugin.poolspy import OpenPools, pool_calls  # noqa: F401 - pool_calls: a fixture of exercise tests
from plugin.progress import Ledger
from plugin.sharing import RunFolder, RunLock
from plugin.speedup import SpeedupMeter
from plugin.targets import EXERCISES, TargetSwitch, resolve

MARKER = "exercise"
_speedups_key = pytest.StashKey[list]()
_segments_key = pytest.StashKey[set]()
_pools_key = pytest.StashKey[OpenPools]()


class LabSession:
    """Everything one pytest process knows about the lab run."""

    def __init__(self, config: pytest.Config, settings: lab_settings.LabSettings, catalog: Catalog):
        self.config = config
        self.settings = settings
        self.catalog = catalog
        self.exercises_dir = settings.rootdir / EXERCISES
        self.switch = TargetSwitch(resolve(settings.target, settings.rootdir, settings.submission), settings.rootdir)
        self.ledger = Ledger()
        self.speedups: list[dict] = []
        self.cpus = usable_cpus()
        workerinput = getattr(config, "workerinput", None)
        self.run_folder = RunFolder(workerinput)
        # Only xdist workers can disturb each other's measurements.
        self.lock = RunLock(self.run_folder.path) if workerinput is not None else None
        self.meter = SpeedupMeter(
            self.cpus,
            settings.required_fraction,
            self.run_folder.path,
            self.lock.alone if self.lock else contextlib.nullcontext,
        )
        self.rendezvous = processes.RendezvousService()
        # Outside a kit (another project's tests in the same environment) the plugin watches nothing.
        self.in_kit = bool(catalog.steps)
        self.hangs = processes.HangGuard() if self.in_kit else None
        self.started = clock.perf_counter()

    @property
    def target(self):
        return self.switch.target

    def is_exercise_test(self, path: Path) -> bool:
        return self.exercises_dir in path.parents

    # -- collection: every exercise test names its exercise ------------------------------------

    def marker_problem(self, item: pytest.Item) -> str | None:
        markers = list(item.iter_markers(MARKER))
        known = self.catalog.exercises
        if not markers:
            step = item.path.parent.name
            names = ", ".join(e for e in known if e.startswith(step + ".")) or f"{step}.<function_name>"
            return (
                f"{item.nodeid} belongs to no exercise: decorate it with "
                f'@pytest.mark.exercise("{step}.<function_name>") (this step has: {names})'
            )
        if len(markers) > 1:
            return f"{item.nodeid} has {len(markers)} exercise markers: a test belongs to exactly one exercise"
        args = markers[0].args
        exercise_id = args[0] if len(args) == 1 and isinstance(args[0], str) else None
        if exercise_id is None or not ID_PATTERN.match(exercise_id):
            return f'{item.nodeid}: write the marker as @pytest.mark.exercise("stepN.<function_name>")'
        if exercise_id not in known:
            return (
                f"{item.nodeid}: {exercise_id!r} is not an exercise; declare it in "
                f"exercises/{exercise_id.split('.')[0]}/__init__.py or fix the marker"
            )
        return None

    # -- reports: stamp each with what the ledger needs -------------------------------------------

    def stamp(self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> None:
        marker = item.get_closest_marker(MARKER)
        exercise = self.catalog.exercises[marker.args[0]] if marker and self.is_exercise_test(item.path) else None
        if report.when == "call":
            report.lab_speedups = [m.as_dict() for m in item.stash.get(_speedups_key, [])]
            if self.in_kit:
                self.report_open_pools(item, report)
                self.report_leftovers(item, report)
        if exercise is None:
            return
        report.lab_exercise = exercise.id
        error = call.excinfo.value if call.excinfo is not None and report.failed else None
        if isinstance(error, NotImplementedError):
            stub, line = stub_that_raised(error, self.target, self.catalog) or (exercise, None)
            where = reports.edit_location(stub, self.target, self.settings.rootdir, line)
            about = f"{exercise.id}: {exercise.title}" if stub is exercise else f"{stub.id}, which {exercise.id} uses"
            report.lab_todo = True
            report.lab_message = say("todo", location=where) + ("" if stub is exercise else f" ({stub.id})")
            report.longrepr = say("todo", location=where) + f"  ({about})"
            return
        explanation = failures.explain(error) if error is not None else None
        if explanation is not None:
            explanation = self.relative_paths(explanation)
            report.lab_message = explanation
            report.longrepr = f"{explanation}\nhint ({exercise.id}): {exercise.short_hint}"
        if report.failed and "lab_seed" in getattr(item, "fixturenames", ()):
            report.sections.append(
                ("parallel-lab", f"inputs were seeded with {self.settings.seed}; rerun with: {self.rerun_command(item)}")
            )

    def relative_paths(self, text: str) -> str:
        """``text`` with the kit's files named relative to its root, as a learner sees them."""
        return text.replace(f"{self.settings.rootdir}{os.sep}", "")

    def rerun_command(self, item: pytest.Item) -> str:
        """The command that runs this test again with the same inputs, target and start method."""
        settings = self.settings
        words = ["pytest", f"--lab-seed {settings.seed}"]
        if settings.target == "solutions":
            words.append("--solutions")
        elif settings.submission is not None:
            words.append(shlex.quote(f"--submission={settings.submission}"))
        if settings.start_method != lab_settings.default_start_method():
            words.append(f"--start-method {settings.start_method}")
        return " ".join(words + [shlex.quote(item.nodeid)])

    def report_open_pools(self, item: pytest.Item, report: pytest.TestReport) -> None:
        """A pool the test's code never closed fails the test (the garbage collector would hide it)."""
        pools = item.stash.get(_pools_key, None)
        count = pools.still_running() if pools is not None else 0
        if not count:
            return
        if report.passed:
            report.outcome = "failed"
            report.longrepr = report.lab_message = say("pool_never_closed", count=count)
        else:
            report.sections.append(("parallel-lab", say("pool_never_closed", count=count)))

    def report_leftovers(self, item: pytest.Item, report: pytest.TestReport) -> None:
        """Child processes or shared memory left behind fail the test; they are cleaned up either way."""
        leftovers = processes.collect_leftovers(item.stash.get(_segments_key, set()))
        if not leftovers:
            return
        if report.passed:
            report.outcome = "failed"
            report.longrepr = leftovers.message()
            report.lab_message = leftovers.message()
        else:
            report.sections.append(("parallel-lab", leftovers.message()))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A test module of a step that cannot be imported (a syntax error in the learner's module, a
        missing function) is named in the summary, so the step does not silently vanish from it."""
        path = self.config.rootpath / report.nodeid.split("::")[0]
        if report.failed and self.is_exercise_test(path) and path.suffix == ".py":
            lines = [line for line in str(report.longrepr).strip().splitlines() if line.strip()]
            cause = lines[-1].removeprefix("E").strip() if lines else "it could not be collected"
            self.ledger.record_collection_error(path.parent.name, report.nodeid, self.relative_paths(cause))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # Called in the process that logs reports: the controller under xdist, where the ledger lives.
        self.ledger.record(report)
        self.speedups.extend(getattr(report, "lab_speedups", None) or [])

    # -- end of session ------------------------------------------------------------------------------

    def environment(self) -> dict:
        option = self.config.option
        workers = len(getattr(option, "tx", None) or []) if getattr(option, "dist", "no") != "no" else 0
        return reports.environment(self.cpus, workers, self.settings.seed)

    def write_outputs(self) -> None:
        settings = self.settings
        if settings.json_path or settings.gradescope_path or settings.classroom_path:
            scores = grading.score_run(self.catalog, self.ledger, self.target)
        if settings.json_path is not None:
            document = reports.build_json(
                self.catalog, self.ledger, self.target, self.environment(), self.speedups, scores
            )
            reports.write_json(settings.json_path, document)
        if settings.gradescope_path is not None:
            elapsed = clock.perf_counter() - self.started
            document = grading.gradescope_document(scores, self.speedups, elapsed, settings.seed)
            reports.write_json(settings.gradescope_path, document)
        if settings.classroom_path is not None:
            reports.write_json(settings.classroom_path, grading.classroom_document(scores))
        if settings.speedup_plot is not None:
            reports.plot_speedups(self.speedups, self.settings.speedup_plot)

    def close(self) -> None:
        self.rendezvous.shutdown()
        if self.in_kit:
            self.hangs.close()
            processes.terminate_everything()  # no process started by the run outlives it
        self.switch.uninstall()
        if self.lock is not None:
            self.lock.close()
        self.run_folder.remove()

    def summary(self, terminal) -> None:
        lines = reports.progress_lines(
            self.catalog, self.ledger, self.target, self.settings.rootdir, self.settings.full_hints
        )
        if lines:
            terminal.write_sep("=", f"Parallel Lab: progress ({self.target.kind})")
            for text, markup in lines:
                terminal.write_line(text, **markup)
        if self.speedups:
            terminal.write_sep("=", "Parallel Lab: speedup")
            for text in reports.speedup_lines(self.speedups):
                terminal.write_line(text)


def _session(config: pytest.Config) -> LabSession:
    return config.pluginmanager.get_plugin("parallel-lab-session")


def pytest_addoption(parser: pytest.Parser) -> None:
    lab_settings.addoption(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(id): the exercise (stepN.<function_name>) this test belongs to")
    settings = lab_settings.resolve(config)
    try:
        catalog = load_catalog(settings.rootdir)
    except CatalogError as error:
        raise pytest.UsageError(f"parallel-lab: {error}") from None
    processes.apply_start_method(settings)
    session = LabSession(config, settings, catalog)
    session.switch.install()
    config.pluginmanager.register(session, "parallel-lab-session")


def pytest_unconfigure(config: pytest.Config) -> None:
    session = _session(config)
    if session is not None:
        session.close()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist: every worker uses the controller's seed and run folder."""
    session = _session(node.config)
    node.workerinput["lab_seed"] = session.settings.seed
    node.workerinput["lab_run_folder"] = str(session.run_folder.path)


def pytest_report_header(config: pytest.Config) -> list[str]:
    session = _session(config)
    lines = [
        f"parallel-lab: target {session.target.kind}, start method {multiprocessing.get_start_method()}, "
        f"{session.cpus} usable CPUs, seed {session.settings.seed} (rerun with --lab-seed {session.settings.seed})"
    ]
    lines += [f"parallel-lab: {note}" for note in session.switch.notes]
    return lines


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    report = yield
    session = _session(collector.config)
    if report.passed and session.is_exercise_test(collector.path):
        problems = [
            problem
            for node in report.result
            if isinstance(node, pytest.Item) and (problem := session.marker_problem(node))
        ]
        if problems:
            report.outcome = "failed"
            report.longrepr = "\n".join(problems)
            report.result = []
    return report


# tryfirst: outside pytest-timeout's wrapper, so waiting for another worker's measurement is not
# counted against this test's timeout.
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    lab = _session(item.config)
    if not lab.in_kit:
        return (yield)
    item.stash[_segments_key] = processes.shared_memory_segments()
    pools = item.stash[_pools_key] = OpenPools()
    pools.install()
    lock = lab.lock
    try:
        if lock is None:
            return (yield)
        lock.enter_test()
        try:
            return (yield)
        finally:
            lock.leave_test()
    finally:
        pools.uninstall()


@pytest.hookimpl(optionalhook=True)
def pytest_timeout_set_timer(item: pytest.Item, settings):
    """pytest-timeout's signal method, run by the plugin so a hung process tree is terminated first."""
    hangs = _session(item.config).hangs
    if hangs is None or not processes.HangGuard.available(settings):
        return None
    return hangs.arm(item, settings.timeout)


@pytest.hookimpl(optionalhook=True)
def pytest_timeout_cancel_timer(item: pytest.Item):
    hangs = _session(item.config).hangs
    return None if hangs is None else hangs.disarm(item)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Speedup tests measure for seconds: they get a longer timeout than ordinary tests."""
    seconds = float(config.getini("lab_speedup_timeout"))
    for item in items:
        if "speedup" in getattr(item, "fixturenames", ()) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(seconds))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    _session(item.config).stamp(item, call, report)
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        _session(session.config).write_outputs()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config):
    # Outermost wrapper: our sections come after pytest's failures and short summary.
    result = yield
    _session(config).summary(terminalreporter)
    return result


@pytest.fixture
def lab_seed(request: pytest.FixtureRequest) -> int:
    """The session's seed for exercise inputs (printed on failure; set with --lab-seed)."""
    return _session(request.config).settings.seed


@pytest.fixture
def rendezvous(request: pytest.FixtureRequest):
    """``rendezvous(parties)``: a barrier proxy that pool tasks can receive as an argument.

    Only ``parties`` tasks running at the same time can pass it; it breaks after a short timeout.
    """
    return _session(request.config).rendezvous.barrier


@pytest.fixture
def speedup(request: pytest.FixtureRequest):
    """``speedup(sequential=..., parallel=..., workers=2)``: measure, record and check a speedup."""
    lab = _session(request.config)
    marker = request.node.get_closest_marker(MARKER)
    exercise = lab.catalog.exercises.get(marker.args[0]) if marker else None
    if exercise is None:
        raise pytest.UsageError(f"{request.node.nodeid}: the speedup fixture needs an @pytest.mark.exercise test")
    # The module the learner's workers import: the target's, whatever name the test imported it by.
    alias = f"{EXERCISES}.{exercise.step}.{exercise.module}"
    module = getattr(sys.modules.get(alias), "__name__", alias)

    def compare(*, sequential, parallel, workers: int = 2):
        measurement = lab.meter.compare(sequential, parallel, workers, exercise.id, request.node.nodeid, module)
        request.node.stash.setdefault(_speedups_key, []).append(measurement)
        if measurement.verdict == "fail" and lab.settings.enforce_speedup:
            pytest.fail(measurement.explain(), pytrace=False)
        return measurement

    return compare
