"""Every validation rule, through `tidings check`: the exact `path:line: message` and exit code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, run_cli
from tidings.timestamps import parse_when

NOW = "2026-11-23T15:00:00Z"
INCIDENT = """\
---
title: API errors
impact: major
components: [api]
---
"""
UPDATE = """\
---
at: 2026-11-23T14:00:00Z
status: investigating
components:
  api: partial_outage
---
We are looking into it; the next update follows within the hour.
"""
RESOLVED = """\
---
at: 2026-11-23T14:30:00Z
status: resolved
---
Fixed.
"""
DIR = "incidents/2026/2026-11-23-api"


def check(root: Path, *extra: str, env: dict[str, str] | None = None):
    result = run_cli("check", str(root), "--now", NOW, *extra, env=env)
    return result.exit_code, result.stdout.splitlines()


def only_error(root: Path) -> str:
    code, lines = check(root)
    assert code == 1, lines
    assert len(lines) == 1, lines
    return lines[0]


def test_valid_project_passes(project):
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/a.md": UPDATE, f"{DIR}/b.md": RESOLVED})
    assert check(root) == (0, [])


def test_yaml_syntax_error_points_at_its_line(project):
    update = "---\nat: 2026-11-23T14:00:00Z\nstatus: [investigating\n---\nx\n"
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/a.md": update})
    assert only_error(root) == (
        f"{DIR}/a.md:4: YAML syntax error: did not find expected ',' or ']' (while parsing a "
        "flow sequence on line 3); check quotes, brackets and indentation")


@pytest.mark.parametrize(("content", "message"), [
    (b"", "1: the file is empty; it needs front matter between two '---' lines"),
    (b"   \n\n", "1: the file is empty; it needs front matter between two '---' lines"),
    (b"title: x\n", "1: missing front matter: the file must start with a '---' line"),
    (b"---\ntitle: x\n", "1: front matter is not closed: add a '---' line after the YAML"),
    (b"---\n---\nbody\n", "1: the front matter is empty; add the required keys"),
    (b"---\n- a\n- b\n---\n", "2: the front matter must be a YAML mapping"),
    (b"---\ntitle: caf\xe9\n---\n", "2: the file is not UTF-8 text; save it with UTF-8 encoding"),
])
def test_unreadable_files(project, content, message):
    root = project({f"{DIR}/incident.md": content})
    assert only_error(root).startswith(f"{DIR}/incident.md:{message}")


def test_unknown_key_suggests_the_right_one(project):
    root = project({f"{DIR}/incident.md": INCIDENT.replace("impact:", "impcat:"),
                    f"{DIR}/a.md": UPDATE, f"{DIR}/b.md": RESOLVED})
    assert only_error(root) == (
        f'{DIR}/incident.md:3: unknown key "impcat" (did you mean "impact"?); allowed keys: '
        '"components", "detected_at", "impact", "internal", "roles", "scheduled_for", '
        '"scheduled_until", "title", "type", "visibility"')


def test_missing_required_keys_all_reported(project):
    root = project({f"{DIR}/incident.md": "---\nimpact: major\n---\n",
                    f"{DIR}/a.md": "---\nstatus: investigating\n---\nHello\n"})
    code, lines = check(root)
    assert code == 1
    assert lines == [
        f'{DIR}/a.md:2: missing required key "at"; add "at: …" to the front matter',
        f'{DIR}/incident.md:2: missing required key "title"; add "title: …" to the front matter',
    ]


def test_incident_without_updates(project):
    root = project({f"{DIR}/incident.md": INCIDENT})
    assert only_error(root) == (
        f"{DIR}/incident.md:1: the incident has no update; add a file such as "
        "2026-11-22T140500Z-investigating.md with at, status and a message")


def test_value_outside_vocabulary(project):
    root = project({f"{DIR}/incident.md": INCIDENT.replace("impact: major", "impact: majr"),
                    f"{DIR}/a.md": UPDATE, f"{DIR}/b.md": RESOLVED})
    assert only_error(root) == (
        f'{DIR}/incident.md:3: impact "majr" is not allowed (did you mean "major"?); use one of '
        '"none", "minor", "major", "critical", "maintenance"')


def test_component_status_outside_vocabulary_points_at_its_line(project):
    root = project({f"{DIR}/incident.md": INCIDENT,
                    f"{DIR}/a.md": UPDATE.replace("partial_outage", "partial"),
                    f"{DIR}/b.md": RESOLVED})
    error = only_error(root)
    assert error.startswith(f'{DIR}/a.md:5: component status "partial" is not allowed '
                            '(did you mean "partial_outage"?)')


def test_unknown_component_in_incident_and_update(project):
    root = project({f"{DIR}/incident.md": INCIDENT.replace("[api]", "[api, wbe]"),
                    f"{DIR}/a.md": UPDATE.replace("api: partial", "apii: partial"),
                    f"{DIR}/b.md": RESOLVED})
    code, lines = check(root)
    assert code == 1
    assert lines == [
        f'{DIR}/a.md:5: unknown component "apii" (did you mean "api"?); components are defined '
        'in tidings.yml: "api", "web", "db"',
        f'{DIR}/incident.md:4: unknown component "wbe" (did you mean "web"?); components are '
        'defined in tidings.yml: "api", "web", "db"',
    ]


def test_unknown_component_in_block_list_points_at_the_item(project):
    incident = "---\ntitle: x\ncomponents:\n  - api\n  - nope\n---\n"
    root = project({f"{DIR}/incident.md": incident, f"{DIR}/a.md": UPDATE,
                    f"{DIR}/b.md": RESOLVED})
    assert only_error(root).startswith(f'{DIR}/incident.md:5: unknown component "nope"')


def test_timestamp_without_zone_is_an_error_without_timezone(project):
    root = project({f"{DIR}/incident.md": INCIDENT,
                    f"{DIR}/a.md": UPDATE.replace("14:00:00Z", "14:00:00"),
                    f"{DIR}/b.md": RESOLVED})
    assert only_error(root) == (
        f'{DIR}/a.md:2: at: "2026-11-23T14:00:00" has no time zone; add "Z" for UTC or an '
        "offset such as +02:00 (or set `timezone` in tidings.yml)")


def test_timestamp_without_zone_uses_configured_timezone(project):
    from conftest import MINIMAL_CONFIG
    root = project({f"{DIR}/incident.md": INCIDENT,
                    f"{DIR}/a.md": UPDATE.replace("14:00:00Z", "14:00:00"),
                    f"{DIR}/b.md": RESOLVED},
                   config=MINIMAL_CONFIG + "timezone: Europe/Berlin\n")
    assert check(root) == (0, [])


def test_unparseable_timestamp(project):
    root = project({f"{DIR}/incident.md": INCIDENT,
                    f"{DIR}/a.md": UPDATE.replace("2026-11-23T14:00:00Z", "last tuesday"),
                    f"{DIR}/b.md": RESOLVED})
    assert only_error(root) == (
        f'{DIR}/a.md:2: at: "last tuesday" is not a timestamp; write ISO 8601 with a zone, '
        "e.g. 2026-11-22T14:05:00Z")


MAINTENANCE = """\
---
title: Database upgrade
type: maintenance
components: [db]
scheduled_for: 2026-11-28T04:00:00Z
scheduled_until: 2026-11-28T02:00:00Z
---
"""


def test_maintenance_that_ends_before_it_starts(project):
    root = project({"incidents/m/incident.md": MAINTENANCE})
    assert only_error(root) == (
        "incidents/m/incident.md:6: the maintenance ends before it starts; scheduled_until "
        "must be later than scheduled_for")


def test_maintenance_needs_its_window(project):
    root = project({"incidents/m/incident.md": "---\ntitle: x\ntype: maintenance\n---\n"})
    code, lines = check(root)
    assert code == 1
    assert [line.split(": ", 1)[0] for line in lines] == ["incidents/m/incident.md:2"] * 2
    assert 'maintenance needs "scheduled_for"' in lines[0] + lines[1]


def test_update_dated_after_now(project):
    root = project({f"{DIR}/incident.md": INCIDENT,
                    f"{DIR}/a.md": UPDATE.replace("2026-11-23T14", "2026-12-23T14")})
    assert only_error(root) == (
        f"{DIR}/a.md:2: the update is dated 2026-12-23T14:00:00Z, after now "
        "(2026-11-23T15:00:00Z); is the date mistyped?")


def test_maintenance_status_in_an_incident(project):
    root = project({f"{DIR}/incident.md": INCIDENT,
                    f"{DIR}/a.md": UPDATE.replace("investigating", "in_progress")})
    assert only_error(root) == (
        f'{DIR}/a.md:3: "in_progress" is a status for maintenance, but this is an incident; '
        'use one of "investigating", "identified", "monitoring", "resolved"')


def test_incident_status_in_a_maintenance(project):
    update = "---\nat: 2026-11-20T10:00:00Z\nstatus: resolved\n---\nx\n"
    root = project({"incidents/m/incident.md": MAINTENANCE.replace("T04", "T01"),
                    "incidents/m/u.md": update})
    assert only_error(root) == (
        'incidents/m/u.md:3: "resolved" is a status for incidents, but this is a maintenance; '
        'use one of "scheduled", "in_progress", "verifying", "completed"')


def test_two_folders_with_the_same_id(project):
    root = project({"incidents/2025/same/incident.md": INCIDENT, "incidents/2025/same/a.md": UPDATE,
                    "incidents/2026/same/incident.md": INCIDENT, "incidents/2026/same/a.md": UPDATE,
                    "incidents/2025/same/b.md": RESOLVED, "incidents/2026/same/b.md": RESOLVED})
    assert only_error(root) == (
        'incidents/2026/same/incident.md:1: the id "same" is also used by incidents/2025/same/; '
        "folder names are ids and URLs, so rename one folder")


def test_postmortem_on_unresolved_incident(project):
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/a.md": UPDATE,
                    f"{DIR}/postmortem.md": "---\npublished: 2026-11-23T14:50:00Z\n---\nSorry.\n"})
    code, lines = check(root)
    assert code == 1
    assert f"{DIR}/postmortem.md:1: a postmortem is published only once the incident is " \
           "resolved; add a resolved update first" in lines


def test_markdown_outside_an_incident_folder_is_reported(project):
    root = project({"incidents/2026/notes.md": "---\ntitle: x\n---\n"})
    assert only_error(root).startswith("incidents/2026/notes.md:1: this Markdown file is not "
                                       "inside an incident folder")


def test_underscore_folders_are_not_content(project):
    root = project({"incidents/_templates/outage.md": "---\ntitle: {component} outage\n---\n",
                    "incidents/_drafts/x/incident.md": "not valid at all"})
    assert check(root) == (0, [])


def test_all_problems_reported_in_one_run(project):
    root = project({
        "incidents/a/incident.md": INCIDENT.replace("impact: major", "impact: huge"),
        "incidents/a/u.md": UPDATE.replace("investigating", "investigatin"),
        "incidents/b/incident.md": b"\xff\xfe",
        "incidents/c/incident.md": "",
    })
    code, lines = check(root)
    assert code == 1
    assert [line.split(":")[0] for line in lines] == [
        "incidents/a/incident.md", "incidents/a/u.md", "incidents/b/incident.md",
        "incidents/c/incident.md"]


# -- cadence -------------------------------------------------------------------------------

def test_overdue_update_is_a_warning_with_the_time_it_was_due(project):
    root = project({f"{DIR}/incident.md": INCIDENT,
                    f"{DIR}/a.md": UPDATE.replace("14:00:00Z", "13:00:00Z")})
    code, lines = check(root)
    assert code == 0
    assert lines == [f"{DIR}/a.md:2: warning: update overdue: the next update on this open "
                     "incident was due at 2026-11-23T14:00:00Z; add an update "
                     "(tidings update 2026-11-23-api …)"]


def test_overdue_is_an_error_with_strict(project):
    root = project({f"{DIR}/incident.md": INCIDENT,
                    f"{DIR}/a.md": UPDATE.replace("14:00:00Z", "13:00:00Z")})
    code, lines = check(root, "--strict")
    assert code == 1
    assert lines[0].startswith(f"{DIR}/a.md:2: warning: update overdue")


def test_promised_next_update_passed_is_overdue(project):
    update = UPDATE.replace("---\nWe", "next_update: 30m\n---\nWe")
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/a.md": update})
    code, lines = check(root)
    assert code == 0
    assert "was due at 2026-11-23T14:30:00Z" in lines[0]


def test_an_update_dated_minutes_ahead_promises_nothing_yet(project):
    """A clock-skewed update 3 minutes ahead (check tolerates it) is not posted yet: it must
    not hide that the posted one is overdue, from check or from the page."""
    from tidings.pipeline import load_valid_project
    from tidings.timestamps import parse_timestamp

    ahead = UPDATE.replace("14:00:00Z", "15:03:00Z").replace("investigating", "identified")
    root = project({f"{DIR}/incident.md": INCIDENT,
                    f"{DIR}/a.md": UPDATE.replace("14:00:00Z", "13:00:00Z"),
                    f"{DIR}/b.md": ahead})
    code, lines = check(root)
    assert code == 0
    assert any("update overdue" in line and "was due at 2026-11-23T14:00:00Z" in line
               for line in lines), lines
    now = parse_timestamp(NOW)
    snapshot = load_valid_project(root, now).snapshot(now)
    (state,) = snapshot.states.values()
    assert state.overdue and state.status == "investigating"


def test_cadence_from_configuration(project):
    from conftest import MINIMAL_CONFIG
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/a.md": UPDATE},
                   config=MINIMAL_CONFIG + "update_cadence: 2h\n")
    assert check(root) == (0, [])


def test_github_annotations(project):
    root = project({f"{DIR}/incident.md": INCIDENT.replace("impact: major", "impact: huge"),
                    f"{DIR}/a.md": UPDATE.replace("14:00:00Z", "13:00:00Z")})
    code, lines = check(root, env={"GITHUB_ACTIONS": "true"})
    assert code == 1
    assert f"::error file={DIR}/incident.md,line=3::impact \"huge\" is not allowed; use one " \
           'of "none", "minor", "major", "critical", "maintenance"' in lines
    assert any(line.startswith(f"::warning file={DIR}/a.md,line=2::update overdue")
               for line in lines)


# -- configuration --------------------------------------------------------------------------

def test_configuration_problems(project):
    config = """\
    name: Test
    timezone: Europe/Berln
    update_cadence: soon
    colour: blue
    components:
      - id: api
        name: API
      - id: api
        name: API again
      - name: No id
    """
    root = project(config=config)
    code, lines = check(root)
    assert code == 1
    assert lines == [
        'tidings.yml:2: unknown time zone "Europe/Berln" (did you mean "Europe/Berlin"?); use an '
        "IANA name such as Europe/Berlin or America/New_York",
        'tidings.yml:3: update_cadence: "soon" is not a duration; write e.g. 30m, 1h or 1h30m',
        'tidings.yml:4: unknown key "colour" in tidings.yml; allowed keys: "components", '
        '"description", "favicon", "feed", "incidents_dir", "language_checks", "logo", "name", '
        '"severity", "subscribe_email", "subscribe_email_url", "support", "timezone", '
        '"update_cadence", "url", "webhooks", "website"',
        'tidings.yml:8: component id "api" is used twice; ids must be unique',
        "tidings.yml:10: a component needs an id of lower-case letters, digits, '-' or '_', "
        "e.g. id: api",
        'tidings.yml:1: warning: the feed authority is still the example '
        '"status.example.com,2026"; set feed: authority: to a domain you own and this year, '
        "once (entry ids use it)",
    ]


def test_branding_problems_all_reported(project, tmp_path):
    outside = tmp_path.parent / "outside-logo.svg"
    outside.write_text("<svg/>")
    config = f"""\
    name: Test
    logo: ../{outside.name}
    favicon: docs/missing.png
    website: acme.example
    support: ftp://acme.example/
    components:
      - id: api
        name: API
    """
    root = project(config=config)
    code, lines = check(root)
    assert code == 1
    errors = [line for line in lines if ": warning: " not in line]  # the default feed authority
    assert errors == [
        f'tidings.yml:2: logo "../{outside.name}" is outside the repository; put the image in '
        "the repository and give its path relative to the root, e.g. logo: docs/assets/logo.svg",
        'tidings.yml:3: favicon "docs/missing.png" does not exist; give the path of an image '
        "relative to the repository root, e.g. favicon: docs/assets/favicon.svg",
        'tidings.yml:4: website must be an absolute link starting with "https://", "http://", '
        "e.g. website: https://example.com/",
        'tidings.yml:5: support must be an absolute link starting with "https://", "http://", '
        '"mailto:", e.g. support: https://example.com/support/',
    ]


def test_branding_file_must_be_an_image(project):
    root = project({"docs/logo.txt": "text"}, config=MINIMAL_CONFIG + "logo: docs/logo.txt\n")
    assert only_error(root).startswith('tidings.yml:16: logo "docs/logo.txt" is not an image; '
                                       'use a file ending in ".svg", ".png"')


def test_missing_configuration(tmp_path):
    code, lines = check(tmp_path)
    assert code == 1
    assert lines == ["tidings.yml:1: the site configuration tidings.yml is missing; create it "
                     "(`tidings init` writes one)"]


def test_demo_content_is_valid():
    from conftest import REPO
    result = run_cli("check", str(REPO), "--now", NOW, "--strict")
    assert result.exit_code == 0, result.stdout


def test_durations_read_again_give_the_same_answer_and_the_same_error(project):
    """Durations are kept once read (the same few come back in every update): a kept one
    must be the same next time, and a wrong one an error every time."""
    second = UPDATE.replace("14:00:00Z", "14:10:00Z")
    root = project({f"{DIR}/incident.md": INCIDENT,
                    f"{DIR}/a.md": UPDATE.replace("---\nWe", "next_update: 400d\n---\nWe"),
                    f"{DIR}/b.md": second.replace("---\nWe", "next_update: 400d\n---\nWe"),
                    f"{DIR}/c.md": RESOLVED})
    code, lines = check(root)
    assert code == 1
    assert [line.split(":", 1)[0] for line in lines] == [f"{DIR}/a.md", f"{DIR}/b.md"]
    assert all("next_update: \"400d\" is longer than 366 days" in line for line in lines)
    at = datetime(2026, 11, 23, 14, tzinfo=UTC)
    for _ in range(2):
        assert parse_when("1h30m", at) == at + timedelta(minutes=90)
