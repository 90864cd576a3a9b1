"""Uptime per component per day of the page's time zone.

Downtime = major-outage minutes + 0.3 × partial-outage minutes; degraded performance and
maintenance count 0. Overlapping incidents do not count twice: at each moment the worst
status counts. A day runs from local midnight to the next local midnight, so an incident
falls on the date its page shows; a daylight-saving day counts the minutes it really has
(23 or 25 hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from .config import Component
from .vocabulary import ComponentStatus, severity, worst

DOWNTIME_WEIGHT: dict[ComponentStatus, float] = {"major_outage": 1.0, "partial_outage": 0.3}
# A day's colour grows with its downtime, so a 5-minute blip is not painted like an outage:
# below BRIEF minutes it looks degraded, below LONG minutes a partial outage, else major.
BRIEF_DOWNTIME_MINUTES = 10
LONG_DOWNTIME_MINUTES = 60
DEGRADED = severity("degraded_performance")


@dataclass(frozen=True)
class Segment:
    start: datetime
    end: datetime
    status: ComponentStatus


@dataclass(frozen=True)
class DayUptime:
    day: date
    minutes: float  # minutes counted (today: up to now); 0 when there is no data
    downtime: float  # weighted downtime minutes
    worst: ComponentStatus  # the day's worst status
    has_data: bool

    @property
    def percent(self) -> float | None:
        if not self.has_data or self.minutes <= 0:
            return None
        return 100.0 * (1 - self.downtime / self.minutes)

    @property
    def level(self) -> str:
        """The day's colour: a component status chosen by downtime, or ``nodata``.

        No downtime keeps the day's worst status (operational, maintenance or degraded);
        any downtime is at least "degraded", 10 minutes a partial and an hour a major outage.
        """
        if not self.has_data:
            return "nodata"
        if self.downtime <= 0:
            return self.worst if severity(self.worst) <= DEGRADED else "degraded_performance"
        if self.downtime < BRIEF_DOWNTIME_MINUTES:
            return "degraded_performance"
        if self.downtime < LONG_DOWNTIME_MINUTES:
            return "partial_outage"
        return "major_outage"


@dataclass(frozen=True)
class ComponentUptime:
    component: Component
    days: list[DayUptime]  # oldest first

    @property
    def percent(self) -> float | None:
        """Uptime over the days with data, or None when there are none."""
        return self.percent_of(len(self.days))

    def percent_of(self, last: int) -> float | None:
        """Uptime over the ``last`` days with data (the newest), or None when there are none."""
        return _percent(self.days[-last:])


def months(uptime: ComponentUptime) -> list[tuple[date, float | None]]:
    """Uptime per calendar month of the window (first day of the month, percent), oldest
    first; the first and last months count only the days the window has of them."""
    found: dict[date, list[DayUptime]] = {}
    for day in uptime.days:
        found.setdefault(day.day.replace(day=1), []).append(day)
    return [(month, _percent(days)) for month, days in found.items()]


def _percent(days: list[DayUptime]) -> float | None:
    minutes = sum(d.minutes for d in days if d.has_data)
    if minutes <= 0:
        return None
    return 100.0 * (1 - sum(d.downtime for d in days if d.has_data) / minutes)


def uptime_for(component: Component, segments: list[Segment], now: datetime,
               days: int = 90, zone: tzinfo = UTC) -> ComponentUptime:
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    window_start = local_midnight(first, zone)
    relevant = [s for s in segments if s.end > window_start and s.start < now]
    return ComponentUptime(component, [
        _day(component, first + timedelta(days=n), relevant, now, zone) for n in range(days)
    ])


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The instant ``day`` begins in ``zone``, in UTC (so differences are real minutes)."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


def _day(component: Component, day: date, segments: list[Segment], now: datetime,
         zone: tzinfo) -> DayUptime:
    if component.since and day < component.since:
        return DayUptime(day, 0.0, 0.0, "operational", False)
    start = local_midnight(day, zone)
    end = min(local_midnight(day + timedelta(days=1), zone), now)
    minutes = max((end - start).total_seconds() / 60, 0.0)
    clipped = [Segment(max(s.start, start), min(s.end, end), s.status)
               for s in segments if s.start < end and s.end > start]
    downtime = _weighted_minutes(clipped)
    return DayUptime(day, minutes, downtime, worst([s.status for s in clipped]), True)


def _weighted_minutes(segments: list[Segment]) -> float:
    """Sweep the segments' edges; between two edges the worst status counts."""
    edges = sorted({s.start for s in segments} | {s.end for s in segments})
    total = 0.0
    for left, right in zip(edges, edges[1:], strict=False):
        active = [s.status for s in segments if s.start <= left and s.end >= right]
        weight = DOWNTIME_WEIGHT.get(worst(active), 0.0) if active else 0.0
        total += weight * (right - left).total_seconds() / 60
    return total
