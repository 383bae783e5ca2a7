"""Exercism's test-runner ``results.json``, version 3 (exercism.org/docs/building/tooling/test-runners/interface).

One entry per test, in the order of the test files (steps in catalog order, then file, then line; the
cases of a parametrized test in the order they were logged):
``name``, ``status`` (pass / fail / error), ``message`` when it did not pass, ``output`` (what the test
printed, at most 500 characters), ``test_code`` (the test function's source) and ``task_id`` (the
exercise's number within its step, 1 for its first exercise). The top ``status`` is ``error`` when no
test ran (a learner module that does not parse) or the run itself went wrong, with a ``message`` saying
why; else ``fail`` when any test did not pass, else ``pass``. Exercism has no status for a skipped
test: skipped tests are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

from plugin.catalog import Catalog
from plugin.messages import say
from plugin.outputs.result import RunResult
from plugin.progress import Ledger, TestRecord

VERSION = 3
OUTPUT_LIMIT = 500
_STATUS = {"passed": "pass", "failed": "fail", "todo": "fail", "error": "error"}


class SourceIndex:
    """The test functions of the test files under ``rootdir``, each file parsed once."""

    def __init__(self, rootdir: Path):
        self.rootdir = rootdir
        self._files: dict[str, tuple[list[str], dict[tuple[str, ...], ast.AST]]] = {}

    def _parsed(self, file: str) -> tuple[list[str], dict[tuple[str, ...], ast.AST]]:
        if file not in self._files:
            try:
                source = (self.rootdir / file).read_text(encoding="utf-8")
                tree = ast.parse(source)
            except (OSError, SyntaxError):
                self._files[file] = [], {}
                return self._files[file]
            functions = {}
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions[(node.name,)] = node
                elif isinstance(node, ast.ClassDef):
                    functions.update(
                        ((node.name, inner.name), inner)
                        for inner in node.body
                        if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef))
                    )
            self._files[file] = source.splitlines(), functions
        return self._files[file]

    def function(self, nodeid: str) -> ast.AST | None:
        """The test function of ``nodeid`` (a parametrized test's one function for all its cases)."""
        file, *names = nodeid.split("::")
        names[-1] = names[-1].split("[")[0]
        return self._parsed(file)[1].get(tuple(names))

    def code(self, nodeid: str) -> str:
        """The source of the test function, as its file has it (without decorators); else the node id."""
        function = self.function(nodeid)
        if function is None:
            return nodeid
        lines = self._parsed(nodeid.split("::")[0])[0]
        return "\n".join(lines[function.lineno - 1 : function.end_lineno])


def capped_output(output: str) -> str:
    """At most ``OUTPUT_LIMIT`` characters, saying so when cut."""
    if len(output) <= OUTPUT_LIMIT:
        return output
    notice = say("exercism_output_truncated", limit=OUTPUT_LIMIT)
    return output[: OUTPUT_LIMIT - len(notice) - 1] + "\n" + notice


def _test_name(record: TestRecord) -> str:
    test = record.nodeid.split("::")[-1]
    plain = test.split("[")[0].removeprefix("test_").replace("_", " ")
    parameters = test[len(test.split("[")[0]) :]
    return say("exercism_test_name", exercise_id=record.exercise, test=plain + parameters)


def _in_file_order(records: list[TestRecord], catalog: Catalog, sources: SourceIndex) -> list[TestRecord]:
    step_position = {step.name: index for index, step in enumerate(catalog.steps)}

    def position(indexed: tuple[int, TestRecord]) -> tuple:
        index, record = indexed
        function = sources.function(record.nodeid)
        step = record.exercise.split(".")[0]
        file = record.nodeid.split("::")[0]
        return step_position.get(step, len(step_position)), file, function.lineno if function else 0, index

    return [record for _, record in sorted(enumerate(records), key=position)]


def _test_json(record: TestRecord, task_ids: dict[str, int], sources: SourceIndex) -> dict:
    entry = {"name": _test_name(record), "status": _STATUS[record.outcome]}
    if entry["status"] != "pass":
        entry["message"] = record.message or say("exercism_failed_without_message")
    if record.output:
        entry["output"] = capped_output(record.output)
    entry["test_code"] = sources.code(record.nodeid)
    if record.exercise in task_ids:
        entry["task_id"] = task_ids[record.exercise]
    return entry


def build(result: RunResult) -> dict:
    """The ``FORMATS`` row's builder."""
    return exercism_document(result.catalog, result.ledger, result.rootdir, result.run_error)


def exercism_document(catalog: Catalog, ledger: Ledger, rootdir: Path, run_error: str = "") -> dict:
    """The document for the tests in ``ledger``; ``rootdir`` holds the test files their node ids name.

    ``run_error``: why the run itself went wrong (ended early, tampering), which makes the status ``error``.
    A test file that could not be collected is one more entry with status ``error``, after the tests.
    """
    task_ids = {
        exercise.id: number for step in catalog.steps for number, exercise in enumerate(step.exercises, start=1)
    }
    sources = SourceIndex(rootdir)
    records = [record for record in ledger.tests.values() if record.outcome in _STATUS]
    tests = [_test_json(record, task_ids, sources) for record in _in_file_order(records, catalog, sources)]
    if not run_error and not tests:
        errors = [error for step_errors in ledger.collection_errors.values() for error in step_errors]
        run_error = say("exercism_no_test_ran", errors="\n".join(errors) or "-")
    elif not run_error:
        tests += [
            {
                "name": say("exercism_collection_error_name", step=step),
                "status": "error",
                "message": error,
                "test_code": "",
            }
            for step, step_errors in ledger.collection_errors.items()
            for error in step_errors
        ]
    if run_error:
        return {"version": VERSION, "status": "error", "message": run_error, "tests": tests}
    passed = all(test["status"] == "pass" for test in tests)
    return {"version": VERSION, "status": "pass" if passed else "fail", "tests": tests}
