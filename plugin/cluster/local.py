"""The embedded cluster's own process: ``python -m plugin.cluster.local`` starts a LocalCluster, prints
its scheduler's address on one line, and closes it when its standard input ends (the deciding process
closed it, or ended).

The scheduler unpickles every graph a client sends it, and the workers run the learner's tasks: in a
process of their own, neither runs in the process that decides the score (issue 10).
"""

from __future__ import annotations

import sys

WORKERS = 2


def main() -> None:
    import dask
    from distributed import LocalCluster

    # Messages over 10 MiB would be (de)serialised in a thread a worker starts on first use: without it,
    # a worker's thread count stays what it was once it ran a task (plugin.cluster.hygiene).
    dask.config.set({"distributed.comm.offload": False})
    with LocalCluster(
        n_workers=WORKERS,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        # The scheduler serves its health routes even without a dashboard: on any free port, so that two
        # clusters (xdist) do not both ask for 8787.
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as cluster:
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()  # until the deciding process closes the pipe


if __name__ == "__main__":
    main()
