"""``LabRun``: what one pytest process knows about the lab run, shared by the objects that do its jobs
(collection checks, report stamping, the guard around each test, the outputs)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from plugin.catalog import Catalog
from plugin.measure import clock
from plugin.measure.machine import usable_cpus
from plugin.measure.sharing import RunFolder, RunLock
from plugin.measure.speedup import SpeedupMeter
from plugin.progress import Ledger
from plugin.safety import process_tree
from plugin.safety.hang_guard import HangGuard
from plugin.safety.rendezvous import RendezvousService
from plugin.settings import LabSettings
from plugin.targets import EXERCISES, TargetSwitch, resolve

PLUGIN_NAME = "parallel-lab-run"
speedups_key = pytest.StashKey[list]()  # the measurements of one test, stamped on its report
segments_key = pytest.StashKey[set]()  # the shared-memory segments that existed before one test


class LabRun:
    def __init__(self, config: pytest.Config, settings: LabSettings, catalog: Catalog):
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
        # Outside a kit (another project's tests in the same environment) the plugin watches nothing.
        self.in_kit = bool(catalog.steps)
        self.hangs = HangGuard() if self.in_kit else None
        self.meter = SpeedupMeter(
            self.cpus,
            settings.required_fraction,
            self.run_folder.path,
            self._alone if self.lock else contextlib.nullcontext,
            self.hangs.time_left if self.hangs else None,
        )
        self.rendezvous = RendezvousService()
        self.started = clock.perf_counter()

    def _alone(self):
        """No other worker's test runs inside it; waiting for them is not this test's time."""
        return self.lock.alone(waiting=self.hangs.not_counting if self.hangs else contextlib.nullcontext)

    @property
    def target(self):
        return self.switch.target

    @property
    def is_controller(self) -> bool:
        """The process that logs reports and writes outputs: the xdist controller, or the only process."""
        return not hasattr(self.config, "workerinput")

    def is_exercise_test(self, path: Path) -> bool:
        return self.exercises_dir in path.parents

    def relative_paths(self, text: str) -> str:
        """``text`` with the kit's files named relative to its root, as a learner sees them."""
        return text.replace(f"{self.settings.rootdir}{os.sep}", "")

    def xdist_workers(self) -> int:
        option = self.config.option
        return len(getattr(option, "tx", None) or []) if getattr(option, "dist", "no") != "no" else 0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # Called in the process that logs reports: the controller under xdist, where the ledger lives.
        self.ledger.record(report)
        self.speedups.extend(getattr(report, "lab_speedups", None) or [])

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node) -> None:
        """xdist: every worker uses the controller's seed and run folder."""
        node.workerinput["lab_seed"] = self.settings.seed
        node.workerinput["lab_run_folder"] = str(self.run_folder.path)

    def close(self) -> None:
        self.rendezvous.shutdown()
        if self.in_kit:
            self.hangs.close()
            process_tree.terminate_everything()  # no process started by the run outlives it
        self.switch.uninstall()
        if self.lock is not None:
            self.lock.close()
        self.run_folder.remove()


def lab_run(config: pytest.Config) -> LabRun:
    return config.pluginmanager.get_plugin(PLUGIN_NAME)
