"""The status engine: pure functions from content and ``now`` to what every output shows.

Status is computed once here; pages, feeds, the API and the calendar only present it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .config import SiteConfig
from .model import Incident, Postmortem, Update
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
    worst,
)

if TYPE_CHECKING:  # uptime is imported by what derives a snapshot, never by `tidings check`
    from .uptime import ComponentUptime, Segment

Change = tuple[str, ComponentStatus, ComponentStatus]  # a component, before and after


@dataclass(frozen=True)
class Step:
    """One update and what it did to the components, as the status engine replays it."""

    update: Update
    statuses: dict[str, ComponentStatus]  # every component named so far, as last given
    effect: dict[str, ComponentStatus]  # the non-operational ones it affects now (none once closed)
    changes: list[Change]  # components the update names or whose effect it changed


@dataclass
class IncidentState:
    """What is derived about one incident or maintenance at ``now``."""

    incident: Incident
    updates: list[Update]  # posted by ``now``, oldest first: what subscribers may see
    postmortem: Postmortem | None  # once its publication time has come
    steps: list[Step]  # the posted updates, replayed
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
        """Not closed: an incident not yet resolved, a maintenance not yet completed."""
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
    from .uptime import uptime_for

    visible = [i for i in incidents if i.created_at is None or i.created_at <= now
               or i.is_maintenance]
    states = {i.id: incident_state(config, i, now) for i in visible}
    component_status = current_component_status(config, states.values())
    indicator = overall_indicator(component_status, states.values())
    newest_first = sorted(visible, key=lambda i: (i.created_at or now, i.id), reverse=True)
    segments = component_segments(states.values(), now)
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
    steps = replay(incident, updates)
    effect = {} if _idle(status) else _non_operational(
        steps[-1].statuses if steps else initial_statuses(incident))
    due = next_update_due(config, incident, now)
    return IncidentState(incident, updates, incident.published_postmortem(now), steps, status,
                         started, resolved, duration, first_response, effect, due,
                         bool(due and due < now))


def initial_statuses(incident: Incident) -> dict[str, ComponentStatus]:
    """The components an incident names, before any update: maintenance puts them under
    maintenance, an incident gives them the status its impact implies."""
    start: ComponentStatus = "under_maintenance" if incident.is_maintenance else \
        IMPACT_DEFAULT_STATUS[incident.impact]
    return dict.fromkeys(incident.components, start)


def replay(incident: Incident, updates: list[Update]) -> list[Step]:
    """The one replay of component effects: each update's ``components`` change the statuses
    so far, and a closing update (or a maintenance still only scheduled) returns every
    component to operational."""
    statuses = initial_statuses(incident)
    before: dict[str, ComponentStatus] = {}
    steps = []
    for update in updates:
        statuses = {**statuses, **update.components}
        after: dict[str, ComponentStatus] = {} if _idle(update.status) else \
            _non_operational(statuses)
        named = [c for c in statuses if c in update.components
                 or before.get(c, "operational") != after.get(c, "operational")]
        changes = [(c, before.get(c, "operational"), after.get(c, "operational"))
                   for c in named]
        steps.append(Step(update, statuses, after, changes))
        before = after
    return steps


def _idle(status: UpdateStatus) -> bool:
    """Statuses in which an incident affects no component."""
    return status in CLOSED_STATUSES or status == "scheduled"


def _non_operational(statuses: dict[str, ComponentStatus]) -> dict[str, ComponentStatus]:
    return {cid: s for cid, s in statuses.items() if s != "operational"}


def owes_updates(incident: Incident, now: datetime) -> bool:
    """An incident whose latest update posted by ``now`` left it open: its readers were
    promised more (maintenance announces its window instead)."""
    latest = incident.latest_posted(now)
    return (not incident.is_maintenance and latest is not None
            and latest.status not in CLOSED_STATUSES)


def next_update_due(config: SiteConfig, incident: Incident, now: datetime) -> datetime | None:
    """When customers were promised the next update, by the latest update posted by ``now``:
    its ``next_update``, else the cadence."""
    latest = incident.latest_posted(now)
    if latest is None or not owes_updates(incident, now):
        return None
    return latest.next_update or latest.at + config.update_cadence


def overdue(config: SiteConfig, incidents: list[Incident], now: datetime
            ) -> list[tuple[Incident, datetime]]:
    """Open incidents whose promised next update has passed, with the time it was due."""
    result = []
    for incident in incidents:
        due = next_update_due(config, incident, now)
        if due is not None and due < now:
            result.append((incident, due))
    return result


def current_component_status(config: SiteConfig, states: Iterable[IncidentState]
                             ) -> dict[str, ComponentStatus]:
    """The worst status any open incident or active maintenance gives each component."""
    found: dict[str, list[ComponentStatus]] = {c.id: [] for c in config.components}
    for state in states:
        for cid, status in state.component_status.items():
            found.setdefault(cid, []).append(status)
    return {cid: worst(statuses) for cid, statuses in found.items()}


def overall_indicator(component_status: dict[str, ComponentStatus],
                      states: Iterable[IncidentState]) -> Indicator:
    """Statuspage's rule: the worst of component statuses and open incidents' impact."""
    candidates = [STATUS_INDICATOR[s] for s in component_status.values()]
    candidates += [s.incident.impact for s in states
                   if s.is_open and not s.incident.is_maintenance
                   and s.incident.impact in INDICATORS]
    candidates += ["maintenance" for s in states
                   if s.incident.is_maintenance and s.status in ACTIVE_MAINTENANCE_STATUSES]
    return max(candidates, key=INDICATOR_RANK.__getitem__, default="none")


def component_segments(states: Iterable[IncidentState], now: datetime
                       ) -> dict[str, list[Segment]]:
    """Each component's non-operational periods, per incident, for uptime."""
    segments: dict[str, list[Segment]] = {}
    for state in states:
        for cid, seg in _incident_segments(state, now):
            segments.setdefault(cid, []).append(seg)
    return segments


def _incident_segments(state: IncidentState, now: datetime) -> Iterator[tuple[str, Segment]]:
    from .uptime import Segment

    if state.incident.is_maintenance:
        yield from _maintenance_segments(state.incident, now)
        return
    steps = state.steps  # the replay of the updates posted by now
    if not steps:
        return
    last = steps[-1].update
    closed = last.at if last.status in CLOSED_STATUSES else now
    for step, following in zip(steps, [*steps[1:], None], strict=True):
        until = following.update.at if following else closed
        for cid, status in step.effect.items():
            if until > step.update.at:
                yield cid, Segment(step.update.at, until, status)


def _maintenance_segments(incident: Incident, now: datetime) -> Iterator[tuple[str, Segment]]:
    """A maintenance affects its components over its window, or what its updates say it was."""
    from .uptime import Segment

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
