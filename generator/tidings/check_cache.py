"""What reading each incident folder gave, kept between runs of ``tidings check``.

A responder checks again and again while writing an update, and reading every unchanged file
of a long history each time costs seconds. A folder whose files all keep their size,
modification time, change time and inode gives the same incident and problems under the same
``tidings.yml`` and the same Tidings code, so those are kept and used again.

The cache lives in the user's cache folder, never in the repository: a pull request can
write anything there, and a cache is loaded as Python objects. A file changed within two
seconds of being looked at is not kept, since an edit in the same tick of the file system's
clock could leave its times as they were. Any trouble reading or writing the cache (a
corrupt file, no permission, a full disk) only means reading the folders again.
"""

from __future__ import annotations

import copyreg
import hashlib
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .files import child
from .model import Incident
from .problems import Problem

ENVIRONMENT = "TIDINGS_CACHE_DIR"  # where the cache is kept, instead of the user's cache folder
RACY_NS = 2_000_000_000  # a file changed this recently is read, never kept
Stat = tuple[str, int, int, int, int]  # name, size, modification and change time, inode
Key = tuple[Stat, ...]
Found = tuple[Incident | None, list[Problem]]


@dataclass
class FolderCache:
    """The kept readings of one repository's folders: ``read`` the cache, ``get`` before
    reading a folder, ``put`` after, ``save`` once at the end."""

    path: Path  # the cache file
    salt: str | None  # what else a reading depends on; None: nothing is kept or used
    kept: dict[str, tuple[Key, Found]] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def of(cls, root: Path, config_path: Path, audience: str) -> FolderCache:
        """The cache of the repository at ``root`` (not read yet)."""
        name = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:24]
        return cls(cache_folder() / f"check-{name}.pickle", _salt(config_path, audience))

    def read(self) -> None:
        """Load the kept readings, none when there are none that fit."""
        if self.salt is None:
            return
        try:
            with open(self.path, "rb") as stream:
                salt, kept = pickle.load(stream)
        except Exception:  # noqa: BLE001 - missing, unreadable or corrupt: start empty
            return
        finally:
            _FOLDERS.clear()
        if salt == self.salt and isinstance(kept, dict):
            self.kept = kept

    def key(self, folder: Path, names: list[str]) -> Key | None:
        """What the folder's files look like now, or None when one cannot be looked at or
        changed too recently to be kept."""
        prefix = os.path.join(folder, "")
        recent = time.time_ns() - RACY_NS
        stats = []
        try:
            for name in names:
                info = os.stat(prefix + name)  # a link's target: what is read
                if info.st_mtime_ns > recent or info.st_ctime_ns > recent:
                    return None
                stats.append((name, info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                              info.st_ino))
        except OSError:
            return None
        return tuple(stats)

    def get(self, folder: Path, key: Key | None) -> Found | None:
        if key is None:
            return None
        kept = self.kept.get(os.fspath(folder))
        return kept[1] if kept is not None and kept[0] == key else None

    def put(self, folder: Path, key: Key, found: Found) -> None:
        self.kept[os.fspath(folder)] = (key, found)
        self.changed = True

    def forget_others(self, folders: set[str]) -> None:
        """Drop the folders that are gone, so that the cache does not grow with renames."""
        for gone in self.kept.keys() - folders:
            del self.kept[gone]
            self.changed = True

    def save(self) -> None:
        """Write the cache if it changed, atomically: a reader sees the old or the new one."""
        if not self.changed or self.salt is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as stream:
                    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
                    pickler.dispatch_table = {**copyreg.dispatch_table, type(self.path): _reduce}
                    pickler.dump((self.salt, self.kept))
                os.replace(temporary, self.path)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
        except OSError:
            return  # no cache this time; the check itself is complete


def _reduce(path: Path) -> tuple[Callable[[str], Path], tuple[str]]:
    """A path as its text, made again with its folder's path shared (``_path``): pathlib's
    own way parses each of the history's paths again, most of a cache's loading time."""
    return _path, (os.fspath(path),)


def _path(text: str) -> Path:
    folder, _, name = text.rpartition(os.sep)
    parent = _FOLDERS.get(folder)
    if parent is None:
        parent = _FOLDERS[folder] = Path(folder)
    return child(parent, name)


_FOLDERS: dict[str, Path] = {}  # while a cache is loaded: each folder's path, made once


def cache_folder() -> Path:
    """``$TIDINGS_CACHE_DIR``, else the user's cache folder (``$XDG_CACHE_HOME`` or
    ``~/.cache``) with ``tidings`` in it."""
    if configured := os.environ.get(ENVIRONMENT):
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tidings"


def _salt(config_path: Path, audience: str) -> str | None:
    """Everything besides a folder's own files that its reading depends on: this Tidings
    (its version and its code files, which change in development without a new version),
    this Python (pickle's objects), the configuration file and the audience; None when the
    configuration changed too recently to tell a next change from it."""
    config = _stat_text(config_path)
    if config is None:
        return None
    package = Path(__file__).parent
    parts = [__version__, sys.version, audience, config]
    parts += sorted(_stat_text(path) or "" for path in package.rglob("*.py"))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _stat_text(path: Path) -> str | None:
    """The file's path and times as text (``-`` for a missing one); None if it changed
    within RACY_NS."""
    try:
        info = os.stat(path)
    except OSError:
        return f"{path} -"
    if max(info.st_mtime_ns, info.st_ctime_ns) > time.time_ns() - RACY_NS:
        return None
    return f"{path} {info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino}"
