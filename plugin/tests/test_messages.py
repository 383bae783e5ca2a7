"""Messages: every language has the same keys and placeholders, every key the plugin asks for exists
and every message is asked for; failure explanations, from exceptions handed in."""

from __future__ import annotations

import ast
import pickle
import re
import threading
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from plugin import messages
from plugin.measure.speedup import FAIL, NOT_MEASURED, PASS
from plugin.messages import MESSAGES, placeholders, say
from plugin.outputs.terminal import SPEEDUP_COLUMNS
from plugin.progress import DONE, FAILING, NOT_RUN, TODO
from plugin.session import failures

PLUGIN = Path(__file__).resolve().parents[1]
SOURCES = [path for path in PLUGIN.rglob("*.py") if not {"tests", "messages"} & set(path.relative_to(PLUGIN).parts)]
# The exercise tests speak to learners too (from the step2 conversion, issue 9/10): their keys are asked for.
EXERCISE_TESTS = sorted((PLUGIN.parent / "exercises").rglob("test_*.py"))
# The authoring check speaks to the kit's authors, not to learners or graders.
AUTHOR_FACING = {"authoring.py"}
# Python's own error texts that failure explanations recognise.
PYTHON_TEXTS = {"Can't pickle", "Can't get local object", "cannot pickle"}
# Keys built from a vocabulary word rather than written out: prefix -> the words.
COMPUTED = {
    "status.": (DONE, TODO, FAILING, NOT_RUN),
    "verdict.": (PASS, FAIL, NOT_MEASURED),
    "summary.column.": tuple(key for key, _ in SPEEDUP_COLUMNS),
}


def _keys_in_code() -> set[str]:
    keys = set()
    for path in [*SOURCES, *EXERCISE_TESTS]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "say" and node.args:
                if isinstance(node.args[0], ast.Constant):
                    keys.add(node.args[0].value)
            # keys passed along to say() by name, e.g. ending(timeout, "grade.every_test")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in MESSAGES["en"]:
                keys.add(node.value)
    return keys | {prefix + word for prefix, words in COMPUTED.items() for word in words}


@pytest.mark.parametrize("language", sorted(MESSAGES))
def test_every_language_has_the_keys_and_placeholders_of_english(language):
    english, table = MESSAGES["en"], MESSAGES[language]
    assert table.keys() == english.keys()
    for key, template in table.items():
        assert placeholders(template) == placeholders(english[key]), key


def test_every_key_the_plugin_asks_for_exists_and_every_message_is_asked_for():
    used = _keys_in_code()
    assert used - MESSAGES["en"].keys() == set()
    assert MESSAGES["en"].keys() - used == set()


def test_say_fills_named_placeholders_and_a_missing_translation_falls_back_to_english(monkeypatch):
    assert (
        say("todo", location="exercises/step1/processes.py:24")
        == "not implemented yet: exercises/step1/processes.py:24"
    )
    monkeypatch.setitem(MESSAGES, "xx", {"todo": "noch nicht: {location}"})
    monkeypatch.setattr(messages, "_language", "xx")
    assert say("todo", location="a.py:1") == "noch nicht: a.py:1"
    assert say("summary.all_done") == MESSAGES["en"]["summary.all_done"]


def test_an_unknown_language_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="known: en"):
        messages.use_language("tlh")


# -- failure explanations: exceptions in, sentences out ------------------------------------------------


def _raised(error: Exception, cause: Exception) -> Exception:
    """``error`` as ``raise error from cause`` leaves it."""
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "phrase"),
    [
        (pickle.PicklingError("Can't pickle <function <lambda>>"), "define the function at module level"),
        (AttributeError("Can't get local object 'f.<locals>.g'"), "could not be pickled"),
        (
            RuntimeError("Synchronized objects should only be shared between processes through inheritance"),
            "shared only through inheritance",
        ),
        (
            RuntimeError(
                "An attempt has been made to start a new process before the current process has "
                "finished its bootstrapping phase."
            ),
            'if __name__ == "__main__":',
        ),
        (threading.BrokenBarrierError(), "the tasks never ran at the same time"),
        (BrokenProcessPool("A child process terminated abruptly"), "a worker process died abruptly"),
    ],
)
def test_a_recognised_mistake_is_explained_in_what_to_do(error, phrase):
    assert phrase in failures.explain(error)
    assert phrase in failures.explain(_raised(ValueError("wrapped"), error))  # found down the chain


def test_an_unrecognised_error_is_left_to_pytest():
    assert failures.explain(ValueError("wrong answer")) is None


def test_the_first_timeout_of_a_chain_is_the_explanation():
    first = pytest.fail.Exception(failures.timeout_message(4, 2), pytrace=False)
    setattr(first, failures.TIMED_OUT, True)
    second = pytest.fail.Exception(failures.timeout_message(5, 0, [3]), pytrace=False)
    setattr(second, failures.TIMED_OUT, True)
    second.__context__ = first
    explanation = failures.explain(second)
    assert explanation.startswith("timed out after 4 s, and 2 child process(es) were terminated. ")
    assert "exited with code 3" in failures.timeout_message(5, 0, [3, 3])
    assert failures.explain(pytest.fail.Exception("timed out after 1 s", pytrace=False)) is None  # not ours


def test_a_worker_traceback_is_shown_without_multiprocessing_frames():
    class RemoteTraceback(Exception):
        pass

    remote = RemoteTraceback(
        '"""\nTraceback (most recent call last):\n'
        '  File "/usr/lib/python3.11/multiprocessing/pool.py", line 125, in worker\n'
        "    result = (True, func(*args, **kwds))\n"
        '  File "/kit/exercises/step2/pool.py", line 9, in square\n'
        "    return x * y\n"
        'NameError: name \'y\' is not defined\n"""'
    )
    explanation = failures.explain(_raised(NameError("name 'y' is not defined"), remote))
    assert "raised inside a worker process" in explanation
    assert 'File "/kit/exercises/step2/pool.py", line 9, in square' in explanation
    assert "multiprocessing/pool.py" not in explanation


def test_no_module_but_messages_builds_learner_facing_prose():
    """A sentence (four words or more) outside docstrings, option help and comments is a message."""
    sentence = re.compile(r"[A-Za-z]+ [a-z]+ [a-z]+ [a-z]+")
    found = []
    for path in (path for path in SOURCES if path.name not in AUTHOR_FACING):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node) is not None
        }
        helps = {
            id(k.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            for k in node.keywords
            if k.arg == "help"
        }
        helps |= {
            id(a)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "addini"
            for a in node.args[1:2]
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings | helps:
                if node.value in PYTHON_TEXTS:
                    continue
                if sentence.search(node.value):
                    found.append(f"{path.relative_to(PLUGIN)}:{node.lineno}: {node.value[:60]!r}")
    assert found == []
