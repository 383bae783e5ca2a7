"""The catalog: each mistake in a step's declaration is a CatalogError naming the file and what to fix."""

from __future__ import annotations

import pytest

from plugin.catalog import CatalogError, edit_location, load_catalog
from plugin.targets import resolve
from plugin.tests.minikit import CATALOG, STUB, write


def _course(tmp_path, declaration: str = CATALOG, stub: str = STUB):
    write(tmp_path / "exercises" / "step1" / "__init__.py", declaration)
    write(tmp_path / "exercises" / "step1" / "demo.py", stub)
    return tmp_path


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ("TITLE = 'Demo'\nEXERCISES = dict(double={})\n", "EXERCISES must be a plain literal"),
        ("EXERCISES = ['double']\n", "EXERCISES must be a dict of name -> {'title', 'hint'}"),
        ("EXERCISES = {'double': 'Double it'}\n", "EXERCISES['double'] must be a dict with 'title' and 'hint'"),
        ("EXERCISES = {'triple': {'title': 'Triple'}}\n", "exercise 'triple' is not a function of any module in"),
    ],
    ids=["not-literal", "not-a-dict", "entry-not-a-dict", "no-function"],
)
def test_each_declaration_mistake_names_its_file(tmp_path, declaration, message):
    with pytest.raises(CatalogError, match="exercises/step1/__init__.py") as refused:
        load_catalog(_course(tmp_path, declaration))
    assert message in str(refused.value)


def test_the_declaration_gives_titles_hints_points_and_modules(tmp_path):
    catalog = load_catalog(_course(tmp_path))
    double, pids = catalog.steps[0].exercises
    assert (catalog.steps[0].title, double.id, double.module, double.points) == ("Demo step", "step1.double", "demo", 3)
    assert double.hint == "Think of multiplication." and pids.all_or_nothing
    assert double.hint_full == "Return x * 2.\nThe second line of the hint.", "--hints shows hint_full"


def test_an_exercise_without_a_full_hint_shows_its_nudge_with_hints(tmp_path):
    declaration = 'TITLE = "Demo"\nEXERCISES = {"double": {"title": "Double", "hint": "Multiply."}}\n'
    (exercise,) = load_catalog(_course(tmp_path, declaration)).exercises.values()
    assert (exercise.hint, exercise.hint_full) == ("Multiply.", "Multiply.")


def test_a_learner_module_that_does_not_parse_keeps_its_exercises(tmp_path):
    catalog = load_catalog(_course(tmp_path, stub=STUB + "\ndef broken(:\n"))
    assert list(catalog.exercises) == ["step1.double", "step1.pids"]


def test_the_place_to_edit_is_the_stubs_raise(tmp_path):
    course = _course(tmp_path)
    catalog = load_catalog(course)
    target = resolve("exercises", course, None)
    raise_line = (
        STUB.lstrip().splitlines().index('    raise NotImplementedError("step1.double: see the docstring")') + 1
    )
    assert edit_location(catalog.exercises["step1.double"], target, course) == f"exercises/step1/demo.py:{raise_line}"
    assert edit_location(catalog.exercises["step1.double"], target, course, 7) == "exercises/step1/demo.py:7"
