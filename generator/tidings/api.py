"""Statuspage's public API v2 as static JSON files, with its field names, vocabulary and nesting.

Ids are Tidings' own, used as opaque strings: an incident's folder name, a component's id,
``<incident id>.<update file name>`` for an update (update file names are unique only within
their incident) and ``group-<name>`` for a component group.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import published, urls
from .audience import with_internal_note
from .config import Component, SiteConfig
from .model import Incident, Update
from .render import without_html
from .status import Change, Snapshot
from .timestamps import iso
from .vocabulary import worst

LIST_LIMIT = 50  # incidents.json and scheduled-maintenances.json: the 50 most recent

Json = dict[str, Any]


def api_files(snapshot: Snapshot) -> dict[str, bytes]:
    """Every endpoint of the public API v2, as ``api/v2/...json`` files."""
    api = _Api.of(snapshot)
    incidents = [i for i in snapshot.incidents if not i.is_maintenance]
    maintenance = sorted((i for i in snapshot.incidents if i.is_maintenance),
                         key=lambda i: (i.scheduled_for or snapshot.now, i.id), reverse=True)
    upcoming = snapshot.maintenance("scheduled")
    active = snapshot.active_maintenance
    unresolved = snapshot.open_incidents
    page = {"page": api.page}
    status = {"status": {"indicator": snapshot.indicator, "description": snapshot.description}}
    bodies: dict[str, Json] = {
        urls.API_SUMMARY: {**page, **status, "components": api.components,
                           "incidents": api.incidents(unresolved),
                           "scheduled_maintenances": api.incidents(active + upcoming)},
        urls.API_STATUS: {**page, **status},
        urls.API_COMPONENTS: {**page, "components": api.components},
        urls.API_INCIDENTS: {**page, "incidents": api.incidents(incidents[:LIST_LIMIT])},
        urls.API_UNRESOLVED: {**page, "incidents": api.incidents(unresolved)},
        urls.API_MAINTENANCES: {
            **page, "scheduled_maintenances": api.incidents(maintenance[:LIST_LIMIT])},
        urls.API_UPCOMING: {**page, "scheduled_maintenances": api.incidents(upcoming)},
        urls.API_ACTIVE: {**page, "scheduled_maintenances": api.incidents(active)},
    }
    return {path: dump(body) for path, body in bodies.items()}


def dump(body: Json) -> bytes:
    """Sorted keys and a final newline: the same snapshot always gives the same bytes."""
    return (json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def page_id(config: SiteConfig) -> str:
    """The page's opaque id: the domain of the fixed feed authority, never the site URL."""
    return config.feed_authority.split(",", 1)[0]


def group_ids(config: SiteConfig) -> dict[str, str]:
    """An id per component group, ``group-<slug of its name>``, never one a component has."""
    taken = set(config.component_ids)
    found: dict[str, str] = {}
    for group, _ in config.groups():
        if group is None:
            continue
        base = "group-" + (re.sub(r"[^a-z0-9]+", "-", group.lower()).strip("-") or "unnamed")
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        found[group] = candidate
    return found


