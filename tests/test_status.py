"""The status engine with frozen time: component status, indicator, maintenance, timing, uptime."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import MINIMAL_CONFIG
from tidings.pipeline import load_valid_project
from tidings.status import INDICATOR_DESCRIPTIONS


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def incident(folder: str, impact: str, components: str, *updates: tuple[str, str, str]
             ) -> dict[str, str]:
    """Files for an incident; each update is (at, status, components-yaml)."""
    files = {f"incidents/{folder}/incident.md":
             f"---\ntitle: {folder}\nimpact: {impact}\ncomponents: [{components}]\n---\n"}
    for when, status, changes in updates:
        body = f"---\nat: {when}\nstatus: {status}\n"
        if changes:
            body += "components: {" + changes + "}\n"
        files[f"incidents/{folder}/{when.replace(':', '')}.md"] = body + "---\nMessage.\n"
    return files


def maintenance(folder: str, start: str, end: str, *updates: tuple[str, str]) -> dict[str, str]:
    files = {f"incidents/{folder}/incident.md":
             f"---\ntitle: {folder}\ntype: maintenance\ncomponents: [db]\n"
             f"scheduled_for: {start}\nscheduled_until: {end}\n---\n"}
    for when, status in updates:
        files[f"incidents/{folder}/{when.replace(':', '')}.md"] = (
            f"---\nat: {when}\nstatus: {status}\n---\nMessage.\n")
    return files


def snapshot(project, now: str, *parts: dict[str, str], config: str = MINIMAL_CONFIG):
    files: dict[str, str] = {}
    for part in parts:
        files.update(part)
    root = project(files, config=config)
    return load_valid_project(root, at(now)).snapshot(at(now))


# -- component status and the overall indicator -------------------------------------------

def test_all_operational(project):
    s = snapshot(project, "2026-11-23T15:00:00Z")
    assert set(s.component_status.values()) == {"operational"}
    assert (s.indicator, s.description) == ("none", "All Systems Operational")


def test_worst_status_among_open_incidents(project):
    s = snapshot(
        project, "2026-11-23T15:00:00Z",
        incident("a", "minor", "api", ("2026-11-23T14:00:00Z", "investigating",
                                       "api: degraded_performance")),
        incident("b", "major", "api", ("2026-11-23T14:10:00Z", "identified",
                                       "api: partial_outage, web: major_outage")),
    )
    assert s.component_status == {"api": "partial_outage", "web": "major_outage",
                                  "db": "operational"}
    assert (s.indicator, s.description) == ("critical", "Major System Outage")
    assert [i.id for i in s.open_incidents] == ["b", "a"]


def test_resolved_incidents_do_not_count(project):
    s = snapshot(project, "2026-11-23T15:00:00Z", incident(
        "a", "critical", "api",
        ("2026-11-23T14:00:00Z", "investigating", "api: major_outage"),
        ("2026-11-23T14:30:00Z", "resolved", "")))
    assert s.component_status["api"] == "operational"
    assert s.indicator == "none"


def test_latest_update_sets_the_status(project):
    s = snapshot(project, "2026-11-23T15:00:00Z", incident(
        "a", "major", "api",
        ("2026-11-23T14:00:00Z", "investigating", "api: major_outage"),
        ("2026-11-23T14:30:00Z", "monitoring", "api: degraded_performance")))
    assert s.component_status["api"] == "degraded_performance"
    # The impact still counts while the incident is open (Statuspage's rule).
    assert (s.indicator, s.description) == ("major", "Partial System Outage")


def test_named_component_without_status_takes_it_from_impact(project):
    s = snapshot(project, "2026-11-23T15:00:00Z", incident(
        "a", "minor", "web", ("2026-11-23T14:00:00Z", "investigating", "")))
    assert s.component_status["web"] == "degraded_performance"
    assert (s.indicator, s.description) == ("minor", "Minor Service Outage")


@pytest.mark.parametrize(("status", "indicator"), [
    ("degraded_performance", "minor"), ("partial_outage", "major"),
    ("major_outage", "critical"), ("under_maintenance", "maintenance")])
def test_indicator_follows_component_status(project, status, indicator):
    s = snapshot(project, "2026-11-23T15:00:00Z", incident(
        "a", "none", "api", ("2026-11-23T14:00:00Z", "investigating", f"api: {status}")))
    assert (s.indicator, s.description) == (indicator, INDICATOR_DESCRIPTIONS[indicator])


# -- maintenance --------------------------------------------------------------------------

WINDOW = ("2026-11-28T02:00:00Z", "2026-11-28T04:00:00Z")


@pytest.mark.parametrize(("now", "status", "db"), [
    ("2026-11-28T01:59:00Z", "scheduled", "operational"),
    ("2026-11-28T02:00:00Z", "in_progress", "under_maintenance"),
    ("2026-11-28T03:59:00Z", "in_progress", "under_maintenance"),
    ("2026-11-28T04:00:00Z", "completed", "operational"),
])
def test_maintenance_follows_its_window(project, now, status, db):
    s = snapshot(project, now, maintenance("m", *WINDOW, ("2026-11-20T10:00:00Z", "scheduled")))
    assert s.states["m"].status == status
    assert s.component_status["db"] == db
    assert s.indicator == ("maintenance" if status == "in_progress" else "none")


def test_verifying_update_outlasts_the_window(project):
    late = maintenance("m", *WINDOW, ("2026-11-28T03:00:00Z", "verifying"))
    assert snapshot(project, "2026-11-28T05:00:00Z", late).states["m"].status == "verifying"


def test_completed_update_ends_maintenance_before_the_window_does(project):
    early = maintenance("m", *WINDOW, ("2026-11-28T02:40:00Z", "completed"))
    s = snapshot(project, "2026-11-28T03:00:00Z", early)
    assert s.states["m"].status == "completed"
    assert s.component_status["db"] == "operational"
    assert s.states["m"].resolved_at == at("2026-11-28T02:40:00Z")


# -- incident timing ----------------------------------------------------------------------

def test_start_resolution_duration_and_first_response(project):
    s = snapshot(project, "2026-11-23T15:00:00Z", incident(
        "a", "major", "api",
        ("2026-11-23T13:50:00Z", "investigating", ""),
        ("2026-11-23T14:05:00Z", "identified", ""),
        ("2026-11-23T14:50:00Z", "resolved", "")))
    state = s.states["a"]
    assert state.started_at == at("2026-11-23T13:50:00Z")
    assert state.resolved_at == at("2026-11-23T14:50:00Z")
    assert state.duration == timedelta(hours=1)
    assert state.first_response == timedelta(minutes=15)
    assert not state.is_open


def test_open_incident_lasts_until_now(project):
    s = snapshot(project, "2026-11-23T15:00:00Z", incident(
        "a", "major", "api", ("2026-11-23T13:50:00Z", "investigating", "")))
    assert s.states["a"].duration == timedelta(minutes=70)
    assert s.states["a"].resolved_at is None
    assert s.states["a"].next_update_due == at("2026-11-23T14:50:00Z")
    assert s.states["a"].overdue


BERLIN = MINIMAL_CONFIG + "timezone: Europe/Berlin\n"


@pytest.mark.parametrize(("start", "end", "hours"), [
    ("2026-10-25T01:30:00", "2026-10-25T03:30:00", 3),  # clocks go back at 03:00 CEST
    ("2026-03-29T01:30:00", "2026-03-29T03:30:00", 1),  # clocks go forward at 02:00 CET
    ("2026-07-01T23:30:00", "2026-07-02T00:30:00", 1),  # across local midnight
])
def test_durations_across_dst_changes_in_the_configured_zone(project, start, end, hours):
    s = snapshot(project, "2026-11-23T15:00:00Z", incident(
        "a", "major", "api", (start, "investigating", ""), (end, "resolved", "")), config=BERLIN)
    assert s.states["a"].duration == timedelta(hours=hours)


# -- uptime -------------------------------------------------------------------------------

def day(s, component: str, which: date):
    return next(d for d in s.uptime[component].days if d.day == which)


def test_uptime_weights_major_partial_and_degraded(project):
    s = snapshot(project, "2026-11-23T15:00:00Z", incident(
        "a", "major", "api",
        ("2026-11-20T10:00:00Z", "investigating", "api: major_outage"),       # 60 min x 1
        ("2026-11-20T11:00:00Z", "identified", "api: partial_outage"),        # 100 min x 0.3
        ("2026-11-20T12:40:00Z", "monitoring", "api: degraded_performance"),  # 0
        ("2026-11-20T14:00:00Z", "resolved", "")))
    d = day(s, "api", date(2026, 11, 20))
    assert d.downtime == pytest.approx(60 + 30)
    assert d.worst == "major_outage"
    assert d.percent == pytest.approx(100 * (1 - 90 / 1440))
    assert len(s.uptime["api"].days) == 90
    assert s.uptime["api"].days[-1].day == date(2026, 11, 23)
    assert s.uptime["web"].percent == 100.0


def test_a_reopened_incident_counts_as_downtime_as_it_shows_as_open(project):
    """The page, the API and uptime read one replay of the updates: an incident resolved
    and then reopened affects its components again, on the overview and in uptime alike."""
    s = snapshot(project, "2026-11-20T15:00:00Z", incident(
        "a", "major", "api",
        ("2026-11-20T10:00:00Z", "investigating", "api: major_outage"),  # 30 min
        ("2026-11-20T10:30:00Z", "resolved", ""),
        ("2026-11-20T14:00:00Z", "investigating", "api: major_outage")))  # 60 min to now
    assert s.component_status["api"] == "major_outage"
    assert day(s, "api", date(2026, 11, 20)).downtime == pytest.approx(30 + 60)
    steps = s.states["a"].steps
    assert [step.changes for step in steps] == [
        [("api", "operational", "major_outage")], [("api", "major_outage", "operational")],
        [("api", "operational", "major_outage")]]


def test_uptime_splits_an_incident_across_midnight_of_a_utc_page(project):
    s = snapshot(project, "2026-11-23T15:00:00Z", incident(
        "a", "critical", "api",
        ("2026-11-20T23:30:00+01:00", "investigating", "api: major_outage"),  # 22:30 UTC
        ("2026-11-21T00:45:00Z", "resolved", "")))
    assert day(s, "api", date(2026, 11, 20)).downtime == pytest.approx(90)
    assert day(s, "api", date(2026, 11, 21)).downtime == pytest.approx(45)
    assert day(s, "api", date(2026, 11, 22)).worst == "operational"


BERLIN = MINIMAL_CONFIG.replace("url: https://status.test.example/\n",
                                "url: https://status.test.example/\ntimezone: Europe/Berlin\n")


def test_uptime_days_are_days_of_the_page_time_zone(project):
    """23:30 in Berlin is on the 20th on the page, though it is 22:30 UTC on the 20th and the
    fault runs past UTC midnight to 01:45 Berlin time: the split is at Berlin's midnight."""
    s = snapshot(project, "2026-11-23T15:00:00Z", incident(
        "a", "critical", "api",
        ("2026-11-20T23:30:00+01:00", "investigating", "api: major_outage"),
        ("2026-11-21T01:45:00+01:00", "resolved", "")), config=BERLIN)
    assert day(s, "api", date(2026, 11, 20)).downtime == pytest.approx(30)
    assert day(s, "api", date(2026, 11, 21)).downtime == pytest.approx(105)
    assert s.uptime["api"].days[-1].day == date(2026, 11, 23)
    late = snapshot(project, "2026-11-23T23:30:00Z", config=BERLIN)  # 00:30 on the 24th there
    assert late.uptime["api"].days[-1].day == date(2026, 11, 24)
    assert late.uptime["api"].days[-1].minutes == pytest.approx(30)


