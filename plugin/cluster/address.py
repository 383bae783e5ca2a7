"""Where step 5's scheduler is: ``--dask-scheduler ADDRESS``, ini ``lab_dask_scheduler``, or the
environment variable ``LAB_DASK_SCHEDULER``, in that order; none of them: an embedded LocalCluster.

The option and its resolution live with the other settings (``plugin.settings``:
``resolve_dask_scheduler``, ``validate_dask_scheduler``); this module names them and knows what an
address looks like."""

from __future__ import annotations

import re

ENVIRONMENT_VARIABLE = "LAB_DASK_SCHEDULER"
INI_KEY = "lab_dask_scheduler"
# A Dask address: a protocol, a host and a port (tcp://10.0.0.5:8786), or host:port, which Dask reads as tcp.
_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|inproc|ucx)://)?[\w.\-\[\]:]+:\d+$")


def is_scheduler_address(text: str) -> bool:
    return bool(_ADDRESS.match(text))
