"""The watch screen's runs: when one starts, what its events change, and what follows a finished run."""

from __future__ import annotations

import queue
import threading

import watchfiles

from plugin.lab.kit import Exercise, say, stubs_folder
from plugin.lab.results import DONE
from plugin.lab.session import Lab, LabError

DEBOUNCE_MS = 200


class RunScheduling:
    """The part of ``WatchScreen`` that schedules runs; a run thread and the file watcher put their
    events on ``events``, and the screen's loop hands them to ``on_event``."""

    lab: Lab
    events: queue.Queue
    stop: threading.Event
    full_hint: bool
    notice: str
    running: str | None  # what is running, as the screen names it
    progress: tuple[int, int]  # tests done, tests collected
    _run_thread: threading.Thread | None

    def start_run(self, exercise: Exercise | None = None, step: str | None = None) -> None:
        if self.running is not None:
            return
        if exercise is not None:
            self.running = exercise.id
        else:
            self.running = say("lab_running_step", step=step) if step else say("lab_running_all")
        self.progress = (0, 0)
        done_before = {e.id for e in self.lab.exercises if self.lab.status(e) == DONE}

        def run() -> None:
            try:
                self.lab.check(exercise, step, on_event=lambda event: self.events.put(("progress", event)))
                self.events.put(("finished", (exercise, done_before)))
            except LabError as error:
                self.events.put(("failed", str(error)))

        self._run_thread = threading.Thread(target=run, daemon=True)
        self._run_thread.start()

    def on_event(self, kind: str, payload) -> None:
        if kind == "saved" and self.running is None:
            self.notice = ""
            self.start_run(self.lab.current)
        elif kind == "progress":
            if payload["event"] == "collected":
                self.progress = (0, payload["total"])
            elif payload["event"] == "test":
                self.progress = (payload["done"], self.progress[1])
        elif kind == "finished":
            self.on_finished(*payload)
        elif kind == "failed":
            self.running = None
            self.notice = payload

    def on_finished(self, exercise: Exercise | None, done_before: set[str]) -> None:
        self.running = None
        lab = self.lab
        if lab.runner.cancelled:
            return
        broke = [e.id for e in lab.exercises if e.id in done_before and lab.status(e) != DONE]
        if exercise is not None and lab.status(exercise) == DONE:
            upcoming = lab.next_pending(exercise)
            if upcoming is None:
                self.notice = say("lab_all_done")
            else:
                lab.move_to(upcoming)
                self.full_hint = False
                self.notice = say("lab_moved_on", exercise=exercise.id, next=upcoming.id)
            self.start_run(step=exercise.step)  # did something else of the step break?
        if broke:
            self.notice = " ".join(filter(None, [self.notice, say("lab_broke", exercises=", ".join(broke))]))

    def watch_files(self) -> None:
        for _ in watchfiles.watch(
            stubs_folder(self.lab.root),
            watch_filter=watchfiles.PythonFilter(),
            debounce=DEBOUNCE_MS,
            stop_event=self.stop,
            raise_interrupt=False,
        ):
            self.events.put(("saved", None))
