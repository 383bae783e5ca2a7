"""Fixtures of the plugin's own tests."""

from __future__ import annotations

import os

import pytest

from plugin.tests.minikit import REPO, build


@pytest.fixture
def kit(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester directory laid out like the kit, with the plugin importable."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return build(pytester)
