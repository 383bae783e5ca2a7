"""Plain data from an untrusted process: a restricted unpickler and the size limit of one message.

Only builtin data types, builtin and standard-library exceptions, paths, NumPy arrays, dtypes and
scalars (never of object dtype holding anything else), and the kit's own exception classes are
admitted. A subclass the learner defined (an ``int`` whose ``__eq__`` is always true, an array
subclass) names a class the deciding process does not admit, and the whole message is refused.
"""

from __future__ import annotations

import builtins
import importlib
import io
import pathlib
import pickle
import sys

MAX_MESSAGE_BYTES = 512 * 1024 * 1024  # a learner message larger than this is refused unread

_BUILTIN_TYPES = frozenset(
    {"bool", "bytearray", "bytes", "complex", "dict", "float", "frozenset", "int", "list", "range", "set", "slice"}
    | {"str", "tuple"}
)
_PATHS = frozenset({"PosixPath", "PurePosixPath", "WindowsPath", "PureWindowsPath", "Path", "PurePath"})
# The pickles NumPy writes for arrays, dtypes and scalars (numpy.core before NumPy 2, numpy._core since).
_NUMPY = {
    "numpy": {"ndarray", "dtype"},
    "numpy.core.multiarray": {"_reconstruct", "scalar"},
    "numpy._core.multiarray": {"_reconstruct", "scalar"},
    "numpy.core.numeric": {"_frombuffer"},
    "numpy._core.numeric": {"_frombuffer"},
}
_KIT_PREFIXES = ("plugin.", "exercises.", "solutions.")


class NotPlainData(pickle.UnpicklingError):
    """The learner process sent something other than plain data."""


def _kit_exception(module: str, name: str):
    """A kit module's exception class (a test module's or the plugin's), looked up in the deciding
    process, where the learner cannot have added one."""
    if not module.startswith(_KIT_PREFIXES) or "." in name:
        return None
    parts = module.split(".")
    is_test_module = parts[0] in ("exercises", "solutions") and parts[-1].startswith(("test_", "conftest"))
    if parts[0] != "plugin" and not is_test_module:
        return None  # the learner's own modules define no type the deciding process trusts
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def _standard_exception(module: str, name: str):
    """An exception class of the standard library (``threading.BrokenBarrierError``, ``queue.Empty``),
    from a module this process has imported already: never one imported on the learner's say-so."""
    if module.split(".")[0] not in sys.stdlib_module_names or "." in name:
        return None
    found = getattr(sys.modules.get(module), name, None)
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


class PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if module == "builtins":
            found = getattr(builtins, name, None)
            if name in _BUILTIN_TYPES or (isinstance(found, type) and issubclass(found, BaseException)):
                return found
        elif module in ("pathlib", "pathlib._local") and name in _PATHS:
            return getattr(pathlib, name)
        elif (
            name in _NUMPY.get(module, ())
            or module == "numpy.dtypes"
            and name.endswith("DType")
            and name != "ObjectDType"
        ):
            return getattr(importlib.import_module(module), name)
        else:
            found = _kit_exception(module, name) or _standard_exception(module, name)
            if found is not None:
                return found
        raise NotPlainData(f"{module}.{name}")

    def persistent_load(self, pid):
        raise NotPlainData("a persistent reference")


def loads(message: bytes, buffers=()):
    """The plain data in ``message`` (with its out-of-band ``buffers``, as pickle protocol 5 writes
    them); ``NotPlainData`` names the first type that is not admitted."""
    if len(message) > MAX_MESSAGE_BYTES:
        raise NotPlainData(f"a message of {len(message)} bytes")
    try:
        return PlainUnpickler(io.BytesIO(message), buffers=buffers).load()
    except NotPlainData:
        raise
    except Exception as error:  # noqa: BLE001 - any malformed stream is the same refusal
        raise NotPlainData(f"a malformed message ({type(error).__name__})") from None
