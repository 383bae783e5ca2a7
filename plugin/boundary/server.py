"""The learner process: it imports the learner's modules and runs what the deciding process asks.

It serves one test. Requests arrive pickled (the deciding process is trusted); every reply goes back
as bytes, which the deciding process reads with the restricted unpickler of ``plain.py``. Nothing in
here decides a score: a learner who changes this process's code changes only what it reports, and the
deciding process admits plain data only.
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import multiprocessing
import os
import pickle
import re
import sys
import traceback
from multiprocessing import reduction

# Imported here, so that the forkserver that learner processes start from has them loaded already.
import numpy  # noqa: F401 - most exercises use it
import pytest  # noqa: F401 - test modules, unpickled in the learner process, import it

from plugin.boundary import warm_forkserver
from plugin.messages import use_language
from plugin.safety.poolspy import OpenPools
from plugin.safety.process_tree import become_subreaper
from plugin.safety.worker_deaths import PoolWorkerDeaths
from plugin.session import failures
from plugin.targets import redirect_imports

# What the forkserver that learner processes start from imports first, so that each starts warm: this
# module, and with it everything it imports at the top (NumPy, pytest, the plugin modules it uses).
PRELOAD = ["plugin.boundary.server"]


class Deferred:
    """Objects pickled when the learner process is created (so objects shared only through inheritance
    may be among them) but unpickled only by ``load()``: after ``_prepare`` has set up the imports, so
    that a test module unpickled here imports the target's modules rather than the stubs."""

    def __init__(self, objects, message: bytes | None = None):
        self.objects, self.message = objects, message

    def __reduce__(self):
        return (Deferred, (None, bytes(reduction.ForkingPickler.dumps(self.objects))))

    def load(self):
        return self.objects if self.message is None else pickle.loads(self.message)


@dataclasses.dataclass(frozen=True)
class Account:
    """The unprivileged account the learner process becomes before any learner code runs, and its own
    writable folder (its HOME and TMPDIR: its own pools' sockets and temporary files go there)."""

    uid: int
    gid: int
    home: str


@dataclasses.dataclass
class Setup:
    """What one learner process needs before its first request (pickled as the process's argument,
    so it may carry objects shared only through inheritance: a multiprocessing Array, Lock, Queue)."""

    start_method: str
    sys_path: list
    cwd: str
    aliases: dict  # exercises.stepN.module -> the target's module (solutions, a submission)
    output_path: str  # the learner's prints and tracebacks go here
    requests: Deferred  # of the requests made before the process started, answered in order
    language: str  # of the explanations computed here (plugin.messages)
    account: Account | None = None  # where the deciding process is root: whom the learner's code runs as


def _forget_the_runners_main() -> None:
    """This process came with the deciding process's ``__main__`` (pytest's console script, the grading
    command's), which every worker of the learner's pools would run again under spawn and forkserver
    (importing pytest each time: a start-up a learner's own program never pays, that the kit's timing
    would charge to the learner). The learner's code never lives there: workers start without it."""
    main = sys.modules.get("__main__")
    if main is not None:
        main.__dict__.pop("__file__", None)
        main.__spec__ = None


