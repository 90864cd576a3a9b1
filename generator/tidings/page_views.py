"""What the site's pages show, as plain data: times, incidents, updates, components, uptime.

Everything a template prints is computed here from the status engine's Snapshot, already
worded and formatted in the site's time zone; templates only lay it out. HTML fields are
``Markup`` (sanitised by ``render.markdown_to_html``), every other string is escaped by the
templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from markupsafe import Markup

from . import urls
from .config import Component, SiteConfig
from .model import Incident, Update
from .render import Renderer
from .status import Snapshot
from .timestamps import iso
from .uptime import ComponentUptime, DayUptime
from .uptime import months as uptime_months
from .vocabulary import (
    COMPONENT_STATUS_LABELS,
    IMPACT_LABELS,
    IMPACTS,
    ROLE_LABELS,
    STATUS_LABELS,
    ComponentStatus,
    IncidentType,
    Indicator,
    UpdateStatus,
    Visibility,
    worst,
)
from .wording import (
    format_ago,
    format_date,
    format_downtime,
    format_duration,
    format_month,
    format_percent,
    format_relative,
    format_time,
    format_window,
    month_name,
)

EXCERPT_CHARS = 280
_HEADING = re.compile(r"^\s{0,3}#{1,6}(\s|$)")


# --- moments: an instant as pages print it ------------------------------------------

@dataclass(frozen=True)
class Moment:
    """A point in time: ``iso`` (UTC, for <time datetime>) and ``text`` in the site's zone."""

    iso: str
    text: str
    ago: str = ""  # "12 minutes ago" as of the build; tidings.js brings it up to date


def moment(value: datetime | None, zone: tzinfo) -> Moment | None:
    return None if value is None else Moment(iso(value), format_time(value, zone))


# --- components and uptime ---------------------------------------------------------------

@dataclass(frozen=True)
class ComponentRef:
    """A component named on a page, with the status that matters there."""

    id: str
    name: str
    url: str
    status: ComponentStatus
    status_label: str


@dataclass(frozen=True)
class DayLink:
    """An incident or maintenance named on a day of a component's uptime."""

    title: str
    url: str
    impact_label: str


@dataclass(frozen=True)
class DayView:
    day: str  # ISO date
    css: str  # the day's colour: a level from uptime.DayUptime.level, or "nodata"
    label: str  # the whole day in words: date, status, downtime, uptime
    date: str  # "23 Nov 2026"
    incidents: list[DayLink]  # that day's incidents and maintenance on this component
    anchor: str  # id of the day's entry in the page's list of days with incidents


@dataclass(frozen=True)
class UptimeView:
    percent: str  # over every day shown (90)
    percents: list[tuple[int, str]]  # (days, uptime) for the spans narrow screens show
    days: list[DayView]  # oldest first
    incident_days: list[DayView]  # newest first: only days with an incident or maintenance
    months: list[tuple[str, str, str]]  # ("Nov", "November 2026", "99.95 %"), oldest first
    first_day: str
    last_day: str


@dataclass(frozen=True)
class ComponentView:
    id: str
    name: str
    description: str
    group: str | None
    url: str
    status: ComponentStatus
    status_label: str
    uptime: UptimeView
    feeds: dict[str, str] = field(default_factory=dict)  # name -> site-relative URL


@dataclass(frozen=True)
class GroupView:
    name: str | None
    components: list[ComponentView]
    status: ComponentStatus  # the worst status of its components
    status_label: str

    @property
    def id(self) -> str:
        return "group-" + re.sub(r"[^a-z0-9]+", "-", (self.name or "other").lower()).strip("-")


# Narrow screens show the newest of these spans (CSS picks one by width), widest last.
UPTIME_SPANS = (30, 60, 90)
UPTIME_MONTHS = 3  # the Uptime page's calendar months: this one and the two before


def day_view(component_id: str, day: DayUptime, incidents: list[DayLink]) -> DayView:
    when = format_date(day.day)
    anchor = f"{component_id}-{day.day.isoformat()}"
    if not day.has_data:
        return DayView(day.day.isoformat(), "nodata", f"{when}: no data", when, [], anchor)
    words = [COMPONENT_STATUS_LABELS[day.worst].lower() if day.worst != "operational"
             else "operational"]
    downtime = day.downtime
    if downtime > 0:
        words.append(f"{format_downtime(downtime)} of downtime")
    else:
        words.append("no downtime")
    words.append(f"{format_percent(day.percent)} uptime")
    return DayView(day.day.isoformat(), day.level, f"{when}: " + ", ".join(words), when,
                   incidents, anchor)


def uptime_view(uptime: ComponentUptime, links: dict[date, list[DayLink]]) -> UptimeView:
    cid = uptime.component.id
    days = [day_view(cid, d, links.get(d.day, [])) for d in uptime.days]
    return UptimeView(
        percent=format_percent(uptime.percent),
        percents=[(n, format_percent(uptime.percent_of(n))) for n in UPTIME_SPANS
                  if n <= len(days)],
        days=days,
        incident_days=[d for d in reversed(days) if d.incidents],
        months=[(month_name(m.month, short=True), format_month(m.year, m.month), format_percent(p))
                for m, p in uptime_months(uptime)[-UPTIME_MONTHS:]],
        first_day=format_date(uptime.days[0].day) if uptime.days else "",
        last_day=format_date(uptime.days[-1].day) if uptime.days else "",
    )


