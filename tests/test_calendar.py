"""Maintenance calendars as calendar apps read them: the lenient ``icalendar`` and the strict
``ical`` parse every file, required properties are there, UIDs and DTSTAMPs are stable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from conftest import DEMO_NOW, REPO, copy_demo, load_benchmark, write_files
from ical.calendar_stream import IcsCalendarStream
from tidings.outputs import generated_files
from tidings.pipeline import load_valid_project
from tidings.status import Snapshot

UPGRADE = "2026-11-28-database-upgrade"
MIGRATION = "2026-11-08-storage-migration"
REQUIRED = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "URL", "STATUS",
            "SEQUENCE")


def snapshot_of(root: Path = REPO, now: datetime = DEMO_NOW) -> Snapshot:
    return load_valid_project(root, now).snapshot(now)


@pytest.fixture(scope="module")
def demo() -> Snapshot:
    return snapshot_of()


@pytest.fixture(scope="module")
def files(demo: Snapshot) -> dict[str, bytes]:
    return generated_files(demo)


def calendar_paths(snapshot: Snapshot) -> list[str]:
    return ["maintenance.ics"] + [f"components/{c.id}/maintenance.ics"
                                  for c in snapshot.config.components]


def events(content: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def uid(incident: str) -> str:
    return f"tag:status.acme.example,2026:incident/{incident}"


def test_every_calendar_parses_cleanly_with_both_libraries(demo, files):
    for path in calendar_paths(demo):
        calendar = icalendar.Calendar.from_ical(files[path])
        assert [c.errors for c in calendar.walk()] == [[]] * len(calendar.walk()), path
        assert calendar["VERSION"] == "2.0" and "Tidings" in str(calendar["PRODID"]), path
        assert calendar["METHOD"] == "PUBLISH"
        strict = IcsCalendarStream.calendar_from_ics(files[path].decode())
        assert len(strict.events) == len(calendar.walk("VEVENT")), path
        assert files[path].endswith(b"\r\n") and b"\n" not in files[path].replace(b"\r\n", b"")


def test_every_maintenance_window_is_an_event_with_required_properties(demo, files):
    found = events(files["maintenance.ics"])
    assert set(found) == {uid(i.id) for i in demo.incidents if i.is_maintenance}
    for event in found.values():
        missing = [name for name in REQUIRED if name not in event]
        assert missing == [], (event["UID"], missing)
        for name in ("DTSTART", "DTEND", "DTSTAMP", "LAST-MODIFIED"):
            assert event.decoded(name).utcoffset() == timedelta(0), name  # times in UTC
        assert event.decoded("DTSTART") < event.decoded("DTEND")
    upgrade = found[uid(UPGRADE)]
    assert upgrade.decoded("DTSTART") == datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert upgrade.decoded("DTEND") == datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
    assert str(upgrade["SUMMARY"]) == "Managed database upgrade to PostgreSQL 18"
    assert str(upgrade["URL"]) == f"http://127.0.0.1:8000/incidents/{UPGRADE}/"
    assert str(upgrade["STATUS"]) == "CONFIRMED"
    description = str(upgrade["DESCRIPTION"])
    assert "Status: Scheduled" in description and "Managed databases" in description
    assert "upgrade managed databases to PostgreSQL 18" in description
    assert upgrade.decoded("DTSTAMP") == datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def test_strict_parser_reads_the_same_windows(files):
    strict = IcsCalendarStream.calendar_from_ics(files["maintenance.ics"].decode())
    by_uid = {e.uid: e for e in strict.events}
    upgrade = by_uid[uid(UPGRADE)]
    assert (upgrade.dtstart, upgrade.dtend) == (datetime(2026, 11, 28, 2, 0, tzinfo=UTC),
                                                datetime(2026, 11, 28, 4, 0, tzinfo=UTC))
    assert upgrade.url == f"http://127.0.0.1:8000/incidents/{UPGRADE}/"
    assert by_uid[uid(MIGRATION)].sequence == 4  # three updates and the window's end


def test_component_calendars_hold_only_their_maintenance(demo, files):
    for component in demo.config.components:
        found = events(files[f"components/{component.id}/maintenance.ics"])
        expected = {uid(i.id) for i in demo.incidents
                    if i.is_maintenance and component.id in i.affected}
        assert set(found) == expected, component.id
    assert set(events(files["components/db/maintenance.ics"])) == {uid(UPGRADE)}
    assert events(files["components/api/maintenance.ics"]) == {}  # still a valid calendar


def test_calendar_is_byte_identical_across_rebuilds_and_times(files):
    assert generated_files(snapshot_of())["maintenance.ics"] == files["maintenance.ics"]
    later = generated_files(snapshot_of(now=DEMO_NOW + timedelta(hours=2)))
    assert later["maintenance.ics"] == files["maintenance.ics"]  # no wall clock in DTSTAMP


def test_an_update_bumps_sequence_and_dtstamp_while_uid_and_url_stay(tmp_path, files):
    root = copy_demo(tmp_path)
    folder = root / "incidents/2026" / UPGRADE
    write_files(folder, {"2026-11-23T145000Z-scheduled.md": """\
        ---
        at: 2026-11-23T14:50:00Z
        status: scheduled
        ---
        The upgrade now also covers Redis instances.
        """})
    incident_md = folder / "incident.md"
    incident_md.write_text(incident_md.read_text().replace(
        "title: Managed database upgrade to PostgreSQL 18", "title: Database upgrades"))
    before = events(files["maintenance.ics"])[uid(UPGRADE)]
    after = events(generated_files(snapshot_of(root))["maintenance.ics"])[uid(UPGRADE)]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("DTSTAMP") == datetime(2026, 11, 23, 14, 50, tzinfo=UTC)
    assert str(after["SUMMARY"]) == "Database upgrades"
    assert str(after["URL"]) == str(before["URL"])
    assert "also covers Redis" in str(after["DESCRIPTION"])


def test_built_site_publishes_calendars_whose_links_resolve(demo_site, demo, files):
    for path in calendar_paths(demo):
        assert (demo_site / path).read_bytes() == files[path], path
        for event in events(files[path]).values():
            page = str(event["URL"]).removeprefix("http://127.0.0.1:8000/")
            assert (demo_site / page / "index.html").is_file(), (path, event["URL"])


@pytest.mark.parametrize("now, status, stamp", [
    (datetime(2026, 11, 28, 3, 0, tzinfo=UTC), "In progress", datetime(2026, 11, 28, 2, 0,
                                                                       tzinfo=UTC)),
    (datetime(2026, 11, 28, 5, 0, tzinfo=UTC), "Completed", datetime(2026, 11, 28, 4, 0,
                                                                     tzinfo=UTC)),
])
def test_the_window_moving_the_status_moves_dtstamp_and_sequence(files, now, status, stamp):
    before = events(files["maintenance.ics"])[uid(UPGRADE)]
    after = events(generated_files(snapshot_of(now=now))["maintenance.ics"])[uid(UPGRADE)]
    assert f"Status: {status}" in str(after["DESCRIPTION"])
    assert after.decoded("DTSTAMP") == after.decoded("LAST-MODIFIED") == stamp
    assert after["SEQUENCE"] > before["SEQUENCE"]


def test_a_calendar_without_events_still_holds_a_component(files):
    content = files["components/api/maintenance.ics"]
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar.walk("VEVENT") == []
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]  # RFC 5545: 1*component
    zone = calendar.subcomponents[0]
    assert str(zone["TZID"]) == "UTC" and zone.subcomponents[0].name == "STANDARD"
    IcsCalendarStream.calendar_from_ics(content.decode())


def test_calendars_with_shared_event_texts_are_what_icalendar_writes_whole(tmp_path):
    """Each event's text is written once and put into every calendar that holds it; the
    bytes are those of icalendar writing each calendar with its events."""
    from tidings import maintenance_calendar, urls

    synthetic = load_benchmark("synthetic")
    synthetic.write_site(tmp_path / "site", 300)
    for snapshot in (snapshot_of(), snapshot_of(tmp_path / "site", synthetic.NOW)):
        files = maintenance_calendar.calendar_files(snapshot)
        config = snapshot.config
        events = [e for i in snapshot.incidents if i.is_maintenance
                  and (e := maintenance_calendar.maintenance_event(snapshot, i)) is not None]
        whole = maintenance_calendar.calendar(config, urls.CALENDAR,
                                              f"{config.name}: maintenance", events)
        assert files[urls.CALENDAR] == whole
        assert len(events) > 1 and whole.count(b"BEGIN:VEVENT") == len(events)
        for component in config.components:
            path = urls.component_file(component.id, urls.CALENDAR)
            shown = {str(e["UID"]) for e in icalendar.Calendar.from_ical(files[path]).walk(
                "VEVENT")}
            chosen = [e for e in events if str(e["UID"]) in shown]
            assert files[path] == maintenance_calendar.calendar(
                config, path, f"{config.name}: {component.name} maintenance", chosen)