def _redirect_output(path: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def _prepare(setup: Setup) -> int | None:
    """Make this process the learner's; the pid of its pools' forkserver, where one was forked here."""
    _redirect_output(setup.output_path)
    use_language(setup.language)
    become_subreaper()
    os.chdir(setup.cwd)
    sys.path[:] = setup.sys_path
    redirect_imports(setup.aliases)
    if setup.account is not None:
        _share_semaphores(setup.requests.message, setup.account)
        _drop_privileges(setup.account)
    multiprocessing.set_start_method(setup.start_method, force=True)
    _forget_the_runners_main()
    # The learner's own forkserver (one per test) has NumPy loaded, as the deciding process's does: its
    # pool workers start as fast as the ones the speedup meter times as attainable. It is forked from this
    # process now, before the learner's code is imported (warm_forkserver); where that cannot be done,
    # multiprocessing starts it at the first pool, preloading NumPy.
    multiprocessing.set_forkserver_preload(LEARNER_PRELOAD)
    pool_server = None
    if setup.start_method == "forkserver" and not _learner_code_loaded(setup.aliases, sys.modules):
        pool_server = warm_forkserver.start()
    global open_pools
    open_pools = OpenPools()
    open_pools.install()
    PoolWorkerDeaths(record=setup.output_path + DEATHS_SUFFIX)
    return pool_server


def _learner_code_loaded(aliases: dict, loaded) -> bool:
    """Whether a module of the learner's is among the ``loaded`` module names already: only where the
    deciding process runs a script of theirs (run again here as ``__mp_main__``) that imports one. A
    forkserver forked now would hand its state to every worker, as fork does."""
    targets = set(aliases.values())
    return any(name in targets or (name.startswith("exercises.") and name.count(".") >= 2) for name in loaded)


# A multiprocessing Lock, Queue or Array made by the deciding process is rebuilt here by its semaphore's
# name (sem_open), which only its owner may open: the ones named in the first requests are handed over.
SEMAPHORE_NAME = re.compile(rb"/(mp-[A-Za-z0-9_]{1,64})")


def _share_semaphores(message: bytes | None, account: Account) -> None:
    for name in set(SEMAPHORE_NAME.findall(message or b"")):
        path = f"/dev/shm/sem.{name.decode()}"
        try:
            if os.lstat(path).st_uid == os.geteuid():
                os.chown(path, account.uid, account.gid, follow_symlinks=False)
        except OSError:
            continue  # not a semaphore of this machine's /dev/shm: nothing to hand over


def _drop_privileges(account: Account) -> None:
    """Become ``account`` for good (no way back to root): the learner's code then cannot write the kit,
    read the deciding process's files or memory, or signal it."""
    os.setgroups([])
    os.setgid(account.gid)
    os.setuid(account.uid)
    os.environ.update(HOME=account.home, TMPDIR=account.home)
    import tempfile

    tempfile.tempdir = None  # the next temporary file goes to the new TMPDIR
    # The deciding process's folder for multiprocessing's sockets came with this process's settings.
    multiprocessing.current_process()._config.pop("tempdir", None)


LEARNER_PRELOAD = ["numpy"]  # never the learner's modules: one that fails to import would end the forkserver
DEATHS_SUFFIX = ".worker-deaths"  # beside the output file: exit codes of pool workers that died holding a task
open_pools = None  # the pools the learner's code creates: one never closed is reported at the end


def unjoined_children() -> int:
    """How many processes this process started and never joined (multiprocessing's own list)."""
    return len(multiprocessing.process._children)  # join() is what takes a process off this list


def _target(module: str, name: str):
    return getattr(importlib.import_module(module), name)


def _handle(request):
    kind = request[0]
    if kind == "call":
        _, module, name, args, kwargs = request
        return _target(module, name)(*args, **kwargs)
    if kind == "run":
        _, func, args, kwargs = request
        return func(*args, **kwargs)
    if kind == "setattr":
        _, module, name, value = request
        setattr(importlib.import_module(module), name, value)
        return None
    if kind == "getattr":
        _, module, name = request
        return _target(module, name)
    if kind == "finish":
        return {"open_pools": open_pools.still_running() if open_pools else 0}
    raise ValueError(f"unknown request {kind!r}")


def pickle_exception(error: BaseException) -> bytes:
    """``error`` pickled as its own class reduces it, whatever copyreg says: a library the learner
    imports (tblib, through Dask) may register a reducer for every exception that the deciding
    process would refuse."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {}
    pickler.dump(error)
    return buffer.getvalue()


def _raised(error: BaseException) -> tuple:
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    try:
        explanation = failures.explain(error)
    except Exception:  # noqa: BLE001 - an explanation is a courtesy; the traceback is the evidence
        explanation = None
    try:  # apart, so that a type the deciding process refuses costs only the exception's type, not the reply
        pickled = pickle_exception(error)
    except Exception:  # noqa: BLE001 - described by its type and message instead
        pickled = None
    return ("raised", type(error).__module__, type(error).__qualname__, str(error), text, explanation, pickled)


def _reply_raised(error: BaseException) -> bytes:
    return _dumps(_raised(error))


def _reply(request) -> bytes:
    try:
        outcome = ("ok", _handle(request))
    except BaseException as error:  # noqa: BLE001 - every failure of the learner's code goes back
        outcome = _raised(error)
    return _dumps(outcome)


def _dumps(outcome: tuple) -> bytes:
    try:
        return pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - what cannot travel is described instead
        if outcome[0] == "raised":  # its message or traceback text would not pickle: a str subclass
            return pickle.dumps(outcome[:1] + tuple(str(part) for part in outcome[1:5]) + (None, None))
        value = outcome[1]
        return pickle.dumps(("unpicklable", type(value).__module__, type(value).__qualname__, repr(value)[:300]))


def serve(connection, setup: Setup) -> None:
    """Answer the requests made before the start, then each request on ``connection`` until told to stop."""
    pool_server = _prepare(setup)
    connection.send_bytes(_dumps(("ok", pool_server)))  # before the learner's code runs: it cannot forge this
    try:
        requests = setup.requests.load()  # imports the test module, and so the learner's modules
    except BaseException as error:  # noqa: BLE001 - the first pending request fails with it; serving goes on
        connection.send_bytes(_reply_raised(error))
        requests = []
    for request in requests:
        connection.send_bytes(_reply(request))
    while True:
        try:
            request = connection.recv()
        except EOFError:
            break
        if request[0] == "stop":
            break
        connection.send_bytes(_reply(request))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # no atexit: what the learner left running is the deciding process's to see and end