@dataclass(frozen=True)
class HistoryDay:
    """One day of the overview's recent history: its incidents, or none."""

    day: str  # ISO date, also the entry's id
    date: str
    incidents: list[IncidentView]


# --- incidents and updates -----------------------------------------------------------------

@dataclass(frozen=True)
class UpdateView:
    id: str
    status: UpdateStatus
    status_label: str
    at: Moment
    html: Markup
    changes: list[ComponentRef]  # component statuses this update set
    next_update: Moment | None
    internal_html: Markup = Markup("")  # the internal audience's note; empty for the public


@dataclass(frozen=True)
class IncidentView:
    """One incident or maintenance as lists and its own page show it."""

    id: str
    url: str
    title: str
    kind: IncidentType
    is_maintenance: bool
    impact: Indicator
    impact_label: str
    impact_explained: str
    status: UpdateStatus
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
    overdue_by: str  # "4 days": how long ago the promised update was due, as of the build
    summary_html: Markup
    postmortem_url: str | None
    postmortem_published: Moment | None
    # The internal audience only (the public content has none of these):
    internal_html: Markup = Markup("")
    visibility: Visibility = "public"
    roles: tuple[tuple[str, str], ...] = ()  # (role label, who)


@dataclass(frozen=True)
class ExecutiveLine:
    """One open incident for executives, in plain words."""

    incident: IncidentView
    text: str  # who is affected, since when, the status now and the next update


