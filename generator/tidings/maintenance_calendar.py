"""Maintenance windows as iCalendar (RFC 5545) files a calendar app can subscribe to.

UIDs are the same ``tag:`` URIs the feeds use, so an event survives title edits and a new site
URL; DTSTAMP and LAST-MODIFIED come from the maintenance's latest update, never the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneStandard, vDuration, vText

from . import published, urls
from .audience import with_internal_note
from .config import SiteConfig
from .model import Incident
from .render import markdown_to_text
from .status import Snapshot
from .vocabulary import STATUS_LABELS

PRODID = "-//Tidings//Tidings status page//EN"
REFRESH = timedelta(hours=1)  # how often subscribed calendars should fetch the file again


def calendar_files(snapshot: Snapshot) -> dict[str, bytes]:
    """The site's calendar of every maintenance window, and one per component."""
    config = snapshot.config
    events = {i.id: e for i in snapshot.incidents
              if i.is_maintenance and (e := maintenance_event(snapshot, i)) is not None}
    written = {str(event["UID"]): event.to_ical() for event in events.values()}  # each once
    files = {urls.CALENDAR: calendar(config, urls.CALENDAR, f"{config.name}: maintenance",
                                     events.values(), written)}
    affecting = published.by_component(snapshot)
    for component in config.components:
        path = urls.component_file(component.id, urls.CALENDAR)
        chosen = [events[i.id] for i in affecting[component.id] if i.id in events]
        files[path] = calendar(config, path, f"{config.name}: {component.name} maintenance",
                               chosen, written)
    return files


def calendar(config: SiteConfig, path: str, name: str, events: Iterable[Event],
             written: dict[str, bytes] | None = None) -> bytes:
    """A published calendar; events are sorted by start then UID so the bytes never vary.

    A calendar without events is still written (subscribers keep its URL for later windows),
    and still valid: its VTIMEZONE is the component RFC 5545 requires. ``written`` holds
    events' iCalendar text by UID, for events that several calendars share: icalendar writes a
    calendar as its own lines followed by each component's text, so a shared event's text is
    put in its place rather than written again for every calendar (icalendar folds every line
    character by character: half the build's calendar time at 10,000 incidents).
    """
    ordered = sorted(events, key=lambda e: (e.DTSTART, str(e["UID"])))
    cal = _calendar(config, path, name)
    if written is not None:
        head: bytes = cal.to_ical()
        if head.endswith(_END):  # as every icalendar writes it; else the library does it all
            return head[:-len(_END)] + b"".join(written[str(e["UID"])] for e in ordered) + _END
    for event in ordered:
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical


_END = b"END:VCALENDAR\r\n"


def _calendar(config: SiteConfig, path: str, name: str) -> Calendar:
    """The calendar's own properties and its time zone, without events."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)  # RFC 7986
    cal.add("x-wr-calname", name)  # the same, for apps that predate RFC 7986
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    cal.add("source", published.link(config, path), parameters={"VALUE": "URI"})
    cal.add_component(utc_timezone())  # RFC 5545: a calendar holds at least one component
    return cal


def utc_timezone() -> Timezone:
    """The VTIMEZONE of UTC, in which every event's times are written."""
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(0))
    standard.add("tzoffsetto", timedelta(0))
    standard.add("tzname", "UTC")
    zone = Timezone()
    zone.add("tzid", "UTC")
    zone.add_component(standard)
    return zone


def maintenance_event(snapshot: Snapshot, incident: Incident) -> Event | None:
    """One VEVENT per window; None for a maintenance without a complete window."""
    start, end = incident.scheduled_for, incident.scheduled_until
    if start is None or end is None:
        return None
    config, now = snapshot.config, snapshot.now
    # The window's start and end move the derived status (scheduled, in progress, completed)
    # and the description with it: calendar apps take the new text only when these move too.
    state = snapshot.state(incident)
    changes = sorted(set(published.events(state, now)))
    stamp = changes[-1] if changes else start
    event = Event()
    event.add("uid", published.incident_tag(config, incident))
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("created", published.created_at(state) or start)
    event.add("sequence", len(changes))  # grows with every change, so apps take the newest
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", incident.title)
    event.add("description", description(snapshot, incident))
    event.add("url", published.incident_link(config, incident), parameters={"VALUE": "URI"})
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a status notice, not a meeting: it never blocks time
    event.add("categories", ["Maintenance"])
    return event


def description(snapshot: Snapshot, incident: Incident) -> vText:
    """Plain text: status, affected components, summary, the latest update and the link."""
    config, state = snapshot.config, snapshot.state(incident)
    names = [c.name for cid in incident.affected if (c := config.component(cid))]
    lines = [f"Status: {STATUS_LABELS[state.status]}"]
    if names:
        lines.append(f"Affected: {', '.join(names)}")
    if incident.summary.strip():
        lines += ["", markdown_to_text(incident.summary)]
    posted = state.updates
    if posted:
        lines += ["", f"Latest update: {markdown_to_text(with_internal_note(posted[-1]))}"]
    lines += ["", f"Details: {published.incident_link(config, incident)}"]
    return vText("\n".join(lines))
