"""Unit tests of the restricted unpickler that reads every reply of a learner process (plugin/boundary/plain.py)."""

from __future__ import annotations

import pickle
import pickletools
from pathlib import Path, PurePosixPath

import numpy as np
import pytest

from plugin.boundary import plain, server
from plugin.boundary.learner import LearnerError


class AlwaysEqual(int):
    """A learner's lying result: equal to anything."""

    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class LyingArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)


def _roundtrip(value):
    return plain.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        2.5,
        1 + 2j,
        "text",
        b"bytes",
        bytearray(b"mutable"),
        [1, [2, 3]],
        (1, "a"),
        {"key": [1.0, None]},
        {1, 2},
        frozenset({3}),
        range(2, 9, 3),
        slice(1, 5),
        Path("/tmp/out.png"),
        PurePosixPath("a/b"),
    ],
    ids=repr,
)
def test_builtin_data_and_paths_are_admitted_unchanged(value):
    assert _roundtrip(value) == value
    assert type(_roundtrip(value)) is type(value)


@pytest.mark.parametrize("dtype", ["uint8", "int64", "float32", "complex128", "bool"])
def test_numpy_arrays_dtypes_and_scalars_are_admitted(dtype):
    array = np.arange(12).reshape(3, 4).astype(dtype)
    back = _roundtrip(array)
    assert type(back) is np.ndarray and back.dtype == array.dtype and np.array_equal(back, array)
    assert _roundtrip(array.dtype) == array.dtype
    scalar = array[1, 1]
    assert _roundtrip(scalar) == scalar and type(_roundtrip(scalar)) is type(scalar)


def test_builtin_exceptions_and_kit_exceptions_are_admitted(monkeypatch):
    """As the learner process pickles them, even where a library has registered its own reducer for
    every exception (tblib does, imported with Dask)."""
    import copyreg

    monkeypatch.setitem(copyreg.dispatch_table, KeyError, lambda error: (print, ("not plain",)))
    error = plain.loads(server.pickle_exception(KeyError("missing")))
    assert type(error) is KeyError and error.args == ("missing",)
    kit_error = plain.loads(server.pickle_exception(LearnerError("from the kit")))
    assert type(kit_error) is LearnerError


@pytest.mark.parametrize(
    "value, named",
    [
        (AlwaysEqual(5), "AlwaysEqual"),
        (np.arange(3).view(LyingArray), "LyingArray"),
        ([1, 2, AlwaysEqual(3)], "AlwaysEqual"),  # one lying element refuses the whole message
        (np.array([AlwaysEqual(1)], dtype=object), "AlwaysEqual"),
        (pickle.loads, "loads"),  # a function, even a harmless one
    ],
    ids=["int subclass", "array subclass", "nested", "object array", "function"],
)
def test_subclasses_and_other_types_are_refused_by_name(value, named):
    with pytest.raises(plain.NotPlainData, match=named):
        _roundtrip(value)


def _global(module: str, name: str) -> bytes:
    """A protocol 0 pickle that only looks up ``module.name`` (what a crafted message would do first)."""
    return f"c{module}\n{name}\n.".encode()


@pytest.mark.parametrize(
    "module, name",
    [
        ("os", "system"),
        ("builtins", "eval"),  # builtins, but not a data type
        ("builtins", "getattr"),
        ("numpy", "load"),  # numpy, but not what arrays pickle to
        ("exercises.step1.processes", "ValueError"),  # a learner module's name is never trusted
        ("plugin.boundary.plain", "loads"),  # a kit module, but not an exception class
    ],
)
def test_crafted_messages_naming_other_callables_are_refused(module, name):
    with pytest.raises(plain.NotPlainData, match=f"{module}.{name}"):
        plain.loads(_global(module, name))


def test_an_exception_class_named_in_a_learner_module_is_not_looked_up(monkeypatch):
    """Only the plugin's and the test modules' exception classes are trusted: a learner's module could
    define a class of any behaviour under an innocent name."""
    imported = []
    monkeypatch.setattr(plain.importlib, "import_module", lambda name: imported.append(name))
    with pytest.raises(plain.NotPlainData):
        plain.loads(_global("solutions.step2.pool", "PoolError"))
    assert imported == []


@pytest.mark.parametrize(
    "message",
    [b"", b"not a pickle", pickle.dumps([1, 2, 3])[:-4], b"\x80\x05\x95garbage", b"(lp0\nI1\naI2\n"],
    ids=["empty", "text", "truncated", "bad frame", "no stop"],
)
def test_malformed_bytes_are_one_clear_refusal(message):
    with pytest.raises(plain.NotPlainData, match="malformed"):
        plain.loads(message)


def test_a_persistent_reference_is_refused():
    message = b"(lp0\nPsomething\na."  # protocol 0: a list holding persistent id 'something'
    assert [op.name for op, _, _ in pickletools.genops(message)][-1] == "STOP"  # well-formed: refused for its content
    with pytest.raises(plain.NotPlainData, match="persistent"):
        plain.loads(message)


def test_a_message_above_the_size_limit_is_refused_unread(monkeypatch):
    monkeypatch.setattr(plain, "MAX_MESSAGE_BYTES", 1000)
    small = pickle.dumps(b"x" * 100)
    assert plain.loads(small) == b"x" * 100
    with pytest.raises(plain.NotPlainData, match="of 2000 bytes"):
        plain.loads(b"\x00" * 2000)  # never parsed: its content would not be a pickle at all