def test_daylight_saving_days_count_the_minutes_they_really_have(project):
    s = snapshot(project, "2026-11-23T15:00:00Z", config=BERLIN)
    minutes = {d.day: d.minutes for d in s.uptime["api"].days}
    assert minutes[date(2026, 10, 25)] == pytest.approx(25 * 60)  # clocks go back: 25 h
    assert minutes[date(2026, 10, 26)] == pytest.approx(24 * 60)
    spring = snapshot(project, "2026-04-01T12:00:00Z", config=BERLIN)
    day_of = {d.day: d.minutes for d in spring.uptime["api"].days}
    assert day_of[date(2026, 3, 29)] == pytest.approx(23 * 60)  # clocks go forward: 23 h


@pytest.mark.parametrize(("minutes", "status", "level"), [
    (5, "major_outage", "degraded_performance"),   # a 5-minute blip
    (9, "major_outage", "degraded_performance"),
    (10, "major_outage", "partial_outage"),
    (50, "major_outage", "partial_outage"),        # not painted like a long outage
    (60, "major_outage", "major_outage"),
    (100, "partial_outage", "partial_outage"),     # 100 min x 0.3 = 30 min of downtime
    (300, "partial_outage", "major_outage"),       # 90 min of downtime
    (240, "degraded_performance", "degraded_performance"),  # slow, never down
])
def test_a_day_is_coloured_by_how_much_downtime_it_had(project, minutes, status, level):
    end = at("2026-11-20T10:00:00Z") + timedelta(minutes=minutes)
    s = snapshot(project, "2026-11-23T15:00:00Z", incident(
        "a", "critical", "api", ("2026-11-20T10:00:00Z", "investigating", f"api: {status}"),
        (end.isoformat(), "resolved", "")))
    assert day(s, "api", date(2026, 11, 20)).level == level
    assert day(s, "api", date(2026, 11, 19)).level == "operational"