@dataclass
class _Api:
    """The objects of one snapshot; components are built once and shared by every file."""

    snapshot: Snapshot
    page: Json
    components: list[Json]
    component_by_id: dict[str, Json]

    @classmethod
    def of(cls, snapshot: Snapshot) -> _Api:
        config = snapshot.config
        page = {"id": page_id(config), "name": config.name,
                "url": config.base_url.rstrip("/"), "time_zone": config.timezone_name,
                "updated_at": iso(published.page_updated_at(snapshot))}
        components = component_objects(snapshot)
        return cls(snapshot, page, components, {c["id"]: c for c in components})

    def incidents(self, incidents: list[Incident]) -> list[Json]:
        return [self.incident(i) for i in incidents]

    def incident(self, incident: Incident) -> Json:
        """An incident or scheduled maintenance as Statuspage publishes it."""
        snapshot, config = self.snapshot, self.snapshot.config
        now, state = snapshot.now, snapshot.state(incident)
        posted, report = state.updates, state.postmortem
        created = published.created_at(state) or now
        body: Json = {
            "id": incident.id,
            "name": incident.title,
            "status": "postmortem" if report and state.status == "resolved" else state.status,
            "created_at": iso(created),
            "updated_at": iso(max(published.events(state, now), default=created)),
            "monitoring_at": _first(posted, "monitoring"),
            "resolved_at": _iso(state.resolved_at),
            "impact": incident.impact,
            "shortlink": published.incident_link(config, incident),
            "started_at": iso(created),
            "page_id": self.page["id"],
            "incident_updates": [self.update(incident, step.update, step.changes)
                                 for step in reversed(state.steps)],
            "components": [self.component_by_id[c] for c in incident.affected
                           if c in self.component_by_id],
            "postmortem_body": without_html(report.body.strip()) if report else None,
            "postmortem_published_at": _iso(report.published) if report else None,
        }
        if config.audience == "internal":  # the internal site's API only
            body["internal"] = incident.internal.strip() or None
            body["visibility"] = incident.visibility
            body["roles"] = dict(incident.roles)
        if incident.is_maintenance:
            body["scheduled_for"] = _iso(incident.scheduled_for)
            body["scheduled_until"] = _iso(incident.scheduled_until)
        return body

    def update(self, incident: Incident, update: Update, changes: list[Change]
               ) -> Json:
        at = iso(update.at)
        return {
            "id": f"{incident.id}.{update.id}",
            "status": update.status,
            "body": without_html(with_internal_note(update).strip()),
            "incident_id": incident.id,
            "created_at": at,
            "updated_at": at,
            "display_at": at,
            "affected_components": [
                {"code": cid, "name": self.component_by_id[cid]["name"],
                 "old_status": old, "new_status": new}
                for cid, old, new in changes if cid in self.component_by_id],
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }


def component_objects(snapshot: Snapshot) -> list[Json]:
    """Components with their groups (``group: true``), each group followed by its members."""
    config = snapshot.config
    groups = group_ids(config)
    origin = min((t for i in snapshot.incidents
                  if (t := published.created_at(snapshot.state(i))) and t <= snapshot.now),
                 default=published.page_updated_at(snapshot))
    changes = {cid: [t for i in incidents
                     for t in published.events(snapshot.state(i), snapshot.now)]
               for cid, incidents in published.by_component(snapshot).items()}
    result: list[Json] = []
    for position, (group, members) in enumerate(_top_level(config), start=1):
        if group is None:
            result.append(_component(snapshot, members[0], position, None, origin,
                                     changes[members[0].id]))
            continue
        objects = [_component(snapshot, c, n, groups[group], origin, changes[c.id])
                   for n, c in enumerate(members, start=1)]
        result.append(_group(snapshot, groups[group], group, position, objects))
        result += objects
    return result


def _top_level(config: SiteConfig) -> list[tuple[str | None, list[Component]]]:
    """What the page lists at the top: groups, and ungrouped components one by one."""
    items: list[tuple[str | None, list[Component]]] = []
    for group, members in config.groups():
        items += [(None, [c]) for c in members] if group is None else [(group, members)]
    return items


def _component(snapshot: Snapshot, component: Component, position: int, group_id: str | None,
               origin: datetime, changes: list[datetime]) -> Json:
    """``origin``: the page's first event, its creation unless ``since`` says otherwise;
    ``changes``: when incidents affecting it changed."""
    created = (datetime.combine(component.since, datetime.min.time(), UTC)
               if component.since else origin)
    return {
        "id": component.id,
        "name": component.name,
        "status": snapshot.component_status.get(component.id, "operational"),
        "created_at": iso(created),
        "updated_at": iso(max([created, *changes])),
        "position": position,
        "description": component.description or None,
        "showcase": True,  # every component shows its uptime bars on the page
        "start_date": component.since.isoformat() if component.since else None,
        "group_id": group_id,
        "page_id": page_id(snapshot.config),
        "group": False,
        "only_show_if_degraded": False,
    }


def _group(snapshot: Snapshot, group_id: str, name: str, position: int, members: list[Json]
           ) -> Json:
    """A group's status is its worst member's, as on Statuspage."""
    return {
        "id": group_id,
        "name": name,
        "status": worst([m["status"] for m in members]),
        "created_at": min(m["created_at"] for m in members),
        "updated_at": max(m["updated_at"] for m in members),
        "position": position,
        "description": None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": page_id(snapshot.config),
        "group": True,
        "only_show_if_degraded": False,
        "components": [m["id"] for m in members],
    }


def _first(updates: list[Update], status: str) -> str | None:
    return next((iso(u.at) for u in updates if u.status == status), None)


def _iso(moment: datetime | None) -> str | None:
    return iso(moment) if moment else None
