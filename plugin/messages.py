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
        # -- issue 9, a done that can be trusted: the pool spy (plugin/poolspy.py) -----------------
        "pool_not_used": (
            "no multiprocessing.Pool method did the work: use {wanted} (threads, concurrent.futures "
            "executors and plain loops do not count)"
        ),
        "pool_threads": (
            "the tasks went to a ThreadPool (multiprocessing.dummy), whose workers are threads of this "
            "process: use {wanted} of a multiprocessing.Pool"
        ),
        "pool_wrong_method": "the work went through {used}: the exercise asks for {wanted}",
        "pool_call_count": "{wanted} was called {count} time(s): the exercise needs {expected}",
        "pool_size": (
            "the pool had {sizes} worker(s), the exercise asked for {expected}: create the pool with the "
            "number of processes you are given"
        ),
        "pool_task_count": (
            "the pool calls handed over {counts} task(s): the exercise asks for {expected} per call "
            "(one chunk per worker, one task per image or per filter, as the docstring says)"
        ),
        "pool_large_task": (
            "a task of {size} bytes went to a worker: send a reference (a path, a segment name, slice "
            "bounds), not the data itself"
        ),
        "pool_no_task_ran": "no task of {wanted} ran in a worker: hand the work to the pool",
        "pool_ran_here": (
            "tasks of {wanted} ran in this process, not in worker processes: use a multiprocessing.Pool "
            "(not threads)"
        ),
        "pool_never_closed": (
            "{count} multiprocessing.Pool(s) were never closed (its workers kept running until the garbage "
            "collector ended them): use the pool as a context manager, with Pool(...) as pool:"
        ),
        "segment_already_unlinked": (
            "a shared-memory segment was gone when it was opened or unlinked ({error}): a worker must only "
            "close() its handle; unlink once, in the creator, after the workers are done"
        ),
        "speedup_skipped_work": (
            "speedup of {speedup:.2f}x with {workers} workers is more than {workers} processes can give "
            "({bound:.2f}x at most): work was skipped (outputs reused from an earlier call?), not sped up. "
            "Do all the work on every call"
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
