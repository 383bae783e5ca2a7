"""``lab`` / ``lab watch``: one screen, re-run on every save, single keys.

The main thread owns the terminal (single keys without Enter, restored in ``finally`` whatever
happens) and draws; a watcher thread (watchfiles) and a run thread report to it through a queue.
A save is ignored while a run is in progress, and only Python files count: the caches, bytecode and
images a run writes never trigger another run.

The screen's jobs live in their own modules: runs (``watch_runs``), keys (``watch_keys``) and
drawing (``watch_draw``); this one holds the screen's state, its loop and the terminal.
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

from plugin.lab.kit import say
from plugin.lab.results import DONE
from plugin.lab.session import Lab, LabError
from plugin.lab.watch_draw import Drawing
from plugin.lab.watch_keys import KeyHandling
from plugin.lab.watch_runs import RunScheduling
from plugin.safety.signals import unwinding_on

FRAME_S = 0.1  # the spinner's pace, and how often keys and events are looked at


class WatchScreen(RunScheduling, KeyHandling, Drawing):
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

    def loop(self, keys_fd: int) -> None:
        if not self.manual:
            threading.Thread(target=self.watch_files, daemon=True).start()
        self.start_run(self.lab.current)
        self.draw()
        while True:
            readable, _, _ = select.select([keys_fd], [], [], FRAME_S)
            if readable and not self._take_keys(keys_fd):
                return
            changed = self._take_events()
            if self.running is not None:
                self.frame += 1
            if changed or self.running is not None:
                self.draw()

    def _take_keys(self, keys_fd: int) -> bool:
        """Act on the keys typed, and draw; False to quit."""
        typed = os.read(keys_fd, 32)
        if not typed:  # the terminal is gone
            return False
        for key in typed.decode(errors="ignore"):
            if not self.on_key(key.lower()):
                return False
        self.draw()
        return True

    def _take_events(self) -> bool:
        """Act on the events queued since the last frame; whether there were any."""
        changed = False
        while not self.events.empty():
            self.on_event(*self.events.get_nowait())
            changed = True
        return changed

    def close(self) -> None:
        self.stop.set()
        self.lab.close()
        if self._run_thread is not None:
            self._run_thread.join()


def watch(lab: Lab, manual: bool = False) -> int:
    if not sys.stdin.isatty():
        raise LabError(say("lab_not_a_terminal"))
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    with unwinding_on((signal.SIGTERM, signal.SIGHUP)):
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
    print(say("lab_bye", path=lab.state.path.name))
    return 0 if all(lab.status(exercise) == DONE for exercise in lab.exercises) else 1
