"""Fixtures of the plugin's own tests."""

from __future__ import annotations

import os

import pytest

from plugin.messages import LOCALE_VARIABLES
from plugin.tests.minikit import REPO, build

end_of_call = pytest.StashKey[list]()  # what a self-test started and must end before its call is reported


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Ends what a self-test registered under ``end_of_call``: the kit's leftover check, right after the
    call, would otherwise count it as the test's leftovers."""
    try:
        return (yield)
    finally:
        for end in reversed(item.stash.get(end_of_call, [])):
            end()


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin's tests read English unless they ask for another language (``--lang``), whatever the
    locale of the machine that runs them (pytester's runs, in process or not, read it)."""
    for variable in LOCALE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def kit(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester directory laid out like the kit, with the plugin importable."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return build(pytester)
