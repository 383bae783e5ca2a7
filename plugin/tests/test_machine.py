"""Counting the CPUs this process may really use."""

from __future__ import annotations

import os

import pytest

from plugin.measure import machine


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
    assert machine._cgroup_quota(tmp_path, tmp_path / "no-such-file") == expected


@pytest.mark.parametrize(
    "membership, files, expected",
    [
        ("0::/box/job\n", {"box/job/cpu.max": "50000 100000", "cpu.max": "max 100000"}, 0.5),
        ("0::/box/job\n", {"box/job/cpu.max": "300000 100000", "box/cpu.max": "100000 100000"}, 1.0),
        (
            "4:cpu,cpuacct:/job\n0::/\n",
            {"cpu/job/cpu.cfs_quota_us": "200000", "cpu/job/cpu.cfs_period_us": "100000"},
            2.0,
        ),
    ],
    ids=["own-cgroup", "tighter-ancestor", "v1-own-cgroup"],
)
def test_the_quota_of_the_process_own_cgroup_and_its_ancestors_counts(tmp_path, membership, files, expected):
    (tmp_path / "self-cgroup").write_text(membership)
    for name, text in files.items():
        (tmp_path / "fs" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "fs" / name).write_text(text + "\n")
    assert machine._cgroup_quota(tmp_path / "fs", tmp_path / "self-cgroup") == expected


def test_a_quota_caps_the_affinity_count(monkeypatch):
    monkeypatch.setattr(machine, "_cgroup_quota", lambda: 0.5)
    assert machine.usable_cpus() == 1


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="needs CPU affinity")
def test_without_quota_the_affinity_set_counts_not_cpu_count(monkeypatch):
    monkeypatch.setattr(machine, "_cgroup_quota", lambda: None)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert machine.usable_cpus() == len(os.sched_getaffinity(0))
