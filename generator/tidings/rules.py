"""Rules that need more than one file, or the time of the check."""

from __future__ import annotations

from datetime import datetime, timedelta

from .config import SiteConfig
from .model import Incident
from .problems import Problems
from .status import overdue
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