class Views:
    """Builds views from one Snapshot; per-component results are computed once and reused."""

    def __init__(self, snapshot: Snapshot, renderer: Renderer):
        self.snapshot = snapshot
        self.renderer = renderer
        self.config: SiteConfig = snapshot.config
        self.zone = self.config.timezone
        self.now = snapshot.now
        self._components: dict[str, Component] = {c.id: c for c in self.config.components}
        self._component_views: dict[str, ComponentView] = {}
        # An incident shows on its page, in the history, on its components' pages and maybe
        # the overview: its view is built once.
        self._incident_views: dict[str, IncidentView] = {}
        self._moments: dict[datetime, Moment] = {}
        self._by_component: dict[str, list[Incident]] | None = None

    # components
    def ref(self, component_id: str, status: ComponentStatus) -> ComponentRef:
        component = self._components.get(component_id)
        name = component.name if component else component_id
        return ComponentRef(component_id, name, urls.component(component_id), status,
                            COMPONENT_STATUS_LABELS[status])

    def component(self, component_id: str) -> ComponentView:
        if component_id not in self._component_views:
            c = self._components[component_id]
            status = self.snapshot.component_status.get(c.id, "operational")
            uptime = self.snapshot.uptime[c.id]
            self._component_views[component_id] = ComponentView(
                c.id, c.name, c.description, c.group, urls.component(c.id), status,
                COMPONENT_STATUS_LABELS[status],
                uptime_view(uptime, self.day_links(c.id, uptime)),
                {name: urls.component_file(c.id, name)
                 for name in ("history.atom", "history.rss", "maintenance.ics", "badge.svg")},
            )
        return self._component_views[component_id]

    def groups(self) -> list[GroupView]:
        found = []
        for name, members in self.config.groups():
            views = [self.component(c.id) for c in members]
            status = worst([v.status for v in views])
            found.append(GroupView(name, views, status, COMPONENT_STATUS_LABELS[status]))
        return found

    def local_day(self, value: datetime) -> date:
        return value.astimezone(self.zone).date()

    def incident_span(self, incident: Incident) -> tuple[datetime, datetime] | None:
        """When an incident or maintenance was under way (up to now), or None before it."""
        state = self.snapshot.state(incident)
        start = state.started_at
        if start is None or start > self.now:
            return None
        return start, min(state.resolved_at or self.now, self.now)

    def day_links(self, component_id: str, uptime: ComponentUptime) -> dict[date, list[DayLink]]:
        """Each day of the uptime window with the incidents under way on it, newest first."""
        if not uptime.days:
            return {}
        first, last = uptime.days[0].day, uptime.days[-1].day
        found: dict[date, list[DayLink]] = {}
        for incident in self.by_component().get(component_id, []):
            span = self.incident_span(incident)
            if span is None:
                continue
            day, end = max(self.local_day(span[0]), first), min(self.local_day(span[1]), last)
            link = DayLink(incident.title, urls.incident(incident.id),
                           IMPACT_LABELS[incident.impact])
            while day <= end:
                found.setdefault(day, []).append(link)
                day += timedelta(days=1)
        return found

    def by_component(self) -> dict[str, list[Incident]]:
        """Each component's incidents, newest first, from one pass over the history."""
        if self._by_component is None:
            self._by_component = {c.id: [] for c in self.config.components}
            for incident in self.snapshot.incidents:
                for cid in incident.affected:
                    self._by_component.setdefault(cid, []).append(incident)
        return self._by_component

    def recent_history(self, days: int) -> list[HistoryDay]:
        """The last ``days`` days of the page's zone, newest first, with what began on each
        (an incident's first update, a maintenance's start); upcoming work is not history."""
        today = self.local_day(self.now)
        first = today - timedelta(days=days - 1)
        by_day: dict[date, list[IncidentView]] = {}
        for incident in self.snapshot.incidents:
            span = self.incident_span(incident)
            if span is not None and self.local_day(span[0]) >= first:
                by_day.setdefault(self.local_day(span[0]), []).append(self.incident(incident))
        for found in by_day.values():
            found.sort(key=lambda v: v.started.iso if v.started else "", reverse=True)
        return [HistoryDay(d.isoformat(), format_date(d), by_day.get(d, []))
                for d in (today - timedelta(days=n) for n in range(days))]

    # incidents
    def moment(self, value: datetime | None) -> Moment | None:
        return None if value is None else self.instant(value)

    def instant(self, value: datetime) -> Moment:
        """Formatted once per instant: an update's time shows as its start, its latest, …"""
        found = self._moments.get(value)
        if found is None:
            found = self._moments[value] = Moment(iso(value), format_time(value, self.zone),
                                                  format_relative(value, self.now))
        return found

    def update(self, update: Update) -> UpdateView:
        return UpdateView(
            update.id, update.status, STATUS_LABELS[update.status],
            self.instant(update.at),
            Markup(self.renderer.html(update.message)),
            [self.ref(cid, status) for cid, status in update.components.items()],
            self.moment(update.next_update),
            Markup(self.renderer.html(update.internal)),
        )

    def incident(self, incident: Incident) -> IncidentView:
        view = self._incident_views.get(incident.id)
        if view is None:
            view = self._incident_views[incident.id] = self._incident(incident)
        return view

    def _incident(self, incident: Incident) -> IncidentView:
        state = self.snapshot.state(incident)
        published = state.updates
        latest = published[-1] if published else None
        effect = state.component_status
        postmortem = state.postmortem
        return IncidentView(
            id=incident.id,
            url=urls.incident(incident.id),
            title=incident.title,
            kind=incident.kind,
            is_maintenance=incident.is_maintenance,
            impact=incident.impact,
            impact_label=IMPACT_LABELS[incident.impact],
            impact_explained=self.config.severity.get(incident.impact, ""),
            status=state.status,
            status_label=STATUS_LABELS[state.status],
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
            overdue_by=format_ago(self.now - state.next_update_due)
            if state.overdue and state.next_update_due else "",
            summary_html=Markup(self.renderer.html(incident.summary)),
            postmortem_url=urls.postmortem(incident.id) if postmortem else None,
            postmortem_published=self.moment(postmortem.published) if postmortem else None,
            internal_html=Markup(self.renderer.html(incident.internal)),
            visibility=incident.visibility,
            roles=tuple((ROLE_LABELS[r], who) for r, who in incident.roles.items()),
        )

    def executive_summary(self) -> list[ExecutiveLine]:
        """Every open incident, worst impact first (then the longest running), in words."""
        rank: dict[str, int] = {level: n for n, level in enumerate(reversed(IMPACTS))}
        open_ = sorted(self.snapshot.open_incidents, key=lambda i: (
            rank.get(i.impact, len(rank)), self.snapshot.state(i).started_at or self.now, i.id))
        return [self._executive_line(self.incident(i)) for i in open_]

    @staticmethod
    def _executive_line(view: IncidentView) -> ExecutiveLine:
        names = [c.name for c in view.components]
        who = (f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} affected"
               if names else "no component is named yet")
        since = f" since {view.started.text}" if view.started else ""
        ongoing = f" ({view.duration})" if view.duration else ""
        nxt = (f" The next update was due by {view.next_update.text} and is late."
               if view.overdue and view.next_update else
               f" Next update by {view.next_update.text}." if view.next_update else "")
        text = (f"{view.impact_label} impact: {who}{since}{ongoing}. "
                f"Status: {view.status_label.lower()}.{nxt}")
        return ExecutiveLine(view, text)

    def timeline(self, incident: Incident) -> list[UpdateView]:
        """Every published update, newest first."""
        return [self.update(u) for u in reversed(self.snapshot.state(incident).updates)]

    def postmortem_html(self, incident: Incident) -> Markup:
        report = self.snapshot.state(incident).postmortem
        return Markup(self.renderer.html(report.body if report else "", document=True))

    def postmortem_excerpt(self, incident: Incident) -> str:
        """The first words of the published postmortem, plain text, cut at a word."""
        report = self.snapshot.state(incident).postmortem
        if report is None:
            return ""
        body = "\n".join(line for line in report.body.splitlines()
                         if not _HEADING.match(line))  # the opening words, not the headings
        text = " ".join(self.renderer.text(body, document=True).split())
        if len(text) <= EXCERPT_CHARS:
            return text
        return text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"
