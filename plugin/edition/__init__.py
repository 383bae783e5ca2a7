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
import re
import shutil
import subprocess
import sys
from pathlib import Path

from plugin.edition.leaks import leaks, solution_bodies
from plugin.messages import say
from plugin.targets import SOLUTIONS

__all__ = ["LEFT_OUT", "LEARNER_TEST_COMMAND", "EditionError", "build", "leaks", "main", "solution_bodies"]

KIT = Path(__file__).resolve().parents[2]
# Teacher-only: solutions, solutions in disguise, grading infrastructure, and what the edition rewrites.
LEFT_OUT = (
    f"{SOLUTIONS}/",
    "plugin/tests/test_wrong_implementations.py",  # every case is a solution module with one function replaced
    "plugin/tests/test_edition.py",
    # lab's own tests: the solution gate quotes step1.run_workers' body, and its kit copy has solutions
    "plugin/tests/test_lab.py",  # compares the edition with the solutions, which it does not have
    "grading/",  # the Gradescope autograder scripts (top level); plugin/grading/, the grading command, stays
    "benchmarks/",  # lab latency, suite time, grading throughput: the kit's authors' measurements
    "CONTRIBUTING.md",  # adding a step: writes solutions and wrong implementations, which the edition has not
    ".ci/",  # the kit's CI runs the solutions; the edition gets its own .ci/run (learner_ci_run.sh)
    "README.md",
    "README.zh-CN.md",  # holds the grader's guide too; the edition's READMEs are generated
)
HERE = Path(__file__).resolve().parent
# The edition's README in each language, from the kit's README in that language (when the kit has it):
# (file name, the heading of its learner's guide, the template: str.format with {test_command}, {learners_guide}).
LEARNER_READMES = (
    ("README.md", "Learner's guide", HERE / "learner_readme.md"),
    ("README.zh-CN.md", "学习者指南", HERE / "learner_readme.zh-CN.md"),
)
CI_RUN_TEMPLATE = HERE / "learner_ci_run.sh"  # str.format: {test_command}
LEARNER_TEST_COMMAND = 'pytest plugin/tests -m "not slow"'


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
        name
        for name in tracked_files(kit)
        if not any(name == left or name.startswith(left) for left in LEFT_OUT) and (kit / name).is_file()
    ]


def learners_guide(readme: str, heading: str = "Learner's guide") -> str:
    """The ``## Learner's guide`` section (``heading``) of the kit's README, to its next ``## `` heading."""
    found = re.search(rf"^## {re.escape(heading)}\n.*?(?=^## )", readme, flags=re.MULTILINE | re.DOTALL)
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
    (out / "pyproject.toml").write_text(
        learner_pyproject((kit / "pyproject.toml").read_text(encoding="utf-8")), encoding="utf-8"
    )
    readmes = [name for name, _, _ in LEARNER_READMES if name == "README.md" or (kit / name).is_file()]
    for name, heading, template in (readme for readme in LEARNER_READMES if readme[0] in readmes):
        guide = learners_guide((kit / name).read_text(encoding="utf-8"), heading)
        (out / name).write_text(
            template.read_text(encoding="utf-8").format(test_command=LEARNER_TEST_COMMAND, learners_guide=guide),
            encoding="utf-8",
        )
    ci_run = out / ".ci" / "run"
    ci_run.parent.mkdir(parents=True, exist_ok=True)
    ci_run.write_text(
        CI_RUN_TEMPLATE.read_text(encoding="utf-8").format(test_command=LEARNER_TEST_COMMAND), encoding="utf-8"
    )
    ci_run.chmod(0o755)
    found = leaks(kit, out)
    if found:
        raise EditionError(say("edition_leak", out=out, leaks="\n  ".join(found)))
    git = ["git", "-C", str(out), "-c", "user.name=Parallel Lab", "-c", "user.email=parallel-lab@localhost"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Parallel Lab: learner edition"]):
        subprocess.run([*git, *command], check=True, capture_output=True)
    return sorted({*files, *readmes, ".ci/run"})


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
