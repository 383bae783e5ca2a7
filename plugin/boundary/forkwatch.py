"""Forks as they happen, from Linux's process events connector: the kernel reports every fork, exec and
exit on the machine to a listening socket, so a copy of the learner process made by fork is seen even
when it lives a millisecond, which sampling ``/proc`` every few milliseconds cannot promise.

The deciding process listens once (``ForkEvents.listen``), checks that it hears itself (a thread it
starts must come back as an event with its own ids: in a container whose pids differ from the kernel's,
or where the kernel ignores the request, it does not), and else does without: ``plugin.boundary.learner``
samples ``/proc`` as well, and alone where the connector is silent (README, limit 2).
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import socket
import struct
import threading
import time

NETLINK_CONNECTOR = 11  # linux/netlink.h
CN_IDX_PROC = CN_VAL_PROC = 1  # linux/connector.h
PROC_CN_MCAST_LISTEN = 1  # linux/cn_proc.h
NLMSG_DONE = 3  # the message type the connector's requests travel in
PROC_EVENT_FORK, PROC_EVENT_EXEC, PROC_EVENT_EXIT = 0x1, 0x2, 0x80000000
NLMSG_HEADER = struct.Struct("IHHII")  # length, type, flags, sequence, port
CN_MESSAGE = struct.Struct("IIIIHH")  # index, value, sequence, ack, length, flags
EVENT_HEADER = struct.Struct("IIQ")  # what, cpu, timestamp
EVENT_AT = NLMSG_HEADER.size + CN_MESSAGE.size
EVENT_DATA = EVENT_AT + EVENT_HEADER.size
EVENT_BYTES = EVENT_DATA + 16  # the shortest event: four 32-bit fields
FAILED_EXEC_STATUS = 255 << 8  # the wait status of a subprocess child whose exec failed (_posixsubprocess)
RECEIVE_BUFFER_BYTES = 8 << 20  # events of a busy machine between two reads
SO_RCVBUFFORCE = 33  # asm-generic/socket.h: above the system's limit, where this process may
SELF_CHECK_S = 1.0


class ForkEvents:
    """The fork, exec and exit events of the children of the processes it follows."""

    def __init__(self, listening: socket.socket):
        self._socket = listening
        self._root_of: dict[int, int] = {}  # a followed process's child not exec'd yet -> that process
        self._forked: dict[int, set[int]] = {}  # followed process -> its children that never exec'd

    @classmethod
    def listen(cls) -> ForkEvents | None:
        """Listening to the kernel's process events, or None where it does not answer this process."""
        try:
            listening = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_CONNECTOR)
        except (OSError, AttributeError):  # not Linux, or no connector
            return None
        try:
            for option in (SO_RCVBUFFORCE, socket.SO_RCVBUF):
                with contextlib.suppress(OSError):
                    listening.setsockopt(socket.SOL_SOCKET, option, RECEIVE_BUFFER_BYTES)
                    break
            listening.bind((0, CN_IDX_PROC))
            request = struct.pack("I", PROC_CN_MCAST_LISTEN)
            message = CN_MESSAGE.pack(CN_IDX_PROC, CN_VAL_PROC, 0, 0, len(request), 0) + request
            listening.send(NLMSG_HEADER.pack(NLMSG_HEADER.size + len(message), NLMSG_DONE, 0, 0, 0) + message)
            listening.setblocking(False)
            if _hears_itself(listening):
                return cls(listening)
        except OSError:
            pass
        listening.close()
        return None

    def follow(self, parent: int) -> None:
        """From now on, note ``parent``'s children that never call exec."""
        self._forked[parent] = set()

    def forget(self, parent: int) -> None:
        self._forked.pop(parent, None)
        self._root_of = {child: root for child, root in self._root_of.items() if root != parent}

    def disown(self, child: int) -> None:
        """``child`` is not a fork to count (the kit forked it from a followed process): its end is not
        recorded; a later process given the same pid is followed as any other."""
        self.drain()  # its fork was reported before the kit was told of it
        self._root_of.pop(child, None)

    def forked(self, parent: int) -> set[int]:
        """``parent``'s children that ended without calling exec, up to the events queued now (one still
        running may yet call it: it counts once ended, as every child of a process ended at the end of
        the test is)."""
        self.drain()
        return set(self._forked.get(parent, ()))

    def drain(self) -> None:
        """Read every event the kernel has queued (all those of processes already ended, among them)."""
        while True:
            try:
                data = self._socket.recv(4096)
            except BlockingIOError:
                return
            except OSError as error:
                if error.errno != errno.ENOBUFS:
                    raise
                continue  # the kernel dropped events (a reader too slow for the machine): sampling still looks
            self._note(data)

    def _note(self, data: bytes) -> None:
        what = _what(data)
        if what == PROC_EVENT_FORK:
            _, parent_tgid, child_pid, child_tgid = struct.unpack_from("4I", data, EVENT_DATA)
            if child_pid == child_tgid and parent_tgid in self._forked:  # a process, not a thread
                self._root_of[child_pid] = parent_tgid
        elif what == PROC_EVENT_EXEC:
            self._root_of.pop(struct.unpack_from("2I", data, EVENT_DATA)[1], None)
        elif what == PROC_EVENT_EXIT:
            pid, tgid, status = struct.unpack_from("3I", data, EVENT_DATA)
            root = self._root_of.pop(pid, None) if pid == tgid else None
            if root is not None and status != FAILED_EXEC_STATUS and root in self._forked:
                self._forked[root].add(pid)


def _what(data: bytes) -> int | None:
    return EVENT_HEADER.unpack_from(data, EVENT_AT)[0] if len(data) >= EVENT_BYTES else None


def _hears_itself(listening: socket.socket) -> bool:
    """Whether a thread this process starts comes back as a fork event with this process's own ids (a
    thread's event names it and its process; its "parent" is the process's parent)."""
    marker = threading.Thread(target=lambda: None)
    marker.start()
    marker.join()
    deadline = time.monotonic() + SELF_CHECK_S
    while time.monotonic() < deadline:
        select.select([listening], [], [], max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(BlockingIOError):
            data = listening.recv(4096)
            if _what(data) == PROC_EVENT_FORK:
                _, _, child_pid, child_tgid = struct.unpack_from("4I", data, EVENT_DATA)
                if child_tgid == os.getpid() and child_pid == marker.native_id:
                    return True
    return False


_events: list[ForkEvents | None] = []  # this process's listener, opened once (None: none to be had)


def fork_events() -> ForkEvents | None:
    """This process's listener, opened at the first call."""
    if not _events:
        _events.append(ForkEvents.listen())
    return _events[0]
