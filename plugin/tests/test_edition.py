"""The learner edition: no solution code in it, in any form, and it works on its own."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from plugin import edition
from plugin.tests.minikit import CATALOG, REPO, SOLUTION, STUB, TESTS, write

README = """\
# Demo kit

## Quick start

Teacher's quick start.

## Learner's guide

Run `pytest exercises/step1`.

## Grader's guide

Grade with `python -m plugin.grade DIR`; the solutions are in `solutions/`.
"""

# The body of the solution's pids(), renamed, reformatted and commented: still the answer.
DISGUISED = '''
def helper(things):
    """Not the solution, honestly."""
    with multiprocessing.Pool( 2 ) as pool:   # reformatted
        return pool.map(_pid,
                        things)
'''


def git_kit(root: Path) -> Path:
    """A committed mini kit with solutions, a grader's guide and a wrong-implementations file."""
    write(root / "exercises" / "__init__.py", "")
    write(root / "exercises" / "step1" / "__init__.py", CATALOG)
    write(root / "exercises" / "step1" / "demo.py", STUB)
    write(root / "exercises" / "step1" / "test_demo.py", TESTS)
    write(root / "solutions" / "__init__.py", "")
    write(root / "solutions" / "step1" / "demo.py", SOLUTION)
    write(root / "plugin" / "__init__.py", "")
    write(root / "plugin" / "tests" / "test_wrong_implementations.py", f"CASES = {{'x': {SOLUTION!r}}}\n")
    write(root / "grading" / "gradescope" / "setup.sh", "echo setup\n")
    write(root / "README.md", README)
    write(
        root / "pyproject.toml", '[tool.setuptools.packages.find]\ninclude = ["plugin*", "exercises*", "solutions*"]\n'
    )
    write(root / "scratch.py", "not tracked by git, never copied\n")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", *(p for p in os.listdir(root) if p not in ("scratch.py", ".git"))], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "kit"], check=True)
    return root


def test_the_edition_is_a_committed_repository_without_solutions_grading_or_graders_guide(tmp_path):
    kit = git_kit(tmp_path / "kit")
    out = tmp_path / "edition"
    files = edition.build(kit, out)
    committed = subprocess.run(
        ["git", "-C", str(out), "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert sorted(committed) == files
    assert set(files) == {
        ".ci/run",
        "README.md",
        "pyproject.toml",
        "exercises/__init__.py",
        "exercises/step1/__init__.py",
        "exercises/step1/demo.py",
        "exercises/step1/test_demo.py",
        "plugin/__init__.py",
    }
    assert (
        subprocess.run(
            ["git", "-C", str(out), "status", "--porcelain"], check=False, capture_output=True, text=True
        ).stdout
        == ""
    )
    assert "solutions" not in (out / "pyproject.toml").read_text()
    readme = (out / "README.md").read_text()
    assert "Run `pytest exercises/step1`." in readme and "Grader's guide" not in readme and "solutions/" not in readme
    assert edition.LEARNER_TEST_COMMAND in readme and edition.LEARNER_TEST_COMMAND in (out / ".ci" / "run").read_text()
    assert os.access(out / ".ci" / "run", os.X_OK)


def test_an_existing_folder_or_a_kit_outside_git_is_refused_with_what_to_do(tmp_path):
    kit = git_kit(tmp_path / "kit")
    write(tmp_path / "busy" / "file.txt", "")
    with pytest.raises(edition.EditionError, match="not empty: choose a new folder"):
        edition.build(kit, tmp_path / "busy")
    write(tmp_path / "plain" / "README.md", README)
    with pytest.raises(edition.EditionError, match="not a git checkout"):
        edition.build(tmp_path / "plain", tmp_path / "out")


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("plugin/helpers.py", "import multiprocessing\n" + DISGUISED),
        ("plugin/tests/test_cases.py", f"CASE = {DISGUISED!r}\n"),  # code in a string, as test cases hold it
        ("exercises/step1/README.md", f"# Lesson\n\n```python\n{DISGUISED}```\n"),
    ],
)
def test_a_solution_body_anywhere_in_any_form_stops_the_build_before_the_commit(tmp_path, path, text):
    kit = git_kit(tmp_path / "kit")
    write(kit / path, text)
    subprocess.run(["git", "-C", str(kit), "add", path], check=True)
    out = tmp_path / "edition"
    with pytest.raises(edition.EditionError, match=rf"{re.escape(path)}:helper is solutions/step1/demo.py:pids"):
        edition.build(kit, out)
    assert not (out / ".git").exists()


def test_code_the_stubs_give_is_not_taken_for_an_answer(tmp_path):
    kit = git_kit(tmp_path / "kit")
    given = (
        "\n\ndef shared_helper(items):\n    total = 0\n    for item in items:\n"
        "        total += item * item % 7\n    return total\n"
    )
    write(kit / "exercises" / "step1" / "demo.py", STUB + given)
    write(kit / "solutions" / "step1" / "demo.py", SOLUTION + given)
    assert sorted(edition.solution_bodies(kit).values()) == ["solutions/step1/demo.py:pids"]


def _body_texts(kit: Path) -> list[str]:
    """Each solution function's body as written, for a plain-text search beside the parsed one."""
    texts = []
    for path in (kit / "solutions").rglob("*.py"):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and len(node.body) > 1:
                texts.append(ast.get_source_segment(source, node.body[-1]))
    return [text for text in texts if text and len(text) > 40]


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_the_kits_learner_edition_has_no_solution_and_works_from_a_fresh_clone(tmp_path):
    out, clone = tmp_path / "edition", tmp_path / "clone"
    built = subprocess.run(
        [sys.executable, "-m", "plugin.edition", "learner", str(out)],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    subprocess.run(["git", "clone", "-q", str(out), str(clone)], check=True)
    assert not (clone / "solutions").exists()
    assert edition.leaks(REPO, clone) == []
    answers = [
        text
        for text in _body_texts(REPO)
        if text not in "".join(p.read_text() for p in (REPO / "exercises").rglob("*.py"))
    ]
    assert answers, "the plain-text search has something to look for"
    for path in (p for p in clone.rglob("*") if p.is_file() and ".git" not in p.parts):
        text = path.read_text(errors="replace")
        assert not [answer for answer in answers if answer in text], path
    # The README's own commands, as a learner types them, in the fresh clone.
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith(("PYTEST_", "PARALLEL_LAB"))
    }
    readme = (clone / "README.md").read_text()
    quick_start, test_command = re.search(r"## Quick start\n\n```sh\n(.*?)```", readme, re.DOTALL).group(1).splitlines()
    first = subprocess.run(
        ["bash", "-c", quick_start],
        check=False,
        cwd=clone,
        env=environment,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert first.returncode == 1, first.stdout[-3000:] + first.stderr[-3000:]  # tests failed: the stubs are todo
    assert re.search(r"step1 .*\] 0/\d+ done", first.stdout) and "not implemented yet: exercises/step1/" in first.stdout
    assert "passed" not in first.stdout.splitlines()[-1]
    # .ci/run repeats the install, checks every exercise is todo, runs the README's test command and grades.
    assert f"\n{test_command} " in (clone / ".ci" / "run").read_text()
    ci = subprocess.run(
        ["bash", ".ci/run"], check=False, cwd=clone, env=environment, capture_output=True, text=True, timeout=3000
    )
    assert ci.returncode == 0, ci.stdout[-5000:] + ci.stderr[-3000:]
    assert re.search(r"\d+ passed", ci.stdout) and "Parallel Lab: 0 / " in ci.stdout
