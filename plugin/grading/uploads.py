"""A class folder's submissions, read safely: ``DIR/alice/`` folders and ``DIR/bob.zip`` / ``.tar.gz`` archives.

An upload is reduced to the files named like the kit's exercise modules (the grading command takes
nothing else from it), as ``{relative posix path: bytes}``, so it can be graded here or shipped to a
Dask worker; a virtual environment or a git folder zipped along with the work is skipped.
Archives are never extracted to disk: a member whose path leaves the submission (``../x.py``,
``/etc/x.py``), a link or a device, or more data than an upload can hold, refuses the whole upload.
"""

from __future__ import annotations

import dataclasses
import posixpath
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from plugin.messages import say

ARCHIVES = {".zip": "zip", ".tar.gz": "tar.gz", ".tgz": "tar.gz"}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # of exercise modules once unpacked: one is a few kB
MAX_MEMBERS = 5000
# Folders that hold other people's code, never the learner's modules (a whole repository zipped).
NOT_THE_LEARNERS = {".git", ".venv", "venv", "env", "site-packages", "node_modules", "__pycache__", "__MACOSX"}


class InvalidUpload(Exception):
    """Not a valid upload: its row says why, and the class goes on."""


@dataclasses.dataclass(frozen=True)
class Submission:
    name: str  # the folder's name, or the archive's without its suffix
    path: Path

    @property
    def archive(self) -> str | None:
        return archive_kind(self.path)


def archive_kind(path: Path) -> str | None:
    return next((kind for suffix, kind in ARCHIVES.items() if path.name.lower().endswith(suffix)), None)


def find_submissions(class_dir: Path, ignore: set[Path]) -> tuple[list[Submission], list[str]]:
    """Every immediate subfolder and archive of ``class_dir``, by name; and a note per name used twice.

    Hidden entries and the gradebook's own files (``ignore``) are not submissions.
    """
    found: dict[str, Submission] = {}
    duplicates = []
    for path in sorted(class_dir.iterdir()):
        if path.name.startswith(".") or path.resolve() in ignore or path.is_symlink():
            continue
        kind = archive_kind(path)
        if path.is_dir():
            name = path.name
        elif kind and path.is_file():
            name = path.name[: -len(next(s for s in ARCHIVES if path.name.lower().endswith(s)))]
        else:
            continue
        if name in found:
            duplicates.append(say("class_duplicate_name", name=name, first=found[name].path.name, second=path.name))
            continue
        found[name] = Submission(name, path)
    return list(found.values()), duplicates


def read_upload(submission: Submission, modules: set[str]) -> dict[str, bytes]:
    """The upload's files named in ``modules`` (``"pool.py"``), by relative path; a single folder
    wrapping everything is unwrapped."""
    wanted = _Wanted(modules)
    kind = submission.archive
    if kind == "zip":
        files = _read_zip(submission.path, wanted)
    elif kind == "tar.gz":
        files = _read_tar(submission.path, wanted)
    else:
        files = _read_folder(submission.path, wanted)
    return _unwrap(files)


class _Wanted:
    def __init__(self, modules: set[str]):
        self.modules = modules

    def __call__(self, name: str) -> bool:
        *folders, base = name.split("/")
        return base in self.modules and not NOT_THE_LEARNERS.intersection(folders)


def _safe_member(name: str) -> str:
    """The member's path inside the submission, or InvalidUpload if it would land outside it."""
    normalised = posixpath.normpath(name.replace("\\", "/"))
    path = PurePosixPath(normalised)
    if path.is_absolute() or path.parts[:1] == ("..",) or ":" in normalised.split("/")[0]:
        raise InvalidUpload(say("class_upload_outside", member=name))
    return normalised


class _Budget:
    def __init__(self):
        self.bytes = 0
        self.members = 0

    def take(self, size: int) -> None:
        self.bytes += size
        self.members += 1
        if self.bytes > MAX_UPLOAD_BYTES or self.members > MAX_MEMBERS:
            raise InvalidUpload(say("class_upload_too_big", megabytes=MAX_UPLOAD_BYTES // 2**20, members=MAX_MEMBERS))


def _read_zip(path: Path, wanted: _Wanted) -> dict[str, bytes]:
    files, budget = {}, _Budget()
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                name = _safe_member(member.filename)
                if member.is_dir():
                    continue
                if (member.external_attr >> 16) & 0o170000 not in (0, 0o100000):  # a symlink, a device
                    raise InvalidUpload(say("class_upload_link", member=member.filename))
                if not wanted(name):
                    continue
                budget.take(member.file_size)
                with archive.open(member) as source:  # read at most what it declares: a lying header stops here
                    files[name] = source.read(member.file_size + 1)[: member.file_size]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError) as error:
        raise InvalidUpload(say("class_upload_unreadable", archive=path.name, kind="zip", detail=error)) from error
    return files


def _read_tar(path: Path, wanted: _Wanted) -> dict[str, bytes]:
    files, budget = {}, _Budget()
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                name = _safe_member(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise InvalidUpload(say("class_upload_link", member=member.name))
                if not wanted(name):
                    continue
                budget.take(member.size)
                files[name] = archive.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError) as error:
        raise InvalidUpload(say("class_upload_unreadable", archive=path.name, kind="tar.gz", detail=error)) from error
    return files


def _read_folder(folder: Path, wanted: _Wanted) -> dict[str, bytes]:
    files, budget = {}, _Budget()
    for path in sorted(folder.rglob("*.py")):
        # A link could point anywhere on the grader's disk: only the learner's own files are read.
        relative = path.relative_to(folder)
        if (
            not wanted(relative.as_posix())
            or path.is_symlink()
            or not path.is_file()
            or any((folder / parent).is_symlink() for parent in relative.parents)
        ):
            continue
        budget.take(path.stat().st_size)
        files[relative.as_posix()] = path.read_bytes()
    return files


def _unwrap(files: dict[str, bytes]) -> dict[str, bytes]:
    """``alice/step1/processes.py`` -> ``step1/processes.py`` when every file is under one folder."""
    while files:
        tops = {name.split("/", 1)[0] for name in files}
        if len(tops) != 1 or any("/" not in name for name in files) or _is_kit_folder(tops.pop()):
            break
        files = {name.split("/", 1)[1]: data for name, data in files.items()}
    return files


def _is_kit_folder(name: str) -> bool:
    return name == "exercises" or (name.startswith("step") and name[4:].isdigit())


def write_upload(files: dict[str, bytes], destination: Path) -> None:
    """Lay the files out under ``destination`` (their paths were checked when they were read)."""
    for name, data in files.items():
        target = destination / _safe_member(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
