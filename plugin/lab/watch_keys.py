"""The watch screen's single keys."""

from __future__ import annotations

from collections.abc import Callable

from plugin.lab.kit import say
from plugin.lab.reset import ResetError, reset_function
from plugin.lab.session import Lab


class KeyHandling:
    """The part of ``WatchScreen`` that acts on keys: a key answers the open list or the reset
    question first, and is a command otherwise."""

    lab: Lab
    full_hint: bool
    listing: bool
    confirming_reset: bool
    notice: str
    running: str | None
    start_run: Callable[..., None]

    def on_key(self, key: str) -> bool:
        """Act on one key; False to quit."""
        if self.listing:
            self.listing = False
            return True
        if self.confirming_reset:
            self.confirming_reset = False
            self._answer_reset(key)
            return True
        self.notice = ""
        if key == "q":
            return False
        self._command(key)
        return True

    def _answer_reset(self, key: str) -> None:
        lab = self.lab
        if key != "y":
            self.notice = say("lab_reset_cancelled")
            return
        try:
            path = reset_function(lab.root, lab.current)
        except ResetError as error:
            self.notice = str(error)
            return
        lab.forget(lab.current)
        self.notice = say("lab_reset_done", exercise=lab.current.id, file=path.relative_to(lab.root))

    def _command(self, key: str) -> None:
        lab = self.lab
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