def test_maintenance_days_and_days_without_data_have_their_own_colour(project):
    config = MINIMAL_CONFIG.replace("    name: Database\n",
                                    "    name: Database\n    since: 2026-11-01\n")
    s = snapshot(project, "2026-11-29T12:00:00Z", maintenance("m", *WINDOW), config=config)
    assert day(s, "db", date(2026, 11, 28)).level == "under_maintenance"
    assert day(s, "db", date(2026, 10, 31)).level == "nodata"


def test_overlapping_incidents_count_once_at_the_worst_status(project):
    s = snapshot(
        project, "2026-11-23T15:00:00Z",
        incident("a", "major", "api", ("2026-11-20T10:00:00Z", "investigating",
                                       "api: partial_outage"),
                 ("2026-11-20T12:00:00Z", "resolved", "")),
        incident("b", "major", "api", ("2026-11-20T11:00:00Z", "investigating",
                                       "api: major_outage"),
                 ("2026-11-20T11:30:00Z", "resolved", "")))
    # 10:00-11:00 partial (18), 11:00-11:30 major (30), 11:30-12:00 partial (9)
    assert day(s, "api", date(2026, 11, 20)).downtime == pytest.approx(57)


def test_today_counts_up_to_now_and_open_incidents_up_to_now(project):
    s = snapshot(project, "2026-11-23T12:00:00Z", incident(
        "a", "critical", "api", ("2026-11-23T11:00:00Z", "investigating", "api: major_outage")))
    today = day(s, "api", date(2026, 11, 23))
    assert today.minutes == pytest.approx(720)
    assert today.downtime == pytest.approx(60)
    assert today.percent == pytest.approx(100 * (1 - 60 / 720))


