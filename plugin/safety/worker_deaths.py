"""Pool workers that die while holding a task, remembered so the hang that follows can be explained."""

from __future__ import annotations


class PoolWorkerDeaths:
    """Exit codes of pool workers that ended on their own (``os._exit``, a crash, an error while a
    spawned worker imported the learner's module). ``Pool`` replaces such a worker silently, and
    waits forever for the task it held: the hang that follows is then explained by its exit code."""

    def __init__(self, record: str | None = None) -> None:
        """``record``: a file each exit code is also appended to, one a line (a learner process's, read
        by its deciding process while the learner's own code hangs)."""
        from multiprocessing.pool import Pool

        self.exit_codes: list[int] = []
        self._original = getattr(Pool, "_join_exited_workers", None)  # absent: deaths go unexplained
        if self._original is None:
            return
        original, exit_codes = self._original, self.exit_codes

        def joining(pool):
            died = [worker.exitcode for worker in pool if worker.exitcode not in (None, 0)]
            exit_codes.extend(died)
            if died and record is not None:
                try:
                    with open(record, "a", encoding="ascii") as file:
                        file.write("".join(f"{code}\n" for code in died))
                except OSError:
                    pass  # an explanation lost; the pool's own thread must not fail
            return original(pool)

        Pool._join_exited_workers = staticmethod(joining)

    def close(self) -> None:
        from multiprocessing.pool import Pool

        if self._original is not None:
            Pool._join_exited_workers = staticmethod(self._original)
