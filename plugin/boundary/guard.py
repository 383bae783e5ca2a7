"""The boundary for one session: the import hook installed while it runs, and one learner process per
test, ended (and what it left behind recorded) before the test's call is reported."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
import types
from pathlib import Path

import pytest

import plugin
from plugin.boundary import proxies, server
from plugin.boundary.learner import Learner, LearnerContext, LearnerEnd
from plugin.boundary.server import Account
from plugin.messages import say
from plugin.safety.process_tree import become_subreaper
from plugin.targets import EXERCISES, exercise_modules

learner_key = pytest.StashKey[Learner]()
learner_end_key = pytest.StashKey[LearnerEnd]()
KIT_ROOT = Path(plugin.__file__).resolve().parent.parent
PRISTINE_STUBS = KIT_ROOT / "plugin" / "lab" / "stubs"
# Set by the grading command where it runs as root: "uid:gid:home" of the account the learner's code
# runs as (``plugin.grading.sandbox``).
ACCOUNT_ENV = "PARALLEL_LAB_LEARNER_ACCOUNT"


def learner_account() -> Account | None:
    """The account learner processes drop to: only where this process is root and the grading asked."""
    uid, _, rest = os.environ.get(ACCOUNT_ENV, "").partition(":")
    gid, _, home = rest.partition(":")
    if os.geteuid() != 0 or not (uid.isdigit() and gid.isdigit() and home) or int(uid) == 0:
        return None
    return Account(int(uid), int(gid), home)


def as_account(account: Account, environment: dict) -> dict:
    """``subprocess.Popen`` options that start a process as ``account`` from the start (no supplementary
    groups), in its own folder, which is its HOME and TMPDIR, as a learner process becomes it."""
    environment = {**environment, "HOME": account.home, "TMPDIR": account.home}
    return {"user": account.uid, "group": account.gid, "extra_groups": [], "cwd": account.home, "env": environment}


def pristine_file(rootdir: Path, target_kind: str, step: str, module: str) -> Path:
    """The kit's own stub of a module: the deciding process runs this, never the learner's file.

    Where the learner's files are the target (``exercises/`` itself), the copy the kit ships under
    ``plugin/lab/stubs``; a kit that ships none (a test's small kit) runs its exercises folder's file.
    """
    shipped = PRISTINE_STUBS / step / f"{module}.py"
    if target_kind == EXERCISES and rootdir.resolve() == KIT_ROOT and shipped.is_file():
        return shipped
    return rootdir / EXERCISES / step / f"{module}.py"


def libraries_used_by(modules, kit_folders: set[Path]) -> list[str]:
    """The modules of installed libraries (neither the standard library nor a package of ``kit_folders``)
    that ``modules`` name at their top level: imported as modules, or their classes' and functions'."""
    found = set()
    for module in modules:
        for value in vars(module).values():
            name = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
            if not isinstance(name, str) or name not in sys.modules:
                continue
            top = name.partition(".")[0]
            ours = any((folder / top).exists() or (folder / f"{top}.py").exists() for folder in kit_folders)
            if top not in sys.stdlib_module_names and top != "__main__" and not ours:
                found.add(name)
    return sorted(found)


class LearnerGuard:
    """Installs the boundary for the session and gives every test its own learner process."""

    def __init__(self, run):
        self.run = run
        settings = run.settings
        self.folder = Path(tempfile.mkdtemp(prefix="parallel-lab-learner-"))
        self.account = learner_account()
        if self.account is not None:
            os.umask(0o002)  # what this process makes in a test's tmp_path, the account's group may write
            readable_by_all(run.target.import_dir)  # a staged submission, in this process's own folder
        self.context = LearnerContext(settings.start_method, run.switch.aliases, self.folder, self.account)
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
        self.exercise_module_names = list(modules)
        # Learner processes start from a forkserver that has these imported already.
        multiprocessing.set_forkserver_preload(server.PRELOAD)
        self.finder.install()
        become_subreaper()  # what escapes a learner process's tree lands in this one's, and is seen

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Each learner process imports its test's module and the learner's module anew: the forkserver
        they start from (not started yet) also imports first the libraries those use (Pillow, Dask...)."""
        used = {item.module for item in session.items if isinstance(item, pytest.Function)}
        used.update(sys.modules[name] for name in self.exercise_module_names if name in sys.modules)
        kit = {self.run.settings.rootdir, self.run.target.import_dir}
        multiprocessing.set_forkserver_preload([*server.PRELOAD, *libraries_used_by(used, kit)])

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
                end = item.stash[learner_end_key] = learner.close()
                if end.forked:  # the grading command reads this from the report (plugin.grading.stream)
                    item.user_properties.append(("lab_forked", end.forked))
                    start_method = self.context.start_method
                    raise AssertionError(say("boundary.forked", count=end.forked, start_method=start_method))

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        """Where learner processes run as another account, the test's ``tmp_path`` is that account's (the
        learner's code writes its files there; the folders the test makes in it keep its group, writable)
        and the folders above it let it pass."""
        value = yield
        if self.account is not None and fixturedef.argname == "tmp_path":
            os.chown(value, self.account.uid, self.account.gid)
            os.chmod(value, 0o2775)
            basetemp = request.config._tmp_path_factory.getbasetemp()  # noqa: SLF001 - pytest's own
            for folder in (basetemp, *[p for p in Path(value).parents if basetemp in p.parents]):
                os.chmod(folder, 0o711)  # passable, not listable
        return value

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        """What the learner's code printed is shown with the test's outcome, as pytest shows captured output."""
        report = yield
        end = item.stash.get(learner_end_key, None)
        if report.when == "call" and end is not None and end.output:
            report.sections.append((say("boundary.output_section"), end.output))
        return report

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.finder.uninstall()
        shutil.rmtree(self.folder, ignore_errors=True)


def readable_by_all(tree: Path) -> None:
    """Folders 755 and files 644 (no symlink followed): the learner's account imports from there."""
    for folder, _, files in os.walk(tree):
        os.chmod(folder, 0o755)
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, 0o644)


@pytest.fixture
def learner(request: pytest.FixtureRequest) -> Learner:
    """The test's learner process: ``learner.run(kit_function, ...)`` runs kit code there and returns
    plain data; ``learner.install(...)`` does it before anything else; ``learner.descendants()`` and
    ``learner.paused()`` watch and stop its tree from outside."""
    return request.node.stash[learner_key]
