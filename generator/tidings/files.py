"""What Tidings reads from a status repository: regular files inside it, nothing else.

One policy for incidents/, tidings.yml, docs/ and site_templates/: a link that leads out of
the repository (``docs/env -> /proc/self/environ``) would publish what it points at, a link
to a folder can copy a tree or loop, and a FIFO or device would hang the reader; each is a
``path:1`` problem, never followed.
"""

from __future__ import annotations

import errno
import os
import stat
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from .limits import MAX_FILE_BYTES, MAX_FOLDER_DEPTH
from .problems import Problems


class RefusedFile(Exception):
    """A file Tidings will not read; the message says why and what to do."""


class Entry(NamedTuple):
    name: str
    is_dir: bool


def inside(path: Path | str, root: Path | str) -> bool:
    """Whether ``path``, every link followed, lies in ``root``."""
    real, base = os.path.realpath(path), os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0)
_NO_LINK_FLAGS = _FLAGS | getattr(os, "O_NOFOLLOW", 0)


def read_file(path: Path | str, root: Path | str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file inside ``root``, at most ``limit`` of them.

    Opened non-blocking so that a FIFO is refused rather than waited on; ``os.open`` and
    ``os.read`` cost a third of ``Path.read_bytes`` per file, which counts with tens of
    thousands of small files.
    """
    fd = _open(path, root)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RefusedFile(_not_regular(info.st_mode))
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        # One read of the size fstat gave, and a byte more: a regular file that returns less
        # than asked is at its end; one that grew since fstat is read on to its end.
        data = os.read(fd, info.st_size + 1)
        if len(data) <= info.st_size:
            return data
        chunks = [data]
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_listed(path: Path | str, root: Path | str, limit: int = MAX_FILE_BYTES) -> bytes:
    """``read_file`` for a file the walk (``scan``) has just listed as a regular one: without
    asking its type and size first, a tenth of the time of reading a small file. A file
    swapped for something else since is still never waited on (non-blocking) nor read past
    ``limit``."""
    fd = _open(path, root)
    try:
        data = os.read(fd, _FIRST_READ)
        if len(data) < _FIRST_READ:
            return data
        chunks = [data]
        size = len(data)
        while size <= limit and (chunk := os.read(fd, _FIRST_READ)):
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise _too_large(os.fstat(fd).st_size, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


_FIRST_READ = 1 << 16  # bytes: nearly every content file fits in one read


def _open(path: Path | str, root: Path | str) -> int:
    """A read-only, non-blocking descriptor of ``path``, a link followed only inside ``root``."""
    try:  # a file that is no link opens at once, without a look at the link first
        return os.open(path, _NO_LINK_FLAGS)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        if not inside(path, root):
            raise RefusedFile(f"this is a link to {os.path.realpath(path)}, outside the "
                              "repository; Tidings never follows it: replace it with the "
                              "file") from None
        return os.open(path, _FLAGS)


def _too_large(size: int, limit: int) -> RefusedFile:
    return RefusedFile(f"the file has {size:,} bytes, more than the limit of {limit:,}; "
                       "shorten it or split it into several updates")


def child(folder: Path, name: str) -> Path:
    """``folder / name`` for a file name the walk listed, without parsing the path again:
    pathlib's own shortcut for listing a folder (a tenth of reading a small file), where this
    Python's pathlib has it."""
    return folder / name if _CHILD is None else _CHILD(folder, name)


_CHILD = getattr(Path, "_make_child_relpath", None)


def _not_regular(mode: int) -> str:
    kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device")
    return f"this is {kind}, not a regular file; replace it with a file or delete it"


def scan(folder: str, root: Path, problems: Problems, depth: int) -> list[Entry]:
    """The folder's entries Tidings may read, sorted by name; every other one is a problem:
    links out of the repository, links to folders, FIFOs and devices, unreadable folders."""
    if depth > MAX_FOLDER_DEPTH:
        problems.add(folder, 1, f"this folder is more than {MAX_FOLDER_DEPTH} levels deep; "
                     "move its content up")
        return []
    try:
        with os.scandir(folder) as listing:
            raw = sorted(listing, key=_by_name)
    except OSError as exc:
        problems.add(folder, 1, f"cannot read this folder ({exc.strerror}); make it readable")
        return []
    entries = []
    for entry in raw:
        try:  # the listing's file types answer without a system call for all but links
            if entry.is_file(follow_symlinks=False):
                entries.append(Entry(entry.name, False))
                continue
            if entry.is_dir(follow_symlinks=False):
                entries.append(Entry(entry.name, True))
                continue
        except OSError:
            pass  # _refused looks again, and says why
        if (why := _refused(entry, root)) is not None:
            problems.add(entry.path, 1, why)
        else:
            entries.append(Entry(entry.name, _is_dir(entry)))
    return entries


_by_name = attrgetter("name")


def _refused(entry: os.DirEntry[str], root: Path) -> str | None:
    """Why an entry that is no plain file or folder (a link, a FIFO, a device) is not read;
    None for a link to a file inside ``root``."""
    try:
        is_link = entry.is_symlink()
        mode = os.stat(entry.path).st_mode  # follows the link
    except OSError as exc:
        if entry.is_symlink():
            return "this link leads nowhere (or loops); delete it or replace it with the file"
        return f"cannot read this entry ({exc.strerror})"
    if is_link and not inside(entry.path, root):
        return (f"this is a link to {os.path.realpath(entry.path)}, outside the repository; "
                "Tidings never follows it: replace it with the file")
    if is_link and stat.S_ISDIR(mode):
        return ("this is a link to a folder, which Tidings does not follow (it would copy "
                "the folder again or loop); move the folder here instead")
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        return _not_regular(mode)
    return None


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def check_tree(folder: Path, root: Path, problems: Problems, depth: int = 1) -> None:
    """Record every link, special file and unreadable folder under ``folder`` (docs/,
    site_templates/): MkDocs would follow or copy them into the site."""
    for entry in scan(os.fspath(folder), root, problems, depth):
        if entry.is_dir:
            check_tree(folder / entry.name, root, problems, depth + 1)
