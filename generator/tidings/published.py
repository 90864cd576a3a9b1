"""What subscribers may see at ``now``: published updates, change times, stable ids and links.

Feeds, the API and the calendar share these rules so they never disagree.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from . import urls
from .config import SiteConfig
from .model import Incident, Update
from .status import IncidentState, Snapshot

_SAFE = re.compile(r"[A-Za-z0-9._~-]+")


def created_at(state: IncidentState) -> datetime | None:
    """First publication: the first update, else (maintenance announced without one) its window."""
    return state.updates[0].at if state.updates else state.incident.scheduled_for


def publications(state: IncidentState) -> list[datetime]:
    """When each update and the postmortem were published, by the state's ``now``."""
    times = [u.at for u in state.updates]
    if state.postmortem is not None:
        times.append(state.postmortem.published)
    return times


def last_changed(state: IncidentState) -> datetime | None:
    """The latest update or postmortem publication: feed readers show the entry again then."""
    return max(publications(state), default=state.incident.scheduled_for)


def events(state: IncidentState, now: datetime) -> list[datetime]:
    """Every moment by ``now`` when the incident changed what the page shows.

    Besides updates and a postmortem, a maintenance window's start and end change the
    status on their own.
    """
    times, incident = publications(state), state.incident
    if incident.is_maintenance:
        times += [t for t in (incident.scheduled_for, incident.scheduled_until)
                  if t is not None and t <= now]
    return times


def page_updated_at(snapshot: Snapshot) -> datetime:
    """The last change anywhere on the page, from the data (``now`` only for an empty page)."""
    return max((t for i in snapshot.incidents for t in events(snapshot.state(i), snapshot.now)),
               default=snapshot.now)


def by_component(snapshot: Snapshot) -> dict[str, list[Incident]]:
    """Each component's incidents, newest first, in one pass: ``snapshot.for_component`` for
    every component at once (``affected`` is computed once per incident, not per component)."""
    found: dict[str, list[Incident]] = {c.id: [] for c in snapshot.config.components}
    for incident in snapshot.incidents:
        for cid in incident.affected:
            found.setdefault(cid, []).append(incident)
    return found


def tag(config: SiteConfig, *parts: str) -> str:
    """A stable ``tag:`` URI (RFC 4151) from the configured authority, never the site URL."""
    return f"tag:{config.feed_authority}:" + "/".join(map(_segment, parts))


def _segment(part: str) -> str:
    """A path segment of a tag URI; folder and file names are nearly always safe already."""
    return part if _SAFE.fullmatch(part) else quote(part, safe="-._~")


def incident_tag(config: SiteConfig, incident: Incident) -> str:
    return tag(config, "incident", incident.id)


def update_tag(config: SiteConfig, incident: Incident, update: Update) -> str:
    return tag(config, "incident", incident.id, "update", update.id)


def postmortem_tag(config: SiteConfig, incident: Incident) -> str:
    return tag(config, "incident", incident.id, "postmortem")


def link(config: SiteConfig, path: str) -> str:
    """The absolute URL of a site-relative path."""
    return urls.absolute(config.base_url, path)


def incident_link(config: SiteConfig, incident: Incident) -> str:
    return link(config, urls.incident(incident.id))
