"""Counting the CPUs this process may really use."""

from __future__ import annotations

import os

import pytest

from plugin import machine


@pytest.mark.parametrize(
    "files, expected",
    [
        ({"cpu.max": "150000 100000\n"}, 1.5),
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "50000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 0.5),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({}, None),
    ],
    ids=["v2-quota", "v2-unlimited", "v1-quota", "v1-unlimited", "no-cgroup"],
)
def test_cgroup_quota_is_read_from_v2_or_v1_files(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert machine._cgroup_quota(tmp_path) == expected


def test_a_quota_caps_the_affinity_count(monkeypatch):
    monkeypatch.setattr(machine, "_cgroup_quota", lambda: 0.5)
    assert machine.usable_cpus() == 1


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="needs CPU affinity")
def test_without_quota_the_affinity_set_counts_not_cpu_count(monkeypatch):
    monkeypatch.setattr(machine, "_cgroup_quota", lambda: None)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert machine.usable_cpus() == len(os.sched_getaffinity(0))
