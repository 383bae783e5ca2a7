"""The learner edition: ``python -m plugin.edition learner OUT``.

Writes into OUT a ready git repository (one commit) to publish as the GitHub Classroom template: the
exercises (stubs, tests, lessons), the plugin, pyproject, the Classroom workflow, a learner's README
and a ``.ci/run`` that works without solutions. The teacher's kit keeps what only a teacher needs:
``solutions/``, the wrong implementations the plugin's tests try (they are solutions with one
function broken), the Gradescope autograder, the benchmarks and the grader's guide.

Only files git tracks are taken (never a virtual environment, a build or a learner's run), and before
the commit every function body of every solution is looked for in the edition, parsed (not as text,
so reformatting or a new name does not hide it), in Python files, in Python code inside their string
constants, and in the code blocks of Markdown files: any one found stops the build.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from plugin.messages import say
from plugin.targets import EXERCISES, SOLUTIONS

KIT = Path(__file__).resolve().parents[1]
# Teacher-only: solutions, solutions in disguise, grading infrastructure, and what the edition rewrites.
LEFT_OUT = (
    f"{SOLUTIONS}/",
    "plugin/tests/test_wrong_implementations.py",  # every case is a solution module with one function replaced
    "plugin/tests/test_edition.py",  # compares the edition with the solutions, which it does not have
    "grading/",
    "benchmarks/",
    ".ci/",
    "README.md",
    "README.zh-CN.md",  # holds the grader's guide too; the edition's README is generated in English
)
# A body this small (``return x * x``) says nothing about an answer, and appears in unrelated code.
MIN_BODY_NODES = 12
LEARNER_TEST_COMMAND = 'pytest plugin/tests -m "not slow"'

README = """\
# Parallel Lab

Learn how to pass work and arguments to other processes with Python's `multiprocessing`, one small
function at a time: processes, `Pool.map` and `starmap`, `apply_async`, `functools.partial`,
shared memory, and parallel image processing with Pillow. You fill in stubbed functions; the tests
tell you what is done, what to do next, why a test failed, and **how much faster your parallel code
really is on this machine**.

## Quick start

```sh
python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[dev]" && pytest exercises/step1
{test_command}
```

The first command installs the kit in a virtual environment and runs the first step against your
(still empty) functions: every test fails as *not implemented yet*, and the summary at the end shows
your progress and the first exercise to work on. The second checks the kit itself: the plugin's own
tests, on a miniature exercise of their own, must be green (it takes a few minutes).
(In a new shell, activate the environment again with `. .venv/bin/activate`.)

{learners_guide}
## Handing in, and the solutions

Push your work: the repository's GitHub Classroom workflow (`.github/workflows/classroom.yml`) grades
`exercises/` with `python -m plugin.grade exercises` and reports your points. Run the same command
yourself to see what it will give: it grades a copy of your modules with a fresh random seed, under
the `forkserver` start method, so code that works only under `fork` does not earn its points.

This repository has no reference solutions. Your teacher hands them out (for example with your graded
feedback); until then, `lab solution ID` says so.

## Layout

```
exercises/stepN/   README.md lesson, your module(s) to complete, test_*.py; the step's exercises,
                   titles and hints are declared in exercises/stepN/__init__.py
plugin/            the pytest plugin that runs, explains and grades the exercises, with its own tests
.github/workflows  classroom.yml, the GitHub Classroom grading
.ci/run            installs from scratch and runs every check of this repository
```
"""

CI_RUN = """\
#!/usr/bin/env bash
# CI of the learner edition: install from scratch as the README says, check that every exercise is
# still todo on the stubs, run the README's test command, and the grading command Classroom runs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.ci-out
rm -rf "$out" && mkdir -p "$out"

step() {{ printf '\\n=== %s\\n' "$*"; }}

step "install (README quick start)"
python3 -m venv .venv
. .venv/bin/activate
pip install --quiet --disable-pip-version-check -e ".[dev]"

step "the pristine stubs: every exercise is todo"
status=0
pytest exercises -p no:cacheprovider -q --lab-json "$out/stubs.json" >"$out/stubs.log" 2>&1 || status=$?
tail -n 25 "$out/stubs.log"
if [ "$status" -ne 1 ]; then echo "expected exit code 1 (failures) on the stubs, got $status"; exit 1; fi
python - "$out/stubs.json" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))["summary"]
if not summary["exercises"] or summary["todo"] != summary["exercises"]:
    sys.exit(f"expected every exercise todo on the stubs, got {{summary}}")
PY

step "README test command: {test_command}"
{test_command} -p no:cacheprovider -q

step "grading command (as Classroom runs it): the stubs earn no points"
status=0
python -m plugin.grade exercises --classroom "$out/classroom.json" >"$out/graded.log" 2>&1 || status=$?
tail -n 1 "$out/graded.log"
if [ "$status" -ne 1 ]; then echo "expected exit code 1 (fewer points) grading the stubs, got $status"; exit 1; fi
"""


class EditionError(Exception):
    """The edition cannot be built as asked: said in the teacher's terms, with what to do."""


