"""Rules that need more than one file, or the time of the check."""

from __future__ import annotations

from datetime import datetime, timedelta

from .config import SiteConfig
from .model import Incident
from .problems import Problems
from .timestamps import iso
from .vocabulary import CLOSED_STATUSES

# A clock a little ahead of CI's is not a mistyped date.
FUTURE_TOLERANCE = timedelta(minutes=5)


def check_rules(config: SiteConfig, incidents: list[Incident], now: datetime,
                problems: Problems) -> None:
    """Record every cross-file and time-dependent problem."""
    _duplicate_ids(incidents, problems)
    for incident in incidents:
        _future_updates(incident, now, problems)
        _postmortem_needs_resolution(incident, problems)
    for incident, due in overdue(config, incidents, now):
        problems.warn(incident.latest.source if incident.latest else incident.source,
                      incident.latest.line if incident.latest else 1,
                      f"update overdue: the next update on this open incident was due at "
                      f"{iso(due)}; add an update (tidings update {incident.id} …)")


def _duplicate_ids(incidents: list[Incident], problems: Problems) -> None:
    first: dict[str, Incident] = {}
    for incident in incidents:
        if incident.id in first:
            other = problems.display(first[incident.id].folder)
            problems.add(incident.source, 1, f'the id "{incident.id}" is also used by {other}/; '
                         "folder names are ids and URLs, so rename one folder")
        else:
            first[incident.id] = incident


def _future_updates(incident: Incident, now: datetime, problems: Problems) -> None:
    for update in incident.updates:
        if update.at > now + FUTURE_TOLERANCE:
            problems.add(update.source, update.line, f"the update is dated {iso(update.at)}, "
                         f"after now ({iso(now)}); is the date mistyped?")


def _postmortem_needs_resolution(incident: Incident, problems: Problems) -> None:
    if incident.postmortem and (incident.latest is None
                                or incident.latest.status not in CLOSED_STATUSES):
        problems.add(incident.postmortem.source, 1, "a postmortem is published only once the "
                     "incident is resolved; add a resolved update first")


def is_open(incident: Incident) -> bool:
    """An incident not yet resolved (maintenance is never 'open' in this sense)."""
    return (not incident.is_maintenance and incident.latest is not None
            and incident.latest.status not in CLOSED_STATUSES)


def next_update_due(config: SiteConfig, incident: Incident) -> datetime | None:
    """When customers were promised the next update: ``next_update``, else the cadence."""
    latest = incident.latest
    if latest is None or not is_open(incident):
        return None
    return latest.next_update or latest.at + config.update_cadence


def overdue(config: SiteConfig, incidents: list[Incident], now: datetime
            ) -> list[tuple[Incident, datetime]]:
    """Open incidents whose promised next update has passed, with the time it was due."""
    result = []
    for incident in incidents:
        due = next_update_due(config, incident)
        if due is not None and due < now:
            result.append((incident, due))
    return result
