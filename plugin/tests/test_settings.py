"""Settings: every invalid value or combination is refused, naming where it came from."""

from __future__ import annotations

import dataclasses
import types
from pathlib import Path

import pytest

from plugin import settings
from plugin.messages import LOCALE_VARIABLES
from plugin.outputs.formats import FORMATS


def _config(tmp_path: Path, ini: dict | None = None, **options) -> types.SimpleNamespace:
    """A stand-in for pytest.Config: parsed options, ini values, rootdir and invocation folder."""
    defaults = {
        "solutions": False,
        "submission": None,
        "start_method": None,
        "lab_seed": None,
        "hints": False,
        "no_speedup": False,
        "lang": None,
        "dask_scheduler": None,
        **{output.dest: None for output in FORMATS},
    }
    ini_values = {
        "lab_start_method": "",
        "lab_enforce_speedup": True,
        "lab_speedup_timeout": "120",
        "lab_speedup_fraction": "0.4",
        "lab_lang": "",
        "lab_dask_scheduler": "",
        **(ini or {}),
    }
    return types.SimpleNamespace(
        option=types.SimpleNamespace(**{**defaults, **options}),
        getini=ini_values.__getitem__,
        rootpath=tmp_path,
        invocation_params=types.SimpleNamespace(dir=tmp_path),
    )


@pytest.mark.parametrize(
    ("ini", "options", "message"),
    [
        (
            {"lab_start_method": "threads"},
            {},
            "ini lab_start_method = 'threads': choose one of fork, spawn, forkserver",
        ),
        ({"lab_speedup_fraction": "1.5"}, {}, "ini lab_speedup_fraction = '1.5': write a number between 0 and 1"),
        ({"lab_speedup_fraction": "half"}, {}, "ini lab_speedup_fraction = 'half': write a number between 0 and 1"),
        ({"lab_speedup_timeout": "0"}, {}, "ini lab_speedup_timeout = '0': write a number of seconds greater than 0"),
        ({"lab_speedup_timeout": "soon"}, {}, "ini lab_speedup_timeout = 'soon': write a number of seconds"),
        ({}, {"submission": "nowhere"}, "--submission nowhere: no such directory"),
        ({}, {"solutions": True, "submission": "."}, "--solutions and --submission DIR exclude each other"),
        ({"lab_lang": "fr"}, {}, "ini lab_lang = 'fr': choose one of en, zh"),
    ],
    ids=[
        "start-method",
        "fraction-range",
        "fraction-word",
        "timeout-zero",
        "timeout-word",
        "submission",
        "two-targets",
        "lang",
    ],
)
def test_an_invalid_setting_names_where_it_came_from(tmp_path, monkeypatch, ini, options, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(pytest.UsageError) as refused:
        settings.resolve(_config(tmp_path, ini, **options))
    assert message in str(refused.value)


def test_an_unavailable_start_method_names_its_option(monkeypatch):
    monkeypatch.setattr(settings.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    with pytest.raises(pytest.UsageError, match="--start-method = fork: this start method is not available"):
        settings.validate_start_method("fork", "--start-method")


def test_the_option_wins_over_the_ini_key(tmp_path):
    resolved = settings.resolve(_config(tmp_path, {"lab_start_method": "threads"}, start_method="spawn"))
    assert resolved.start_method == "spawn"


def test_a_submission_read_as_a_test_path_asks_for_the_equals_sign(tmp_path):
    (tmp_path / "kit" / "exercises").mkdir(parents=True)
    (tmp_path / "bob").mkdir()
    config = _config(tmp_path / "bob", submission=str(tmp_path / "bob"))
    config.invocation_params.dir = tmp_path / "kit"
    with pytest.raises(pytest.UsageError, match="write the option with '=', as in  pytest --submission="):
        settings.resolve(config)


def test_valid_settings_resolve_to_their_values(tmp_path):
    resolved = settings.resolve(
        _config(
            tmp_path,
            {"lab_speedup_fraction": "0.25", "lab_speedup_timeout": "90"},
            solutions=True,
            lab_seed=7,
            gradescope="out/g.json",
            no_speedup=True,
        )
    )
    assert (resolved.target, resolved.seed, resolved.required_fraction, resolved.speedup_timeout) == (
        "solutions",
        7,
        0.25,
        90,
    )
    assert resolved.outputs == {"gradescope": Path("out/g.json")}
    assert resolved.enforce_speedup is False


def test_every_output_format_is_a_pytest_option(pytestconfig):
    for output in FORMATS:
        assert hasattr(pytestconfig.option, output.dest), output.option


def test_a_format_with_an_ini_key_takes_its_path_from_it_unless_the_option_is_given(tmp_path, monkeypatch):
    with_ini = dataclasses.replace(FORMATS[0], ini="lab_json_path")
    monkeypatch.setattr(settings, "FORMATS", (with_ini,))
    from_ini = _config(tmp_path, {"lab_json_path": "from-ini.json"})
    assert settings.resolve_outputs(from_ini) == {with_ini.name: Path("from-ini.json")}
    from_option = _config(tmp_path, {"lab_json_path": "from-ini.json"}, **{with_ini.dest: "from-option.json"})
    assert settings.resolve_outputs(from_option) == {with_ini.name: Path("from-option.json")}


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL overrides LANG
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # an empty variable is not set
    ],
)
def test_the_locale_chooses_the_language_when_neither_option_nor_ini_does(tmp_path, monkeypatch, environ, language):
    for variable in LOCALE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environ.items():
        monkeypatch.setenv(variable, value)
    assert settings.resolve(_config(tmp_path)).language == language


def test_the_language_option_wins_over_the_ini_key_which_wins_over_the_locale(tmp_path, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert settings.resolve(_config(tmp_path, {"lab_lang": "en"})).language == "en"
    assert settings.resolve(_config(tmp_path, {"lab_lang": "en"}, lang="zh")).language == "zh"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert settings.resolve(_config(tmp_path, {"lab_lang": "zh"})).language == "zh"
