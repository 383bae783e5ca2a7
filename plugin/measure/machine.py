"""How many CPUs this process may really use: affinity and container quotas, not ``os.cpu_count()``."""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
OWN_CGROUP = Path("/proc/self/cgroup")


def _own_cgroup_paths(membership: Path) -> tuple[str, str]:
    """This process's cgroup v2 path and cgroup v1 ``cpu`` controller path ("/" where unknown)."""
    v2 = v1 = "/"
    try:
        lines = membership.read_text().splitlines()
    except OSError:
        return v2, v1
    for line in lines:
        fields = line.split(":", 2)
        if len(fields) != 3:
            continue
        if fields[1] == "":
            v2 = fields[2]
        elif "cpu" in fields[1].split(","):
            v1 = fields[2]
    return v2, v1


def _with_ancestors(base: Path, path: str) -> list[Path]:
    """``base/a/b``, ``base/a``, ``base``: a quota anywhere up the tree applies."""
    parts = [part for part in path.split("/") if part]
    return [base.joinpath(*parts[:depth]) for depth in range(len(parts), -1, -1)]


def _v2_quota(folder: Path) -> float | None:
    try:
        quota, period = (folder / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        return None


def _v1_quota(folder: Path) -> float | None:
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text())
        period = int((folder / "cpu.cfs_period_us").read_text())
        return None if quota <= 0 else quota / period
    except (OSError, ValueError):
        return None


def _cgroup_quota(root: Path = CGROUP_ROOT, membership: Path = OWN_CGROUP) -> float | None:
    """CPUs allowed by the tightest cgroup v2 ``cpu.max`` or v1 CFS quota of this process's cgroup and
    its ancestors (a container sees its own cgroup as the root), or None when unlimited."""
    v2, v1 = _own_cgroup_paths(membership)
    quotas = [quota for folder in _with_ancestors(root, v2) if (quota := _v2_quota(folder)) is not None]
    quotas += [quota for folder in _with_ancestors(root / "cpu", v1) if (quota := _v1_quota(folder)) is not None]
    return min(quotas, default=None)


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        cpus = len(os.sched_getaffinity(0))
    else:
        cpus = os.cpu_count() or 1
    quota = _cgroup_quota()
    if quota is not None:
        cpus = min(cpus, max(1, math.floor(quota)))
    return max(1, cpus)
