"""The content format's one home: what the files under ``incidents/`` are called, how ids and
update file names are made, the one walk that finds incident folders, and the one writer of
front matter.

The loader reads with it; ``tidings new``/``update``/``resolve``/``maintenance``/
``postmortem`` and every importer write with it, so whatever Tidings writes it reads back
unchanged. Which files may be read at all (links, FIFOs, sizes) is ``files``' policy.
"""

from __future__ import annotations

import os
import random
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from . import files
from .limits import MAX_ID_CHARS
from .problems import Problems

INCIDENT_FILE = "incident.md"
POSTMORTEM_FILE = "postmortem.md"
TEMPLATES_FOLDER = "_templates"  # like every "_" or "." folder under incidents/: not content
MARKDOWN = ".md"

SLUG_LENGTH = 48
SUFFIX_LENGTH = 4
# Lower-case letters and digits without the look-alikes 0/o and 1/l, so ids read aloud well.
SUFFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
UPDATE_NUMBERS = 99  # update files one command may number for one second and status

# What stays one valid URL path segment everywhere, unescaped: RFC 3986's unreserved
# characters without "~", starting with a letter or digit.
_SAFE_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_ID_CHARS - 1}}}")
# Spaces, '#', '?', '%', '\\', '/', controls and bidirectional controls (which can make a
# name read differently from what it is).
_UNSAFE = re.compile("[\\s#?%\\\\/\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069]")

# One incident folder as the walk finds it: its path and its other ``*.md`` names, sorted.
IncidentFolder = tuple[Path, list[str]]


# -- ids and names ----------------------------------------------------------------------------


def slug(text: str, fallback: str = "incident", max_length: int = SLUG_LENGTH) -> str:
    """``text`` in ASCII lower case with hyphens (transliterated), cut at a word boundary;
    ``max_length`` 0 does not cut."""
    from slugify import slugify  # here: `tidings check` needs it only for a name to replace

    return slugify(text, max_length=max_length, word_boundary=True) or fallback


def new_id(title: str, day: date, taken: Iterable[str] = (), rng: random.Random | None = None,
           fallback: str = "incident") -> str:
    """``YYYY-MM-DD-slug-xxxx``: the random suffix keeps ids from two branches apart."""
    taken = set(taken)
    rng = rng or secrets.SystemRandom()
    stem = f"{day.isoformat()}-{slug(title, fallback)}"
    for _ in range(100):
        suffix = "".join(rng.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))
        if f"{stem}-{suffix}" not in taken:
            return f"{stem}-{suffix}"
    raise ValueError(f'could not find a free id for "{stem}"; change the title')


def imported_id(day: date, title: str, source_id: str) -> str:
    """``2014-05-14-unplanned-database-outage-cp306tmzcl0y``: ends with the source's id, so an
    import is traceable and importing twice finds the same folder."""
    return f"{day.isoformat()}-{slug(title)}-{slug(source_id, 'x', 64)}"


def id_problem(name: str, strict: bool = True) -> str | None:
    """Why ``name`` cannot be an id, with a suggested one; None when it can. An incident's
    folder (``strict``) is a URL path segment; an update's file name an HTML fragment, which
    only must not hold what breaks or disguises a URL (``2026-11-20T233000+0100`` is fine)."""
    if (_SAFE_ID.fullmatch(name) if strict else not _UNSAFE.search(name)
            and len(name) <= MAX_ID_CHARS) and not name.endswith("."):
        return None
    suggestion = slug(name, max_length=MAX_ID_CHARS)
    return (f'"{name.encode("unicode_escape").decode()}" cannot be an id: ids are URL path '
            f"segments of at most {MAX_ID_CHARS} letters, digits, '-', '_' and '.' (no spaces,"
            " '#', '?', '%', '\\' or invisible characters), starting with a letter or digit;"
            f' rename it, e.g. to "{suggestion}"')


def update_stem(at: datetime, status: str) -> str:
    """``2026-11-23T141503Z-identified``: seconds make names from two branches differ."""
    return f"{at.astimezone(UTC).strftime('%Y-%m-%dT%H%M%SZ')}-{status.replace('_', '-')}"


