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
        # learner edition (python -m plugin.edition learner OUT): read by the teacher
        "edition_written": "Learner edition: {out} ({files} files, one commit). Publish it as the Classroom template, "
        "e.g. git -C {out} remote add origin URL && git -C {out} push -u origin HEAD",
        "edition_out_not_empty": "edition: {out} already exists and is not empty: choose a new folder",
        "edition_not_a_checkout": "edition: {kit} is not a git checkout: the edition takes the files git tracks, "
        "so build it from a clone of the kit",
        "edition_no_learners_guide": "edition: the kit's README.md has no \"## Learner's guide\" section to give learners",
        "edition_leak": "edition: solution code found in {out}, nothing was committed; leave these files out of the "
        "edition (plugin/edition.py, LEFT_OUT):\n  {leaks}",
        # class grading (python -m plugin.grade --class DIR): read by the grader, and in the gradebook
        "class_plan": "Grading {pending} of {total} submission(s) in {folder}; {current} already graded with this kit "
        "(version {version}) are kept (--regrade grades them again).",
        "class_progress": "[{bar}] {done}/{total}  {name}: {outcome}  elapsed {elapsed}, about {left} left",
        "class_outcome_scored": "{score}/{max_score}",
        "class_outcome_refused": "not a valid upload",
        "class_outcome_not_graded": "could not be graded (see the gradebook's error column)",
        "class_done": "Gradebook: {path} ({rows} submission(s); {failed} could not be graded and will be retried "
        "by the same command).",
        "class_interrupted": "Interrupted: every submission graded so far is in {path}; run the same command again "
        "to grade the rest.",
        "class_no_folder": "grade: {folder}: no such folder",
        "class_empty": "grade: {folder} holds no submission: each must be a subfolder, a .zip or a .tar.gz",
        "class_kit_broken": "grade: the kit's exercise catalog is broken, nothing was graded: {detail}",
        "class_duplicate_name": "two submissions are named {name} ({first} and {second}): {second} is skipped; "
        "rename one of them",
        "class_upload_unreadable": "not a valid upload: {archive} is not a readable {kind} archive ({detail}); "
        "ask for a new upload",
        "class_upload_outside": "not a valid upload: the archive member {member} would be written outside the "
        "submission (refused); ask for a new archive of the exercises folder",
        "class_upload_link": "not a valid upload: the archive member {member} is a link or a special file (refused); "
        "ask for an archive of plain files",
        "class_upload_too_big": "not a valid upload: more than {megabytes} MB or {members} files named like the exercise "
        "modules (refused); ask for the exercise modules only",
        "class_grading_timeout": "the grading did not finish within {seconds:g} s and was stopped: no score",
        "class_grading_failed": "the grading could not run (exit code {code}): {detail}",
        "class_output_flood": "the submission printed {megabytes} MB of output (discarded)",
        "class_worker_kit_differs": "not graded: the Dask worker on {worker} has another kit (version {theirs}, "
        "here {ours}); install this kit on every worker",
        "class_worker_failed": "not graded: the Dask worker failed while grading ({detail})",
        "class_dask_missing": 'grade: --dask-scheduler needs Dask distributed: pip install "dask[distributed]"',
        "class_no_scheduler": "grade: could not reach the Dask scheduler at {address} ({detail}); is it running?",
        "class_no_grading_workers": "grade: no worker of the Dask scheduler at {address} offers the resource "
        'grading=1 (waited {seconds:g} s); on each grading machine run: dask worker {address} --nworkers 1 --nthreads 1 --resources "grading=1"',
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
