"""Every sentence a learner or a grader reads, by stable key, with named placeholders.

One table per language, keyed alike (English is the default and the reference); code elsewhere in the
plugin never builds learner-facing prose, it asks for a message::

    say("todo", location="exercises/step1/processes.py:24")

A second language is a second table (a module beside ``en.py``, added to ``MESSAGES``) with the same
keys and the same placeholders, chosen once per session with ``use_language``. A key missing from a
table falls back to English.
"""

from __future__ import annotations

import string

from plugin.messages import en

DEFAULT_LANGUAGE = "en"

# One table per language, each from its own module: a new one is {**en.MESSAGES, **zh.MESSAGES}.
MESSAGES: dict[str, dict[str, str]] = {**en.MESSAGES}

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