def update_file_names(at: datetime, status: str) -> Iterator[str]:
    """The names an update file may take, first choice first: ``<stem>.md``, then numbered
    (``<stem>-2.md``, …) for another update in the same second with the same status."""
    stem = update_stem(at, status)
    yield stem + MARKDOWN
    for number in range(2, UPDATE_NUMBERS + 1):
        yield f"{stem}-{number}{MARKDOWN}"


def is_content_folder(name: str) -> bool:
    """Folders starting with "_" (templates) or "." (git, editors) hold no incidents."""
    return not name.startswith(("_", "."))


# -- the walk ---------------------------------------------------------------------------------


def incident_folders(root: Path, problems: Problems) -> list[IncidentFolder]:
    """The folders under ``root`` holding incident.md, by path, each with its other ``*.md``
    names. One walk applies the repository's file policy (``files.scan``): links out of it,
    links to folders, special files, unreadable and too deep folders are problems, as are
    hidden Markdown files, Markdown outside an incident folder and folders inside one."""
    found: list[IncidentFolder] = []
    _walk(Path(root), problems, found, 1)
    return found


def incident_folders_in(root: Path, folders: Iterable[Path], problems: Problems
                        ) -> list[IncidentFolder]:
    """``incident_folders`` of some folders under ``root`` only, with the same policy (for
    ``tidings serve``, which reads again only the folders that changed)."""
    found: list[IncidentFolder] = []
    for folder in folders:
        _walk(folder, problems, found, len(folder.relative_to(root).parts) + 1)
    return found


def _walk(here: Path, problems: Problems, found: list[IncidentFolder], depth: int) -> None:
    names: list[str] = []  # the Markdown files, in the listing's order (by name)
    dirnames: list[str] = []
    for name, is_dir in files.scan(os.fspath(here), problems.root, problems, depth):
        if is_dir:
            if is_content_folder(name):
                dirnames.append(name)
        elif name.endswith(MARKDOWN):
            if name.startswith("."):
                problems.add(here / name, 1, "a hidden Markdown file is never published, "
                             "yet looks like content; remove the leading '.' or delete it")
            else:
                names.append(name)
    if INCIDENT_FILE in names:
        names.remove(INCIDENT_FILE)
        found.append((here, names))
        for nested in dirnames:
            problems.add(here / nested, 1, "folders inside an incident folder are not read; "
                         "move its files up into the incident folder or out of incidents/")
        return
    for name in names:
        problems.add(here / name, 1, "this Markdown file is not inside an incident "
                     "folder; put it in a folder with an incident.md")
    for name in dirnames:
        _walk(files.child(here, name), problems, found, depth + 1)


def incident_ids(root: Path, repository: Path) -> dict[str, Path]:
    """Each incident id under ``root`` with its folder (the first by path when two share
    one), for commands that name or create an incident; what the walk refuses is left for
    ``tidings check`` to report."""
    if not os.path.isdir(root):
        return {}
    found: dict[str, Path] = {}
    for folder, _names in incident_folders(root, Problems(root=repository)):
        found.setdefault(folder.name, folder)
    return found


def templates_in(folder: Path) -> list[Path]:
    """The ``*.md`` files of a templates folder, by name; reading one applies the file policy
    (``files.read_file``), so a link out of the repository is refused when it is used."""
    if not os.path.isdir(folder):
        return []
    with os.scandir(folder) as listing:
        return sorted((folder / e.name for e in listing if e.name.endswith(MARKDOWN)
                       and not e.name.startswith(".") and not e.is_dir()),
                      key=lambda path: path.name)


# -- the writer -------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists (as people write them, paste-ready under a key), and
    timestamps plain: the loader reads them as text, so they need no quotes."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


# Without the timestamp resolver a timestamp needs no quotes; the loader (which drops the same
# resolver) reads it back as the same string.
_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML writes U+0085 (NEL) raw inside quotes, and YAML reads a raw NEL as a line break
    # folded into a space; only double quotes escape it (as \N).
    style = '"' if "\x85" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_yaml(data: Any) -> str:
    """YAML as Tidings writes it: keys in the given order, Unicode as is, no line folding."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=10_000)


def markdown_file(meta: Mapping[str, Any], body: str = "") -> str:
    """A content file: front matter between ``---`` lines, then the Markdown body (line ends
    made ``\\n``, blank lines around it dropped)."""
    front = dump_yaml(dict(meta))
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return f"---\n{front}---\n{body}\n" if body else f"---\n{front}---\n"
