"""Every wording of a time, date, window, duration, relative time, number and percentage.

Pages, feeds, calendars, chat and email notifications, the postmortem scaffold, the
communication report and its charts all word times and figures here, so a reader sees
"5 Nov 2026, 16:15 CET" the same way on each. Month names are English whatever the build
machine's locale (``strftime`` would follow the locale).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, tzinfo

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def month_name(month: int, short: bool = False) -> str:
    """``November``, or ``Nov`` when ``short``."""
    name = MONTHS[month - 1]
    return name[:3] if short else name


def format_month(year: int, month: int, short: bool = False) -> str:
    """``November 2026``, or ``Nov 2026`` when ``short``."""
    return f"{month_name(month, short)} {year}"


def month_heading(value: datetime, zone: tzinfo) -> str:
    """The month of an instant in the page's zone: ``November 2026``."""
    local = value.astimezone(zone)
    return format_month(local.year, local.month)


def _zone_name(local: datetime) -> str:
    return local.tzname() or "UTC"


def format_date(day: date) -> str:
    """``5 Nov 2026``: the day without a leading zero."""
    return f"{day.day} {month_name(day.month, short=True)} {day.year}"


def format_time(moment: datetime, zone: tzinfo) -> str:
    """``5 Nov 2026, 16:15 CET``: the zone's abbreviation of that instant (CET or CEST)."""
    local = moment.astimezone(zone)
    return f"{format_date(local.date())}, {local:%H:%M} {_zone_name(local)}"


def format_window(start: datetime | None, end: datetime | None, zone: tzinfo) -> str:
    """A maintenance window; the date is not repeated when it ends on the day it starts."""
    if start is None:
        return ""
    if end is None:
        return f"from {format_time(start, zone)}"
    a, b = start.astimezone(zone), end.astimezone(zone)
    if a.date() == b.date() and _zone_name(a) == _zone_name(b):
        return f"{format_date(a.date())}, {a:%H:%M} – {b:%H:%M} {_zone_name(b)}"
    return f"{format_time(start, zone)} – {format_time(end, zone)}"


def format_duration(span: timedelta | None) -> str:
    """``1 h 10 min``, ``2 d 3 h``, ``under a minute``; empty for None."""
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


def format_downtime(minutes: float) -> str:
    """A day's downtime in words: ``under a minute`` up to one, else as a duration."""
    return "under a minute" if minutes < 1 else format_duration(timedelta(minutes=minutes))


def format_ago(span: timedelta) -> str:
    """``4 days``, ``2 hours``, ``25 minutes``: the largest unit that fits, rounded as
    tidings.js rounds it, so the build's words and the script's agree."""
    seconds = max(span.total_seconds(), 0)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds / size + 0.5)
            return f"{count} {unit}{'s' if count > 1 else ''}"
    return "under a minute"


def format_relative(moment: datetime, now: datetime) -> str:
    """``12 minutes ago``, ``in 10 minutes``, ``just now``: the words tidings.js writes too."""
    seconds = (moment - now).total_seconds()
    if abs(seconds) < 60:
        return "just now"
    words = format_ago(abs(moment - now))
    return f"in {words}" if seconds > 0 else f"{words} ago"


def format_percent(value: float | None) -> str:
    """An uptime: two decimals rounded down, so a day with any downtime never reads 100 %."""
    if value is None:
        return "no data"
    if value >= 100:
        return "100 %"
    return f"{math.floor(value * 100) / 100:.2f} %"


def format_share(value: float | None) -> str:
    """A share from 0 to 1 as a whole percentage: ``40 %``; ``no data`` for None."""
    if value is None:
        return "no data"
    return f"{round(value * 100)} %"


def format_number(value: float) -> str:
    """A figure with at most one decimal and no trailing zero: ``12``, ``12.5``."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def format_minutes(value: float | None) -> str:
    """``12.5 min``; a dash when there is no figure."""
    return "–" if value is None else f"{format_number(value)} min"
