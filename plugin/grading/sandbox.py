"""What the grading command does so that learner code cannot reach past its own process.

- Files the learner controls (the upload) are opened without following a symlink or waiting on a FIFO,
  and read only when they are regular files of a sensible size.
- Result documents are written to a new file and renamed over the destination, so whatever a learner
  left at that path (a symlink, a FIFO, a fake file) is replaced, never followed or read.
- Where the grader runs as root (Gradescope's container), the learner's code runs as an unprivileged
  account: every learner process of the child pytest drops to it before any learner code runs
  (``plugin.boundary.server``). The child pytest, which runs only kit code and decides the results,
  stays root: it must be, to start processes as that account. The kit copy and the arranged submission
  are root's and read-only to the account, its home and temporary folder are its own, the child's are
  root's, and it can neither signal nor read the child or the grading process.
- The kit copy is fingerprinted before and after the run: a changed, added or removed file is reported,
  whatever account the child ran as.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from plugin.boundary.guard import ACCOUNT_ENV, readable_by_all
from plugin.messages import say

LEARNER_ACCOUNT = "parallel-lab-learner"
FALLBACK_ACCOUNT = "nobody"
MAX_MODULE_BYTES = 1024 * 1024  # a learner's exercise module; the kit's longest is a few KiB


class UploadError(Exception):
    """A file of the upload that is not a plain, readable file of a sensible size."""


def read_upload(root: Path, relative: Path, limit: int = MAX_MODULE_BYTES) -> bytes:
    """``root/relative``, opened one folder at a time without following a symlink or waiting on a FIFO.

    Raises ``FileNotFoundError`` when it is not there, ``UploadError`` when it is not a plain file.
    """
    directory = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in relative.parts[:-1]:
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=directory)
            os.close(directory)
            directory = inner
        fd = os.open(relative.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
    except FileNotFoundError:
        raise
    except OSError as error:  # ELOOP or ENOTDIR: a symlink; EACCES; ...
        raise UploadError(error.strerror or say("upload.unreadable")) from None
    finally:
        os.close(directory)
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise UploadError(say("upload.not_regular"))
        data = file.read(limit + 1)
    if len(data) > limit:
        raise UploadError(say("upload.too_large", limit_kib=limit // 1024))
    return data


def read_first(upload: Path, candidates) -> tuple[bytes | None, list[str]]:
    """The first of ``candidates`` (paths relative to ``upload``) the upload has as a plain file, and a
    note for each one found but refused (a symlink, a FIFO, a device, too large)."""
    refused = []
    for relative in candidates:
        try:
            return read_upload(upload, relative), refused
        except FileNotFoundError:
            continue
        except UploadError as error:
            refused.append(say("grade.upload_unreadable", path=relative, why=error))
    return None, refused


def write_document(path: Path, document, write=None) -> None:
    """Write a fresh file beside ``path``, then rename it over ``path`` (never opening ``path``).

    ``write(temporary_path, document)`` is the format's own writer (``Format.write``); JSON by default.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".tmp{path.suffix}")
    try:
        if write is None:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(json.dumps(document, indent=2) + "\n")
        else:
            os.close(fd)
            write(Path(temporary), document)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclasses.dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int


def learner_account() -> Account | None:
    """The unprivileged account the learner's code runs as when the grader is root; None when it is not root.

    The kit's own account is created on first use (``useradd --system``); ``nobody`` where that fails.
    """
    if os.geteuid() != 0:
        return None
    for name in (LEARNER_ACCOUNT, FALLBACK_ACCOUNT):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            if name == LEARNER_ACCOUNT and shutil.which("useradd"):
                subprocess.run(
                    [
                        "useradd",
                        "--system",
                        "--no-create-home",
                        "--home-dir",
                        "/nonexistent",
                        "--shell",
                        "/usr/sbin/nologin",
                        "--user-group",
                        name,
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=30,
                    check=False,
                )  # a concurrent grading may have created it first: look it up again either way
                try:
                    entry = pwd.getpwnam(name)
                except KeyError:
                    continue
            else:
                continue
        if entry.pw_uid != 0:
            return Account(name, entry.pw_uid, entry.pw_gid)
    return None


def python_unreachable(account: Account) -> str | None:
    """Why ``account`` cannot run this interpreter with the kit's packages, or None when it can."""
    try:
        completed = subprocess.run(
            [sys.executable, "-c", "import pytest, psutil"],
            cwd="/",
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            user=account.uid,
            group=account.gid,
            extra_groups=[],
        )
    except (OSError, subprocess.SubprocessError) as error:
        return str(error)
    lines = completed.stderr.strip().splitlines()
    return (lines[-1] if lines else f"exit code {completed.returncode}") if completed.returncode else None


@dataclasses.dataclass(frozen=True)
class Workplace:
    """Where the child pytest runs (``kit``), its own folder (``temp``), and, where the grader is root,
    the account its learner processes run as, with that account's own folder (``home``)."""

    kit: Path
    temp: Path
    home: Path | None
    account: Account | None
    warning: str | None = None  # why the learner's code runs as root although this process is root

    @classmethod
    def prepare(cls, work: Path, kit: Path, submission: Path) -> Workplace:
        """As root: ``kit`` and ``submission`` sealed, ``work`` passable but not listable by the account."""
        account, warning = learner_account(), None
        if account is not None and (why := python_unreachable(account)):
            account, warning = None, say("sandbox.runs_as_root", python=sys.executable, why=why)
        temp, home = work / "grader", None
        temp.mkdir(mode=0o700)
        if account is not None:
            # Passable, not listable: the account imports the submission staged in a folder made there.
            os.chmod(temp, 0o711)
            readable_by_all(kit)  # root's, and read-only to everyone else
            readable_by_all(submission)
            os.chmod(work, 0o711)
            home = work / "home"
            home.mkdir(mode=0o700)
            os.chown(home, account.uid, account.gid)
        return cls(kit, temp, home, account, warning)

    def environment(self) -> dict[str, str]:
        # Temporary files (the forkserver's socket) go to the child's own folder; no bytecode is
        # written, so any new file in the kit copy is the submission's.
        environment = {"HOME": str(self.temp), "TMPDIR": str(self.temp), "PYTHONDONTWRITEBYTECODE": "1"}
        if self.account is not None:
            environment[ACCOUNT_ENV] = f"{self.account.uid}:{self.account.gid}:{self.home}"
        return environment

    def pytest_args(self) -> list[str]:
        """Where the account's code runs apart: the tests' folders in ``work`` (passable by it), not
        under the child's own temporary folder (``plugin.boundary.guard`` hands each one over)."""
        return [] if self.account is None else [f"--basetemp={self.temp.parent / 'tests'}"]


def fingerprint(tree: Path) -> dict[str, str]:
    """Every entry under ``tree`` by relative path: a regular file's SHA-256, a symlink's target, or
    its kind; nothing is followed or opened but regular files (non-blocking, so a FIFO cannot hang)."""
    found = {}
    for folder, folders, files in os.walk(tree):
        for name in folders + files:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, tree)
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode):
                found[relative] = _sha256(path)
            elif stat.S_ISLNK(mode):
                found[relative] = "symlink to " + os.readlink(path)
            elif not stat.S_ISDIR(mode):
                found[relative] = "special file"
    return found


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:  # replaced by something else since it was listed
        return f"unreadable ({error.strerror})"
    return digest.hexdigest()


def changed_entries(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
