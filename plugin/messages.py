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
        # lab: the learner's loop (plugin/lab/)
        "lab_no_kit": (
            "lab: no Parallel Lab checkout here ({folder}): run lab inside the folder you cloned the kit into."
        ),
        "lab_unknown_exercise": (
            "lab: {exercise!r} is not an exercise. Run `lab list` to see them all, as stepN.<function_name>."
        ),
        "lab_all_done": "Every exercise is done. Well done!",
        "lab_status_done": "done",
        "lab_status_todo": "todo",
        "lab_status_failing": "failing",
        "lab_status_unknown": "not checked yet",
        "lab_step_line": "{step}  {title:<40} {bar} {done}/{total} done",
        "lab_list_row": "  {mark} {exercise:<36} {status:<15} {points:>4g} pt  {location}",
        "lab_current": "{exercise} — {title}",
        "lab_edit": "edit {location}",
        "lab_status_line": "status: {status} ({tests_passed}/{tests} tests pass)",
        "lab_status_only": "status: {status}",
        "lab_checked": "checked at {time}",
        "lab_last_run": "run #{run} took {seconds:.1f} s",
        "lab_not_checked": "not checked yet: save the file, or press r to run its tests",
        "lab_collection_error": "its tests could not be loaded: {problem}",
        "lab_speedup": (
            "speedup {speedup}x with {workers} workers (required {required}x, machine capacity {capacity}x): {verdict}"
        ),
        "lab_speedup_reason": "speedup not measured: {reason}",
        "lab_hint": "hint: {hint}",
        "lab_log": "full pytest output: {path}",
        "lab_running": "{spinner} running {what}… {done}/{total} tests",
        "lab_running_starting": "{spinner} running {what}… starting",
        "lab_running_once": "running the tests of {exercise}…",
        "lab_running_step": "the whole of {step}",
        "lab_running_all": "every step",
        "lab_keys": "keys: h hint · n next · l list · c check all · r re-run · x reset · q quit",
        "lab_keys_manual": "manual mode: press r to run after saving.",
        "lab_watching": "watching exercises/: save the file to check it.",
        "lab_list_close": "press any key to go back",
        "lab_reset_confirm": "Reset {exercise} to its stub? Your code in that function will be lost. [y/N] ",
        "lab_reset_done": "{exercise} is back to its stub in {file}.",
        "lab_reset_cancelled": "reset cancelled: nothing changed.",
        "lab_reset_no_stub": (
            "lab: there is no pristine stub of {exercise} in this copy of the kit: reinstall the kit to get it back."
        ),
        "lab_reset_no_function": (
            "lab: {file} has no function {name}() to reset: write `def {name}(...):` back in, or restore the file."
        ),
        "lab_moved_on": "{exercise} is done: on to {next}.",
        "lab_no_next": "every other exercise is done too.",
        "lab_broke": "Careful: {exercises} passed before and fail now (press l to see every status).",
        "lab_solution_not_done": (
            "The solution of {exercise} is shown once it is done: it is {status} now ({tests_passed} of "
            "{tests} tests pass). Keep going: `lab hint {exercise}` may help."
        ),
        "lab_solution_none": "This copy of the kit has no solutions: your teacher reveals them.",
        "lab_solution_header": "Reference solution of {exercise} (yours passes too; compare them):",
        "lab_run_failed": "lab: pytest could not run the tests (exit code {code}); its output is in {path}.",
        "lab_bad_start_method": "lab: --start-method {method} is not available here; choose one of {methods}.",
        "lab_not_a_terminal": "lab watch needs a terminal: run it in a terminal window, or use `lab run`.",
        "lab_bye": "bye: your progress is saved in {path}.",
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
