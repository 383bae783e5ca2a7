"""Parallel Lab's pytest hooks and fixtures: thin, each hands its work to the object that owns it.

``pytest_configure`` builds one ``LabRun`` (what the session knows) and registers one object per job,
each with its own hooks, as pytest-xdist registers its ``DSession`` and ``TerminalDistReporter``:

- ``CollectionChecks`` (plugin/session/collection.py): every exercise test names one exercise;
- ``ReportStamper`` (plugin/session/stamping.py): todo lines, explanations, seed, leftovers;
- ``RunGuard`` (plugin/session/guard.py): around each test, the pools it opens, the xdist lock and the
  hang timeouts;
- ``TerminalSummary`` (plugin/outputs/terminal.py): the header and the summary sections;
- ``ReportWriter`` (plugin/outputs/writer.py): every report file of ``plugin.outputs.formats.FORMATS``.
"""

from __future__ import annotations

import pytest

from plugin import settings as lab_settings
from plugin.boundary.guard import LearnerGuard, learner  # noqa: F401 - a fixture of exercise tests
from plugin.catalog import MARKER, CatalogError, load_catalog
from plugin.cluster.fixture import dask_client, dask_cluster  # noqa: F401 - step 5's fixtures
from plugin.measure.check import SpeedupCheck
from plugin.messages import language, say, use_language
from plugin.outputs.terminal import TerminalSummary
from plugin.outputs.writer import ReportWriter
from plugin.safety.poolspy import pool_calls  # noqa: F401 - a fixture of exercise tests
from plugin.safety.start_method import apply_start_method
from plugin.session.collection import CollectionChecks
from plugin.session.guard import RunGuard
from plugin.session.run import PLUGIN_NAME, LabRun, lab_run
from plugin.session.stamping import ReportStamper

language_key = pytest.StashKey[str]()  # the language before this session, restored after it
JOBS = (CollectionChecks, ReportStamper, RunGuard, TerminalSummary, ReportWriter)


def pytest_addoption(parser: pytest.Parser) -> None:
    lab_settings.addoption(parser)


def pytest_configure(config: pytest.Config) -> None:
    # First, so that the settings' own errors are in it; an in-process pytester run gives it back after.
    config.stash[language_key] = language()
    use_language(lab_settings.resolve_language(config))
    config.addinivalue_line("markers", say("collection.marker_help", marker=MARKER))
    settings = lab_settings.resolve(config)
    try:
        catalog = load_catalog(settings.rootdir)
    except CatalogError as error:
        raise pytest.UsageError(say("catalog.error", error=error)) from None
    apply_start_method(settings.start_method)
    run = LabRun(config, settings, catalog)
    run.switch.install()
    config.pluginmanager.register(run, PLUGIN_NAME)
    for job in JOBS + ((LearnerGuard,) if run.in_kit else ()):
        config.pluginmanager.register(job(run), f"parallel-lab-{job.__name__}")


def pytest_unconfigure(config: pytest.Config) -> None:
    run = lab_run(config)
    if run is not None:
        run.close()
    if language_key in config.stash:
        use_language(config.stash[language_key])


@pytest.fixture
def lab_seed(request: pytest.FixtureRequest) -> int:
    """The session's seed for exercise inputs (printed on failure; set with --lab-seed)."""
    return lab_run(request.config).settings.seed


@pytest.fixture
def rendezvous(request: pytest.FixtureRequest):
    """``rendezvous(parties)``: a barrier proxy that pool tasks can receive as an argument.

    Only ``parties`` tasks running at the same time can pass it; it breaks after a short timeout.
    """
    return lab_run(request.config).rendezvous.barrier


@pytest.fixture
def speedup(request: pytest.FixtureRequest) -> SpeedupCheck:
    """``speedup(sequential=..., parallel=..., workers=2)``: measure, record and check a speedup
    (``workers_running=True``: the parallel side's workers are already up, as a Dask cluster's are)."""
    return SpeedupCheck(lab_run(request.config), request)
