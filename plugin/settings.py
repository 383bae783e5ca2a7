"""Command-line options and ini keys, resolved once per session into a small immutable object.

Each setting is resolved on its own, and each validator is told where its value came from
(``--start-method``, ``ini lab_start_method``, an environment variable) so that a bad value is
reported in the words the user wrote it in.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import random
from pathlib import Path

import pytest

from plugin.cluster import address as dask_address
from plugin.messages import LANGUAGES, locale_language, say
from plugin.outputs.formats import FORMATS
from plugin.safety.start_method import START_METHODS, default_start_method
from plugin.targets import EXERCISES, SOLUTIONS, SUBMISSION


@dataclasses.dataclass(frozen=True)
class LabSettings:
    rootdir: Path
    target: str  # EXERCISES | SOLUTIONS | SUBMISSION
    submission: Path | None
    start_method: str  # the option's, the ini's, else default_start_method()
    seed: int
    outputs: dict[str, Path]  # format name (plugin.outputs.formats.FORMATS) -> where to write it
    full_hints: bool
    enforce_speedup: bool
    required_fraction: float
    speedup_timeout: float
    language: str  # of every learner-facing sentence (plugin.messages.LANGUAGES)
    dask_scheduler: str | None = None  # None: step 5 runs on an embedded LocalCluster


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
        help="multiprocessing start method for the whole session (default: ini lab_start_method, else "
        "forkserver, or spawn where there is none: the grading command's)",
    )
    parser.addini("lab_start_method", "default multiprocessing start method (fork, spawn, forkserver)", default="")
    group.addoption(
        "--lab-seed",
        type=int,
        metavar="N",
        help="seed for every exercise input (default: a new random seed each run, printed in the header)",
    )
    for output in FORMATS:
        group.addoption(output.option, dest=output.dest, metavar="PATH", help=output.help)
        if output.ini is not None:
            parser.addini(output.ini, f"default path of {output.option}", default="")
    group.addoption(
        "--hints",
        action="store_true",
        help="show the full hint of the next and of every failing exercise, not only a nudge",
    )
    group.addoption(
        "--lang",
        choices=LANGUAGES,
        help="language of the kit's messages, titles and hints (default: ini lab_lang, else zh for a zh* locale "
        "in LC_ALL, LC_MESSAGES or LANG, else en)",
    )
    parser.addini("lab_lang", "language of the kit's messages (en, zh); default: from the locale", default="")
    _add_speedup_options(parser, group)
    _add_dask_options(parser, group)


def _add_speedup_options(parser: pytest.Parser, group) -> None:
    group.addoption(
        "--no-speedup",
        action="store_true",
        help="measure and report speedups but never fail a test for a low one (ini: lab_enforce_speedup = false)",
    )
    parser.addini("lab_enforce_speedup", "fail speedup tests below the required speedup", type="bool", default=True)
    parser.addini("lab_speedup_timeout", "timeout in seconds of a test that measures a speedup", default="120")
    parser.addini(
        "lab_speedup_fraction",
        "required speedup as a fraction of the machine's measured capacity gain (see plugin/measure/speedup.py)",
        default="0.4",
    )


def _add_dask_options(parser: pytest.Parser, group) -> None:
    group.addoption(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="run step 5 on the Dask scheduler at ADDRESS, e.g. tcp://10.0.0.5:8786 (default: ini "
        "lab_dask_scheduler, else $LAB_DASK_SCHEDULER, else a LocalCluster of 2 worker processes started for "
        "the session)",
    )
    parser.addini(
        dask_address.INI_KEY,
        "address of the Dask scheduler step 5 runs on (default: an embedded LocalCluster)",
        default="",
    )


# -- validators: each names where its value came from ----------------------------------------------


def validate_start_method(value: str, where: str) -> str:
    if value not in START_METHODS:
        raise pytest.UsageError(say("settings.choose_one", where=where, value=value, choices=", ".join(START_METHODS)))
    if value not in multiprocessing.get_all_start_methods():
        raise pytest.UsageError(say("settings.start_method_unavailable", where=where, value=value))
    return value


def validate_language(value: str, where: str) -> str:
    if value not in LANGUAGES:
        raise pytest.UsageError(say("settings.choose_one", where=where, value=value, choices=", ".join(LANGUAGES)))
    return value


def _validate_number(value: str, where: str, acceptable, key: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not acceptable(number):
        raise pytest.UsageError(say(key, where=where, value=value))
    return number


def validate_fraction(value: str, where: str) -> float:
    return _validate_number(value, where, lambda number: 0 <= number <= 1, "settings.fraction")


def validate_seconds(value: str, where: str) -> float:
    return _validate_number(value, where, lambda number: number > 0, "settings.seconds")


def validate_submission(value: str, where: str) -> Path:
    folder = Path(value).expanduser().resolve()
    if not folder.is_dir():
        raise pytest.UsageError(say("settings.no_folder", where=where, value=value))
    return folder


def validate_dask_scheduler(value: str, where: str) -> str:
    address = value.strip()
    if not dask_address.is_scheduler_address(address):
        raise pytest.UsageError(say("dask.bad_address", where=where, value=address))
    return address


# -- resolution, piece by piece --------------------------------------------------------------------


def resolve_target(config: pytest.Config) -> tuple[str, Path | None]:
    option = config.option
    if option.solutions and option.submission:
        raise pytest.UsageError(say("settings.two_targets"))
    if option.solutions:
        return SOLUTIONS, None
    if not option.submission:
        return EXERCISES, None
    submission = validate_submission(option.submission, "--submission")
    invocation_dir = config.invocation_params.dir
    if not (config.rootpath / EXERCISES).is_dir() and (invocation_dir / EXERCISES).is_dir():
        # pytest picks its rootdir before plugins declare their options, so it took DIR for a test path.
        raise pytest.UsageError(
            say("settings.submission_equals", rootdir=config.rootpath, submission=option.submission)
        )
    return SUBMISSION, submission


def resolve_start_method(config: pytest.Config) -> str:
    """The option's, else the ini's, else the grading command's default (so a local done is a full mark)."""
    if config.option.start_method:
        return validate_start_method(config.option.start_method, "--start-method")
    ini = config.getini("lab_start_method")
    return validate_start_method(ini, "ini lab_start_method") if ini else default_start_method()


