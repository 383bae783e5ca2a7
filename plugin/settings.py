"""Command-line options and ini keys, resolved once per session into a small immutable object."""

from __future__ import annotations

import dataclasses
import multiprocessing
import random
from pathlib import Path

import pytest

START_METHODS = ("fork", "spawn", "forkserver")


@dataclasses.dataclass(frozen=True)
class LabSettings:
    rootdir: Path
    target: str  # "exercises" | "solutions" | "submission"
    submission: Path | None
    start_method: str  # the option's, the ini's, else default_start_method()
    seed: int
    json_path: Path | None
    gradescope_path: Path | None
    classroom_path: Path | None
    full_hints: bool
    enforce_speedup: bool
    speedup_plot: Path | None
    required_fraction: float


def default_start_method() -> str:
    """The start method of a learner's run and of the grading command alike, so a local done is a graded
    full mark: forkserver (spawn where there is none), which pickles every target and task argument as
    macOS and Python 3.14 do, so code that works only under fork fails here too."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("parallel-lab", "Parallel Lab")
    group.addoption(
        "--solutions",
        action="store_true",
        help="run the exercise tests against the reference solutions in solutions/",
    )
    group.addoption(
        "--submission",
        metavar="DIR",
        help="run the exercise tests against the modules in DIR (laid out like exercises/: DIR/step3/<module>.py)",
    )
    group.addoption(
        "--start-method",
        choices=START_METHODS,
        help="multiprocessing start method for the whole session (default: ini lab_start_method, else forkserver, "
        "or spawn where there is none: the grading command's)",
    )
    parser.addini("lab_start_method", "default multiprocessing start method (fork, spawn, forkserver)", default="")
    group.addoption(
        "--lab-seed",
        type=int,
        metavar="N",
        help="seed for every exercise input (default: a new random seed each run, printed in the header)",
    )
    group.addoption("--lab-json", metavar="PATH", help="write the whole run as JSON to PATH")
    group.addoption("--gradescope", metavar="PATH", help="write the scores as a Gradescope results.json to PATH")
    group.addoption(
        "--classroom", metavar="PATH", help="write the scores as the result document of GitHub Classroom's reporter"
    )
    group.addoption("--hints", action="store_true", help="show the full hint of every failing exercise")
    group.addoption(
        "--no-speedup",
        action="store_true",
        help="measure and report speedups but never fail a test for a low one (ini: lab_enforce_speedup = false)",
    )
    parser.addini("lab_enforce_speedup", "fail speedup tests below the required speedup", type="bool", default=True)
    group.addoption("--speedup-plot", metavar="PATH", help="write a PNG chart of the measured speedups to PATH")
    parser.addini("lab_speedup_timeout", "timeout in seconds of a test that measures a speedup", default="120")
    parser.addini(
        "lab_speedup_fraction",
        "required speedup as a fraction of the machine's measured capacity gain (see plugin/speedup.py)",
        default="0.5",
    )


def resolve(config: pytest.Config) -> LabSettings:
    option = config.option
    if option.solutions and option.submission:
        raise pytest.UsageError("--solutions and --submission DIR exclude each other: choose one target")
    submission = Path(option.submission).expanduser().resolve() if option.submission else None
    if submission is not None and not submission.is_dir():
        raise pytest.UsageError(f"--submission {option.submission}: no such directory")
    invocation_dir = config.invocation_params.dir
    if submission is not None and not (config.rootpath / "exercises").is_dir() and (invocation_dir / "exercises").is_dir():
        # pytest picks its rootdir before plugins declare their options, so it took DIR for a test path.
        raise pytest.UsageError(
            f"pytest took {config.rootpath} as the rootdir because it read the submission folder as a test path: "
            f"write the option with '=', as in  pytest --submission={option.submission}"
        )
    start_method = option.start_method or config.getini("lab_start_method") or default_start_method()
    if start_method not in START_METHODS:
        raise pytest.UsageError(f"lab_start_method = {start_method!r}: choose one of {', '.join(START_METHODS)}")
    if start_method not in multiprocessing.get_all_start_methods():
        raise pytest.UsageError(f"--start-method {start_method} is not available on this platform")
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker uses the controller's seed
        seed = workerinput["lab_seed"]
    elif option.lab_seed is not None:
        seed = option.lab_seed
    else:
        seed = random.SystemRandom().randrange(1, 1_000_000)
    try:
        fraction = float(config.getini("lab_speedup_fraction"))
    except ValueError:
        fraction = -1.0
    if not 0 <= fraction <= 1:
        raise pytest.UsageError("lab_speedup_fraction must be a number between 0 and 1")
    return LabSettings(
        rootdir=config.rootpath,
        target="solutions" if option.solutions else "submission" if submission else "exercises",
        submission=submission,
        start_method=start_method,
        seed=seed,
        json_path=Path(option.lab_json) if option.lab_json else None,
        gradescope_path=Path(option.gradescope) if option.gradescope else None,
        classroom_path=Path(option.classroom) if option.classroom else None,
        full_hints=option.hints,
        enforce_speedup=not option.no_speedup and config.getini("lab_enforce_speedup"),
        speedup_plot=Path(option.speedup_plot) if option.speedup_plot else None,
        required_fraction=fraction,
    )
