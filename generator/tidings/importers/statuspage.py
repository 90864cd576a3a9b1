"""Read Statuspage API JSON: incidents.json, summary.json, scheduled-maintenances.json
(also upcoming/active), a single incident (an object with ``incident_updates`` or
``{"incident": {...}}``) and a bare list of incidents (the manage API).

Statuses, impacts and component statuses are Statuspage's own vocabulary, so they map one to
one. Update times are ``display_at`` (what Statuspage shows), else ``created_at``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..content_format import imported_id
from ..problems import Problems, one_of
from ..timestamps import TimestampError, iso, parse_timestamp
from ..vocabulary import (
    AS_MAINTENANCE,
    COMPONENT_STATUSES,
    INCIDENT_IMPACTS,
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
    lookup,
)
from .components import DEFINED, INCIDENT, MENTIONED, ComponentRegistry
from .drafts import (
    Draft,
    DraftPostmortem,
    DraftUpdate,
    SiteInfo,
    spread,
    utc_seconds,
)

SHAPES = ("incidents.json, summary.json, scheduled-maintenances.json or an incident object "
          "with incident_updates")
_STARTED_SLACK = timedelta(minutes=1)


def component_key(code: str) -> str:
    return f"statuspage:{code}"


@dataclass
class StatuspageFile:
    """One JSON file, read into drafts; problems carry the line of the object they concern."""

    path: Path
    text: str
    problems: Problems
    registry: ComponentRegistry
    index: int = 0  # files' components are listed in the order the files were given

    def line_of(self, *ids: Any) -> int:
        """The line where an object's id first appears (JSON parsers keep no lines)."""
        for value in ids:
            if isinstance(value, str) and value:
                index = self.text.find(json.dumps(value))
                if index >= 0:
                    return self.text.count("\n", 0, index) + 1
        return 1

    def error(self, line: int, message: str) -> None:
        self.problems.add(self.path, line, message)

    def warn(self, line: int, message: str) -> None:
        self.problems.warn(self.path, line, message)

    # -- the file ---------------------------------------------------------------------------

    def read(self, site: SiteInfo) -> list[Draft]:
        data = self.parse()
        if data is None:
            return []
        found = self.incidents(data)
        if found is None:
            self.error(1, f"this JSON is not a Statuspage export; expected {SHAPES}")
            return []
        if isinstance(data, dict):
            self.page(data.get("page"), site)
            self.components(data.get("components"))
        drafts = []
        for raw, scheduled in found:
            draft = self.incident(raw, scheduled)
            if draft is not None:
                drafts.append(draft)
        return drafts

    def parse(self) -> Any:
        try:
            return json.loads(self.text)
        except json.JSONDecodeError as exc:
            self.error(exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno}); export "
                       "the file again from the Statuspage API")
            return None

    def incidents(self, data: Any) -> list[tuple[Any, bool]] | None:
        """(incident, listed as scheduled maintenance) pairs, or None for another shape."""
        if isinstance(data, list):
            return [(item, False) for item in data]
        if not isinstance(data, dict):
            return None
        if "incident_updates" in data:
            return [(data, False)]
        if isinstance(data.get("incident"), dict):
            return [(data["incident"], False)]
        lists = [(key, data.get(key)) for key in ("incidents", "scheduled_maintenances")]
        if not any(isinstance(value, list) for _key, value in lists):
            return None
        found = []
        for key, value in lists:
            if value is not None and not isinstance(value, list):
                self.error(self.line_of(key), f'"{key}" must be a list of objects')
                continue
            found += [(item, key == "scheduled_maintenances") for item in value or []]
        return found

    def page(self, page: Any, site: SiteInfo) -> None:
        if not isinstance(page, dict):
            return
        site.name = site.name or _text(page.get("name")) or None
        site.url = site.url or _text(page.get("url")) or None
        zone = _text(page.get("time_zone"))
        site.timezone = site.timezone or (zone if _valid_zone(zone) else None)

    def components(self, items: Any) -> None:
        """The page's components (summary.json): names, groups, order and creation dates."""
        if not isinstance(items, list):
            return
        groups = {c["id"]: c for c in items
                  if isinstance(c, dict) and c.get("group") and isinstance(c.get("id"), str)}
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            if item.get("group"):
                self.registry.add_group(component_key(item["id"]), _text(item.get("name")))
                continue
            group_id = item.get("group_id")
            group = groups.get(group_id) if isinstance(group_id, str) else None
            position = _number(item.get("position"))
            order = ((self.index, _number(group.get("position")), position) if group
                     else (self.index, position, 0.0))
            self.registry.add(
                component_key(item["id"]), _text(item.get("name")), DEFINED,
                description=_text(item.get("description")),
                group=component_key(group["id"]) if group else None,
                since=self.day(item.get("created_at")), order=order)

    # -- one incident -----------------------------------------------------------------------

    def incident(self, raw: Any, scheduled: bool) -> Draft | None:
        header = self.header(raw)
        if header is None:
            return None
        iid, line, updates_raw = header
        title = _text(raw.get("name"))
        if not title:
            self.error(line, f'incident {iid}: "name" is missing; it becomes the title')
        kind = "maintenance" if self.is_maintenance(raw, scheduled, updates_raw) else "incident"
        components = [self.incident_component(c) for c in _list(raw.get("components"))
                      if isinstance(c, dict) and isinstance(c.get("id"), str)]
        updates = self.timeline(updates_raw, iid, kind, line)
        impact = self.impact(raw, kind, line)
        if not updates:
            if not updates_raw:
                self.warn(line, f"incident {iid} has no updates; it is not imported")
            return None
        draft = Draft(
            folder="", kind=kind, title=title, impact=impact,
            components=list(dict.fromkeys(components + [k for u in updates
                                                        for k in u.components])),
            updates=updates, source=self.path, line=line, source_id=iid)
        self.backfill(draft, updates_raw)
        if kind == "maintenance":
            self.window(draft, raw, iid, line)
        self.postmortem(draft, raw, iid, line)
        self.report_state(draft, raw, iid, line)
        day = (self.moment(raw.get("created_at"), line, "created_at", quiet=True)
               or updates[0].at).date()
        draft.folder = imported_id(day, title, iid)
        return draft

    def header(self, raw: Any) -> tuple[str, int, list[Any]] | None:
        """(id, line, incident_updates) of a well-formed incident object."""
        if not isinstance(raw, dict):
            self.error(1, f"an incident must be a JSON object, not {type(raw).__name__}")
            return None
        iid, line = raw.get("id"), self.line_of(raw.get("id"))
        if not isinstance(iid, str) or not iid.strip():
            self.error(line, 'an incident has no "id"; every Statuspage incident has one')
            return None
        updates_raw = raw.get("incident_updates")
        if not isinstance(updates_raw, list):
            self.error(line, f'incident {iid}: "incident_updates" is missing or not a list')
            return None
        return iid, line, updates_raw

    @staticmethod
    def is_maintenance(raw: dict[str, Any], scheduled: bool, updates_raw: list[Any]) -> bool:
        return (scheduled or bool(raw.get("scheduled_for")) or raw.get("impact") == "maintenance"
                or any(isinstance(u, dict) and u.get("status") in MAINTENANCE_STATUSES
                       for u in updates_raw))

    def timeline(self, updates_raw: list[Any], iid: str, kind: str, line: int
                 ) -> list[DraftUpdate]:
        """The updates, oldest first; Statuspage lists them newest first, so equal times keep
        that order reversed."""
        updates = [u for raw_u in updates_raw
                   if (u := self.update(raw_u, iid, kind, line)) is not None]
        updates = [u for _i, u in sorted(enumerate(updates), key=lambda p: (p[1].at, -p[0]))]
        if moved := spread(updates):
            self.warn(line, f"incident {iid}: {len(moved) + 1} updates share the second "
                      f"{iso(moved[0])}; they are spaced one second apart, newest last as "
                      "listed")
        return updates

    def incident_component(self, item: dict[str, Any]) -> str:
        group = item.get("group_id")
        return self.registry.add(component_key(item["id"]), _text(item.get("name")), INCIDENT,
                                 group=component_key(group) if isinstance(group, str) else None)

    def impact(self, raw: dict[str, Any], kind: str, line: int) -> str:
        impact = raw.get("impact_override") or raw.get("impact")
        if impact is None:
            return "maintenance" if kind == "maintenance" else "none"
        if impact not in INCIDENT_IMPACTS:
            self.error(line, f'incident {raw["id"]}: impact "{impact}" is not a Statuspage '
                       f"impact; expected one of {one_of(INCIDENT_IMPACTS)}")
            return "none"
        return str(impact)

    def update(self, raw: Any, iid: str, kind: str, incident_line: int) -> DraftUpdate | None:
        if not isinstance(raw, dict):
            self.error(incident_line, f"incident {iid}: each of incident_updates must be an "
                       "object")
            return None
        uid = raw.get("id")
        line = self.line_of(uid) if uid else incident_line
        what = f"incident {iid}, update {uid or '?'}"
        status = self.status(raw.get("status"), kind, what, line)
        field = "display_at" if raw.get("display_at") else "created_at"
        at = self.moment(raw.get(field), line, f"{what}: {field}")
        components = self.changes(raw.get("affected_components"), status, what, line)
        if status is None or at is None:
            return None
        body = raw.get("body")
        message = body if isinstance(body, str) and body.strip() else ""
        if not message:
            message = f"Status: {status.replace('_', ' ')}."
            self.warn(line, f"{what} has no text; wrote \"{message}\" (edit it if you like)")
        return DraftUpdate(at, status, message, components)

    def status(self, value: Any, kind: str, what: str, line: int) -> str | None:
        status: str = value if isinstance(value, str) else repr(value)
        if kind == "maintenance":
            if status in MAINTENANCE_STATUSES:
                return status
            # A maintenance written with incident statuses (seen when impact is "maintenance").
            if (mapped := lookup(AS_MAINTENANCE, status)) is not None:
                self.warn(line, f'{what}: incident status "{status}" on a maintenance; '
                          f'imported as "{mapped}"')
                return mapped
            allowed: tuple[str, ...] = MAINTENANCE_STATUSES
        else:
            if status in INCIDENT_STATUSES:
                return status
            if status == "postmortem":  # the postmortem itself goes to postmortem.md
                return "resolved"
            allowed = (*INCIDENT_STATUSES, "postmortem")
        self.error(line, f'{what}: status "{status}" is not a Statuspage {kind} status; '
                   f"expected one of {one_of(allowed)}")
        return None

    def changes(self, affected: Any, status: str | None, what: str, line: int
                ) -> dict[str, str]:
        """Component key -> new_status. A "scheduled" announcement changes nothing: its
        unchanged entries only name the component (it is on the maintenance's list)."""
        changes: dict[str, str] = {}
        for item in affected if isinstance(affected, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("code"), str):
                continue
            key = self.registry.add(component_key(item["code"]), _text(item.get("name")),
                                    MENTIONED)
            new = item.get("new_status")
            if new not in COMPONENT_STATUSES:
                self.warn(line, f'{what}: component {item["code"]} has new_status "{new}", '
                          f"not one of {one_of(COMPONENT_STATUSES)}; its status is not imported")
                new = None
            if status == "scheduled" and new == item.get("old_status"):
                new = None
            changes[key] = new or ""
        return changes

    def backfill(self, draft: Draft, updates_raw: list[Any]) -> None:
        """Components listed on the incident but first given a status by a later update had
        that update's old_status until then; say so in the first update."""
        for update in draft.updates:  # entries without a status only named the component
            update.components = {k: s for k, s in update.components.items() if s}
        if draft.kind != "incident":
            return
        olds: dict[str, str] = {}
        for _at, raw in sorted(self.timed(updates_raw), key=lambda pair: pair[0]):
            for item in _list(raw.get("affected_components")):
                if isinstance(item, dict) and item.get("old_status") in COMPONENT_STATUSES:
                    olds.setdefault(component_key(str(item.get("code"))), item["old_status"])
        first = draft.updates[0]
        for key in draft.components:
            if key not in first.components and key in olds:
                first.components[key] = olds[key]

    def timed(self, updates_raw: list[Any]) -> list[tuple[datetime, dict[str, Any]]]:
        """Raw updates with a readable time (problems with the others are already reported)."""
        found = []
        for raw in updates_raw:
            if isinstance(raw, dict):
                at = self.moment(raw.get("display_at") or raw.get("created_at"), 1, "",
                                 quiet=True)
                if at is not None:
                    found.append((at, raw))
        return found

    def window(self, draft: Draft, raw: dict[str, Any], iid: str, line: int) -> None:
        start = self.moment(raw.get("scheduled_for"), line, f"incident {iid}: scheduled_for",
                            quiet=True)
        end = self.moment(raw.get("scheduled_until"), line,
                          f"incident {iid}: scheduled_until", quiet=True)
        if start is None or end is None:
            start = start or self.moment(raw.get("started_at"), line, "", quiet=True) \
                or draft.updates[0].at
            end = end or self.moment(raw.get("resolved_at"), line, "", quiet=True) \
                or draft.updates[-1].at
            self.warn(line, f"maintenance {iid} has no scheduled_for/scheduled_until; the "
                      f"window is taken as {iso(start)} to {iso(end)}")
        if end <= start:
            self.error(line, f"maintenance {iid}: the window ends ({iso(end)}) before it "
                       f"starts ({iso(start)}); fix scheduled_for/scheduled_until")
        draft.scheduled_for, draft.scheduled_until = start, end

    def postmortem(self, draft: Draft, raw: dict[str, Any], iid: str, line: int) -> None:
        body = raw.get("postmortem_body")
        if not isinstance(body, str) or not body.strip():
            return
        published = self.moment(raw.get("postmortem_published_at"), line,
                                f"incident {iid}: postmortem_published_at", quiet=True)
        if published is None:
            self.warn(line, f"incident {iid} has a postmortem draft that was never published "
                      "(no postmortem_published_at); it is not imported")
            return
        if draft.updates[-1].status not in ("resolved", "completed"):
            self.warn(line, f"incident {iid} has a postmortem but no resolved update; the "
                      "postmortem is not imported (add a resolved update, then postmortem.md)")
            return
        draft.postmortem = DraftPostmortem(published, body)

    def report_state(self, draft: Draft, raw: dict[str, Any], iid: str, line: int) -> None:
        """Say what will look different from the source, never silently."""
        latest = draft.updates[-1].status
        if draft.kind == "incident" and latest != "resolved":
            closed = raw.get("status") in ("resolved", "postmortem")
            said = (f'is {raw["status"]} in the source, but its last update says "{latest}"'
                    if closed else f'is still "{latest}" in the source')
            self.warn(line, f"incident {iid} {said}; it shows as open until you add a "
                      "resolved update")
        if draft.kind == "maintenance" and latest in ("in_progress", "verifying"):
            self.warn(line, f'maintenance {iid} is still "{latest}" in the source; it shows '
                      "as in progress until you add a completed update")
        started = self.moment(raw.get("started_at"), line, "", quiet=True)
        if draft.kind == "incident" and started and started < draft.updates[0].at \
                - _STARTED_SLACK:
            self.warn(line, f"incident {iid} started at {iso(started)}, before its first "
                      f"update ({iso(draft.updates[0].at)}); Tidings counts it from the first "
                      "update")

    # -- values -----------------------------------------------------------------------------

    def moment(self, value: Any, line: int, what: str, quiet: bool = False) -> datetime | None:
        """A Statuspage timestamp in UTC; ``quiet`` for optional ones (absent or bad: None)."""
        if value in (None, ""):
            if not quiet:
                self.error(line, f"{what} is missing")
            return None
        try:
            return utc_seconds(parse_timestamp(value))
        except TimestampError:
            if what:
                self.error(line, f'{what}: "{value}" is not an ISO 8601 timestamp with a zone, '
                           "as Statuspage writes them (e.g. 2020-07-16T21:10:37.506Z)")
            return None

    def day(self, value: Any) -> date | None:
        moment = self.moment(value, 1, "", quiet=True)
        return moment.date() if moment else None


def read_statuspage(paths: list[Path], problems: Problems, registry: ComponentRegistry,
                    site: SiteInfo) -> list[Draft]:
    """Every file's incidents; the same incident in two files is imported once (the one
    updated last)."""
    chosen: dict[str, Draft] = {}
    for index, path in enumerate(paths):
        text = _read_text(path, problems)
        if text is None:
            continue
        for draft in StatuspageFile(path, text, problems, registry, index).read(site):
            known = chosen.get(draft.source_id)
            if known is None or draft.updates[-1].at >= known.updates[-1].at:
                chosen[draft.source_id] = draft
    return list(chosen.values())


def _read_text(path: Path, problems: Problems) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.add(path, 1, f"cannot read the file: {exc.strerror}; give the path of a "
                     "Statuspage JSON file")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(path, raw[: exc.start].count(b"\n") + 1,
                     "the file is not UTF-8 JSON; export it again from the Statuspage API")
        return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else float("inf")


def _valid_zone(name: str) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
