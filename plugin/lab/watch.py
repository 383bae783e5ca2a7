"""``lab`` / ``lab watch``: one screen, re-run on every save, single keys.

The main thread owns the terminal (single keys without Enter, restored in ``finally`` whatever
happens) and draws; a watcher thread (watchfiles) and a run thread report to it through a queue.
A save is ignored while a run is in progress, and only Python files count: the caches, bytecode and
images a run writes never trigger another run.
"""

from __future__ import annotations

import os
import queue
import select
import signal
import sys
import termios
import threading
import tty

import watchfiles

from plugin.lab.kit import Exercise, say, stubs_folder
from plugin.lab.reset import ResetError, reset_function
from plugin.lab.results import DONE
from plugin.lab.screen import exercise_lines, list_lines, step_lines
from plugin.lab.session import Lab, LabError

DEBOUNCE_MS = 200
FRAME_S = 0.1  # the spinner's pace, and how often keys and events are looked at
SPINNER = "|/-\\"
CLEAR = "\x1b[H\x1b[2J"


class WatchScreen:
    def __init__(self, lab: Lab, manual: bool, out=sys.stdout):
        self.lab = lab
        self.manual = manual
        self.out = out
        self.events: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.full_hint = False
        self.listing = False
        self.confirming_reset = False
        self.notice = ""
        self.running: str | None = None  # what is running, as the screen names it
        self.progress = (0, 0)
        self.frame = 0
        self._run_thread: threading.Thread | None = None

    # -- runs ---------------------------------------------------------------------------------------

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

    # -- keys ---------------------------------------------------------------------------------------

    def on_key(self, key: str) -> bool:
        """Act on one key; False to quit."""
        lab = self.lab
        if self.listing:
            self.listing = False
            return True
        if self.confirming_reset:
            self.confirming_reset = False
            if key != "y":
                self.notice = say("lab_reset_cancelled")
                return True
            try:
                path = reset_function(lab.root, lab.current)
            except ResetError as error:
                self.notice = str(error)
                return True
            lab.forget(lab.current)
            self.notice = say("lab_reset_done", exercise=lab.current.id, file=path.relative_to(lab.root))
            return True
        self.notice = ""
        if key == "q":
            return False
        if key == "h":
            self.full_hint = not self.full_hint
        elif key == "n":
            upcoming = lab.next_pending(lab.current)
            if upcoming is None:
                self.notice = say("lab_no_next")
            else:
                lab.move_to(upcoming)
                self.full_hint = False
        elif key == "l":
            self.listing = True
        elif key == "c":
            self.start_run()
        elif key == "r":
            self.start_run(lab.current)
        elif key == "x" and self.running is None:
            self.confirming_reset = True
        return True

    # -- drawing ------------------------------------------------------------------------------------

    def lines(self) -> list[str]:
        lab = self.lab
        if self.listing:
            return list_lines(lab) + ["", say("lab_list_close")]
        lines = ["Parallel Lab", ""] + step_lines(lab) + [""]
        lines += exercise_lines(lab, lab.current, self.full_hint)
        lines.append("")
        if self.notice:
            lines.append(self.notice)
        if self.confirming_reset:
            lines.append(say("lab_reset_confirm", exercise=lab.current.id))
        elif self.running is not None:
            spinner = SPINNER[self.frame % len(SPINNER)]
            done, total = self.progress
            key = "lab_running" if total else "lab_running_starting"
            lines.append(say(key, spinner=spinner, what=self.running, done=done, total=total))
        elif lab.runs:
            lines.append(say("lab_last_run", run=lab.runs, seconds=lab.last_seconds))
        lines.append(say("lab_keys_manual") if self.manual else say("lab_watching"))
        lines.append(say("lab_keys"))
        return lines

    def draw(self) -> None:
        self.out.write(CLEAR + "\r\n".join(self.lines()) + "\r\n")
        self.out.flush()

    # -- the loop -----------------------------------------------------------------------------------

    def loop(self, keys_fd: int) -> None:
        if not self.manual:
            threading.Thread(target=self.watch_files, daemon=True).start()
        self.start_run(self.lab.current)
        self.draw()
        while True:
            readable, _, _ = select.select([keys_fd], [], [], FRAME_S)
            if readable:
                typed = os.read(keys_fd, 32)
                if not typed:  # the terminal is gone
                    return
                for key in typed.decode(errors="ignore"):
                    if not self.on_key(key.lower()):
                        return
                self.draw()
            changed = False
            while not self.events.empty():
                kind, payload = self.events.get_nowait()
                changed = True
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
            if self.running is not None:
                self.frame += 1
            if changed or self.running is not None:
                self.draw()

    def close(self) -> None:
        self.stop.set()
        self.lab.close()
        if self._run_thread is not None:
            self._run_thread.join()


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def watch(lab: Lab, manual: bool = False) -> int:
    if not sys.stdin.isatty():
        raise LabError(say("lab_not_a_terminal"))
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    previous = {sig: signal.signal(sig, _raise_interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    screen = WatchScreen(lab, manual)
    try:
        tty.setcbreak(fd)
        sys.stdout.write("\x1b[?25l")  # the cursor would blink over the screen
        screen.loop(fd)
    except KeyboardInterrupt:
        pass
    finally:
        try:
            screen.close()
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
            sys.stdout.write("\x1b[?25h")
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    print(say("lab_bye", path=lab.state.path.name))
    return 0 if all(lab.status(exercise) == DONE for exercise in lab.exercises) else 1
