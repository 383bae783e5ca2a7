"""Where step 5's scheduler is: ``--dask-scheduler ADDRESS``, ini ``lab_dask_scheduler``, or the
environment variable ``LAB_DASK_SCHEDULER``, in that order; none of them: an embedded LocalCluster."""

from __future__ import annotations

import os
import re

import pytest

from plugin.messages import say

ENVIRONMENT_VARIABLE = "LAB_DASK_SCHEDULER"
INI_KEY = "lab_dask_scheduler"
# A Dask address: a protocol, a host and a port (tcp://10.0.0.5:8786), or host:port, which Dask reads as tcp.
_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|inproc|ucx)://)?[\w.\-\[\]:]+:\d+$")


def addoption(parser: pytest.Parser) -> None:
    parser.getgroup("parallel-lab").addoption(
        "--dask-scheduler",
        metavar="ADDRESS",
        help=f"run step 5 on the Dask scheduler at ADDRESS, e.g. tcp://10.0.0.5:8786 (default: ini {INI_KEY}, "
        f"else ${ENVIRONMENT_VARIABLE}, else a LocalCluster of 2 worker processes started for the session)",
    )
    parser.addini(INI_KEY, "address of the Dask scheduler step 5 runs on (default: an embedded LocalCluster)", default="")


def scheduler_address(config: pytest.Config) -> str | None:
    """The scheduler the session connects to, or None for an embedded LocalCluster."""
    for source, value in (
        ("--dask-scheduler", config.getoption("dask_scheduler", None)),
        (f"ini {INI_KEY}", config.getini(INI_KEY)),
        (ENVIRONMENT_VARIABLE, os.environ.get(ENVIRONMENT_VARIABLE, "")),
    ):
        if value and value.strip():
            address = value.strip()
            if not _ADDRESS.match(address):
                raise pytest.UsageError(say("dask_bad_address", source=source, address=address))
            return address
    return None
