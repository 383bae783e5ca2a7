"""One learner's lab: the kit's catalog, the saved state, and runs of the kit's tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from plugin.lab.kit import MARKER, Exercise, learner_file, load_catalog, say, where_to_edit
from plugin.lab.pristine import pristine_file
from plugin.lab.results import DONE, TODO, results_of
from plugin.lab.runner import Runner, RunOutcome
from plugin.lab.source import function_text
from plugin.lab.state import State

LOG_NAME = ".lab-last-run.log"


class LabError(Exception):
    """A usage or environment error, in the learner's terms (exit code 2)."""


class Lab:
    def __init__(self, root: Path, start_method: str | None = None, warm: bool = False):
        self.root = root
        self.catalog = load_catalog(root)
        self.state = State(root)
        self.log_path = root / LOG_NAME
        self.start_method = start_method
        self.warm = warm
        self._runner: Runner | None = None
        self.runs = 0
        self.last_seconds = 0.0
        # The watch screen asks for statuses and locations several times a second while tests run:
        # what is read from a file is kept until the file changes.
        self._by_file: dict[tuple, object] = {}

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            self._runner = Runner(self.root, self.log_path, MARKER, self.start_method, self.warm)
        return self._runner

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()

    # -- exercises and their status ---------------------------------------------------------------

    @property
    def exercises(self) -> list[Exercise]:
        return [exercise for step in self.catalog.steps for exercise in step.exercises]

    def exercise(self, exercise_id: str) -> Exercise:
        exercise = self.catalog.exercises.get(exercise_id)
        if exercise is None:
            raise LabError(say("lab_unknown_exercise", exercise=exercise_id))
        return exercise

    def _of_file(self, path: Path, what: tuple, compute: Callable[[], object]) -> object:
        try:
            stat = path.stat()
        except OSError:
            return compute()
        key = (path, stat.st_mtime_ns, stat.st_size, what)
        if key not in self._by_file:
            self._by_file[key] = compute()
        return self._by_file[key]

    def _function(self, path: Path, name: str) -> str | None:
        if not path.is_file():
            return None
        return self._of_file(path, ("function", name), lambda: function_text(path.read_text(encoding="utf-8"), name))

    def is_pristine(self, exercise: Exercise) -> bool:
        """The learner's function is still the stub, byte for byte (todo by the authoring check)."""
        pristine = self._function(pristine_file(exercise.step, exercise.module), exercise.name)
        return pristine is not None and pristine == self._function(self.module_file(exercise), exercise.name)

    def where_to_edit(self, exercise: Exercise) -> str:
        """``file:line`` to edit, as the plugin says it."""
        return self._of_file(
            self.module_file(exercise), ("edit", exercise.name), lambda: where_to_edit(exercise, self.root)
        )

    def status(self, exercise: Exercise) -> str | None:
        """The status of the last run of ``exercise``; todo for an untouched stub never run; else None."""
        known = self.state.status(exercise.id)
        if known is None and self.is_pristine(exercise):
            return TODO
        return known

    def module_file(self, exercise: Exercise) -> Path:
        return learner_file(exercise, self.root)

    def next_pending(self, after: Exercise | None = None) -> Exercise | None:
        """The first exercise not done, in catalog order, after ``after`` (wrapping round)."""
        order = self.exercises
        start = order.index(after) + 1 if after in order else 0
        for exercise in order[start:] + order[:start]:
            if exercise is not after and self.status(exercise) != DONE:
                return exercise
        return None

    @property
    def current(self) -> Exercise:
        """The cursor's exercise; once that is done, the next one to do (if any is left)."""
        chosen = self.catalog.exercises.get(self.state.current or "")
        if chosen is not None and self.status(chosen) != DONE:
            return chosen
        return self.next_pending(chosen) or chosen or self.exercises[0]

    def forget(self, exercise: Exercise) -> None:
        """Its last result no longer holds (its function was reset)."""
        self.state.results.pop(exercise.id, None)
        self.state.checked.pop(exercise.id, None)
        self.state.save()

    def move_to(self, exercise: Exercise) -> None:
        self.state.current = exercise.id
        self.state.save()

    # -- runs -------------------------------------------------------------------------------------

    def check(
        self,
        exercise: Exercise | None = None,
        step: str | None = None,
        on_event: Callable[[dict], None] = lambda e: None,
    ) -> RunOutcome:
        """Run the tests of one exercise, one step or (neither given) every step, and record the results."""
        if exercise is not None:
            path, selected = f"exercises/{exercise.step}", {exercise.id}
        elif step is not None:
            path, selected = f"exercises/{step}", {e.id for e in self.exercises if e.step == step}
        else:
            path, selected = "exercises", set(self.catalog.exercises)
        outcome = self.runner.run([path], exercise.id if exercise else None, on_event)
        if self.runner.cancelled:
            return outcome
        self.runs += 1
        self.last_seconds = outcome.seconds
        if outcome.document is None:
            raise LabError(say("lab_run_failed", code=outcome.exit_code, path=self.log_path.name))
        self.state.record(results_of(outcome.document, selected))
        self.state.save()
        return outcome