def test_maintenance_is_not_downtime(project):
    s = snapshot(project, "2026-11-29T12:00:00Z", maintenance("m", *WINDOW))
    d = day(s, "db", date(2026, 11, 28))
    assert (d.downtime, d.worst) == (0, "under_maintenance")
    assert s.uptime["db"].percent == 100.0


def test_days_before_a_component_existed_have_no_data(project):
    config = MINIMAL_CONFIG.replace("    name: Database\n",
                                    "    name: Database\n    since: 2026-11-01\n")
    s = snapshot(project, "2026-11-23T15:00:00Z", config=config)
    days = s.uptime["db"].days
    assert not day(s, "db", date(2026, 10, 31)).has_data
    assert day(s, "db", date(2026, 10, 31)).percent is None
    assert day(s, "db", date(2026, 11, 1)).has_data
    assert sum(d.has_data for d in days) == 23
    assert s.uptime["db"].percent == 100.0


def test_demo_snapshot_matches_its_story():
    from conftest import DEMO_NOW, REPO
    s = load_valid_project(REPO, DEMO_NOW).snapshot(DEMO_NOW)
    assert s.indicator == "major"
    assert [i.id for i in s.open_incidents] == ["2026-11-23-api-errors"]
    assert s.component_status["api"] == "partial_outage"
    assert s.component_status["db"] == "partial_outage"
    assert [i.id for i in s.maintenance("scheduled")] == ["2026-11-28-database-upgrade"]
    assert [i.id for i in s.maintenance("completed")] == ["2026-11-08-storage-migration"]
    assert s.states["2026-11-23-api-errors"].next_update_due == at("2026-11-23T15:10:00Z")
    assert DEMO_NOW.tzinfo == UTC
