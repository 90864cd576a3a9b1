"""The status engine: pure functions from content and ``now`` to what every output shows.

Status is computed once here; pages, feeds, the API and the calendar only present it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .config import SiteConfig
from .model import Incident, Update
from .rules import next_update_due
from .uptime import ComponentUptime, Segment, uptime_for
from .vocabulary import (
    ACTIVE_MAINTENANCE_STATUSES,
    CLOSED_STATUSES,
    IMPACT_DEFAULT_STATUS,
    INDICATOR_DESCRIPTIONS,
    INDICATOR_RANK,
    INDICATORS,
    STATUS_INDICATOR,
    ComponentStatus,
    Indicator,
    MaintenanceStatus,
    UpdateStatus,
    severity,
    worst,
)


@dataclass
class IncidentState:
    """What is derived about one incident or maintenance at ``now``."""

    incident: Incident
    status: UpdateStatus  # incident: investigating..resolved; maintenance: scheduled..
    started_at: datetime | None
    resolved_at: datetime | None
    duration: timedelta | None
    first_response: timedelta | None  # from the first update to the first follow-up
    component_status: dict[str, ComponentStatus]  # its current effect on each component
    next_update_due: datetime | None
    overdue: bool

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


@dataclass
class Snapshot:
    """Everything the outputs need, computed once for one ``now``."""

    config: SiteConfig
    now: datetime
    incidents: list[Incident]  # newest first
    states: dict[str, IncidentState]
    component_status: dict[str, ComponentStatus]
    indicator: Indicator
    description: str
    uptime: dict[str, ComponentUptime] = field(default_factory=dict)

    def state(self, incident: Incident) -> IncidentState:
        return self.states[incident.id]

    @property
    def open_incidents(self) -> list[Incident]:
        return [i for i in self.incidents if not i.is_maintenance and self.state(i).is_open]

    def maintenance(self, status: MaintenanceStatus) -> list[Incident]:
        """Maintenance in one state; upcoming ones soonest first, others newest first."""
        found = [i for i in self.incidents if i.is_maintenance and self.state(i).status == status]
        if status == "scheduled":
            found.sort(key=lambda i: (i.scheduled_for or self.now, i.id))
        return found

    @property
    def active_maintenance(self) -> list[Incident]:
        return [i for s in ACTIVE_MAINTENANCE_STATUSES for i in self.maintenance(s)]

    def for_component(self, component_id: str) -> list[Incident]:
        return [i for i in self.incidents if component_id in i.affected]


def derive(config: SiteConfig, incidents: list[Incident], now: datetime,
           uptime_days: int = 90) -> Snapshot:
    """Compute the status of everything at ``now``."""
    visible = [i for i in incidents if i.created_at is None or i.created_at <= now
               or i.is_maintenance]
    states = {i.id: incident_state(config, i, now) for i in visible}
    component_status = current_component_status(config, states.values())
    indicator = overall_indicator(component_status, states.values())
    newest_first = sorted(visible, key=lambda i: (i.created_at or now, i.id), reverse=True)
    segments = component_segments(visible, now)
    uptime = {c.id: uptime_for(c, segments.get(c.id, []), now, uptime_days, config.timezone)
              for c in config.components}
    return Snapshot(config, now, newest_first, states, component_status, indicator,
                    INDICATOR_DESCRIPTIONS[indicator], uptime)


def maintenance_status(incident: Incident, now: datetime) -> UpdateStatus:
    """The latest update wins; a bare "scheduled" announcement defers to the window, so the
    scheduled rebuilds start and end a maintenance without a commit."""
    latest = incident.latest_posted(now)
    if latest is not None and latest.status != "scheduled":
        return latest.status
    start, end = incident.scheduled_for, incident.scheduled_until
    if start is None or now < start:
        return "scheduled"
    if end is None or now < end:
        return "in_progress"
    return "completed"


def incident_state(config: SiteConfig, incident: Incident, now: datetime) -> IncidentState:
    updates = incident.posted(now)
    if incident.is_maintenance:
        status = maintenance_status(incident, now)
        started = incident.scheduled_for
        closed = next((u.at for u in reversed(updates) if u.status == "completed"), None)
        resolved = closed or (incident.scheduled_until if status == "completed" else None)
    else:
        status = updates[-1].status if updates else "investigating"
        started = updates[0].at if updates else None
        resolved = updates[-1].at if updates and status in CLOSED_STATUSES else None
    end = resolved or now
    duration = end - started if started and end >= started else None
    first_response = updates[1].at - updates[0].at if len(updates) > 1 else None
    effect = _current_effect(incident, updates, status)
    due = next_update_due(config, incident, now)
    return IncidentState(incident, status, started, resolved, duration, first_response, effect,
                         due, bool(due and due < now))


def _current_effect(incident: Incident, updates: list[Update], status: UpdateStatus
                    ) -> dict[str, ComponentStatus]:
    """The status this incident gives each affected component right now."""
    if status in CLOSED_STATUSES or (incident.is_maintenance and status == "scheduled"):
        return {}
    effect = dict.fromkeys(incident.components, IMPACT_DEFAULT_STATUS[incident.impact])
    if incident.is_maintenance:
        effect = dict.fromkeys(incident.components, "under_maintenance")
    for update in updates:
        effect.update(update.components)
    return {cid: s for cid, s in effect.items() if s != "operational"}


def current_component_status(config: SiteConfig, states) -> dict[str, ComponentStatus]:
    """The worst status any open incident or active maintenance gives each component."""
    found: dict[str, list[ComponentStatus]] = {c.id: [] for c in config.components}
    for state in states:
        for cid, status in state.component_status.items():
            found.setdefault(cid, []).append(status)
    return {cid: worst(statuses) for cid, statuses in found.items()}


def overall_indicator(component_status: dict[str, ComponentStatus], states) -> Indicator:
    """Statuspage's rule: the worst of component statuses and open incidents' impact."""
    candidates = [STATUS_INDICATOR[s] for s in component_status.values()]
    candidates += [s.incident.impact for s in states
                   if s.is_open and not s.incident.is_maintenance
                   and s.incident.impact in INDICATORS]
    candidates += ["maintenance" for s in states
                   if s.incident.is_maintenance and s.status in ACTIVE_MAINTENANCE_STATUSES]
    return max(candidates, key=INDICATOR_RANK.__getitem__, default="none")


def component_segments(incidents: list[Incident], now: datetime) -> dict[str, list[Segment]]:
    """Each component's non-operational periods, per incident, for uptime."""
    segments: dict[str, list[Segment]] = {}
    for incident in incidents:
        for cid, seg in _incident_segments(incident, now):
            segments.setdefault(cid, []).append(seg)
    return segments


def _incident_segments(incident: Incident, now: datetime):
    if incident.is_maintenance:
        start = incident.scheduled_for
        end = incident.scheduled_until
        for u in incident.updates:
            if u.status == "in_progress":
                start = min(start, u.at) if start else u.at
            if u.status == "completed":
                end = u.at
        if start and start < now:
            for cid in incident.affected:
                yield cid, Segment(start, min(end or now, now), "under_maintenance")
        return
    updates = incident.posted(now)
    if not updates:
        return
    closed = updates[-1].at if updates[-1].status in CLOSED_STATUSES else now
    current = dict.fromkeys(incident.components, IMPACT_DEFAULT_STATUS[incident.impact])
    for this, following in zip(updates, [*updates[1:], None], strict=True):
        current.update(this.components)
        if this.status in CLOSED_STATUSES:
            break
        until = following.at if following else closed
        for cid, status in current.items():
            if severity(status) > 0 and until > this.at:
                yield cid, Segment(this.at, until, status)
