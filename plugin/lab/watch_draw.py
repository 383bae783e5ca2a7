"""Drawing the watch screen: the whole screen, redrawn on every change and every spinner frame."""

from __future__ import annotations

from typing import TextIO

from plugin.lab.kit import say
from plugin.lab.screen import exercise_lines, list_lines, step_lines
from plugin.lab.session import Lab

SPINNER = "|/-\\"
CLEAR = "\x1b[H\x1b[2J"


class Drawing:
    """The part of ``WatchScreen`` that draws it; it only reads the screen's state."""

    lab: Lab
    manual: bool
    out: TextIO
    full_hint: bool
    listing: bool
    confirming_reset: bool
    notice: str
    running: str | None
    progress: tuple[int, int]
    frame: int

    def lines(self) -> list[str]:
        lab = self.lab
        if self.listing:
            return list_lines(lab) + ["", say("lab_list_close")]
        lines = ["Parallel Lab", ""] + step_lines(lab) + [""]
        lines += exercise_lines(lab, lab.current, self.full_hint)
        lines.append("")
        if self.notice:
            lines.append(self.notice)
        status = self._status_line()
        if status is not None:
            lines.append(status)
        lines.append(say("lab_keys_manual") if self.manual else say("lab_watching"))
        lines.append(say("lab_keys"))
        return lines

    def _status_line(self) -> str | None:
        """The reset question, the run in progress, or the last run; None before the first run."""
        lab = self.lab
        if self.confirming_reset:
            return say("lab_reset_confirm", exercise=lab.current.id)
        if self.running is not None:
            spinner = SPINNER[self.frame % len(SPINNER)]
            done, total = self.progress
            key = "lab_running" if total else "lab_running_starting"
            return say(key, spinner=spinner, what=self.running, done=done, total=total)
        if lab.runs:
            return say("lab_last_run", run=lab.runs, seconds=lab.last_seconds)
        return None

    def draw(self) -> None:
        self.out.write(CLEAR + "\r\n".join(self.lines()) + "\r\n")
        self.out.flush()
