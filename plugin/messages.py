"""Every sentence a learner or a grader reads, by stable key, with named placeholders.

One table per language, keyed alike (English is the default and the reference); code elsewhere in the
plugin never builds learner-facing prose, it asks for a message::

    say("todo", location="exercises/step1/processes.py:24")

A second language is a second table with the same keys and the same placeholders, chosen once per
session with ``use_language``.
"""

from __future__ import annotations

import string

DEFAULT_LANGUAGE = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "todo": "not implemented yet: {location}",
        # step 5: the Dask cluster (plugin/cluster)
        "dask_bad_address": "{source} = {address!r} is not a Dask scheduler address: write it as "
        "tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786 (the address `dask scheduler` prints)",
        "dask_unreachable": "could not connect to the Dask scheduler at {address} ({error}): is `dask scheduler` "
        "running there, and is its port open from this machine?",
        "dask_not_importable": "the workers of the Dask scheduler at {address} cannot import {modules}, even after "
        "the kit uploaded them: install the kit on every worker (pip install -e . in a copy of it) and start "
        "the workers again",
        "dask_workers_missing": "the cluster did not get its {workers} worker(s) back within {seconds} s: a "
        "worker that died was not replaced; restart the cluster (or the test run)",
        "dask_left_open": "{clients} Dask Client(s) and {clusters} cluster(s) created by your code were still open: "
        "use the client the function receives instead of starting your own, or close what you start "
        "(with Client(...) as client:) (closed by the kit)",
    },
}

_language = DEFAULT_LANGUAGE


def use_language(language: str) -> None:
    """Choose the language of every later message (once per session, from the settings)."""
    global _language
    if language not in MESSAGES:
        raise ValueError(f"no messages in language {language!r}; known: {', '.join(sorted(MESSAGES))}")
    _language = language


def language() -> str:
    return _language


def say(key: str, **fields: object) -> str:
    """The message ``key`` in the session's language, its placeholders filled from ``fields``."""
    table = MESSAGES[_language]
    template = table.get(key, MESSAGES[DEFAULT_LANGUAGE][key])
    return template.format(**fields)


def placeholders(template: str) -> set[str]:
    """The named placeholders of one message, for the check that every language has the same ones."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
