"""The session's Dask cluster and the ``dask_client`` fixture that hands tests a ``Client``.

Without a scheduler address the session starts an embedded ``LocalCluster`` of two single-threaded
worker processes the first time a test asks for it, and closes it at the end of the session. It runs in
a process of its own (``plugin.cluster.local``): its scheduler unpickles whatever graph a client sends,
and its workers run the learner's tasks, so neither may run in (or fork from) the deciding process. Under
xdist each worker process has its own: a test that kills a worker then disturbs no other test's
cluster, and no controller has to start one for runs without step 5 (``benchmarks/step5_cluster.py``
measures it against one shared cluster).

With an address (``plugin.cluster.address``: ``--dask-scheduler``, ini, environment) the session
connects to that scheduler, checks that its workers can import what the tests send them (the target's
step-5 modules, ``plugin.cluster.tasks``, and ``plugin.workers`` for reading the cluster's capacity),
uploads what they cannot (``Client.upload_file`` of a zip), and closes only its client at the end.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import selectors
import subprocess
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path

import psutil
import pytest

from plugin.boundary.guard import as_account, learner_account, learner_key
from plugin.boundary.server import Account
from plugin.cluster import crossing, hygiene, leftovers, local
from plugin.messages import say
from plugin.safety import process_tree
from plugin.session.run import lab_run
from plugin.targets import exercise_modules
from plugin.workers import cpu_work as reference_work

LOCAL_WORKERS = local.WORKERS
CONNECT_TIMEOUT_S = 30
WORKERS_BACK_TIMEOUT_S = 60  # a killed worker's nanny starts a new one; under spawn that takes seconds
START_TIMEOUT_S = 60  # the embedded cluster's process imports Dask and starts its workers: slow under load
CLOSE_TIMEOUT_S = 10
TASKS_MODULE = "plugin.cluster.tasks"
MESSAGES_MODULE = "plugin.messages.en"  # tasks.py speaks through plugin.messages, which reads this table
REFERENCE_MODULE = "plugin.workers"  # the kit's reference CPU work, run on the cluster to read its capacity


class SessionCluster:
    """The cluster of one pytest process, started on first use."""

    def __init__(self, address: str | None, step_modules: list[str], account: Account | None = None):
        self.address = address
        self.step_modules = step_modules  # e.g. solutions.step5.cluster: what the workers must import
        self.account = account  # whom the embedded cluster runs as: the learner processes' account
        self.cluster: subprocess.Popen | None = None  # the embedded cluster's process
        self.client = None
        self._restore_unpickling = None  # while this process's client is up, it unpickles plain data only
        self.workers = LOCAL_WORKERS
        self.hygiene = hygiene.WorkerHygiene()
        self.restarts = 0  # of the embedded cluster's workers, soiled by a test

    def start(self):
        if self.client is not None:
            return self.client
        self._restore_unpickling = crossing.unpickle_plain_data_only()
        try:
            self.connect()
        except BaseException:
            self.close()  # and unpickling as before
            raise
        leftovers.session_owned.add(self.client)
        crossing.allow_clients_to_cross()
        return self.client

    def connect(self) -> None:
        # distributed is imported on first use only: a run without step 5 never pays for it.
        from distributed import Client

        if self.address is None:
            self.client = Client(self.start_local_cluster(), timeout=CONNECT_TIMEOUT_S)
            return
        try:
            self.client = Client(self.address, timeout=CONNECT_TIMEOUT_S)
        except OSError as error:
            pytest.fail(say("dask.unreachable", address=self.address, error=error), pytrace=False)
        self.workers = max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))
        self.make_importable([*self.step_modules, TASKS_MODULE, MESSAGES_MODULE, REFERENCE_MODULE])

    def start_local_cluster(self) -> str:
        """Start the embedded cluster's process and return its scheduler's address. It inherits no
        descriptor of this process but the pipes to it, and the import path (its workers import the
        target's modules and the kit's task helpers by name). Where learner processes run as another
        account, it runs as that account too: its workers run the learner's tasks."""
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        options = {"env": environment} if self.account is None else as_account(self.account, environment)
        self.cluster = subprocess.Popen(
            [sys.executable, "-m", local.__name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, **options
        )
        process_tree.helper_pid_sources.append(self.process_pids)
        with selectors.DefaultSelector() as selector:
            selector.register(self.cluster.stdout, selectors.EVENT_READ)
            ready = selector.select(START_TIMEOUT_S)
        address = self.cluster.stdout.readline().strip() if ready else ""
        if not address:
            self.close()
            pytest.fail(say("dask.local_cluster_failed", seconds=START_TIMEOUT_S), pytrace=False)
        return address

    def process_pids(self) -> set[int]:
        """The embedded cluster's process and every process under it (scheduler, nannies, workers, what
        a nanny starts in place of a worker that died): the kit's, not the learner's."""
        if self.cluster is None:
            return set()
        try:
            root = psutil.Process(self.cluster.pid)
            return {root.pid, *(p.pid for p in root.children(recursive=True))}
        except psutil.Error:
            return set()

    def worker_pids(self) -> set[int]:
        """The pids of the processes that run the cluster's tasks: for the embedded cluster, those its
        workers report that this process also sees under the cluster's process; for a scheduler
        elsewhere, as its workers report them."""
        reported = set(self.start().run(os.getpid).values())
        return reported & self.process_pids() if self.cluster is not None else reported

    def ready_client(self):
        """The client, once the cluster has all its workers again (a test may have killed one)."""
        client = self.start()
        try:
            client.wait_for_workers(self.workers, timeout=WORKERS_BACK_TIMEOUT_S)
        except TimeoutError:
            message = say("dask.workers_missing", workers=self.workers, seconds=WORKERS_BACK_TIMEOUT_S)
            pytest.fail(message, pytrace=False)
        if self.cluster is not None:
            self.keep_workers_clean(client)
        return client

    def keep_workers_clean(self, client) -> None:
        """Restart the embedded cluster's workers when one is not as it was when steady (a thread, a
        process or a busy loop that a test's task left behind); take the steady state of new ones."""
        workers = hygiene.worker_processes(self.cluster.pid)
        soiled = self.hygiene.soiled(workers)
        if soiled:
            self.hygiene.end_what_they_started(workers)
            client.restart(timeout=WORKERS_BACK_TIMEOUT_S, wait_for_workers=True)
            self.restarts += 1
            workers = hygiene.worker_processes(self.cluster.pid)
        if soiled or self.hygiene.unknown(workers):
            self._start_lazy_threads(client)
            self.hygiene.take_steady(workers)

    @staticmethod
    def _start_lazy_threads(client) -> None:
        """A task on every worker: a worker starts its task thread on first use."""
        addresses = list(client.scheduler_info(n_workers=-1)["workers"])
        client.gather([client.submit(int, workers=[a], allow_other_workers=False, pure=False) for a in addresses])

    def reference_on_workers(self, tasks: list[int], workers: int):
        """A callable that runs the kit's reference CPU work (``plugin.workers.cpu_work``, one Dask task per
        item of ``tasks``, never a cached result) through the kit's own client on ``workers`` of the
        cluster's workers: the parallel side of a reading of the cluster's own capacity. Every worker has
        run a task already, so no run pays a worker's first call."""
        client = self.start()
        addresses = sorted(client.scheduler_info(n_workers=-1)["workers"])[:workers]
        self._start_lazy_threads(client)

        def run_on_workers():
            futures = client.map(reference_work, tasks, workers=addresses, allow_other_workers=False, pure=False)
            client.gather(futures)

        return run_on_workers

    def went_idle(self) -> None:
        """A test that used the cluster ended."""
        if self.cluster is not None:
            self.hygiene.went_idle(hygiene.worker_processes(self.cluster.pid))

    def unimportable(self, modules: list[str]) -> list[str]:
        """The modules that some worker cannot import: checked with ``eval`` (every worker has it, not yet
        the kit's modules), answering True or False, never an exception (which would not come back as
        plain data: ``crossing.unpickle_plain_data_only``)."""
        missing = []
        for module in modules:
            attempt = f"try:\n    import {module}\n    ok = True\nexcept Exception:\n    ok = False"
            outcomes = self.client.run(eval, f"(lambda names: (exec({attempt!r}, names), names['ok'])[1])({{}})")
            if not all(outcome is True for outcome in outcomes.values()):
                missing.append(module)
        return missing

    def make_importable(self, modules: list[str]) -> None:
        """Upload, as one zip, the modules the workers cannot import (with their packages' __init__ files)."""
        missing = self.unimportable(modules)
        if not missing:
            return
        archive = Path(tempfile.gettempdir()) / f"parallel-lab-{uuid.uuid4().hex}.zip"
        try:
            with zipfile.ZipFile(archive, "w") as bundle:
                for module in missing:
                    for path, name in _module_files(module):
                        if name not in bundle.namelist():
                            bundle.write(path, name)
            self.client.upload_file(str(archive))
        finally:
            archive.unlink(missing_ok=True)
        still_missing = self.unimportable(missing)
        if still_missing:
            message = say("dask.not_importable", address=self.address, modules=", ".join(still_missing))
            pytest.fail(message, pytrace=False)

    def close(self) -> None:
        try:
            if self.client is not None:
                self.client.close()
        finally:
            if self._restore_unpickling is not None:
                self._restore_unpickling()
                self._restore_unpickling = None
        if self.cluster is not None:
            tree = [psutil.Process(pid) for pid in self.process_pids() if psutil.pid_exists(pid)]
            self.cluster.stdin.close()  # the cluster's process closes the cluster and ends
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.cluster.wait(CLOSE_TIMEOUT_S)
            process_tree.terminate([p for p in tree if p.is_running()])
            self.cluster.wait()
            self.cluster.stdout.close()
            process_tree.helper_pid_sources.remove(self.process_pids)
        self.client = self.cluster = None


def _module_files(module: str) -> list[tuple[Path, str]]:
    """(file, name in the zip) for ``module`` and the ``__init__.py`` of every package above it."""
    spec = importlib.util.find_spec(module)
    origin = Path(spec.origin)
    parts = module.split(".")
    root = origin.parents[len(parts) - 1]
    files = [(origin, "/".join(parts[:-1] + [origin.name]))]
    for depth in range(1, len(parts)):
        init = root.joinpath(*parts[:depth], "__init__.py")
        files.append((init, "/".join(parts[:depth] + ["__init__.py"])))
    return files


@pytest.fixture(scope="session")
def dask_cluster(request: pytest.FixtureRequest):
    """The session's cluster (started on first use, closed at the end of the session)."""
    lab = lab_run(request.config)
    modules = [f"{lab.target.package}.{step}.{module}" for step, module in exercise_modules(lab.settings.rootdir)]
    step_modules = [m for m in modules if ".step5." in m]
    session_cluster = SessionCluster(lab.settings.dask_scheduler, step_modules, learner_account())
    yield session_cluster
    session_cluster.close()


@pytest.fixture
def dask_client(request: pytest.FixtureRequest, dask_cluster: SessionCluster):
    """A ``distributed.Client`` of the session's cluster, with every worker up and clean. The embedded
    cluster's processes stop with the test's learner process while the kit measures alone (its workers
    run the learner's tasks)."""
    client = dask_cluster.ready_client()
    learner = request.node.stash.get(learner_key, None)
    if learner is not None and dask_cluster.cluster is not None:
        learner.pause_also(dask_cluster.process_pids)
    yield client
    dask_cluster.went_idle()
