"""``tidings report`` and ``detected_at``: every figure with frozen time, the JSON against its
schema, the CSV and the table."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime

import jsonschema
import pytest
from conftest import REPO, run_cli
from tidings.pipeline import load_project
from tidings.report import communication_report

SCHEMA = json.loads((REPO / "tests" / "schemas" / "report.json").read_text())
NOW = "2026-11-23T15:00:00Z"
FROZEN = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def update(at: str, status: str, extra: str = "", message: str = "News.") -> str:
    return f"---\nat: {at}\nstatus: {status}\n{extra}---\n{message}\n"


def incident_md(title: str, impact: str = "major", extra: str = "") -> str:
    return f"---\ntitle: {title}\nimpact: {impact}\ncomponents: [api]\n{extra}---\n"


HISTORY = {
    # resolved, with detected_at, one kept and one missed promise, and a postmortem
    "incidents/a/incident.md": incident_md("Resolved", extra="detected_at: 2026-11-20T09:50:00Z\n"),
    "incidents/a/1.md": update("2026-11-20T10:00:00Z", "investigating", "next_update: 30m\n"),
    "incidents/a/2.md": update("2026-11-20T10:20:00Z", "identified", "next_update: 20m\n"),
    "incidents/a/3.md": update("2026-11-20T10:50:00Z", "resolved"),
    "incidents/a/postmortem.md": "---\npublished: 2026-11-22T10:50:00Z\n---\nSorry.\n",
    # spans midnight (UTC and Berlin), no detected_at, a gap over the cadence
    "incidents/b/incident.md": incident_md("Midnight", impact="minor"),
    "incidents/b/1.md": update("2026-11-21T23:30:00Z", "investigating"),
    "incidents/b/2.md": update("2026-11-22T00:45:00Z", "resolved"),
    # open at NOW: its last gap runs to now and its promise (14:30) is already missed
    "incidents/c/incident.md": incident_md("Open", impact="critical",
                                           extra="detected_at: 2026-11-23T13:30:00Z\n"),
    "incidents/c/1.md": update("2026-11-23T13:45:00Z", "investigating",
                               "next_update: 2026-11-23T14:30:00Z\n"),
    # maintenance is never in the report
    "incidents/m/incident.md": ("---\ntitle: Planned\ntype: maintenance\ncomponents: [api]\n"
                                "scheduled_for: 2026-11-22T01:00:00Z\n"
                                "scheduled_until: 2026-11-22T02:00:00Z\n---\n"),
    "incidents/m/1.md": update("2026-11-21T10:00:00Z", "scheduled"),
}


@pytest.fixture
def history(project):
    return project(HISTORY)


def report_json(root, *args: str) -> dict:
    result = run_cli("report", str(root), "--now", NOW, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    jsonschema.validate(data, SCHEMA)
    return data


def test_every_figure_of_every_incident(history):
    data = report_json(history)
    by_id = {row["id"]: row for row in data["incidents"]}
    assert list(by_id) == ["a", "b", "c"]  # oldest first, maintenance left out
    assert by_id["a"] == {
        "id": "a", "title": "Resolved", "impact": "major",
        "detected_at": "2026-11-20T09:50:00Z", "first_update_at": "2026-11-20T10:00:00Z",
        "minutes_to_first_update": 10.0, "updates": 3, "longest_gap_minutes": 30.0,
        "gaps_over_cadence": 1,  # 10:20 promised 10:40; the next came 10:50
        "promises_kept": 1, "promises_missed": 1, "minutes_to_resolve": 50.0,
        "postmortem_days": 2.0,
    }
    assert by_id["b"] == {
        "id": "b", "title": "Midnight", "impact": "minor", "detected_at": None,
        "first_update_at": "2026-11-21T23:30:00Z", "minutes_to_first_update": None,
        "updates": 2, "longest_gap_minutes": 75.0, "gaps_over_cadence": 1,
        "promises_kept": 0, "promises_missed": 0, "minutes_to_resolve": 75.0,
        "postmortem_days": None,
    }
    assert by_id["c"] == {
        "id": "c", "title": "Open", "impact": "critical",
        "detected_at": "2026-11-23T13:30:00Z", "first_update_at": "2026-11-23T13:45:00Z",
        "minutes_to_first_update": 15.0, "updates": 1, "longest_gap_minutes": 75.0,
        "gaps_over_cadence": 1, "promises_kept": 0, "promises_missed": 1,
        "minutes_to_resolve": None, "postmortem_days": None,
    }
    assert data["totals"] == {
        "incidents": 3, "share_within_cadence": 0.0, "median_minutes_to_first_update": 12.5,
        "median_longest_gap_minutes": 75.0, "promises_kept": 1, "promises_made": 3,
        "share_major_critical_with_postmortem": 0.5,
    }


def test_figures_are_as_of_now(history):
    """Earlier, the open incident's promise was not due yet and later updates did not exist."""
    result = run_cli("report", str(history), "--now", "2026-11-23T14:00:00Z", "--format", "json")
    by_id = {row["id"]: row for row in json.loads(result.output)["incidents"]}
    assert (by_id["c"]["longest_gap_minutes"], by_id["c"]["promises_missed"],
            by_id["c"]["gaps_over_cadence"]) == (15.0, 0, 0)
    # (check refuses updates dated after now, so the core is asked directly)
    loaded = load_project(history, FROZEN)
    earlier = communication_report(loaded.config, loaded.incidents,
                                   datetime(2026, 11, 20, 10, 30, tzinfo=UTC))
    assert [(f.id, f.updates, f.minutes_to_resolve, f.longest_gap_minutes)
            for f in earlier.incidents] == [("a", 2, None, 20.0)]


