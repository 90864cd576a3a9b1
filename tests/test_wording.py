"""Each wording of a time, date, window, duration, relative time, number and percentage, and
that every output uses the same one (the feed once wrote "05 Nov" where the page wrote "5 Nov")."""

from __future__ import annotations

import locale
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from tidings.wording import (
    format_ago,
    format_date,
    format_downtime,
    format_duration,
    format_minutes,
    format_month,
    format_number,
    format_percent,
    format_relative,
    format_share,
    format_time,
    format_window,
    month_heading,
)

PARIS = ZoneInfo("Europe/Paris")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_time_has_no_leading_zero_on_the_day_and_names_the_zone():
    assert format_time(at("2026-11-05T15:15:00"), PARIS) == "5 Nov 2026, 16:15 CET"
    assert format_time(at("2026-11-05T15:15:00"), UTC) == "5 Nov 2026, 15:15 UTC"


def test_midnight_in_the_page_zone_is_the_next_day_there():
    # 23:30 UTC on the 31st is 00:30 on the 1st in Paris: a new day, month and year.
    assert format_time(at("2026-12-31T23:30:00"), PARIS) == "1 Jan 2027, 00:30 CET"
    assert format_time(at("2026-12-31T00:00:00"), UTC) == "31 Dec 2026, 00:00 UTC"
    assert month_heading(at("2026-12-31T23:30:00"), PARIS) == "January 2027"
    assert month_heading(at("2026-12-31T23:30:00"), UTC) == "December 2026"


def test_the_zone_abbreviation_follows_summer_time():
    # Paris leaves summer time at 01:00 UTC on 25 Oct 2026.
    assert format_time(at("2026-10-25T00:30:00"), PARIS) == "25 Oct 2026, 02:30 CEST"
    assert format_time(at("2026-10-25T01:30:00"), PARIS) == "25 Oct 2026, 02:30 CET"


def test_month_names_are_english_whatever_the_locale():
    try:
        previous = locale.setlocale(locale.LC_TIME)
        locale.setlocale(locale.LC_TIME, "de_DE.UTF-8")
    except locale.Error:
        pytest.skip("no de_DE.UTF-8 locale on this machine")
    try:
        assert format_time(at("2026-03-05T10:00:00"), UTC) == "5 Mar 2026, 10:00 UTC"
    finally:
        locale.setlocale(locale.LC_TIME, previous)


def test_dates_and_months():
    assert format_date(date(2026, 11, 5)) == "5 Nov 2026"
    assert format_month(2026, 11) == "November 2026"
    assert format_month(2026, 11, short=True) == "Nov 2026"


def test_a_window_on_one_day_names_the_date_once():
    start, end = at("2026-11-28T01:00:00"), at("2026-11-28T03:00:00")
    assert format_window(start, end, PARIS) == "28 Nov 2026, 02:00 – 04:00 CET"
    assert format_window(start, None, PARIS) == "from 28 Nov 2026, 02:00 CET"
    assert format_window(None, end, PARIS) == ""


def test_a_window_across_midnight_names_both_dates():
    start, end = at("2026-11-28T22:00:00"), at("2026-11-29T01:00:00")
    assert format_window(start, end, PARIS) == \
        "28 Nov 2026, 23:00 CET – 29 Nov 2026, 02:00 CET"
    # The same instants end on the same day in UTC.
    assert format_window(at("2026-11-28T20:00:00"), at("2026-11-28T23:59:00"), UTC) == \
        "28 Nov 2026, 20:00 – 23:59 UTC"


def test_a_window_across_the_summer_time_change_names_both_zones():
    # 00:30 UTC is 02:30 CEST, 02:00 UTC is 03:00 CET: one abbreviation would misstate one end.
    window = format_window(at("2026-10-25T00:30:00"), at("2026-10-25T02:00:00"), PARIS)
    assert window == "25 Oct 2026, 02:30 CEST – 25 Oct 2026, 03:00 CET"


@pytest.mark.parametrize(("span", "words"), [
    (None, ""),
    (timedelta(0), "under a minute"),
    (timedelta(seconds=59), "under a minute"),
    (timedelta(seconds=60), "1 min"),
    (timedelta(minutes=59, seconds=59), "59 min"),
    (timedelta(hours=1), "1 h"),
    (timedelta(hours=1, minutes=10), "1 h 10 min"),
    (timedelta(days=1), "1 d"),
    (timedelta(days=2, hours=3, minutes=40), "2 d 3 h"),
    (timedelta(days=400), "400 d"),
])
def test_durations(span, words):
    assert format_duration(span) == words


def test_downtime_under_a_minute_is_not_zero():
    assert format_downtime(0.3) == "under a minute"
    assert format_downtime(90) == "1 h 30 min"


@pytest.mark.parametrize(("seconds", "words"), [
    (0, "under a minute"), (59, "under a minute"), (60, "1 minute"), (89, "1 minute"),
    (90, "2 minutes"), (3600, "1 hour"), (5400, "2 hours"), (86400, "1 day"),
    (4 * 86400 + 3600, "4 days"), (-30, "under a minute"),
])
def test_ago_rounds_to_the_largest_unit_as_the_script_does(seconds, words):
    assert format_ago(timedelta(seconds=seconds)) == words


def test_relative_times():
    now = at("2026-11-23T15:00:00")
    assert format_relative(now - timedelta(seconds=30), now) == "just now"
    assert format_relative(now + timedelta(seconds=59), now) == "just now"
    assert format_relative(now - timedelta(minutes=12), now) == "12 minutes ago"
    assert format_relative(now + timedelta(minutes=10), now) == "in 10 minutes"
    assert format_relative(now - timedelta(days=1), now) == "1 day ago"


@pytest.mark.parametrize(("value", "words"), [
    (None, "no data"), (100.0, "100 %"), (100.0000001, "100 %"),
    (99.995, "99.99 %"),  # rounded down: any downtime never reads 100 %
    (99.9999, "99.99 %"), (99.5, "99.50 %"), (0.0, "0.00 %"),
])
def test_uptime_percentages(value, words):
    assert format_percent(value) == words


@pytest.mark.parametrize(("value", "words"), [
    (None, "no data"), (0.0, "0 %"), (0.5, "50 %"), (1.0, "100 %"), (2 / 3, "67 %"),
])
def test_shares(value, words):
    assert format_share(value) == words


def test_numbers_and_minutes():
    assert [format_number(v) for v in (12.0, 12.5, 0.0, 60, 1.25)] == \
        ["12", "12.5", "0", "60", "1.2"]
    assert format_minutes(11.5) == "11.5 min"
    assert format_minutes(155.0) == "155 min"
    assert format_minutes(None) == "–"
