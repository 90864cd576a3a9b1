"""How well each incident was communicated, as of ``now``: the figures of ``tidings report``
and of the internal site's Communication page.

Only what was posted by ``now`` counts; maintenance is not an incident and is left out.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from .config import SiteConfig
from .model import Incident, Update
from .timestamps import iso
from .vocabulary import CLOSED_STATUSES, POSTMORTEM_IMPACTS


@dataclass(frozen=True)
class Gap:
    """The time from one update to the next (or to ``now``) while the incident was open."""

    start: datetime
    minutes: float
    allowed_minutes: float  # the promised next update, else the cadence

    @property
    def over(self) -> bool:
        return self.minutes > self.allowed_minutes


@dataclass(frozen=True)
class IncidentFigures:
    id: str
    title: str
    impact: str
    detected_at: str | None
    first_update_at: str
    minutes_to_first_update: float | None
    updates: int
    longest_gap_minutes: float | None
    gaps_over_cadence: int
    promises_kept: int
    promises_missed: int
    minutes_to_resolve: float | None
    postmortem_days: float | None


@dataclass(frozen=True)
class Totals:
    incidents: int
    share_within_cadence: float | None
    median_minutes_to_first_update: float | None
    median_longest_gap_minutes: float | None
    promises_kept: int
    promises_made: int
    share_major_critical_with_postmortem: float | None


@dataclass(frozen=True)
class Report:
    incidents: list[IncidentFigures]  # oldest first
    totals: Totals
    gaps: dict[str, list[Gap]]  # per incident id, for the charts
    first_update_times: dict[str, datetime]  # per incident id

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape: ``{"incidents": [...], "totals": {...}}``."""
        return {"incidents": [asdict(f) for f in self.incidents], "totals": asdict(self.totals)}


def communication_report(config: SiteConfig, incidents: list[Incident], now: datetime, *,
                         since: datetime | None = None, until: datetime | None = None,
                         audience: str = "public") -> Report:
    """The figures of every incident first posted in ``[since, until]``, as of ``now``."""
    figures, gaps, firsts = [], {}, {}
    for incident in incidents:
        posted = incident.posted(now)
        if (incident.is_maintenance or not posted or not _shown_to(incident, audience)
                or (since and posted[0].at < since) or (until and posted[0].at > until)):
            continue
        gaps[incident.id] = incident_gaps(config, posted, now)
        firsts[incident.id] = posted[0].at
        figures.append(incident_figures(incident, posted, gaps[incident.id], now))
    figures.sort(key=lambda f: (f.first_update_at, f.id))
    return Report(figures, totals(figures), gaps, firsts)


def _shown_to(incident: Incident, audience: str) -> bool:
    return audience == "internal" or getattr(incident, "visibility", "public") != "internal"


def incident_gaps(config: SiteConfig, posted: list[Update], now: datetime) -> list[Gap]:
    """Each wait for the next update while open; an open incident's last one runs to ``now``."""
    found = []
    for this, following in zip(posted, [*posted[1:], None], strict=True):
        if this.status in CLOSED_STATUSES:
            continue
        end = following.at if following else now
        due = this.next_update or this.at + config.update_cadence
        found.append(Gap(this.at, _minutes(end - this.at), _minutes(due - this.at)))
    return found


def incident_figures(incident: Incident, posted: list[Update], gaps: list[Gap],
                     now: datetime) -> IncidentFigures:
    first, latest = posted[0], posted[-1]
    resolved = latest.at if latest.status in CLOSED_STATUSES else None
    kept, missed = _promises(posted, now)
    report = incident.published_postmortem(now)
    published = report.published if report else None
    return IncidentFigures(
        id=incident.id,
        title=incident.title,
        impact=incident.impact,
        detected_at=iso(incident.detected_at) if incident.detected_at else None,
        first_update_at=iso(first.at),
        minutes_to_first_update=(_minutes(first.at - incident.detected_at)
                                 if incident.detected_at else None),
        updates=len(posted),
        longest_gap_minutes=max((g.minutes for g in gaps), default=None),
        gaps_over_cadence=sum(g.over for g in gaps),
        promises_kept=kept,
        promises_missed=missed,
        minutes_to_resolve=_minutes(resolved - first.at) if resolved else None,
        postmortem_days=(round((published - resolved) / timedelta(days=1), 1)
                         if published and resolved else None),
    )


def _promises(posted: list[Update], now: datetime) -> tuple[int, int]:
    """``next_update`` promises met or missed by the following update (or, for the latest,
    missed once ``now`` is past it with no update)."""
    kept = missed = 0
    for this, following in zip(posted, [*posted[1:], None], strict=True):
        if this.next_update is None or (following is None and this.status in CLOSED_STATUSES):
            continue
        if following is not None and following.at <= this.next_update:
            kept += 1
        elif following is not None or now > this.next_update:
            missed += 1
    return kept, missed


def totals(figures: list[IncidentFigures]) -> Totals:
    owed = [f for f in figures if f.impact in POSTMORTEM_IMPACTS]
    kept = sum(f.promises_kept for f in figures)
    return Totals(
        incidents=len(figures),
        share_within_cadence=_share([f.gaps_over_cadence == 0 for f in figures]),
        median_minutes_to_first_update=median_of(f.minutes_to_first_update for f in figures),
        median_longest_gap_minutes=median_of(f.longest_gap_minutes for f in figures),
        promises_kept=kept,
        promises_made=kept + sum(f.promises_missed for f in figures),
        share_major_critical_with_postmortem=_share([f.postmortem_days is not None
                                                     for f in owed]),
    )


def _minutes(span: timedelta) -> float:
    return round(span / timedelta(minutes=1), 1)


def median_of(values: Any) -> float | None:
    found = [v for v in values if v is not None]
    return round(statistics.median(found), 1) if found else None


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None