def test_since_and_until_select_by_first_update(history):
    data = report_json(history, "--since", "2026-11-21", "--until", "2026-11-21")
    assert [r["id"] for r in data["incidents"]] == ["b"]
    assert data["totals"]["incidents"] == 1
    empty = report_json(history, "--since", "2026-12-01")
    assert empty == {"incidents": [], "totals": {
        "incidents": 0, "share_within_cadence": None, "median_minutes_to_first_update": None,
        "median_longest_gap_minutes": None, "promises_kept": 0, "promises_made": 0,
        "share_major_critical_with_postmortem": None}}
    bad = run_cli("report", str(history), "--since", "last week")
    assert bad.exit_code == 2 and "--since" in bad.output


def test_csv_opens_as_one_row_per_incident(history):
    result = run_cli("report", str(history), "--now", NOW, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[1]["minutes_to_first_update"] == "" and rows[0]["promises_missed"] == "1"
    assert list(rows[0]) == list(SCHEMA["$defs"]["incident"]["properties"])


def test_table_is_readable_in_a_terminal(history):
    result = run_cli("report", str(history), "--now", NOW)
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["incident", "impact", "to"]
    assert lines[2].split() == ["a", "major", "10", "3", "30", "1", "1", "1", "50", "2"]
    assert "  promises kept / made:                    1 / 3" in lines
    assert max(len(line) for line in lines[:5]) < 120


def test_public_audience_leaves_out_internal_incidents(history):
    loaded = load_project(history, FROZEN)
    loaded.incidents[0].visibility = "internal"  # the audiences feature's attribute
    public = communication_report(loaded.config, loaded.incidents, FROZEN)
    internal = communication_report(loaded.config, loaded.incidents, FROZEN,
                                    audience="internal")
    assert [f.id for f in public.incidents] == ["b", "c"]
    assert [f.id for f in internal.incidents] == ["a", "b", "c"]


def test_report_refuses_invalid_content(project):
    root = project({"incidents/x/incident.md": incident_md("X"),
                    "incidents/x/1.md": update("2026-11-23T10:00:00Z", "exploding")})
    result = run_cli("report", str(root), "--now", NOW)
    assert result.exit_code == 1
    assert 'incidents/x/1.md:3: status "exploding" is not allowed' in result.output


def test_report_on_the_demo_validates(tmp_path):
    data = report_json(REPO)
    assert [r["id"] for r in data["incidents"]] == [
        "2026-09-30-dashboard-outage", "2026-10-14-login-failures", "2026-11-01-email-delays",
        "2026-11-23-api-errors"]


def test_detected_at_is_read_and_checked(project):
    root = project({
        "incidents/x/incident.md": incident_md("X", extra="detected_at: 2026-11-23T11:00:00Z\n"),
        "incidents/x/1.md": update("2026-11-23T10:00:00Z", "investigating"),
        "incidents/y/incident.md": incident_md("Y", extra="detected_at: yesterday\n"),
        "incidents/y/1.md": update("2026-11-23T10:00:00Z", "investigating"),
        "incidents/z/incident.md": ("---\ntitle: Z\ntype: maintenance\n"
                                    "scheduled_for: 2026-11-24T01:00:00Z\n"
                                    "scheduled_until: 2026-11-24T02:00:00Z\n"
                                    "detected_at: 2026-11-23T10:00:00Z\n---\n"),
    })
    result = run_cli("check", str(root), "--now", NOW)
    assert result.exit_code == 1
    out = result.output
    assert ("incidents/x/incident.md:5: detected_at (2026-11-23T11:00:00Z) is after the first "
            "update (2026-11-23T10:00:00Z)") in out
    assert 'incidents/y/incident.md:5: detected_at: "yesterday" is not a timestamp' in out
    assert "incidents/z/incident.md:6: detected_at is only for incidents" in out
    for name in ("x", "y", "z"):
        shutil.rmtree(root / "incidents" / name)
    good = project({"incidents/x/incident.md": incident_md(
        "X", extra="detected_at: 2026-11-23T10:55:00+01:00\n"),
        "incidents/x/1.md": update("2026-11-23T10:00:00Z", "resolved")})
    loaded = load_project(good, FROZEN)
    assert loaded.problems.errors == []
    assert loaded.incidents[0].detected_at == datetime(2026, 11, 23, 9, 55, tzinfo=UTC)
