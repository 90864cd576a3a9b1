"""Read a cState site: ``content/issues/*.md`` (Hugo front matter) and the systems in its config.

Rules (documentation/commands.md, "Importing"): dates without a zone are UTC unless
``--timezone`` names one;
each ``{{< track "…" >}}`` shortcode ends one update at that time, else the body is one update
at ``date``; ``resolved`` + ``resolvedWhen`` close the issue. Every ambiguity is reported as a
``path:line: warning`` naming the values involved.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from ..content_format import slug
from ..frontmatter import Document, FrontMatterError, LineDict, load_yaml, parse
from ..problems import Problems, one_of
from ..render import DOCUMENT, gfm
from ..timestamps import iso
from ..vocabulary import AS_MAINTENANCE, lookup
from .components import DEFINED, INCIDENT, ComponentRegistry
from .drafts import Draft, DraftPostmortem, DraftUpdate, SiteInfo, spread, utc_seconds

CONFIG_NAMES = ("config.yml", "config.yaml", "hugo.yml", "hugo.yaml", "config.toml", "hugo.toml")
# cState severity -> (incident impact, status of the affected components).
SEVERITIES: dict[str, tuple[str, str]] = {
    "down": ("critical", "major_outage"),
    "disrupted": ("major", "partial_outage"),
    "notice": ("minor", "degraded_performance"),
}
KNOWN_KEYS = {"title", "date", "resolved", "resolvedWhen", "severity", "affected",
              "informational", "draft"}
# Presentation or monitoring-bot bookkeeping: nothing customers read, so not imported.
QUIET_KEYS = {"section", "pin", "automated", "id", "lastmod", "lastMod"}
# "*Investigating* - text": the label is cState's way to write the status.
LABEL_STATUS: dict[str, str | None] = {
    "investigating": "investigating", "identified": "identified", "monitoring": "monitoring",
    "resolved": "resolved", "fixed": "resolved", "completed": "resolved", "closed": "resolved",
    "update": None, "updated": None,
}
RESOLVED_TEXT = "This issue has been resolved."
COMPLETED_TEXT = "This maintenance is complete."

_TRACK = re.compile(r'[ \t]*\{\{[<%]\s*track\s+"([^"]*)"\s*[>%]\}\}[ \t]*')
_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}")
_LABEL = re.compile(r"^\*{1,2}([A-Za-z][A-Za-z -]*?)\*{1,2}[ \t]*[-–—:][ \t]*\n?")
_POSTMORTEM = re.compile(r"^(?:\*{1,2}|#{1,6}\s*)post-?\s?mortem\*{0,2}\s*$", re.IGNORECASE)
_HR = re.compile(r"^ {0,3}(?:-[ \t]*){3,}$|^ {0,3}(?:\*[ \t]*){3,}$|^ {0,3}(?:_[ \t]*){3,}$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_FILE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-")


@dataclass
class Segment:
    """Consecutive blocks of a body: one update when it ends with a track shortcode."""

    text: str  # verbatim, track shortcode removed
    line: int
    track: str | None = None
    label: str | None = None  # a status label it starts with, lower case

    @property
    def message(self) -> str:
        """The text without a known status label (that becomes the status)."""
        if self.label in LABEL_STATUS:
            rest = _LABEL.sub("", self.text, count=1).strip()
            return rest or self.text
        return self.text


def split_body(body: str, first_line: int) -> list[Segment]:
    """Blocks are separated by blank lines (not inside code fences) and thematic breaks; a
    block with a track shortcode closes a segment, a block with a status label opens one."""
    segments: list[Segment] = []
    current: list[tuple[int, int]] = []
    lines = body.split("\n")

    def flush(track: str | None = None) -> None:
        if current:
            text = "\n".join(lines[current[0][0]:current[-1][1]])
            label = _LABEL.match(text)
            segments.append(Segment(_TRACK.sub("", text).strip(), first_line + current[0][0],
                                    track, label.group(1).strip().lower() if label else None))
            current.clear()

    for start, end in _blocks(lines):
        text = "\n".join(lines[start:end])
        if end - start == 1 and _HR.match(text):
            flush()
            continue
        if _LABEL.match(text) and current:
            flush()
        current.append((start, end))
        tracks = _TRACK.findall(text)
        if tracks:
            flush(tracks[-1])
    flush()
    return segments


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    blocks, start, fence = [], None, None
    for index, line in enumerate(lines):
        marker = _FENCE.match(line)
        if marker and (fence is None or marker.group(1) == fence):
            fence = None if fence else marker.group(1)
        if not line.strip() and fence is None:
            if start is not None:
                blocks.append((start, index))
            start = None
        elif start is None:
            start = index
    if start is not None:
        blocks.append((start, len(lines)))
    return blocks


@dataclass
class CStateSite:
    """A cState site root (or just its issues folder) and the reading rules of one run."""

    issues: Path
    root: Path | None
    problems: Problems
    registry: ComponentRegistry
    zone: tzinfo | None  # --timezone; None: dates without a zone are UTC, with a warning
    systems: set[str] = field(default_factory=set)
    has_config: bool = False

    def read(self, site: SiteInfo) -> list[Draft]:
        self.read_config(site)
        drafts = []
        for path in sorted(self.issues.rglob("*.md")):
            if path.name.startswith("_"):  # Hugo's _index.md: the section page, not an issue
                continue
            draft = IssueFile(self, path).read()
            if draft is not None:
                drafts.append(draft)
        if not drafts and not self.problems.errors:
            self.problems.warn(self.issues, 1, "no cState issues (*.md) found here")
        return drafts

    # -- config.yml: systems become components, categories their groups -------------------

    def read_config(self, site: SiteInfo) -> None:
        path = next((self.root / n for n in CONFIG_NAMES
                     if self.root and (self.root / n).is_file()), None)
        if path is None:
            self.problems.warn(self.issues, 1, "no cState config.yml found beside content/; "
                               "components are named after the issues' `affected` entries")
            return
        data = self.load(path)
        params = data.get("params") if isinstance(data, dict) else None
        if not isinstance(params, dict):
            self.problems.warn(path, 1, "no `params:` with `systems:` here; components are "
                               "named after the issues' `affected` entries")
            return
        self.has_config = True
        site.name = site.name or _text(data.get("title")) or None
        site.url = site.url or _text(data.get("baseURL") or data.get("baseurl")) or None
        untitled = {_text(c.get("name")) for c in _list(params.get("categories"))
                    if isinstance(c, dict) and c.get("untitled") is True}
        for index, system in enumerate(_list(params.get("systems"))):
            if not isinstance(system, dict) or not _text(system.get("name")):
                continue
            name = _text(system["name"])
            category = _text(system.get("category"))
            self.systems.add(name)
            self.registry.add(component_key(name), name, DEFINED,
                              description=_text(system.get("description")),
                              group=category if category and category not in untitled else None,
                              order=(float(index),))

    def load(self, path: Path) -> Any:
        try:
            text = path.read_bytes().decode("utf-8-sig")
            if path.suffix == ".toml":
                return tomllib.loads(text)
            return load_yaml(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            self.problems.warn(path, 1, f"cannot read the cState configuration ({exc}); "
                               "components are named after the issues' `affected` entries")
        except FrontMatterError as exc:
            self.problems.warn(path, exc.line, f"cannot read the cState configuration "
                               f"({exc.message}); components are named after `affected`")
        return None


def component_key(name: str) -> str:
    return f"cstate:{name}"


@dataclass
class IssueFile:
    site: CStateSite
    path: Path
    zoneless: tuple[int, str] | None = None  # first date without a zone: line, text

    def error(self, line: int, message: str) -> None:
        self.site.problems.add(self.path, line, message)

    def warn(self, line: int, message: str) -> None:
        self.site.problems.warn(self.path, line, message)

    def read(self) -> Draft | None:
        try:
            doc = parse(self.path, self.path.read_bytes())
        except FrontMatterError as exc:
            self.error(exc.line, f"{exc.message} (cState issues start with YAML front matter)")
            return None
        except OSError as exc:
            self.error(1, f"cannot read the file: {exc.strerror}")
            return None
        meta = doc.meta
        if meta.get("draft") is True:
            self.warn(meta.lines["draft"], "a draft (draft: true) is not published by cState; "
                      "not imported")
            return None
        draft = self.convert(doc)
        if self.zoneless and self.site.zone is None:
            line, text = self.zoneless
            self.warn(line, f'dates without a time zone (such as "{text}") are read as UTC; '
                      "pass --timezone NAME if they were written in another zone")
        return draft

    def line(self, doc: Document, key: str) -> int:
        return doc.meta.lines.get(key, doc.meta.line)

    def convert(self, doc: Document) -> Draft | None:
        meta = doc.meta
        for key in meta:
            if key not in KNOWN_KEYS | QUIET_KEYS:
                self.warn(meta.lines[key], f'front matter key "{key}" has no Tidings '
                          "equivalent; it is not imported")
        title = _text(meta.get("title") if isinstance(meta.get("title"), str) else "")
        if not title:
            self.error(self.line(doc, "title"), 'the issue has no "title"; add one')
        if "date" not in meta:
            self.error(meta.line, 'the issue has no "date"; add when it started, e.g. '
                       "date: 2024-02-24 10:35:00")
            return None
        start = self.moment(meta["date"], self.line(doc, "date"), "date")
        impact_status = self.severity(doc)
        if start is None or impact_status is None or not title:
            return None
        self.check_file_date(doc, start)
        return IssueConverter(self, doc, title, start, impact_status).draft()

    def severity(self, doc: Document) -> tuple[str, str | None] | None:
        """(impact, component status) from severity; informational posts have no impact."""
        meta = doc.meta
        if _flag(meta.get("informational")):
            return ("none", None)
        value = meta.get("severity")
        if value is None:
            self.warn(meta.line, 'no "severity" (down, disrupted or notice); imported with '
                      "impact none and no component status")
            return ("none", None)
        if str(value) not in SEVERITIES:
            self.error(self.line(doc, "severity"), f'severity "{value}" is not a cState '
                       f"severity; use one of {one_of(SEVERITIES)}")
            return None
        return SEVERITIES[str(value)]

    def check_file_date(self, doc: Document, start: tuple[datetime, date]) -> None:
        """cState files are often named after a date; the front matter wins when they differ."""
        named = _FILE_DATE.match(self.path.stem)
        if named and named.group(1) != start[1].isoformat():
            self.warn(self.line(doc, "date"), f"the front matter date ({start[1].isoformat()})"
                      f" differs from the date in the file name ({named.group(1)}); the front "
                      "matter wins")

    def moment(self, value: Any, line: int, what: str) -> tuple[datetime, date] | None:
        """(UTC time, date as written) of a cState date; zone-less ones use --timezone/UTC."""
        text = str(value).strip()
        try:
            written = datetime.fromisoformat(text)
        except ValueError:
            self.error(line, f'{what} "{text}" is not a date; write e.g. 2024-02-24 10:35:00 '
                       "or 2024-02-24T10:35:00Z")
            return None
        if written.tzinfo is None:
            self.zoneless = self.zoneless or (line, text)
            return utc_seconds(written.replace(tzinfo=self.site.zone or UTC)), written.date()
        return utc_seconds(written), written.date()


@dataclass
class IssueConverter:
    """One issue's body, dates and flags into a draft."""

    file: IssueFile
    doc: Document
    title: str
    start: tuple[datetime, date]
    impact_status: tuple[str, str | None]
    summary: str = ""
    postmortem_body: str = ""

    @property
    def meta(self) -> LineDict:
        return self.doc.meta

    def draft(self) -> Draft | None:
        updates = self.updates()
        if updates is None:
            return None
        resolved_at = self.resolved_at()
        kind = self.kind(resolved_at)
        keys = self.components()
        draft = Draft(
            folder=self.folder(), kind=kind, title=self.title,
            impact="maintenance" if kind == "maintenance" else self.impact_status[0],
            components=keys, updates=updates, source=self.file.path, line=1,
            summary=self.summary, source_id=self.file.path.stem)
        self.close(draft, resolved_at)
        if kind == "maintenance":
            self.as_maintenance(draft, resolved_at)
        elif self.impact_status[1] and updates:
            draft.updates[0].components = dict.fromkeys(keys, self.impact_status[1])
        if self.postmortem_body:
            self.add_postmortem(draft)
        return draft

    def folder(self) -> str:
        """The cState file name (its URL slug) is the source id; prefixed with the date when
        it does not start with one."""
        stem = slug(self.file.path.stem, "issue", 0)
        return stem if _FILE_DATE.match(stem) else f"{self.start[1].isoformat()}-{stem}"

    def components(self) -> list[str]:
        affected = self.meta.get("affected") or []
        if isinstance(affected, str):
            affected = [affected]
        if not isinstance(affected, list):
            self.file.error(self.file.line(self.doc, "affected"), "affected must be a list of "
                            "system names, e.g. affected: [API]")
            return []
        keys = []
        for name in map(_text, map(str, affected)):
            systems = self.file.site.systems
            if self.file.site.has_config and name not in systems:
                self.file.warn(self.file.line(self.doc, "affected"), f'"{name}" is not one of '
                               f"the systems in the cState config ({one_of(sorted(systems))});"
                               " imported as a component of that name")
            keys.append(self.file.site.registry.add(component_key(name), name, INCIDENT))
        return list(dict.fromkeys(keys))

    # -- updates ----------------------------------------------------------------------------

    def updates(self) -> list[DraftUpdate] | None:
        segments = split_body(self.doc.body, self.doc.body_line)
        tracked = [s for s in segments if s.track is not None]
        if not tracked:
            return [self.whole_body()]
        first = segments.index(tracked[0])
        for lead in segments[:first]:
            self.lead(lead)
        entries: list[tuple[Segment, datetime]] = []
        for segment in segments[first:]:
            if segment.track is None:
                self.file.warn(segment.line, "this part has no {{< track >}} time; it is kept "
                               "in the update above it")
                previous = entries[-1][0]
                previous.text = f"{previous.text}\n\n{segment.text}"
                continue
            moment = self.file.moment(segment.track, segment.line, "track")
            if moment is None:
                return None
            entries.append((segment, moment[0]))
        return self.ordered(entries)

    def whole_body(self) -> DraftUpdate:
        body = _TRACK.sub("", self.doc.body).strip()
        self.check_text(body, self.doc.body_line)
        if not body:
            self.file.warn(self.doc.body_line, "the issue has no text; its title is used as "
                           "the update's message")
            body = self.title
        status = "resolved" if _flag(self.meta.get("informational")) else "investigating"
        return DraftUpdate(self.start[0], status, body)

    def lead(self, segment: Segment) -> None:
        """Text before the first timed update: a post-mortem, or the incident's summary."""
        first, _, rest = segment.text.partition("\n")
        if _POSTMORTEM.match(first.strip()):
            self.postmortem_body = "\n\n".join(filter(None, [self.postmortem_body,
                                                             rest.strip()]))
            return
        if segment.label:
            self.file.warn(segment.line, "this update has no {{< track >}} time; it is kept "
                           "as the incident's summary")
        self.check_text(segment.text, segment.line)
        self.summary = "\n\n".join(filter(None, [self.summary, segment.text]))

    def ordered(self, entries: list[tuple[Segment, datetime]]) -> list[DraftUpdate]:
        """Oldest first. cState lists updates newest first; a file whose times rise down the
        page is read oldest first. Equal times keep that order, with a warning."""
        times = [at for _seg, at in entries]
        oldest_first = times == sorted(times) and len(set(times)) > 1
        order = sorted(range(len(entries)),
                       key=lambda i: (times[i], i if oldest_first else -i))
        for at in sorted(set(times)):
            if times.count(at) > 1:
                line = entries[times.index(at)][0].line
                self.file.warn(line, f"{times.count(at)} updates share the time {iso(at)}; "
                               f"ordered as in the file ({'oldest' if oldest_first else 'newest'}"
                               " first) and spaced one second apart")
        updates, status = [], "investigating"
        for index in order:
            segment, at = entries[index]
            status = LABEL_STATUS.get(segment.label or "") or status
            self.check_text(segment.text, segment.line)
            message = segment.message
            if not message:
                message = "No text was posted with this update."
                self.file.warn(segment.line, f'this update has no text; wrote "{message}" '
                               "(edit it if you like)")
            updates.append(DraftUpdate(at, status, message))
        spread(updates)
        if updates and updates[0].at != self.start[0]:
            self.file.warn(self.file.line(self.doc, "date"), f"the first update is at "
                           f"{iso(updates[0].at)} but date says {iso(self.start[0])}; the "
                           "update times from the track shortcodes are kept")
        return updates

    def check_text(self, text: str, line: int) -> None:
        """Warn where the page will not show a message as cState did."""
        if gfm(text) != gfm(text, DOCUMENT):
            self.file.warn(line, "a line break inside a paragraph: cState joined such lines, "
                           "the status page shows the break (see the content format); join "
                           "the lines in the imported file if they were only wrapped")
        for code in _SHORTCODE.findall(text):
            self.file.warn(line, f"the Hugo shortcode {code} is kept as text; Tidings does "
                           "not run Hugo")

    # -- resolution and kind ----------------------------------------------------------------

    def resolved_at(self) -> datetime | None:
        if "resolvedWhen" not in self.meta or self.meta["resolvedWhen"] in (None, ""):
            return None
        moment = self.file.moment(self.meta["resolvedWhen"],
                                  self.file.line(self.doc, "resolvedWhen"), "resolvedWhen")
        return moment[0] if moment else None

    def kind(self, resolved_at: datetime | None) -> str:
        """cState has no maintenance type; a notice titled "…maintenance…" with an end time
        reads as one, and the warning says so."""
        if (self.meta.get("severity") == "notice" and "maintenance" in self.title.casefold()
                and not _flag(self.meta.get("informational"))
                and resolved_at is not None and resolved_at > self.start[0]):
            self.file.warn(self.file.line(self.doc, "severity"), "imported as a maintenance "
                           f"from {iso(self.start[0])} to {iso(resolved_at)} (date to "
                           "resolvedWhen), because it is a notice with \"maintenance\" in "
                           "its title; cState has no maintenance type")
            return "maintenance"
        return "incident"

    def close(self, draft: Draft, resolved_at: datetime | None) -> None:
        """Make the last update the resolution, or add one at resolvedWhen."""
        meta, updates = self.meta, draft.updates
        last = updates[-1]
        line = self.file.line(self.doc, "resolvedWhen" if "resolvedWhen" in meta else
                              "resolved")
        if _flag(meta.get("informational")):
            last.status = "resolved"
        elif not _flag(meta.get("resolved")):
            if draft.kind == "incident":
                extra = " (its resolvedWhen is ignored)" if resolved_at else ""
                self.file.warn(self.file.line(self.doc, "resolved"), "the issue is not "
                               f"resolved in cState{extra}; it shows as open until you add a "
                               "resolved update")
        elif last.status == "resolved":
            if resolved_at and resolved_at != last.at:
                self.file.warn(line, f"resolvedWhen ({iso(resolved_at)}) differs from the "
                               f"time of the last update ({iso(last.at)}), which says it is "
                               "resolved; the update's time is kept")
        elif resolved_at is None:
            last.status = "resolved"
            self.file.warn(line, "resolved without resolvedWhen; the last update "
                           f"({iso(last.at)}) is taken as the resolution")
        elif resolved_at > last.at:
            updates.append(DraftUpdate(resolved_at, "resolved", RESOLVED_TEXT))
        else:
            last.status = "resolved"
            if resolved_at < last.at:
                self.file.warn(line, f"resolvedWhen ({iso(resolved_at)}) is before the last "
                               f"update ({iso(last.at)}); the last update is taken as the "
                               "resolution")

    def as_maintenance(self, draft: Draft, resolved_at: datetime | None) -> None:
        draft.scheduled_for, draft.scheduled_until = self.start[0], resolved_at
        for index, update in enumerate(draft.updates):
            if update.message == RESOLVED_TEXT and update.status == "resolved":
                update.message = COMPLETED_TEXT
            first_untouched = index == 0 and update.status == "investigating"
            update.status = "scheduled" if first_untouched else \
                lookup(AS_MAINTENANCE, update.status) or update.status

    def add_postmortem(self, draft: Draft) -> None:
        last = draft.updates[-1]
        if last.status not in ("resolved", "completed"):
            self.file.warn(self.doc.body_line, "the issue has a post-mortem but is not "
                           "resolved; the post-mortem is kept as the incident's summary")
            draft.summary = "\n\n".join(filter(None, [draft.summary, self.postmortem_body]))
            return
        draft.postmortem = DraftPostmortem(last.at, self.postmortem_body)
        self.file.warn(self.doc.body_line, "cState does not record when the post-mortem was "
                       f"published; it is dated at the resolution ({iso(last.at)})")


def locate(directory: Path) -> tuple[Path, Path | None]:
    """(issues folder, site root or None) for a site root or a content/issues folder."""
    if (directory / "content" / "issues").is_dir():
        return directory / "content" / "issues", directory
    if directory.name == "issues" and directory.parent.name == "content":
        return directory, directory.parent.parent
    return directory, None


def read_cstate(directory: Path, problems: Problems, registry: ComponentRegistry,
                site: SiteInfo, zone: tzinfo | None) -> list[Draft]:
    if not directory.is_dir():
        problems.add(directory, 1, "no such folder; give the cState site root (with "
                     "config.yml and content/issues/) or its content/issues folder")
        return []
    issues, root = locate(directory)
    return CStateSite(issues, root, problems, registry, zone).read(site)


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""
