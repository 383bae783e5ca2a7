"""What ``import exercises.stepN.<module>`` gives the deciding process: the kit's pristine stub, run
here (its given helpers and constants are the kit's own, so expected values never come from the
learner's code), with every exercise function replaced by a proxy that calls it in the test's learner
process. Setting an attribute of the module (``monkeypatch.setattr``) sets it in the learner process too.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import inspect
import sys
import types
from pathlib import Path

from plugin.messages import say

_current = None  # the running test's Learner


def set_current(learner) -> None:
    global _current
    _current = learner


def running():
    """The running test's Learner, or None outside a test."""
    return _current


def current():
    if _current is None:
        raise RuntimeError(say("boundary.no_learner"))
    return _current


class LearnerFunction:
    """An exercise function of the learner's, called in the learner process."""

    def __init__(self, module: str, name: str, pristine):
        self.__module__ = module
        self.__name__ = self.__qualname__ = name
        self.__doc__ = getattr(pristine, "__doc__", None)
        try:
            self.__signature__ = inspect.signature(pristine)
        except (TypeError, ValueError):
            pass

    def __call__(self, *args, **kwargs):
        __tracebackhide__ = True  # pytest shows the test's line, not the kit's plumbing
        return current().call(self.__module__, self.__name__, args, kwargs)

    def __reduce__(self):
        return self.__name__  # by reference: the learner's own function wherever it is unpickled

    def __repr__(self) -> str:
        return f"<learner's {self.__module__}.{self.__name__}>"


class LearnerModule(types.ModuleType):
    def __setattr__(self, name: str, value) -> None:
        super().__setattr__(name, value)
        if not name.startswith("__") and _current is not None:
            _current.setattr(self.__name__, name, value)


class BoundaryFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``import exercises.stepN.<module>`` with a ``LearnerModule``.

    ``modules``: module name -> (the pristine stub's file, the learner's file, the exercise functions).
    """

    def __init__(self, modules: dict[str, tuple[Path, Path, tuple[str, ...]]]):
        self.modules = modules

    def find_spec(self, name, path=None, target=None):
        if name not in self.modules:
            return None
        return importlib.util.spec_from_loader(name, self, origin=str(self.modules[name][1]))

    def create_module(self, spec):
        return LearnerModule(spec.name)

    def exec_module(self, module) -> None:
        pristine, learner_file, exercises = self.modules[module.__name__]
        if learner_file != pristine and learner_file.is_file():
            # Compiled, never run: a learner's module that does not parse stops its tests' collection
            # here, with its file and line, as it would without the boundary.
            compile(learner_file.read_bytes(), str(learner_file), "exec", dont_inherit=True)
        namespace = module.__dict__
        namespace["__file__"] = str(learner_file)
        exec(compile(pristine.read_text(encoding="utf-8"), str(pristine), "exec"), namespace)
        for name in exercises:
            namespace[name] = LearnerFunction(module.__name__, name, namespace.get(name))

    def install(self) -> None:
        sys.meta_path.insert(0, self)

    def uninstall(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        for name in self.modules:
            if isinstance(sys.modules.get(name), LearnerModule):
                del sys.modules[name]
