"""The assertion exercise tests import from here: no child process of the learner's code left behind."""

from plugin.boundary import proxies


def assert_no_children_left(advice: str) -> None:
    """Fail, with ``advice``, when the learner's code left child processes running or never joined."""
    proxies.current().assert_no_children_left(advice)


__all__ = ["assert_no_children_left"]
