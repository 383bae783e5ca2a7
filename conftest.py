"""Registers the Parallel Lab plugin when the checkout is used without being installed,
and pytester, which the plugin's own tests use."""

pytest_plugins = ["plugin.pytest_plugin", "pytester"]
