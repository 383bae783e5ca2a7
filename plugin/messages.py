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
        # -- grading command: the boundary around learner code (issue 10) --
        "grade-could-not-grade": "could not grade: {reason}",
        "grade-time-limit": "the grading took longer than its limit of {seconds:g} s",
        "grade-unexpected": "the grading command failed ({error}); the submission was not scored",
        "grade-no-folder": "{path}: no such folder",
        "grade-upload-unreadable": "{path} in the submission was not read ({why})",
        "sandbox-runs-as-root": (
            "the submission ran as root: the unprivileged account cannot run {python} ({why}); let other "
            "users read and search the Python installation (see the README's grader's guide)"
        ),
        "tamper-detected": "tampering detected: {problems}",
        "tamper-rejected-lines": "{count} result line(s) were not written by the kit",
        "tamper-oversized-lines": "{count} result line(s) longer than {limit_kib} KiB were sent to the grader",
        "tamper-flooded": "the result channel was flooded with more than {limit_mib} MiB",
        "tamper-replaced": "the submission replaced {names}",
        "tamper-kit-changed": "the kit's files were changed during the run: {paths}",
        "tamper-forked": (
            "{count} process(es) were forked straight from the test run although the grading runs under "
            "{start_method} (set_start_method('fork') or os.fork in the submission)"
        ),
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
