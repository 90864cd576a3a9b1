"""Uptime per component per UTC day (decision 9).

Downtime = major-outage minutes + 0.3 × partial-outage minutes; degraded performance and
maintenance count 0. Overlapping incidents do not count twice: at each moment the worst
status counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .config import Component
from .vocabulary import worst

DOWNTIME_WEIGHT = {"major_outage": 1.0, "partial_outage": 0.3}


@dataclass(frozen=True)
class Segment:
    start: datetime
    end: datetime
    status: str


@dataclass(frozen=True)
class DayUptime:
    day: date
    minutes: float  # minutes counted (today: up to now); 0 when there is no data
    downtime: float  # weighted downtime minutes
    worst: str  # the day's worst status
    has_data: bool

    @property
    def percent(self) -> float | None:
        if not self.has_data or self.minutes <= 0:
            return None
        return 100.0 * (1 - self.downtime / self.minutes)


@dataclass(frozen=True)
class ComponentUptime:
    component: Component
    days: list[DayUptime]  # oldest first

    @property
    def percent(self) -> float | None:
        """Uptime over the days with data, or None when there are none."""
        minutes = sum(d.minutes for d in self.days if d.has_data)
        if minutes <= 0:
            return None
        return 100.0 * (1 - sum(d.downtime for d in self.days if d.has_data) / minutes)


def uptime_for(component: Component, segments: list[Segment], now: datetime,
               days: int = 90) -> ComponentUptime:
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    window_start = datetime.combine(first, time(), UTC)
    relevant = [s for s in segments if s.end > window_start and s.start < now]
    return ComponentUptime(component, [
        _day(component, first + timedelta(days=n), relevant, now) for n in range(days)
    ])


def _day(component: Component, day: date, segments: list[Segment], now: datetime) -> DayUptime:
    if component.since and day < component.since:
        return DayUptime(day, 0.0, 0.0, "operational", False)
    start = datetime.combine(day, time(), UTC)
    end = min(start + timedelta(days=1), now)
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
