"""``-p plugin.stream``: kept at this path for scripts that name it; the plugin lives in
``plugin.grading.stream``."""

from plugin.grading.stream import pytest_addoption, pytest_configure

__all__ = ["pytest_addoption", "pytest_configure"]
