"""The boundary for one session: the import hook installed while it runs, and one learner process per
test, ended (and what it left behind recorded) before the test's call is reported."""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from pathlib import Path

import pytest

import plugin
from plugin.boundary import proxies, server
from plugin.boundary.learner import Learner, LearnerContext, LearnerEnd
from plugin.safety.process_tree import become_subreaper
from plugin.targets import EXERCISES, exercise_modules

learner_key = pytest.StashKey[Learner]()
learner_end_key = pytest.StashKey[LearnerEnd]()
KIT_ROOT = Path(plugin.__file__).resolve().parent.parent
PRISTINE_STUBS = KIT_ROOT / "plugin" / "lab" / "stubs"


def pristine_file(rootdir: Path, target_kind: str, step: str, module: str) -> Path:
    """The kit's own stub of a module: the deciding process runs this, never the learner's file.

    Where the learner's files are the target (``exercises/`` itself), the copy the kit ships under
    ``plugin/lab/stubs``; a kit that ships none (a test's small kit) runs its exercises folder's file.
    """
    shipped = PRISTINE_STUBS / step / f"{module}.py"
    if target_kind == EXERCISES and rootdir.resolve() == KIT_ROOT and shipped.is_file():
        return shipped
    return rootdir / EXERCISES / step / f"{module}.py"


class LearnerGuard:
    """Installs the boundary for the session and gives every test its own learner process."""

    def __init__(self, run):
        self.run = run
        settings = run.settings
        self.folder = Path(tempfile.mkdtemp(prefix="parallel-lab-learner-"))
        self.context = LearnerContext(settings.start_method, run.switch.aliases, self.folder)
        functions: dict[str, list[str]] = {}
        for exercise in run.catalog.exercises.values():
            functions.setdefault(f"{EXERCISES}.{exercise.step}.{exercise.module}", []).append(exercise.name)
        modules = {}
        for step, module in exercise_modules(settings.rootdir):
            name = f"{EXERCISES}.{step}.{module}"
            learner_file = run.target.module_file(step, module)
            pristine = pristine_file(settings.rootdir, run.target.kind, step, module)
            modules[name] = (pristine, learner_file, tuple(functions.get(name, ())))
        self.finder = proxies.BoundaryFinder(modules)
        # Learner processes start from a forkserver that has these imported already.
        multiprocessing.set_forkserver_preload(server.PRELOAD)
        self.finder.install()
        become_subreaper()  # what escapes a learner process's tree lands in this one's, and is seen

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem):
        learner = item.stash[learner_key] = Learner(self.context)
        proxies.set_current(learner)
        try:
            return (yield)
        finally:
            proxies.set_current(None)
            learner.close()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        """The learner process ends with the test's call, so its leftovers are on the call's report."""
        try:
            return (yield)
        finally:
            learner = item.stash.get(learner_key, None)
            if learner is not None:
                item.stash[learner_end_key] = learner.close()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.finder.uninstall()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def learner(request: pytest.FixtureRequest) -> Learner:
    """The test's learner process: ``learner.run(kit_function, ...)`` runs kit code there and returns
    plain data; ``learner.install(...)`` does it before anything else; ``learner.descendants()`` and
    ``learner.paused()`` watch and stop its tree from outside."""
    return request.node.stash[learner_key]
