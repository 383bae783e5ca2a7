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
        # Tiered hints (issue 16): the nudge by default, the full hint with --hints.
        "hint": "hint: {hint}",
        "hint_for": "hint ({exercise}): {hint}",
        # Lessons (issue 16): a callback that raised killed the pool's result-handler thread.
        "callback_raised": "{failure}: a callback of apply_async raised an exception. Callbacks run in the "
        "pool's result-handler thread, in your process: an exception there stops that thread (a KeyError "
        "leaves its task unfinished instead), so get() and join() wait forever and leaving the with block "
        "fails. Keep callbacks short and never let them raise (catch errors inside the callback).",
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
