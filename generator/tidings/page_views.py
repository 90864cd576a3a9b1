"""What the site's pages show, as plain data: times, incidents, updates, components, uptime.

Everything a template prints is computed here from the status engine's Snapshot, already
worded and formatted in the site's time zone; templates only lay it out. HTML fields are
``Markup`` (sanitised by ``render.markdown_to_html``), every other string is escaped by the
templates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from markupsafe import Markup

from . import urls
from .config import Component, SiteConfig
from .model import Incident, Update
from .render import markdown_to_html, markdown_to_text
from .status import Snapshot
from .timestamps import iso
from .uptime import ComponentUptime, DayUptime
from .vocabulary import COMPONENT_STATUS_LABELS, STATUS_LABELS

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
IMPACT_LABELS: dict[str, str] = {
    "none": "No impact",
    "minor": "Minor",
    "major": "Major",
    "critical": "Critical",
    "maintenance": "Maintenance",
}
EXCERPT_CHARS = 280
_HEADING = re.compile(r"^\s{0,3}#{1,6}(\s|$)")


# --- times, durations, percentages -------------------------------------------------------

@dataclass(frozen=True)
class Moment:
    """A point in time: ``iso`` (UTC, for <time datetime>) and ``text`` in the site's zone."""

    iso: str
    text: str


def format_time(moment: datetime, zone: tzinfo) -> str:
    """``23 Nov 2026, 16:15 CET``: English month names whatever the build machine's locale."""
    local = moment.astimezone(zone)
    return (f"{local.day} {MONTHS[local.month - 1][:3]} {local.year}, "
            f"{local:%H:%M} {local.tzname() or 'UTC'}")


def format_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def moment(value: datetime | None, zone: tzinfo) -> Moment | None:
    return None if value is None else Moment(iso(value), format_time(value, zone))


def format_window(start: datetime | None, end: datetime | None, zone: tzinfo) -> str:
    """A maintenance window; the date is not repeated when it ends on the day it starts."""
    if start is None:
        return ""
    if end is None:
        return f"from {format_time(start, zone)}"
    a, b = start.astimezone(zone), end.astimezone(zone)
    if a.date() == b.date():
        return f"{format_date(a.date())}, {a:%H:%M} – {b:%H:%M} {b.tzname() or 'UTC'}"
    return f"{format_time(start, zone)} – {format_time(end, zone)}"


def format_duration(span: timedelta | None) -> str:
    """``1 h 10 min``, ``2 d 3 h``, ``under a minute``."""
    if span is None:
        return ""
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def format_percent(value: float | None) -> str:
    """Rounded down, so a day with any downtime never reads 100 %."""
    if value is None:
        return "no data"
    if value >= 100:
        return "100 %"
    return f"{math.floor(value * 100) / 100:.2f} %"


def month_heading(value: datetime, zone: tzinfo) -> str:
    local = value.astimezone(zone)
    return f"{MONTHS[local.month - 1]} {local.year}"


# --- components and uptime ---------------------------------------------------------------

@dataclass(frozen=True)
class ComponentRef:
    """A component named on a page, with the status that matters there."""

    id: str
    name: str
    url: str
    status: str
    status_label: str


@dataclass(frozen=True)
class DayView:
    day: str  # ISO date
    css: str  # the day's worst status, or "nodata"
    label: str  # the whole day in words: date, status, downtime, uptime
    has_downtime: bool


@dataclass(frozen=True)
class UptimeView:
    percent: str
    days: list[DayView]  # oldest first
    downtime_days: list[DayView]  # the text fallback: only days with something to say
    first_day: str
    last_day: str


@dataclass(frozen=True)
class ComponentView:
    id: str
    name: str
    description: str
    group: str | None
    url: str
    status: str
    status_label: str
    uptime: UptimeView
    feeds: dict[str, str] = field(default_factory=dict)  # name -> site-relative URL


@dataclass(frozen=True)
class GroupView:
    name: str | None
    components: list[ComponentView]


def day_view(day: DayUptime) -> DayView:
    when = format_date(day.day)
    if not day.has_data:
        return DayView(day.day.isoformat(), "nodata", f"{when}: no data", False)
    words = [COMPONENT_STATUS_LABELS[day.worst].lower() if day.worst != "operational"
             else "operational"]
    downtime = day.downtime
    if downtime > 0:
        lost = "under a minute" if downtime < 1 else format_duration(timedelta(minutes=downtime))
        words.append(f"{lost} of downtime")
    else:
        words.append("no downtime")
    words.append(f"{format_percent(day.percent)} uptime")
    return DayView(day.day.isoformat(), day.worst, f"{when}: " + ", ".join(words),
                   downtime > 0 or day.worst != "operational")


def uptime_view(uptime: ComponentUptime) -> UptimeView:
    days = [day_view(d) for d in uptime.days]
    return UptimeView(
        percent=format_percent(uptime.percent),
        days=days,
        downtime_days=[d for d in reversed(days) if d.has_downtime],
        first_day=format_date(uptime.days[0].day) if uptime.days else "",
        last_day=format_date(uptime.days[-1].day) if uptime.days else "",
    )


# --- incidents and updates -----------------------------------------------------------------

@dataclass(frozen=True)
class UpdateView:
    id: str
    status: str
    status_label: str
    at: Moment
    html: Markup
    changes: list[ComponentRef]  # component statuses this update set
    next_update: Moment | None


