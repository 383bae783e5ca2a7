"""Every text in every language: the check that a second language stays complete (issue 13).

- every messages table has the keys of the English one, and each message the same named placeholders;
- every catalog text (a step's ``TITLE``, each exercise's ``title`` and ``hint``) has its translation
  beside it (``TITLE_ZH``, ``title_zh``, ``hint_zh``), and no translation lacks its English text;
- every lesson and README exists in every language (``README.md`` beside ``README.zh-CN.md``), and a
  translated lesson's code blocks are the English lesson's, unchanged.

Run by the authoring check (``python -m plugin.authoring``) and by the plugin's self-tests.
"""

from __future__ import annotations

import re
from pathlib import Path

from plugin.catalog import TEXT_FIELDS, module_constants, text_key
from plugin.messages import DEFAULT_LANGUAGE, LANGUAGES, MESSAGES, placeholders, say
from plugin.targets import EXERCISES

# The file name of a lesson or README in each language.
LESSON_NAMES = {"en": "README.md", "zh": "README.zh-CN.md"}
_FENCE = re.compile(r"^```[^\n`]*\n.*?^```\s*$", re.MULTILINE | re.DOTALL)


def message_problems(tables: dict[str, dict[str, str]] = MESSAGES) -> list[str]:
    english = tables[DEFAULT_LANGUAGE]
    found = []
    for language, table in tables.items():
        if language == DEFAULT_LANGUAGE:
            continue
        for key in sorted(english.keys() - table.keys()):
            found.append(say("language_missing_message", message=key, present=DEFAULT_LANGUAGE, missing=language))
        for key in sorted(table.keys() - english.keys()):
            found.append(say("language_missing_message", message=key, present=language, missing=DEFAULT_LANGUAGE))
        for key in sorted(table.keys() & english.keys()):
            found_names, expected = placeholders(table[key]), placeholders(english[key])
            if found_names != expected:
                found.append(
                    say(
                        "language_placeholders_differ",
                        message=key,
                        language=language,
                        found=sorted(found_names),
                        expected=sorted(expected),
                    )
                )
    return found


def _missing_texts(fields: dict, field: str, where: str, path: Path) -> list[str]:
    """``field`` of one catalog entry in every language, or a problem for each language it lacks."""
    missing = [language for language in LANGUAGES if text_key(field, language) not in fields]
    if len(missing) == len(LANGUAGES):  # a field nobody wrote (a hint is optional): nothing to translate
        return []
    return [
        say("language_missing_text", path=path, what=where, language=language, entry=text_key(field, language))
        for language in missing
    ]


def catalog_problems(rootdir: Path) -> list[str]:
    found = []
    for init in sorted((rootdir / EXERCISES).glob("step*/__init__.py")):
        constants = module_constants(init)
        step_texts = {key.lower(): value for key, value in constants.items() if key.startswith("TITLE")}
        found += _missing_texts(step_texts, "title", "TITLE", init)
        exercises = constants.get("EXERCISES", {})  # its shape is the catalog loader's to report
        entries = [(name, fields) for name, fields in exercises.items() if isinstance(fields, dict)]
        for name, fields in entries:
            for field in TEXT_FIELDS:
                found += _missing_texts(fields, field, f"{name} {field}", init)
    return found


def lesson_problems(rootdir: Path) -> list[str]:
    """A lesson or README in one language only (the kit's README and each step's lesson), and a translated
    lesson whose code blocks are not the English lesson's."""
    steps = sorted(path.parent for path in (rootdir / EXERCISES).glob("step*/__init__.py"))
    found = []
    for folder in [rootdir, *steps]:
        present = [name for name in LESSON_NAMES.values() if (folder / name).is_file()]
        if present:
            found += [
                say("language_missing_lesson", present=folder / present[0], missing=folder / name)
                for name in LESSON_NAMES.values()
                if name not in present
            ]
    for folder in steps:
        original = folder / LESSON_NAMES[DEFAULT_LANGUAGE]
        for translation in (folder / name for name in LESSON_NAMES.values()):
            if original.is_file() and translation.is_file() and _code(translation) != _code(original):
                found.append(say("language_code_differs", translation=translation, original=original))
    return found


def _code(lesson: Path) -> list[str]:
    return _FENCE.findall(lesson.read_text(encoding="utf-8"))


def problems(rootdir: Path) -> list[str]:
    return message_problems() + catalog_problems(rootdir) + lesson_problems(rootdir)
