"""What the processes of one xdist run share: the seed, a run folder, and the measurement lock.

The controller makes the choices and hands them to every worker through ``workerinput``; a serial run
is its own controller.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path


class RunLock:
    """Shared while an ordinary test runs, exclusive while a speedup is measured.

    Under xdist this keeps every other worker idle during a measurement. A second lock, the gate,
    stops new tests from starting while a measurement waits, so a busy worker cannot starve it.
    """

    def __init__(self, folder: Path):
        self._gate = os.open(folder / "gate.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self._runs = os.open(folder / "runs.lock", os.O_RDWR | os.O_CREAT, 0o600)

    def enter_test(self) -> None:
        fcntl.flock(self._gate, fcntl.LOCK_EX)
        fcntl.flock(self._runs, fcntl.LOCK_SH)
        fcntl.flock(self._gate, fcntl.LOCK_UN)

    def leave_test(self) -> None:
        fcntl.flock(self._runs, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def alone(self, waiting=contextlib.nullcontext):
        """Run the block with no test running on any other worker (called from inside a test).
        ``waiting``: a context manager around the wait for the others' tests to end."""
        fcntl.flock(self._runs, fcntl.LOCK_UN)  # our own shared hold would block the exclusive one
        with waiting():
            fcntl.flock(self._gate, fcntl.LOCK_EX)
            fcntl.flock(self._runs, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._runs, fcntl.LOCK_SH)
            fcntl.flock(self._gate, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._gate)
        os.close(self._runs)


class RunFolder:
    """A folder every process of the run can see; removed by the process that created it."""

    def __init__(self, workerinput: dict | None):
        if workerinput is None:
            self.path = Path(tempfile.mkdtemp(prefix="parallel-lab-run-"))
            self.owner = True
        else:
            self.path = Path(workerinput["lab_run_folder"])
            self.owner = False

    def remove(self) -> None:
        if self.owner:
            shutil.rmtree(self.path, ignore_errors=True)