def resolve_language(config: pytest.Config) -> str:
    if config.option.lang:
        return validate_language(config.option.lang, "--lang")
    ini = config.getini("lab_lang")
    return validate_language(ini, "ini lab_lang") if ini else locale_language()


def resolve_seed(config: pytest.Config) -> int:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker uses the controller's seed
        return workerinput["lab_seed"]
    if config.option.lab_seed is not None:
        return config.option.lab_seed
    return random.SystemRandom().randrange(1, 1_000_000)


def resolve_outputs(config: pytest.Config) -> dict[str, Path]:
    paths = {}
    for output in FORMATS:
        value = getattr(config.option, output.dest, None) or (config.getini(output.ini) if output.ini else "")
        if value:
            paths[output.name] = Path(value)
    return paths


def resolve_dask_scheduler(config: pytest.Config) -> str | None:
    """The scheduler step 5 connects to: the option, else the ini key, else the environment variable;
    None (none of them set) is an embedded LocalCluster."""
    for where, value in (
        ("--dask-scheduler", config.option.dask_scheduler),
        (f"ini {dask_address.INI_KEY}", config.getini(dask_address.INI_KEY)),
        (dask_address.ENVIRONMENT_VARIABLE, os.environ.get(dask_address.ENVIRONMENT_VARIABLE, "")),
    ):
        if value and value.strip():
            return validate_dask_scheduler(value, where)
    return None


def resolve(config: pytest.Config) -> LabSettings:
    target, submission = resolve_target(config)
    return LabSettings(
        rootdir=config.rootpath,
        target=target,
        submission=submission,
        start_method=resolve_start_method(config),
        seed=resolve_seed(config),
        outputs=resolve_outputs(config),
        full_hints=config.option.hints,
        enforce_speedup=not config.option.no_speedup and config.getini("lab_enforce_speedup"),
        required_fraction=validate_fraction(config.getini("lab_speedup_fraction"), "ini lab_speedup_fraction"),
        speedup_timeout=validate_seconds(config.getini("lab_speedup_timeout"), "ini lab_speedup_timeout"),
        language=resolve_language(config),
        dask_scheduler=resolve_dask_scheduler(config),
    )
