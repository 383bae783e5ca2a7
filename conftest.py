"""Registers the Parallel Lab plugin when the checkout is used without being installed."""

pytest_plugins = ["plugin.pytest_plugin"]
