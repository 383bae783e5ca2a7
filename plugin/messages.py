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
        # -- authoring check: the course's own consistency (plugin/course_check.py, issue 11 item 7) --
        "course_catalog_error": "the catalog cannot be read: {error}",
        "course_given_missing": "given helper {name}() is in {present} but not in {missing}: copy it there unchanged",
        "course_given_differs": "given helper {name}() differs between {stub} and {solution}: make them identical",
        "course_constant_missing": "constant {name} is in {present} but not in {missing}: copy it there unchanged",
        "course_constant_differs": "constant {name} differs between {stub} and {solution}: make them identical",
        "course_stub_not_in_catalog": (
            "{exercise_id} in {path} is not an exercise of the catalog: add it to the step's EXERCISES, "
            "or start its docstring with '{given}' if the learner is given it"
        ),
        "course_stub_does_not_raise": (
            '{exercise_id}: its stub in {path} must raise NotImplementedError("{exercise_id}: see the docstring")'
        ),
        "course_stub_raise_names_other": (
            "{exercise_id}: its stub raises NotImplementedError({message!r}) at {path}:{line}; "
            "the message must start with its own id"
        ),
        "course_solution_missing_exercise": "{exercise_id} has no solution in {path}",
        "course_solution_not_implemented": "{exercise_id}: its solution in {path} still raises NotImplementedError",
        "course_solution_module_missing": "{stub} has no solution module {solution}",
        "course_lesson_missing": "{step} has no lesson: write {path} with an '## Exercises' section",
        "course_lesson_no_exercise_list": (
            "{path} has no '## Exercises' section listing the step's exercises as `name`s"
        ),
        "course_lesson_lists_unknown": "{path} lists `{exercise_id}`, which is not an exercise of the catalog",
        "course_lesson_omits": "{path} does not list {exercise_id} in its '## Exercises' section",
        "course_summary": "course check: {problems} problems",
        # -- Exercism results.json (plugin/outputs/exercism.py, issue 11 item 4) --
        "exercism_test_name": "{exercise_id}: {test}",
        "exercism_output_truncated": "Output was truncated. Please limit to {limit} chars.",
        "exercism_failed_without_message": "this test did not pass (no message)",
        "exercism_no_test_ran": "no test could run:\n{errors}",
        "exercism_collection_error_name": "{step}: the tests could not be collected",
        # -- grading command: the boundary around learner code (issue 10) --
        "grade_could_not_grade": "could not grade: {reason}",
        "grade_time_limit": "the grading took longer than its limit of {seconds:g} s",
        "grade_unexpected": "the grading command failed ({error}); the submission was not scored",
        "grade_no_folder": "{path}: no such folder",
        "grade_upload_unreadable": "{path} in the submission was not read ({why})",
        "sandbox_runs_as_root": (
            "the submission ran as root: the unprivileged account cannot run {python} ({why}); let other "
            "users read and search the Python installation (see the README's grader's guide)"
        ),
        "tamper_detected": "tampering detected: {problems}",
        "tamper_rejected_lines": "{count} result line(s) were not written by the kit",
        "tamper_oversized_lines": "{count} result line(s) longer than {limit_kib} KiB were sent to the grader",
        "tamper_flooded": "the result channel was flooded with more than {limit_mib} MiB",
        "tamper_replaced": "the submission replaced {names}",
        "tamper_kit_changed": "the kit's files were changed during the run: {paths}",
        "tamper_forked": (
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
