"""The session's Dask cluster and the ``dask_client`` fixture that hands tests a ``Client``.

Without a scheduler address the session starts an embedded ``LocalCluster`` of two single-threaded
worker processes the first time a test asks for it, and closes it at the end of the session. Under
xdist each worker process has its own: a test that kills a worker then disturbs no other test's
cluster, and no controller has to start one for runs without step 5 (``benchmarks/step5_cluster.py``
measures it against one shared cluster).

With an address (``plugin.cluster.address``: ``--dask-scheduler``, ini, environment) the session
connects to that scheduler, checks that its workers can import what the tests send them (the target's step-5 modules and
``plugin.cluster.tasks``), uploads what they cannot (``Client.upload_file`` of a zip), and closes
only its client at the end.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import tempfile
import uuid
import zipfile
from pathlib import Path

import psutil
import pytest

from plugin.cluster import crossing, leftovers
from plugin.messages import say
from plugin.safety import process_tree
from plugin.session.run import lab_run
from plugin.targets import exercise_modules

LOCAL_WORKERS = 2
CONNECT_TIMEOUT_S = 30
WORKERS_BACK_TIMEOUT_S = 60  # a killed worker's nanny starts a new one; under spawn that takes seconds
TASKS_MODULE = "plugin.cluster.tasks"
MESSAGES_MODULE = "plugin.messages.en"  # tasks.py speaks through plugin.messages, which reads this table
NANNY_WORKER_NAME = "Dask Worker process (from Nanny)"  # distributed.nanny names the processes it starts so


class SessionCluster:
    """The cluster of one pytest process, started on first use."""

    def __init__(self, address: str | None, step_modules: list[str]):
        self.address = address
        self.step_modules = step_modules  # e.g. solutions.step5.cluster: what the workers must import
        self.cluster = None
        self.client = None
        self.workers = LOCAL_WORKERS

    def start(self):
        if self.client is not None:
            return self.client
        from distributed import Client, LocalCluster

        if self.address is None:
            self.cluster = LocalCluster(
                n_workers=LOCAL_WORKERS,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                # The scheduler serves its health routes even without a dashboard: on any free port, so
                # that two clusters (xdist) do not both ask for 8787.
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            )
            leftovers.session_owned.add(self.cluster)
            process_tree.helper_pid_sources.append(self.process_pids)
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(self.address, timeout=CONNECT_TIMEOUT_S)
            except OSError as error:
                pytest.fail(say("dask.unreachable", address=self.address, error=error), pytrace=False)
            self.workers = max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))
            self.make_importable([*self.step_modules, TASKS_MODULE, MESSAGES_MODULE])
        leftovers.session_owned.add(self.client)
        crossing.allow_clients_to_cross()
        return self.client

    def worker_pids(self) -> set[int]:
        """The pids of the processes that run the cluster's tasks: seen from outside (psutil) for the
        embedded cluster; as its workers report them for a scheduler elsewhere."""
        if self.cluster is not None:
            return self.process_pids()
        return {worker["pid"] for worker in self.start().scheduler_info(n_workers=-1)["workers"].values()}

    def process_pids(self) -> set[int]:
        """The embedded cluster's worker processes and whatever they started: the kit's, not the learner's.

        Found by the name their nannies give them, which also covers a worker that a nanny is
        starting in place of one that died. (A learner's own cluster has closed by the time anyone
        asks: ``plugin.cluster.leftovers`` closes it first.)"""
        pids = set()
        # multiprocessing's own list, read without active_children(), which would reap (and so hide)
        # the learner's finished processes that the unjoined-children check looks for.
        for child in list(getattr(multiprocessing.process, "_children", ())):
            if child.name == NANNY_WORKER_NAME and child.pid is not None:
                pids.add(child.pid)
                try:
                    pids.update(p.pid for p in psutil.Process(child.pid).children(recursive=True))
                except psutil.Error:
                    pass
        return pids

    def ready_client(self):
        """The client, once the cluster has all its workers again (a test may have killed one)."""
        client = self.start()
        try:
            client.wait_for_workers(self.workers, timeout=WORKERS_BACK_TIMEOUT_S)
        except TimeoutError:
            message = say("dask.workers_missing", workers=self.workers, seconds=WORKERS_BACK_TIMEOUT_S)
            pytest.fail(message, pytrace=False)
        return client

    def unimportable(self, modules: list[str]) -> list[str]:
        """The modules that some worker cannot import (checked with ``exec``, which every worker has)."""
        missing = []
        for module in modules:
            outcomes = self.client.run(exec, f"import {module}", on_error="return")
            if any(isinstance(outcome, BaseException) for outcome in outcomes.values()):
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
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
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
    session_cluster = SessionCluster(lab.settings.dask_scheduler, [m for m in modules if ".step5." in m])
    yield session_cluster
    session_cluster.close()


@pytest.fixture
def dask_client(dask_cluster: SessionCluster):
    """A ``distributed.Client`` of the session's cluster, with every worker up."""
    return dask_cluster.ready_client()
