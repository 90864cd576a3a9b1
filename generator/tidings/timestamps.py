"""Timestamps and durations as content writes them, with one set of rules and clear errors."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

from .limits import EARLIEST, LATEST, MAX_DURATION, in_range

_DURATION = re.compile(r"(\d+)\s*(d|h|min|m|s)", re.IGNORECASE)
_DURATION_ONLY = re.compile(r"(?:\d+\s*(?:d|h|min|m|s)\s*)+", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "min": 60, "s": 1}


class TimestampError(ValueError):
    """A timestamp or duration that cannot be read; the message says how to write it."""


def parse_timestamp(value: object, default_zone: tzinfo | None = None) -> datetime:
    """Read an ISO 8601 timestamp. Without a zone it means ``default_zone``, else it is an error."""
    text = (value if type(value) is str else str(value)).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise TimestampError(
            f'"{text}" is not a timestamp; write ISO 8601 with a zone, e.g. 2026-11-22T14:05:00Z'
        ) from None
    if moment.tzinfo is None:
        if default_zone is None:
            raise TimestampError(
                f'"{text}" has no time zone; add "Z" for UTC or an offset such as +02:00 '
                "(or set `timezone` in tidings.yml)"
            )
        moment = moment.replace(tzinfo=default_zone)
    if moment.tzinfo is UTC:  # written with "Z", as Tidings writes them
        return plausible(moment, text)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is after the last date Python knows
        moment = LATEST
    return plausible(moment, text)


def plausible(moment: datetime, text: str) -> datetime:
    """``moment`` when it lies in the plausible range, else a TimestampError."""
    if not in_range(moment):
        raise TimestampError(
            f'"{text}" is outside the plausible range {iso(EARLIEST)} to {iso(LATEST)}; '
            "is the year mistyped?")
    return moment


def parse_duration(value: object) -> timedelta:
    """Read a duration such as ``30m``, ``1h``, ``1h30m`` or ``2d``."""
    return _duration(str(value).strip())


@lru_cache(maxsize=256)  # the same few (``30m``, ``1h``) come back in update after update
def _duration(text: str) -> timedelta:
    parts = _DURATION.findall(text)
    if not parts or _DURATION.sub("", text).strip():
        raise TimestampError(f'"{text}" is not a duration; write e.g. 30m, 1h or 1h30m')
    # int() of a 5,000-digit number is itself an error: ten digits are already too long
    seconds = sum(int(n[-10:]) * _UNIT_SECONDS[unit.lower()] for n, unit in parts)
    if seconds > MAX_DURATION.total_seconds() or any(len(n.lstrip("0")) > 10 for n, _ in parts):
        raise TimestampError(f'"{text}" is longer than {MAX_DURATION.days} days; '
                             "is it mistyped?")
    return timedelta(seconds=seconds)


def parse_when(value: object, base: datetime, default_zone: tzinfo | None = None) -> datetime:
    """A timestamp, or a duration counted from ``base`` (used by ``next_update``)."""
    text = str(value).strip()
    if _DURATION_ONLY.fullmatch(text):
        return plausible(base + parse_duration(text), text)
    return parse_timestamp(text, default_zone)


def build_now(environ: Mapping[str, str] | None = None) -> datetime:
    """The build time: ``SOURCE_DATE_EPOCH`` when set (tests, reproducibility), else the clock."""
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError):
            raise TimestampError(
                f'SOURCE_DATE_EPOCH="{epoch}" is not a whole number of seconds since 1970'
            ) from None
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as the API and feeds publish it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