def tracked_files(kit: Path) -> list[str]:
    try:
        listed = subprocess.run(["git", "-C", str(kit), "ls-files", "-z"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise EditionError(say("edition_not_a_checkout", kit=kit)) from error
    return [name for name in listed.stdout.decode().split("\0") if name]


def learner_files(kit: Path) -> list[str]:
    return [
        name for name in tracked_files(kit)
        if not any(name == left or name.startswith(left) for left in LEFT_OUT) and (kit / name).is_file()
    ]


def learners_guide(readme: str) -> str:
    """The ``## Learner's guide`` section of the kit's README, to its next ``## `` heading."""
    found = re.search(r"^## Learner's guide\n.*?(?=^## )", readme, flags=re.MULTILINE | re.DOTALL)
    if not found:
        raise EditionError(say("edition_no_learners_guide"))
    return found.group(0)


def learner_pyproject(text: str) -> str:
    """The kit's pyproject.toml without the solutions package: nothing of it is packaged either."""
    return re.sub(r',?\s*"solutions\*"', "", text)


def build(kit: Path, out: Path) -> list[str]:
    """Write the learner edition into ``out`` (new or empty) and commit it; returns the files written."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise EditionError(say("edition_out_not_empty", out=out))
    files = learner_files(kit)
    out.mkdir(parents=True, exist_ok=True)
    for name in files:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(kit / name, out / name)
    (out / "pyproject.toml").write_text(learner_pyproject((kit / "pyproject.toml").read_text(encoding="utf-8")), encoding="utf-8")
    guide = learners_guide((kit / "README.md").read_text(encoding="utf-8"))
    (out / "README.md").write_text(README.format(test_command=LEARNER_TEST_COMMAND, learners_guide=guide), encoding="utf-8")
    ci_run = out / ".ci" / "run"
    ci_run.parent.mkdir(parents=True, exist_ok=True)
    ci_run.write_text(CI_RUN.format(test_command=LEARNER_TEST_COMMAND), encoding="utf-8")
    ci_run.chmod(0o755)
    found = leaks(kit, out)
    if found:
        raise EditionError(say("edition_leak", out=out, leaks="\n  ".join(found)))
    git = ["git", "-C", str(out), "-c", "user.name=Parallel Lab", "-c", "user.email=parallel-lab@localhost"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Parallel Lab: learner edition"]):
        subprocess.run([*git, *command], check=True, capture_output=True)
    return sorted({*files, "README.md", ".ci/run"})


# -- no solution in the edition -----------------------------------------------------------------------------------


def _bodies(tree: ast.AST) -> dict[str, str]:
    """Each function's body, normalised, mapped to the function's name.

    Normalised: its AST without docstring, positions or formatting, with parameters and local
    variables renamed by order of appearance, so renaming ``items`` to ``things`` hides nothing.
    """
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                body = body[1:]
            module = _LocalNames(node).visit(ast.Module(body=copy.deepcopy(body), type_ignores=[]))
            if sum(1 for _ in ast.walk(module)) >= MIN_BODY_NODES:
                found[ast.dump(module)] = node.name
    return found


class _LocalNames(ast.NodeTransformer):
    """Renames a function's parameters and the names its body assigns to ``_0``, ``_1``, …"""

    def __init__(self, function: ast.FunctionDef | ast.AsyncFunctionDef):
        arguments = function.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
        names = [argument.arg for argument in every if argument is not None]
        names += [n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
        self.renamed = {name: f"_{index}" for index, name in enumerate(dict.fromkeys(names))}

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(id=self.renamed.get(node.id, node.id), ctx=node.ctx)


def _parse(source: str) -> ast.AST | None:
    try:
        return ast.parse(textwrap.dedent(source))
    except (SyntaxError, ValueError):
        return None


def code_in(path: Path) -> list[ast.AST]:
    """Every piece of Python in a file: a module, the code in its string constants, a Markdown code block."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    if path.suffix == ".md":
        blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
        return [tree for tree in map(_parse, blocks) if tree is not None]
    if path.suffix != ".py":
        return []
    module = _parse(text)
    if module is None:
        return []
    strings = [node.value for node in ast.walk(module) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    return [module, *(tree for tree in map(_parse, (s for s in strings if "def " in s)) if tree is not None)]


def solution_bodies(kit: Path) -> dict[str, str]:
    """The body of every solution function that the stubs do not already give (the answers), by body."""
    given = {body for path in (kit / EXERCISES).rglob("*.py") for tree in code_in(path) for body in _bodies(tree)}
    answers = {}
    for path in sorted((kit / SOLUTIONS).rglob("*.py")):
        for body, name in _bodies(ast.parse(path.read_text(encoding="utf-8"))).items():
            if body not in given:
                answers[body] = f"{path.relative_to(kit).as_posix()}:{name}"
    return answers


def leaks(kit: Path, edition: Path) -> list[str]:
    """``where: solution`` for every solution function body found anywhere in the edition."""
    answers = solution_bodies(kit)
    found = []
    for path in sorted(p for p in edition.rglob("*") if p.is_file() and ".git" not in p.relative_to(edition).parts):
        for tree in code_in(path):
            for body, name in _bodies(tree).items():
                if body in answers:
                    found.append(f"{path.relative_to(edition).as_posix()}:{name} is {answers[body]}")
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m plugin.edition", description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", choices=("learner",), help="the edition to write (learner: without solutions)")
    parser.add_argument("out", type=Path, help="a new (or empty) folder for the edition's git repository")
    parser.add_argument("--kit", type=Path, default=KIT, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    out = options.out.expanduser().resolve()
    try:
        files = build(options.kit.resolve(), out)
    except EditionError as error:
        print(error, file=sys.stderr)
        return 2
    print(say("edition_written", out=out, files=len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
