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
    """Ids that differ only by case are the same: case-insensitive file systems and hosts
    (macOS, Windows, some CDNs) would write or serve one page for both."""
    first: dict[str, Incident] = {}
    for incident in incidents:
        key = incident.id.casefold()
        if key in first:
            other = problems.display(first[key].folder)
            same = "" if first[key].id == incident.id else " (ids differ only by case)"
            problems.add(incident.source, 1, f'the id "{incident.id}" is also used by '
                         f"{other}/{same}; folder names are ids and URLs, so rename one folder")
        else:
            first[key] = incident


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


def is_open(incident: Incident, now: datetime) -> bool:
    """An incident not yet resolved by ``now`` (maintenance is never 'open' in this sense)."""
    latest = incident.latest_posted(now)
    return (not incident.is_maintenance and latest is not None
            and latest.status not in CLOSED_STATUSES)


def next_update_due(config: SiteConfig, incident: Incident, now: datetime) -> datetime | None:
    """When customers were promised the next update, by the latest update posted by ``now``:
    its ``next_update``, else the cadence."""
    latest = incident.latest_posted(now)
    if latest is None or not is_open(incident, now):
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