@dataclass(frozen=True)
class IncidentView:
    """One incident or maintenance as lists and its own page show it."""

    id: str
    url: str
    title: str
    kind: str
    is_maintenance: bool
    impact: str
    impact_label: str
    impact_explained: str
    status: str
    status_label: str
    is_open: bool
    live: bool  # affecting components now: an open incident or maintenance under way
    started: Moment | None
    resolved: Moment | None
    created: Moment | None
    duration: str
    window: str
    window_start: Moment | None
    window_end: Moment | None
    components: list[ComponentRef]
    latest: UpdateView | None
    next_update: Moment | None
    overdue: bool
    summary_html: Markup
    postmortem_url: str | None
    postmortem_published: Moment | None


class Views:
    """Builds views from one Snapshot; per-component results are computed once and reused."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.config: SiteConfig = snapshot.config
        self.zone = self.config.timezone
        self.now = snapshot.now
        self._components: dict[str, Component] = {c.id: c for c in self.config.components}
        self._component_views: dict[str, ComponentView] = {}
        # An incident shows on its page, in the history, on its components' pages and maybe
        # the overview: its view is built once.
        self._incident_views: dict[str, IncidentView] = {}
        self._moments: dict[datetime, Moment] = {}

    # components
    def ref(self, component_id: str, status: str) -> ComponentRef:
        component = self._components.get(component_id)
        name = component.name if component else component_id
        return ComponentRef(component_id, name, urls.component(component_id), status,
                            COMPONENT_STATUS_LABELS.get(status, status))

    def component(self, component_id: str) -> ComponentView:
        if component_id not in self._component_views:
            c = self._components[component_id]
            status = self.snapshot.component_status.get(c.id, "operational")
            self._component_views[component_id] = ComponentView(
                c.id, c.name, c.description, c.group, urls.component(c.id), status,
                COMPONENT_STATUS_LABELS[status], uptime_view(self.snapshot.uptime[c.id]),
                {name: urls.component_file(c.id, name)
                 for name in ("history.atom", "history.rss", "maintenance.ics", "badge.svg")},
            )
        return self._component_views[component_id]

    def groups(self) -> list[GroupView]:
        return [GroupView(name, [self.component(c.id) for c in members])
                for name, members in self.config.groups()]

    # incidents
    def moment(self, value: datetime | None) -> Moment | None:
        """Formatted once per instant: an update's time shows as its start, its latest, …"""
        if value is None:
            return None
        found = self._moments.get(value)
        if found is None:
            found = self._moments[value] = Moment(iso(value), format_time(value, self.zone))
        return found

    def update(self, update: Update) -> UpdateView:
        return UpdateView(
            update.id, update.status, STATUS_LABELS.get(update.status, update.status),
            self.moment(update.at),
            Markup(markdown_to_html(update.message)),
            [self.ref(cid, status) for cid, status in update.components.items()],
            self.moment(update.next_update),
        )

    def published_updates(self, incident: Incident) -> list[Update]:
        """Updates posted by ``now`` (a future-dated one is an error `check` reports)."""
        return [u for u in incident.updates if u.at <= self.now]

    def incident(self, incident: Incident) -> IncidentView:
        view = self._incident_views.get(incident.id)
        if view is None:
            view = self._incident_views[incident.id] = self._incident(incident)
        return view

    def _incident(self, incident: Incident) -> IncidentView:
        state = self.snapshot.state(incident)
        published = self.published_updates(incident)
        latest = published[-1] if published else None
        effect = state.component_status
        postmortem = incident.postmortem if self.incident_has_postmortem(incident) else None
        return IncidentView(
            id=incident.id,
            url=urls.incident(incident.id),
            title=incident.title,
            kind=incident.kind,
            is_maintenance=incident.is_maintenance,
            impact=incident.impact,
            impact_label=IMPACT_LABELS.get(incident.impact, incident.impact),
            impact_explained=self.config.severity.get(incident.impact, ""),
            status=state.status,
            status_label=STATUS_LABELS.get(state.status, state.status),
            is_open=state.is_open,
            live=state.is_open and state.status != "scheduled",
            started=self.moment(state.started_at),
            resolved=self.moment(state.resolved_at),
            created=self.moment(incident.created_at),
            duration=format_duration(state.duration),
            window=format_window(incident.scheduled_for, incident.scheduled_until, self.zone),
            window_start=self.moment(incident.scheduled_for),
            window_end=self.moment(incident.scheduled_until),
            components=[self.ref(cid, effect.get(cid, "operational"))
                        for cid in incident.affected],
            latest=self.update(latest) if latest else None,
            next_update=self.moment(state.next_update_due) if state.is_open else None,
            overdue=state.overdue,
            summary_html=Markup(markdown_to_html(incident.summary)),
            postmortem_url=urls.postmortem(incident.id) if postmortem else None,
            postmortem_published=self.moment(postmortem.published) if postmortem else None,
        )

    def timeline(self, incident: Incident) -> list[UpdateView]:
        """Every published update, newest first."""
        return [self.update(u) for u in reversed(self.published_updates(incident))]

    def incident_has_postmortem(self, incident: Incident) -> bool:
        """A postmortem shows once its publication time has come."""
        return incident.postmortem is not None and incident.postmortem.published <= self.now

    def postmortem_html(self, incident: Incident) -> Markup:
        return Markup(markdown_to_html(incident.postmortem.body if incident.postmortem else "",
                                       document=True))

    def postmortem_excerpt(self, incident: Incident) -> str:
        """The first words of the postmortem, plain text, cut at a word."""
        if incident.postmortem is None:
            return ""
        body = "\n".join(line for line in incident.postmortem.body.splitlines()
                         if not _HEADING.match(line))  # the opening words, not the headings
        text = " ".join(markdown_to_text(body, document=True).split())
        if len(text) <= EXCERPT_CHARS:
            return text
        return text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"
