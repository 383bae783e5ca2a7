"""``.lab-state.json`` in the checkout (ignored by git): the cursor and the last result of each
exercise. Everything in it comes from real runs, so deleting it loses nothing but the cursor."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from plugin.lab.results import ExerciseResult

FILE_NAME = ".lab-state.json"
VERSION = 1


class State:
    def __init__(self, root: Path):
        self.path = root / FILE_NAME
        self.current: str | None = None
        self.results: dict[str, ExerciseResult] = {}
        self.checked: dict[str, float] = {}  # exercise -> when its result was recorded (epoch seconds)
        self._saving = threading.Lock()  # lab watch saves from its run thread and on keys
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") != VERSION:
                return
            self.current = data.get("current")
            for exercise_id, fields in data.get("exercises", {}).items():
                self.results[exercise_id] = ExerciseResult.from_dict(fields)
                self.checked[exercise_id] = float(fields.get("checked", 0))
        except (OSError, ValueError, TypeError, AttributeError):
            self.current, self.results, self.checked = None, {}, {}  # unreadable: start afresh

    def record(self, results: dict[str, ExerciseResult]) -> None:
        now = time.time()
        self.results.update(results)
        self.checked.update({exercise_id: now for exercise_id in results})

    def status(self, exercise_id: str) -> str | None:
        result = self.results.get(exercise_id)
        return result.status if result else None

    def save(self) -> None:
        data = {
            "version": VERSION,
            "current": self.current,
            "exercises": {
                exercise_id: {**result.as_dict(), "checked": self.checked.get(exercise_id, 0)}
                for exercise_id, result in sorted(self.results.items())
            },
        }
        temporary = self.path.with_name(self.path.name + ".tmp")
        with self._saving:
            temporary.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
            os.replace(temporary, self.path)
