"""Load every incident folder under ``incidents/``, checking each file against the format.

Nothing stops at the first problem: every file is read and every problem recorded, so an
author fixes everything in one round.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import files, parallel
from .check_cache import FolderCache, Found
from .config import SiteConfig
from .content_format import (
    INCIDENT_FILE,
    MARKDOWN,
    POSTMORTEM_FILE,
    IncidentFolder,
    id_problem,
    incident_folders,
    incident_folders_in,
)
from .files import child
from .frontmatter import Document, FrontMatterError, LineDict, LineList, parse
from .limits import markdown_problem
from .model import Incident, Postmortem, Update
from .problems import Problems, did_you_mean, one_of
from .timestamps import TimestampError, iso, parse_timestamp, parse_when
from .vocabulary import (
    COMPONENT_STATUSES,
    INCIDENT_IMPACTS,
    INCIDENT_STATUSES,
    INCIDENT_TYPES,
    MAINTENANCE_STATUSES,
    ROLES,
    VISIBILITIES,
    ComponentStatus,
    Indicator,
    Member,
    Role,
    member,
)

INCIDENT_KEYS = frozenset({"title", "type", "impact", "components", "scheduled_for",
                           "scheduled_until", "detected_at", "internal", "visibility", "roles"})
UPDATE_KEYS = frozenset({"at", "status", "components", "next_update", "internal"})
POSTMORTEM_KEYS = frozenset({"published"})
_COMPONENT_STATUS_SET = frozenset(COMPONENT_STATUSES)
_NEVER = datetime.max.replace(tzinfo=UTC)
# Folders per process below which forking workers costs more than it saves (a folder takes
# under a millisecond; a worker's start and sending its incidents back about a fifth of that;
# measured: no gain at 1,000 folders, 35 % less time at 10,000 on two idle cores).
PARALLEL_FOLDERS = 1000


def load_incidents(config: SiteConfig, problems: Problems, cache: FolderCache | None = None
                   ) -> list[Incident]:
    """Every incident and maintenance under the configured folder, oldest first by creation;
    with a cache, the folders it has unchanged are not read again, and it keeps the others."""
    root = config.incidents_path
    if not os.path.lexists(root):  # a new repository (git keeps no empty folder): no incidents
        return []
    if not root.is_dir():
        problems.add(root, 1, f"{config.incidents_dir} must be a folder of incident folders; "
                     "remove or rename the file")
        return []
    incidents: list[Incident] = []
    with _collector_paused():
        folders = incident_folders(root, problems)
        for incident, found_problems in _read_all(config, problems.root, folders, cache):
            if incident is not None:
                incidents.append(incident)
            problems.items += found_problems
    return in_order(incidents)


def _read_all(config: SiteConfig, root: Path, folders: list[IncidentFolder],
              cache: FolderCache | None) -> list[Found]:
    """Each folder's incident and problems, in order: from the cache where it has them
    unchanged, else read (and then kept)."""
    if cache is None:
        return _read_on_spare_cores(config, root, folders)
    cache.read()
    keys = [cache.key(folder, [INCIDENT_FILE, *names]) for folder, names in folders]
    kept = [cache.get(folder, key) for (folder, _names), key in zip(folders, keys, strict=True)]
    fresh = iter(_read_on_spare_cores(config, root, [
        folder for folder, one in zip(folders, kept, strict=True) if one is None]))
    found = []
    for (folder, _names), key, one in zip(folders, keys, kept, strict=True):
        if one is None:
            one = next(fresh)
            if key is not None:
                cache.put(folder, key, one)
        found.append(one)
    cache.forget_others({os.fspath(folder) for folder, _names in folders})
    cache.save()
    return found


def _read_on_spare_cores(config: SiteConfig, root: Path, folders: list[IncidentFolder]
                         ) -> list[Found]:
    """``_read_folders`` of many folders in forked workers, in order."""
    chunks = parallel.split(folders, parallel.processes(len(folders), PARALLEL_FOLDERS))
    return [one for chunk in parallel.map_chunks(_read_folders, chunks, config, root)
            for one in chunk]


def in_order(incidents: list[Incident]) -> list[Incident]:
    """Sorted as ``load_incidents`` returns them: oldest first by creation, then by id."""
    return sorted(incidents, key=lambda i: (i.created_at or _NEVER, i.id))


def load_folders(config: SiteConfig, problems: Problems, folders: list[Path]
                 ) -> list[Incident]:
    """The incidents of some folders under the configured one, read as ``load_incidents``
    reads them (the same file policy and checks): for ``tidings serve``, which reads again
    only the folders that changed."""
    incidents = []
    for incident, found_problems in _read_folders(
            config, problems.root, incident_folders_in(config.incidents_path, folders, problems)):
        if incident is not None:
            incidents.append(incident)
        problems.items += found_problems
    return incidents


def _read_folders(config: SiteConfig, root: Path, folders: list[IncidentFolder]
                  ) -> list[Found]:
    """Read some incident folders (maybe in a worker process): each one's incident (None
    when incident.md cannot be read) and problems."""
    known = frozenset(config.component_ids)
    internal = frozenset(c.id for c in config.components if c.visibility == "internal")
    found = []
    for folder, names in folders:
        problems = Problems(root=root)
        incident = _FolderReader(config, problems, folder, names, known, internal).read()
        found.append((incident, problems.items))
    return found


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while loading.

    A large history is hundreds of thousands of small objects that all stay alive and form
    no cycles; every automatic collection would walk all of them again, which cost about a
    tenth of the load at 10,000 incidents. Reference counting still frees everything.
    Afterwards they join the oldest generation at once (``_to_oldest_generation``).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        _to_oldest_generation()
        if enabled:
            gc.enable()


def _to_oldest_generation() -> None:
    """Move every object the collector tracks into its oldest generation, which only full
    collections walk: left in the youngest, they would be walked by the first collection
    after loading and again by the next one (a fifth of a second at 10,000 incidents).
    ``gc.collect(0)`` then ``gc.collect(1)`` would end the same, walking every object twice.
    A process that froze objects itself (``gc.freeze`` before forking) keeps them frozen."""
    if gc.get_freeze_count():
        return
    gc.freeze()  # to the permanent generation, without walking them
    gc.unfreeze()  # and from there into the oldest one


def _update_order(update: Update) -> tuple[datetime, str]:
    return update.at, update.id


@dataclass
class _FolderReader:
    config: SiteConfig
    problems: Problems
    folder: Path
    names: list[str]  # the folder's other *.md names, sorted
    known: frozenset[str]  # the configured component ids
    internal: frozenset[str] = frozenset()  # the internal ones among them
    public: bool = True  # the incident being read is public (no `visibility: internal`)

    def __post_init__(self) -> None:
        self.zone = self.config.default_zone
        self.prefix = os.fspath(self.folder) + os.sep  # to open its files by their text

    def read(self) -> Incident | None:
        if (why := id_problem(self.folder.name)) is not None:
            self.problems.add(self.folder / INCIDENT_FILE, 1, f"the folder name {why}")
        doc = self.document(INCIDENT_FILE)
        if doc is None:
            return None
        incident = self.incident(doc)
        if incident and not incident.is_maintenance and not any(
                name != POSTMORTEM_FILE for name in self.names):
            self.problems.add(doc.path, 1, "the incident has no update; add a file such as "
                              "2026-11-22T140500Z-investigating.md with at, status and a message")
        for name in self.names:
            other = self.document(name)
            if other is None or incident is None:
                continue
            if name == POSTMORTEM_FILE:
                incident.postmortem = self.postmortem(other)
            elif (update := self.update(other, incident, name[:-len(MARKDOWN)])) is not None:
                incident.updates.append(update)
        if incident is not None:
            incident.updates.sort(key=_update_order)
            self.detected_before_first_update(incident)
        return incident

    def detected_before_first_update(self, incident: Incident) -> None:
        first = incident.updates[0] if incident.updates else None
        if incident.detected_at and first and incident.detected_at > first.at:
            self.problems.add(incident.source, incident.lines["detected_at"],
                              f"detected_at ({iso(incident.detected_at)}) is after the first "
                              f"update ({iso(first.at)}); the problem is noticed before it is "
                              "announced, so set detected_at to that time or earlier")

    # -- helpers -------------------------------------------------------------------------

    def document(self, name: str) -> Document | None:
        """The file ``name`` of the folder, read and split, or None after recording why not."""
        path = child(self.folder, name)
        try:  # opened by its path as text: a Path would make the same text again
            doc = parse(path, files.read_listed(self.prefix + name, self.config.root))
        except FrontMatterError as exc:
            self.problems.add(path, exc.line, exc.message)
        except files.RefusedFile as exc:
            self.problems.add(path, 1, str(exc))
        except OSError as exc:
            self.problems.add(path, 1, f"cannot read the file: {exc.strerror}")
        else:
            if (found := markdown_problem(doc.body)) is not None:
                self.problems.add(path, doc.body_line + found[0] - 1, found[1])
            return doc
        return None

    def error(self, doc: Document, key: Any, message: str) -> None:
        self.problems.add(doc.path, doc.meta.lines.get(key, doc.meta.line), message)

    def check_keys(self, doc: Document, allowed: frozenset[str], required: tuple[str, ...]
                   ) -> bool:
        if not doc.meta.keys() <= allowed:  # one set operation for the usual file
            for key in doc.meta:
                if key not in allowed:
                    self.error(doc, key, f'unknown key "{key}"{did_you_mean(key, allowed)}; '
                               f"allowed keys: {one_of(sorted(allowed))}")
        ok = True
        for key in required:
            if key not in doc.meta or doc.meta[key] in (None, ""):
                self.error(doc, key if key in doc.meta else None,
                           f'missing required key "{key}"; add "{key}: …" to the front matter')
                ok = False
        return ok

    def choice(self, doc: Document, key: str, allowed: tuple[Member, ...], default: str,
               hint: str = "") -> Member | None:
        value = doc.meta.get(key, default)
        if (found := member(value, allowed)) is not None:
            return found
        self.error(doc, key, f'{key} "{value}" is not allowed{did_you_mean(str(value), allowed)}; '
                   f"use one of {one_of(allowed)}{hint}")
        return None

    def timestamp(self, doc: Document, key: str, parser: Callable[[Any], datetime] | None = None
                  ) -> datetime | None:
        try:
            if parser is not None:
                return parser(doc.meta[key])
            return parse_timestamp(doc.meta[key], self.zone)
        except TimestampError as exc:
            self.error(doc, key, f"{key}: {exc}")
            return None

    def component_list(self, doc: Document) -> list[str]:
        value = doc.meta.get("components") or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(doc, "components", "components must be a list of component ids, e.g. "
                       "[api, web]")
            return []
        if isinstance(value, LineList):
            lines = value.lines
        else:
            lines = [doc.meta.lines.get("components", doc.meta.line)] * len(value)
        known = [str(c) for c, line in zip(value, lines, strict=True)
                 if self.known_component(doc.path, str(c), line)]
        return list(dict.fromkeys(known))

    def known_component(self, path: Path, component_id: str, line: int) -> bool:
        if component_id in self.internal and self.public:
            # Customers never see an internal tool, so a public incident may not name one.
            self.problems.add(path, line, f'the component "{component_id}" is internal, but '
                              'this incident is public; add "visibility: internal" to '
                              "incident.md or name only public components")
            return False
        if component_id in self.known:
            return True
        ids = self.config.component_ids
        self.problems.add(path, line, f'unknown component "{component_id}"'
                          f"{did_you_mean(component_id, ids)}; components are defined in "
                          f"tidings.yml: {one_of(ids)}")
        return False

    # -- the three kinds of file ---------------------------------------------------------

    def incident(self, doc: Document) -> Incident | None:
        self.check_keys(doc, INCIDENT_KEYS, ("title",))
        self.public = doc.meta.get("visibility") != "internal"
        kind = self.choice(doc, "type", INCIDENT_TYPES, "incident")
        default_impact: Indicator = "maintenance" if kind == "maintenance" else "none"
        impact = self.choice(doc, "impact", INCIDENT_IMPACTS, default_impact)
        if impact == "maintenance" and kind == "incident":
            self.error(doc, "impact", 'impact "maintenance" is only for maintenance; add '
                       '"type: maintenance", or use one of "none", "minor", "major", "critical"')
            impact = None
        title = doc.meta.get("title")
        if "title" in doc.meta and (not isinstance(title, str) or not title.strip()):
            self.error(doc, "title", "title must be text, e.g. title: Elevated API errors")
        incident = Incident(
            id=self.folder.name,
            kind=kind or "incident",
            title=str(title or "").strip(),
            impact=impact or default_impact,
            components=self.component_list(doc),
            summary=doc.body,
            source=doc.path,
            lines=dict(doc.meta.lines),
            summary_line=doc.body_line,
            internal=self.markdown(doc, "internal"),
            visibility=self.choice(doc, "visibility", VISIBILITIES, "public",
                                   " (internal: only the internal page shows it)") or "public",
            roles=self.roles(doc),
        )
        if incident.is_maintenance:
            self.window(doc, incident)
            if "detected_at" in doc.meta:
                self.error(doc, "detected_at", "detected_at is only for incidents (when the "
                           "problem was noticed); remove it from this maintenance")
        else:
            if "detected_at" in doc.meta:
                incident.detected_at = self.timestamp(doc, "detected_at")
            for key in ("scheduled_for", "scheduled_until"):
                if key in doc.meta:
                    self.error(doc, key, f'{key} is only for maintenance; add "type: maintenance" '
                               "or remove it")
        return incident

    def window(self, doc: Document, incident: Incident) -> None:
        for key in ("scheduled_for", "scheduled_until"):
            if key not in doc.meta:
                self.error(doc, None, f'maintenance needs "{key}" (when the window '
                           f'{"starts" if key == "scheduled_for" else "ends"}), a timestamp '
                           "with a zone")
        start = self.timestamp(doc, "scheduled_for") if "scheduled_for" in doc.meta else None
        end = self.timestamp(doc, "scheduled_until") if "scheduled_until" in doc.meta else None
        if start and end and end <= start:
            self.error(doc, "scheduled_until", "the maintenance ends before it starts; "
                       "scheduled_until must be later than scheduled_for")
        incident.scheduled_for, incident.scheduled_until = start, end

    def update(self, doc: Document, incident: Incident, update_id: str) -> Update | None:
        complete = self.check_keys(doc, UPDATE_KEYS, ("at", "status"))
        statuses = MAINTENANCE_STATUSES if incident.is_maintenance else INCIDENT_STATUSES
        status = None
        if "status" in doc.meta:
            other = INCIDENT_STATUSES if incident.is_maintenance else MAINTENANCE_STATUSES
            if doc.meta["status"] in other:
                what = "a maintenance" if incident.is_maintenance else "an incident"
                self.error(doc, "status", f'"{doc.meta["status"]}" is a status for '
                           f'{"incidents" if incident.is_maintenance else "maintenance"}, but '
                           f"this is {what}; use one of {one_of(statuses)}")
            else:
                status = self.choice(doc, "status", statuses, "")
        at = self.timestamp(doc, "at") if "at" in doc.meta else None
        next_update = None
        if "next_update" in doc.meta and at is not None:
            next_update = self.timestamp(
                doc, "next_update", lambda v: parse_when(v, at, self.zone))
        if next_update is not None and at is not None and next_update <= at:
            self.error(doc, "next_update", "next_update must be later than the update's "
                       '"at"; write a time after it or a duration such as 30m')
        if (why := id_problem(update_id, strict=False)) is not None:
            self.problems.add(doc.path, 1, f"the file name {why} (then .md)")
        components = self.component_changes(doc)
        if not (complete and status and at):
            return None
        if not doc.body.strip():
            self.problems.add(doc.path, doc.body_line, "the update has no message; write what "
                              "customers should know below the front matter")
        return Update(update_id, at, status, doc.body, components, next_update, doc.path,
                      doc.meta.lines["at"], body_line=doc.body_line,
                      internal=self.markdown(doc, "internal"))

    def markdown(self, doc: Document, key: str) -> str:
        """An optional Markdown text in the front matter (``internal: |`` …)."""
        value = doc.meta.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(doc, key, f"{key} must be Markdown text; write it as a block: "
                       f'"{key}: |" and the text indented below')
            return ""
        return value

    def roles(self, doc: Document) -> dict[Role, str]:
        value = doc.meta.get("roles")
        if value is None:
            return {}
        if not isinstance(value, LineDict):
            self.error(doc, "roles", "roles maps each role to a name or handle, e.g. "
                       "'roles: {commander: \"@ana\", communications: \"@raj\"}'")
            return {}
        roles: dict[Role, str] = {}
        for key, who in value.items():
            role = member(key, ROLES)
            if role is None:
                self.problems.add(doc.path, value.lines[key], f'unknown role "{key}"'
                                  f"{did_you_mean(str(key), ROLES)}; use {one_of(ROLES)}")
            elif not isinstance(who, str) or not who.strip():
                self.problems.add(doc.path, value.lines[key], f'role "{role}" needs a name '
                                  "or handle, quoted if it starts with @")
            else:
                roles[role] = who.strip()
        return roles

    def component_changes(self, doc: Document) -> dict[str, ComponentStatus]:
        value = doc.meta.get("components")
        if value is None:
            return {}
        if not isinstance(value, LineDict):
            self.error(doc, "components", "components in an update maps component ids to their "
                       "status from now on, e.g. 'api: partial_outage'")
            return {}
        changes: dict[str, ComponentStatus] = {}
        for cid, written in value.items():
            # A known component and a known status, as nearly every change: what the checks
            # below accept, without their calls.
            if (cid in self.known and (cid not in self.internal or not self.public)
                    and isinstance(written, str) and written in _COMPONENT_STATUS_SET):
                changes[cid] = written
                continue
            line = value.lines[cid]
            if not self.known_component(doc.path, str(cid), line):
                continue
            if (status := member(written, COMPONENT_STATUSES)) is None:
                self.problems.add(doc.path, line, f'component status "{written}" is not allowed'
                                  f"{did_you_mean(str(written), COMPONENT_STATUSES)}; use one of "
                                  f"{one_of(COMPONENT_STATUSES)}")
                continue
            changes[str(cid)] = status
        return changes

    def postmortem(self, doc: Document) -> Postmortem | None:
        if not self.check_keys(doc, POSTMORTEM_KEYS, ("published",)):
            return None
        published = self.timestamp(doc, "published")
        if not doc.body.strip():
            self.problems.add(doc.path, doc.body_line, "the postmortem is empty; write it below "
                              "the front matter (apology, what happened, fix, prevention)")
        return Postmortem(published, doc.body, doc.path, doc.body_line) if published else None
