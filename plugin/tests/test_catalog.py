"""The catalog read from a step's ``__init__.py``: what it yields, and each mistake it reports."""

from __future__ import annotations

import pytest

from plugin.exercises import CatalogError, load_catalog
from plugin.tests.minikit import write

MODULE = "def first(x):\n    raise NotImplementedError\n\n\ndef second(x):\n    raise NotImplementedError\n"


def course(tmp_path, catalog: str, step: str = "step1"):
    write(tmp_path / "exercises" / step / "__init__.py", catalog)
    write(tmp_path / "exercises" / step / "demo.py", MODULE)
    return tmp_path


def test_exercises_in_declared_order_with_their_fields_and_defaults(tmp_path):
    course(tmp_path, 'TITLE = "Two"\nEXERCISES = {"second": {"title": "S", "hint": "h1\\nh2", "points": 3,'
                     ' "all_or_nothing": True}, "first": {}}\n')
    course(tmp_path, 'EXERCISES = {"first": {"title": "F"}}\n', step="step10")
    course(tmp_path, 'EXERCISES = {"first": {"title": "F"}}\n', step="step2")
    catalog = load_catalog(tmp_path)
    assert [step.name for step in catalog.steps] == ["step1", "step2", "step10"]  # by number, not by text
    assert [step.title for step in catalog.steps] == ["Two", "step2", "step10"]
    second, first = catalog.steps[0].exercises
    assert (second.id, second.module, second.points, second.all_or_nothing) == ("step1.second", "demo", 3.0, True)
    assert second.short_hint == "h1"
    assert (first.title, first.hint, first.points, first.all_or_nothing) == ("first", "", 1.0, False)


def test_test_modules_and_conftest_do_not_define_exercises(tmp_path):
    course(tmp_path, 'EXERCISES = {"helper": {}}\n')
    write(tmp_path / "exercises" / "step1" / "test_demo.py", "def helper():\n    pass\n")
    write(tmp_path / "exercises" / "step1" / "conftest.py", "def helper():\n    pass\n")
    with pytest.raises(CatalogError, match="exercise 'helper' is not a function of any module in"):
        load_catalog(tmp_path)


@pytest.mark.parametrize(
    ("catalog", "complaint"),
    [
        ('EXERCISES = ["first"]\n', "EXERCISES must be a dict of name -> {'title', 'hint'}"),
        ('EXERCISES = {"first": "a title"}\n', "EXERCISES['first'] must be a dict with 'title' and 'hint'"),
        ('EXERCISES = {"third": {}}\n', "exercise 'third' is not a function of any module in"),
        ('EXERCISES = {"first": {"title": str(1)}}\n', "EXERCISES must be a plain literal"),
    ],
    ids=["not-a-dict", "entry-not-a-dict", "no-such-function", "not-a-literal"],
)
def test_each_catalog_mistake_names_the_file_and_what_to_fix(tmp_path, catalog, complaint):
    course(tmp_path, catalog)
    with pytest.raises(CatalogError) as error:
        load_catalog(tmp_path)
    assert str(error.value).startswith(str(tmp_path / "exercises" / "step1" / "__init__.py"))
    assert complaint in str(error.value)


def test_a_module_that_does_not_parse_still_declares_its_functions(tmp_path):
    """A learner's module mid-edit: its tests report the error, the catalog stands."""
    course(tmp_path, 'EXERCISES = {"first": {}, "second": {}}\n')
    write(tmp_path / "exercises" / "step1" / "demo.py", "def first(x):\n    return x *\n\n\ndef second(x):\n    pass\n")
    assert list(load_catalog(tmp_path).exercises) == ["step1.first", "step1.second"]
