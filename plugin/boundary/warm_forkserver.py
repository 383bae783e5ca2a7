"""The learner process's forkserver, forked from it before any of the learner's code is imported.

Under ``forkserver`` the learner's pools fork their workers from a server that multiprocessing starts as
a new interpreter at the first pool, importing NumPy: about 0.1 s of every test that makes a pool
(0.13-0.16 s for a first pool of two against 0.02 s once the server runs). The learner process is
already such an interpreter (it came from the kit's own forkserver, NumPy loaded) and has not yet
imported anything of the learner's, so a fork of it at that moment is the same clean server, started
in a few milliseconds: workers forked from it start without the learner's module state, as under
forkserver they must, so code that works only under ``fork`` still fails.

It is multiprocessing's own server loop (``multiprocessing.forkserver.main``), in a process that stays
the learner process's child: its workers stay in the learner's tree, watched and ended with it. The
deciding process is told its pid (it is a copy made by fork, which the learner's own code may not
make, and not a leftover). Where this Python's forkserver is not the one this module knows (its
private attributes and ``main``'s arguments), or the server cannot be started (a socket path too
long, no process left to fork), nothing is started and multiprocessing starts its own at the first pool.

One difference from multiprocessing's own server remains: its workers take the process settings the
server had when it was forked, at the learner process's start, not at its first pool (environment
variables, CPU affinity, limits the learner's code sets before making a pool do not reach them).
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import os
import socket
from multiprocessing import connection, forkserver, util

# ForkServer's state that ensure_running() reads and sets (CPython 3.10 to 3.14): all must be there.
KNOWN_STATE = ("_forkserver_address", "_forkserver_alive_fd", "_forkserver_pid", "_lock")
# Python 3.14 authenticates its clients with a key of this many bytes (named either way in its releases).
AUTHKEY_BYTES = getattr(forkserver, "_AUTHKEY_LEN", getattr(forkserver, "_authkey_len", 32))


def start() -> int | None:
    """Fork this process into its forkserver, as ``multiprocessing.forkserver.ensure_running`` would start
    one, and return its pid; None where this Python's forkserver is not the known one, one runs already,
    or the server cannot be started."""
    server = forkserver._forkserver
    if not all(hasattr(server, name) for name in KNOWN_STATE) or server._forkserver_pid is not None:
        return None
    authenticates = hasattr(server, "_forkserver_authkey")
    if authenticates != ("authkey_r" in inspect.signature(forkserver.main).parameters):
        return None
    opened: list[int] = []
    try:
        with socket.socket(socket.AF_UNIX) as listener:
            address = connection.arbitrary_address("AF_UNIX")
            listener.bind(address)
            if not util.is_abstract_socket_namespace(address):
                os.chmod(address, 0o600)
            listener.listen()
            alive_r, alive_w = os.pipe()  # the server ends when every holder of alive_w has ended
            opened += [alive_r, alive_w]
            options, authkey = {}, None
            if authenticates:
                authkey = os.urandom(AUTHKEY_BYTES)
                authkey_r, authkey_w = os.pipe()
                opened += [authkey_r, authkey_w]
                os.write(authkey_w, authkey)
                os.close(opened.pop())
                options["authkey_r"] = authkey_r
            pid = os.fork()
            if pid == 0:
                _serve(listener.fileno(), alive_r, options)
    except OSError:  # a socket path too long, no process left to fork: multiprocessing's own server then
        for fd in opened:
            with contextlib.suppress(OSError):
                os.close(fd)
        return None
    os.close(alive_r)
    for fd in options.values():
        os.close(fd)
    with server._lock:
        server._forkserver_address, server._forkserver_alive_fd, server._forkserver_pid = address, alive_w, pid
        if authenticates:
            server._forkserver_authkey = authkey
    return pid


def _serve(listener_fd: int, alive_r: int, options: dict) -> None:
    """The forked server: only its own descriptors kept (a worker must not hold the learner process's
    pipe to the deciding process), nothing of the learner process's finalised, then multiprocessing's loop."""
    code = 1
    try:
        gc.freeze()  # objects of the learner process whose descriptors are closed here are never finalised
        _close_all_but({0, 1, 2, listener_fd, alive_r, *options.values()})
        with contextlib.suppress(SystemExit):  # how the loop ends: the learner process has ended
            forkserver.main(listener_fd, alive_r, [], **options)
        code = 0
    finally:
        os._exit(code)


def _close_all_but(kept: set[int]) -> None:
    """Close this process's open descriptors but ``kept``, as listed by the system (closing every number
    up to the limit would take seconds where that limit is high and no close_range call exists)."""
    listing = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    for name in os.listdir(listing):
        if int(name) not in kept:
            with contextlib.suppress(OSError):  # the listing's own descriptor, closed already
                os.close(int(name))
