"""`tidings import statuspage|cstate` on real exports: what lands in incidents/, what `check`
says about it, what the built site publishes, and every bad input reported at once."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from conftest import MINIMAL_CONFIG, REPO, build_site, run_cli, write_files
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tidings.importers import import_cstate, import_statuspage
from tidings.importers.cstate import split_body
from tidings.model import Incident
from tidings.pipeline import load_project
from tidings.problems import Problems
from tidings.timestamps import iso, parse_timestamp

CORPUS = Path(__file__).resolve().parent / "fixtures"
STATUSPAGE = CORPUS / "statuspage-fixtures"
FIXTURES = [STATUSPAGE / n for n in ("github_incident.json", "twilio_incident.json",
                                     "cloudamqp_maintenance.json")]
CSTATE = CORPUS / "cstate-example"
NOW = datetime(2026, 1, 1, tzinfo=UTC)  # after all the data
NOW_ARG = iso(NOW)


def import_(*args: str, into: Path):
    """Run from the temporary folder that holds the project (messages show paths from there)."""
    cwd = into if into.is_dir() else into.parent
    return run_cli("import", *args, "--into", str(into), cwd=cwd)


def loaded(root: Path) -> dict[str, Incident]:
    """The imported content as `tidings check` reads it, by id; asserts it has no errors."""
    project = load_project(root, NOW)
    assert [str(p) for p in project.problems.errors] == []
    return {i.id: i for i in project.incidents}


def by_suffix(incidents: dict[str, Incident], source_id: str) -> Incident:
    (match,) = [i for i in incidents.values() if i.id.endswith(f"-{source_id}")]
    return match


def timeline(incident: Incident) -> list[tuple[str, str]]:
    return [(iso(u.at), u.status) for u in incident.updates]


def source_incidents(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("incidents", []) + data.get("scheduled_maintenances", [])


def second(value: str) -> str:
    return iso(parse_timestamp(value).replace(microsecond=0))


def site_sources(root: Path) -> Path:
    """The repository's MkDocs set-up (no demo content or tidings.yml) in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for name in ("site_templates", "docs"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, root / name)
    return root


def paste_components(root: Path) -> None:
    """What the import tells the user: add the entries to `components:` in tidings.yml
    (here the last key, so the entries go at its end)."""
    block = (root / "tidings.import-components.yml").read_text(encoding="utf-8")
    entries = block.split("components:\n", 1)[1]
    with (root / "tidings.yml").open("a", encoding="utf-8") as handle:
        handle.write(entries)


def test_the_corpus_ships_with_the_tests() -> None:
    assert all(p.is_file() for p in FIXTURES), f"corpus missing at {CORPUS}"
    assert (CSTATE / "content" / "issues").is_dir()


# -- Statuspage ------------------------------------------------------------------------------


def test_statuspage_exports_become_folders_with_every_update(tmp_path: Path) -> None:
    result = import_("statuspage", *map(str, FIXTURES), into=tmp_path)
    assert result.exit_code == 0, result.output
    incidents = loaded(tmp_path)
    assert len(incidents) == 15
    assert sum(i.is_maintenance for i in incidents.values()) == 12
    assert sorted(len(i.updates) for i in incidents.values()) == [1] * 11 + [2, 2, 2, 5]

    outage = by_suffix(incidents, "cp306tmzcl0y")
    assert outage.id == "2014-05-14-unplanned-database-outage-cp306tmzcl0y"
    assert outage.folder.parent.name == "2014"
    assert (outage.kind, outage.impact, outage.title) == ("incident", "critical",
                                                         "Unplanned Database Outage")
    # 14:22:40.301-06:00 in the export; UTC with Z here, whole seconds.
    assert timeline(outage) == [("2014-05-14T20:22:40Z", "identified")]
    assert outage.updates[0].source.name == "2014-05-14T202240Z-identified.md"

    sprint = by_suffix(incidents, "r0f0vdz8vrgm")
    assert timeline(sprint) == [
        ("2020-06-16T13:41:44Z", "investigating"), ("2020-06-16T13:48:17Z", "investigating"),
        ("2020-06-16T14:55:17Z", "investigating"), ("2020-06-16T16:32:09Z", "investigating"),
        ("2020-06-16T19:09:47Z", "monitoring")]
    assert sprint.components == ["sms", "mms", "mms-short-code-north-america",
                                 "sms-short-code-north-america"]
    # The first update had no affected_components: the old_status of each component's first
    # later mention says what it was until then.
    assert sprint.updates[0].components == {
        "sms": "degraded_performance", "mms": "operational",
        "mms-short-code-north-america": "operational",
        "sms-short-code-north-america": "operational"}
    assert sprint.updates[1].components == dict.fromkeys(
        ["mms", "sms", "sms-short-code-north-america", "mms-short-code-north-america"],
        "degraded_performance")


def test_statuspage_maintenance_keeps_window_statuses_and_component_changes(
        tmp_path: Path) -> None:
    assert import_("statuspage", *map(str, FIXTURES), into=tmp_path).exit_code == 0
    incidents = loaded(tmp_path)
    recycle = by_suffix(incidents, "k7mf5z1gz05c")
    assert (recycle.kind, recycle.impact) == ("maintenance", "minor")
    assert (iso(recycle.scheduled_for), iso(recycle.scheduled_until)) == (
        "2014-05-14T20:30:00Z", "2014-05-14T22:30:00Z")
    assert timeline(recycle) == [("2014-05-14T20:27:18Z", "scheduled"),
                                 ("2014-05-14T20:34:20Z", "in_progress")]
    upgrade = by_suffix(incidents, "qy6n39trpl7l")
    assert upgrade.impact == "maintenance" and upgrade.components == ["shared-servers"]
    assert upgrade.title == "Upgrade of shared servers “jellyfish”, “wildboar”, and “reindeer”"
    # The announcement changed nothing (operational -> operational); the start did.
    assert [u.components for u in upgrade.updates] == [{}, {"shared-servers":
                                                            "under_maintenance"}]
    tele2 = by_suffix(incidents, "9szb6ydlg10w")
    assert (iso(tele2.scheduled_for), iso(tele2.scheduled_until)) == (
        "2020-06-16T23:00:00Z", "2020-06-17T03:00:00Z")


def test_statuspage_bodies_times_and_statuses_are_kept_verbatim(tmp_path: Path) -> None:
    assert import_("statuspage", *map(str, FIXTURES), into=tmp_path).exit_code == 0
    incidents = loaded(tmp_path)
    compared = 0
    for path in FIXTURES:
        for source in source_incidents(path):
            imported = by_suffix(incidents, source["id"])
            expected = sorted((second(u["display_at"]), u["status"], u["body"])
                              for u in source["incident_updates"])
            got = [(iso(u.at), u.status, u.message) for u in imported.updates]
            assert got == expected
            assert imported.title == source["name"]
            compared += len(got)
    assert compared == 22


def test_import_writes_tidings_yml_when_there_is_none_and_check_passes(tmp_path: Path) -> None:
    result = import_("statuspage", *map(str, FIXTURES), into=tmp_path)
    assert "wrote tidings.yml with 90 component(s)" in result.output
    config = (tmp_path / "tidings.yml").read_text(encoding="utf-8")
    assert "name: GitHub\nurl: https://www.githubstatus.com\n" in config
    # Statuspage groups and creation dates carry over; order follows the files and positions.
    assert ("  - id: sms\n    name: SMS\n    group: PROGRAMMABLE MESSAGING\n"
            "    since: 2016-04-07\n") in config
    assert config.index("id: api") < config.index("id: mms") < config.index("shared-servers")
    check = run_cli("check", str(tmp_path), "--now", NOW_ARG)
    assert check.exit_code == 0, check.output
    # Open in the source, open here: check only warns (overdue is never fatal), and import
    # said so;
    # the fourth warning: the written tidings.yml still has the example feed authority.
    assert "4 warning(s)" in check.output
    assert "tidings.yml:1: warning: the feed authority is still the example" in check.output
    assert 'incident cp306tmzcl0y is still "identified" in the source' in result.output


def test_statuspage_postmortem_single_incident_and_duplicates(tmp_path: Path) -> None:
    incident = {
        "id": "p0stm0rtem01", "name": "Login failures", "status": "postmortem",
        "impact": "major", "created_at": "2023-03-01T10:00:05.120Z",
        "postmortem_body": "## What happened\n\nA certificate expired.",
        "postmortem_published_at": "2023-03-03T09:00:00.000Z",
        "components": [{"id": "c0de1", "name": "Login", "group_id": None}],
        "incident_updates": [
            {"id": "u3", "status": "postmortem", "body": "We published a postmortem.",
             "created_at": "2023-03-03T09:00:00Z", "display_at": "2023-03-03T09:00:00Z",
             "affected_components": None},
            {"id": "u2", "status": "resolved", "body": "Fixed.",
             "created_at": "2023-03-01T11:00:00Z", "display_at": "2023-03-01T10:59:00Z",
             "affected_components": [{"code": "c0de1", "name": "Login",
                                      "old_status": "major_outage",
                                      "new_status": "operational"}]},
            {"id": "u1", "status": "investigating", "body": "Logins fail.",
             "created_at": "2023-03-01T10:00:05Z", "display_at": "2023-03-01T10:00:05Z",
             "affected_components": [{"code": "c0de1", "name": "Login",
                                      "old_status": "operational",
                                      "new_status": "major_outage"}]}]}
    older = {**incident, "incident_updates": incident["incident_updates"][2:]}
    write_files(tmp_path / "in", {"single.json": json.dumps(incident),
                                  "incidents.json": json.dumps({"incidents": [older]})})
    result = import_("statuspage", str(tmp_path / "in/incidents.json"),
                     str(tmp_path / "in/single.json"), into=tmp_path / "site")
    assert result.exit_code == 0, result.output
    (imported,) = loaded(tmp_path / "site").values()  # one incident, the later export
    assert imported.id == "2023-03-01-login-failures-p0stm0rtem01"
    # display_at wins over created_at; "postmortem" becomes a resolved update.
    assert timeline(imported) == [("2023-03-01T10:00:05Z", "investigating"),
                                  ("2023-03-01T10:59:00Z", "resolved"),
                                  ("2023-03-03T09:00:00Z", "resolved")]
    assert imported.updates[0].components == {"login": "major_outage"}
    assert iso(imported.postmortem.published) == "2023-03-03T09:00:00Z"
    assert imported.postmortem.body == "## What happened\n\nA certificate expired."


def test_unpublished_postmortem_is_reported_not_published(tmp_path: Path) -> None:
    incident = {"id": "dr4ft", "name": "Slow", "impact": "minor",
                "postmortem_body": "Draft text", "postmortem_published_at": None,
                "components": [{"id": "c1", "name": "Web"}],
                "incident_updates": [{"id": "u1", "status": "resolved", "body": "Done.",
                                      "created_at": "2023-01-01T00:00:00Z"}]}
    write_files(tmp_path, {"one.json": json.dumps(incident, indent=2)})
    result = import_("statuspage", str(tmp_path / "one.json"), into=tmp_path)
    assert result.exit_code == 0
    assert ("one.json:2: warning: incident dr4ft has a postmortem draft that was never "
            "published (no postmortem_published_at); it is not imported") in result.output
    assert loaded(tmp_path)["2023-01-01-slow-dr4ft"].postmortem is None


def test_components_with_one_name_in_two_groups_get_distinct_ids(tmp_path: Path) -> None:
    summary = {
        "page": {"name": "Two groups", "url": "https://status.example.org"},
        "components": [
            {"id": "g1", "name": "Europe", "group": True, "position": 1},
            {"id": "g2", "name": "Asia", "group": True, "position": 2},
            {"id": "a1", "name": "API", "group_id": "g1", "position": 1},
            {"id": "a2", "name": "API", "group_id": "g2", "position": 1}],
        "incidents": [{"id": "i1", "name": "Asia down", "impact": "major",
                       "components": [{"id": "a2", "name": "API", "group_id": "g2"}],
                       "incident_updates": [{"id": "u1", "status": "resolved",
                                             "body": "Over.",
                                             "created_at": "2024-05-01T08:00:00Z",
                                             "affected_components": [
                                                 {"code": "a2", "name": "Asia - API",
                                                  "old_status": "major_outage",
                                                  "new_status": "operational"}]}]}]}
    write_files(tmp_path, {"summary.json": json.dumps(summary)})
    assert import_("statuspage", str(tmp_path / "summary.json"), into=tmp_path).exit_code == 0
    config = (tmp_path / "tidings.yml").read_text(encoding="utf-8")
    assert "  - id: api\n    name: API\n    group: Europe\n" in config
    assert "  - id: asia-api\n    name: API\n    group: Asia\n" in config
    (incident,) = loaded(tmp_path).values()
    assert incident.components == ["asia-api"]
    assert incident.updates[0].components == {"asia-api": "operational"}


def test_statuspage_bad_input_reports_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "broken.json": '{"incidents": [\n  {"id": "abc",\n   "incident_updates": [}\n',
        "shape.json": '{"status": {"indicator": "none"}}',
        "bad.json": json.dumps({"incidents": [{
            "id": "aa1", "name": "Bad", "impact": "huge", "incident_updates": [
                {"id": "u1", "status": "exploding", "body": "b",
                 "created_at": "2020-01-01T00:00:00"}]}]}, indent=1),
        "bytes.json": b'{"incidents": []}\n\xff\n',
    })
    good = str(FIXTURES[0])
    names = ("broken.json", "shape.json", "bad.json", "bytes.json", "missing.json")
    result = import_("statuspage", good, *(str(tmp_path / n) for n in names), into=tmp_path)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if ": warning: " not in line]
    assert errors == [
        'bad.json:4: incident aa1: impact "huge" is not a Statuspage impact; expected one of '
        '"none", "minor", "major", "critical", "maintenance"',
        'bad.json:9: incident aa1, update u1: status "exploding" is not a Statuspage incident '
        'status; expected one of "investigating", "identified", "monitoring", "resolved", '
        '"postmortem"',
        'bad.json:9: incident aa1, update u1: created_at: "2020-01-01T00:00:00" is not an ISO '
        "8601 timestamp with a zone, as Statuspage writes them (e.g. "
        "2020-07-16T21:10:37.506Z)",
        "broken.json:3: not valid JSON: Expecting value (column 25); export the file again "
        "from the Statuspage API",
        "bytes.json:2: the file is not UTF-8 JSON; export it again from the Statuspage API",
        "missing.json:1: cannot read the file: No such file or directory; give the path of a "
        "Statuspage JSON file",
        "shape.json:1: this JSON is not a Statuspage export; expected incidents.json, "
        "summary.json, scheduled-maintenances.json or an incident object with "
        "incident_updates",
        "7 error(s), 2 warning(s); nothing was written"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.json", "broken.json", "bytes.json", "shape.json"]


# -- cState ----------------------------------------------------------------------------------


def test_cstate_example_converts_every_issue(tmp_path: Path) -> None:
    result = import_("cstate", str(CSTATE), into=tmp_path)
    assert result.exit_code == 0, result.output
    incidents = loaded(tmp_path)
    assert sorted(incidents) == [
        "2018-01-17-sending-dms-impacted", "2018-04-13-unavailable-guilds-connection-issues",
        "2018-05-25-us-east-conn-issues", "2019-10-04-i-testing-cstate-functions",
        "2019-10-08-testing-new-pipeline", "2023-04-16-formatting-testing",
        "2024-02-24-maintenance-window", "2024-05-23-planning-meeting", "2024-07-23-excitement",
        "2024-12-24-cstate-showdown", "2024-12-27-dns-resolution-api"]
    assert "Imported 10 incident(s) and 1 maintenance(s) with 23 update(s) and 1 " \
           "postmortem(s)" in result.output

    # Track shortcodes: one update each, newest-first in the file, labels become statuses.
    guilds = incidents["2018-04-13-unavailable-guilds-connection-issues"]
    assert (guilds.impact, guilds.components) == ("critical", ["api", "media-proxy"])
    assert timeline(guilds) == [("2018-04-13T15:54:00Z", "investigating"),
                                ("2018-04-13T16:50:00Z", "monitoring"),
                                ("2018-04-13T17:30:00Z", "resolved")]  # = resolvedWhen
    assert guilds.updates[0].components == {"api": "major_outage",
                                            "media-proxy": "major_outage"}
    assert guilds.updates[1].message.startswith("After hitting the ole reboot button")
    assert "track" not in guilds.updates[1].message
    assert guilds.postmortem.body.startswith("At approximately 14:01, a Redis instance")
    assert iso(guilds.postmortem.published) == "2018-04-13T17:30:00Z"

    # No tracks: the body is one update at `date`, resolvedWhen adds the resolution.
    dms = incidents["2018-01-17-sending-dms-impacted"]
    assert dms.folder.parent.name == "2017" and dms.impact == "major"
    assert timeline(dms) == [("2017-12-17T16:24:00Z", "investigating"),
                             ("2017-12-19T16:58:00Z", "resolved")]
    assert dms.updates[0].message.startswith("*Update* - This incident has been resolved.")
    assert dms.updates[0].components == {"api": "partial_outage"}


def test_cstate_dates_labels_maintenance_and_informational_posts(tmp_path: Path) -> None:
    assert import_("cstate", str(CSTATE), into=tmp_path).exit_code == 0
    incidents = loaded(tmp_path)
    us_east = incidents["2018-05-25-us-east-conn-issues"]
    assert timeline(us_east) == [("2018-05-25T04:13:00Z", "investigating"),
                                 ("2018-05-25T04:40:00Z", "monitoring"),
                                 ("2018-05-25T05:54:00Z", "resolved")]
    assert us_east.updates[-1].message.startswith("We believe all users")
    window = incidents["2024-02-24-maintenance-window"]
    assert (window.kind, window.impact, window.components) == ("maintenance", "maintenance",
                                                              ["api"])
    assert (iso(window.scheduled_for), iso(window.scheduled_until)) == (
        "2024-02-24T10:35:00Z", "2024-02-24T11:35:00Z")
    assert timeline(window) == [("2024-02-24T10:35:00Z", "scheduled"),
                                ("2024-02-24T11:35:00Z", "completed")]
    for name in ("2019-10-04-i-testing-cstate-functions", "2023-04-16-formatting-testing",
                 "2024-05-23-planning-meeting"):
        post = incidents[name]
        assert (post.impact, post.components, len(post.updates)) == ("none", [], 1)
        assert post.updates[0].status == "resolved"
    assert "```\nThis is a code block." in incidents["2023-04-16-formatting-testing"] \
        .updates[0].message
    alert = incidents["2024-12-27-dns-resolution-api"]
    assert timeline(alert) == [("2024-12-27T09:43:40Z", "investigating"),
                               ("2024-12-27T09:44:00Z", "investigating")]
    # An unknown label stays in the text, verbatim.
    assert alert.updates[0].message.startswith("**Automated system alert* - We are sensing")
    excitement = incidents["2024-07-23-excitement"]
    assert timeline(excitement) == [("2024-02-24T10:35:00Z", "resolved"),
                                    ("2024-02-24T10:35:01Z", "investigating"),
                                    ("2024-02-24T10:35:02Z", "investigating"),
                                    ("2024-07-23T10:38:00Z", "resolved")]


def test_cstate_ambiguities_are_reported_as_path_line_warnings(tmp_path: Path) -> None:
    result = import_("cstate", str(CSTATE), into=tmp_path)
    issues = f"{CSTATE.as_posix()}/content/issues"
    warnings = [line for line in result.output.splitlines() if ": warning: " in line]
    assert (f"{issues}/2018-01-17-sending-dms-impacted.md:3: warning: the front matter date "
            "(2017-12-17) differs from the date in the file name (2018-01-17); the front "
            "matter wins") in warnings
    assert (f"{issues}/2018-01-17-sending-dms-impacted.md:3: warning: dates without a time "
            'zone (such as "2017-12-17 16:24:00") are read as UTC; pass --timezone NAME if '
            "they were written in another zone") in warnings
    assert (f"{issues}/2018-05-25-us-east-conn-issues.md:5: warning: resolvedWhen "
            "(2018-04-25T04:13:59Z) differs from the time of the last update "
            "(2018-05-25T05:54:00Z), which says it is resolved; the update's time is "
            "kept") in warnings
    assert (f"{issues}/2024-07-23-excitement.md:12: warning: 3 updates share the time "
            "2024-02-24T10:35:00Z; ordered as in the file (newest first) and spaced one "
            "second apart") in warnings
    assert (f"{issues}/2024-02-24-maintenance-window.md:8: warning: imported as a maintenance "
            "from 2024-02-24T10:35:00Z to 2024-02-24T11:35:00Z (date to resolvedWhen), "
            'because it is a notice with "maintenance" in its title; cState has no '
            "maintenance type") in warnings
    assert (f"{issues}/2024-12-27-dns-resolution-api.md:4: warning: the issue is not "
            "resolved in cState; it shows as open until you add a resolved update") in warnings
    zone_warnings = [w for w in warnings if "without a time zone" in w]
    assert len(zone_warnings) == 9  # every file but the two written with Z


def test_cstate_timezone_option_and_issues_folder_path(tmp_path: Path) -> None:
    result = run_cli("import", "cstate", str(CSTATE / "content" / "issues"), "--timezone",
                     "Europe/Berlin", "--into", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "without a time zone" not in result.output
    incidents = loaded(tmp_path)
    # 15:54 in Berlin (summer time, +02:00) is 13:54 UTC.
    assert timeline(incidents["2018-04-13-unavailable-guilds-connection-issues"])[0] == (
        "2018-04-13T13:54:00Z", "investigating")
    # Written with Z: the option does not change it.
    assert timeline(incidents["2024-12-27-dns-resolution-api"])[0][0] == "2024-12-27T09:43:40Z"
    config = (tmp_path / "tidings.yml").read_text(encoding="utf-8")
    assert "timezone: Europe/Berlin\n" in config  # config.yml was found from content/issues
    assert "  - id: gateway\n    name: Gateway\n    group: North Coast\n" in config


def test_existing_tidings_yml_is_untouched_and_pasting_the_block_makes_check_pass(
        project, tmp_path: Path) -> None:
    root = project()
    before = (root / "tidings.yml").read_bytes()
    result = import_("cstate", str(CSTATE), into=root)
    assert result.exit_code == 0, result.output
    assert (root / "tidings.yml").read_bytes() == before
    block = (root / "tidings.import-components.yml").read_text(encoding="utf-8")
    # API matches MINIMAL_CONFIG's "API" (id api); the other systems are missing.
    assert block.endswith(
        "components:\n  - id: gateway\n    name: Gateway\n    group: North Coast\n"
        "  - id: backup-gateway\n    name: Backup Gateway\n    description: This is a "
        "description for a system with no recorded downtime.\n    group: North Coast\n"
        "  - id: media-proxy\n    name: Media Proxy\n    description: This is the *service* "
        "responsible for serving images, audio, and video. It is reliant on our CDN.\n")
    assert block[block.index("\ncomponents:\n"):] in result.output
    assert "Uses component(s) tidings.yml already has: api." in result.output
    before_paste = run_cli("check", str(root), "--now", NOW_ARG)
    assert before_paste.exit_code == 1
    assert 'unknown component "media-proxy"' in before_paste.output
    paste_components(root)
    after = run_cli("check", str(root), "--now", NOW_ARG)
    assert after.exit_code == 0, after.output
    assert by_suffix(loaded(root), "us-east-conn-issues").components == ["api", "media-proxy"]


def test_existing_folders_are_never_overwritten(tmp_path: Path) -> None:
    assert import_("cstate", str(CSTATE), into=tmp_path).exit_code == 0
    edited = tmp_path / "incidents/2024/2024-12-27-dns-resolution-api/incident.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "Edited by hand.\n",
                      encoding="utf-8")
    again = import_("cstate", str(CSTATE), into=tmp_path)
    assert again.exit_code == 0
    assert ("incidents/2024/2024-12-27-dns-resolution-api:1: warning: this folder already "
            "exists and is not overwritten; delete it to import it again") in again.output
    assert "11 skipped" in again.output
    assert edited.read_text(encoding="utf-8").endswith("Edited by hand.\n")


def test_an_id_taken_anywhere_or_a_folder_in_the_way_is_never_overwritten(
        tmp_path: Path) -> None:
    assert import_("cstate", str(CSTATE), into=tmp_path).exit_code == 0
    incidents = tmp_path / "incidents"
    (incidents / "archive").mkdir()
    shutil.move(incidents / "2024/2024-12-27-dns-resolution-api", incidents / "archive")
    blocked = incidents / "2018/2018-05-25-us-east-conn-issues"
    shutil.rmtree(blocked)
    blocked.mkdir()  # an empty folder left where the import would write
    again = import_("cstate", str(CSTATE), into=tmp_path)
    assert again.exit_code == 0, again.output
    for where in ("archive/2024-12-27-dns-resolution-api", "2018/2018-05-25-us-east-conn-issues"):
        assert (f"incidents/{where}:1: warning: this folder already exists and is not "
                "overwritten") in again.output
    assert not (incidents / "2024/2024-12-27-dns-resolution-api").exists()
    assert list(blocked.iterdir()) == []


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    result = import_("statuspage", str(FIXTURES[0]), "--dry-run", into=tmp_path)
    assert result.exit_code == 0
    assert ("would write incidents/2014/2014-05-14-unplanned-database-outage-cp306tmzcl0y/ "
            "(incident, 1 update(s))") in result.output
    assert "would write tidings.yml with 2 component(s)" in result.output
    assert list(tmp_path.iterdir()) == []


def test_cstate_bad_input_reports_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    write_files(tmp_path / "src/content/issues", {
        "good.md": "---\ntitle: Fine\ndate: 2024-01-01T10:00:00Z\nseverity: down\n"
                   "affected: [API]\nresolved: true\nresolvedWhen: 2024-01-01T11:00:00Z\n---\n"
                   "Down.\n",
        "no-front-matter.md": "Just text\n",
        "bad-severity.md": "---\ntitle: X\ndate: 2024-01-02 10:00\nseverity: broken\n---\nx\n",
        "bad-date.md": "---\ntitle: Y\nseverity: down\ndate: yesterday\n---\ny\n",
        "bad-track.md": "---\ntitle: Z\ndate: 2024-01-03T10:00:00Z\nseverity: notice\n---\n"
                        'Oops {{< track "soon" >}}\n',
    })
    result = import_("cstate", str(tmp_path / "src"), into=tmp_path / "site")
    assert result.exit_code == 1
    issues = "src/content/issues"  # relative to where the command runs
    errors = [line for line in result.output.splitlines() if ": warning: " not in line]
    assert errors == [
        f'{issues}/bad-date.md:4: date "yesterday" is not a date; write e.g. 2024-02-24 '
        "10:35:00 or 2024-02-24T10:35:00Z",
        f'{issues}/bad-severity.md:4: severity "broken" is not a cState severity; use one of '
        '"down", "disrupted", "notice"',
        f'{issues}/bad-track.md:6: track "soon" is not a date; write e.g. 2024-02-24 10:35:00 '
        "or 2024-02-24T10:35:00Z",
        f"{issues}/no-front-matter.md:1: missing front matter: the file must start with a "
        "'---' line, then YAML, then '---' (cState issues start with YAML front matter)",
        "4 error(s), 2 warning(s); nothing was written"]
    assert not (tmp_path / "site").exists()
    missing = import_("cstate", str(tmp_path / "nowhere"), into=tmp_path / "site")
    assert missing.exit_code == 1
    assert "nowhere:1: no such folder; give the cState site root" in missing.output


def test_cstate_toml_config_drafts_unknown_keys_and_shortcodes(tmp_path: Path) -> None:
    write_files(tmp_path / "src", {
        "config.toml": """
            title = "Toml Status"
            baseURL = "https://status.toml.example/"
            [[params.categories]]
            name = "Core"
            [[params.systems]]
            name = "Web App"
            category = "Core"
            description = "The app."
            """,
        "content/issues/hidden.md": "---\ntitle: Hidden\ndate: 2024-01-01T00:00:00Z\n"
                                    "draft: true\n---\nx\n",
        "content/issues/2024-03-01-slow.md": "---\ntitle: Slow\ndate: 2024-03-01T08:00:00Z\n"
                                             "severity: notice\naffected: [Web App, Box]\n"
                                             "color: red\n---\n"
                                             'Slow. {{< figure src="x.png" >}}\n',
    })
    result = import_("cstate", str(tmp_path / "src"), into=tmp_path / "site")
    assert result.exit_code == 0, result.output
    issues = "src/content/issues"
    for line in [
            f'{issues}/2024-03-01-slow.md:5: warning: "Box" is not one of the systems in the '
            'cState config ("Web App"); imported as a component of that name',
            f'{issues}/2024-03-01-slow.md:6: warning: front matter key "color" has no Tidings '
            "equivalent; it is not imported",
            f'{issues}/2024-03-01-slow.md:8: warning: the Hugo shortcode {{{{< figure src="x.png" '
            ">}} is kept as text; Tidings does not run Hugo",
            f"{issues}/hidden.md:4: warning: a draft (draft: true) is not published by cState; "
            "not imported"]:
        assert line in result.output
    config = (tmp_path / "site/tidings.yml").read_text(encoding="utf-8")
    assert "name: Toml Status\nurl: https://status.toml.example/\n" in config
    assert ("  - id: web-app\n    name: Web App\n    description: The app.\n    group: Core\n"
            "  - id: box\n    name: Box\n") in config
    (slow,) = loaded(tmp_path / "site").values()
    assert slow.updates[0].components == {"web-app": "degraded_performance",
                                          "box": "degraded_performance"}
    assert slow.updates[0].message == 'Slow. {{< figure src="x.png" >}}'


def test_cstate_lines_wrapped_inside_a_paragraph_are_reported(tmp_path: Path) -> None:
    """cState joined them; the page shows a message's line breaks (content-dialect.md)."""
    write_files(tmp_path / "src", {
        "config.yml": "title: Wrapped\nbaseURL: https://status.w.example/\n"
                      "systems:\n  - name: App\n",
        "content/issues/2024-03-01-wrapped.md": "---\ntitle: Wrapped\n"
                                                "date: 2024-03-01T08:00:00Z\naffected: [App]\n"
                                                "---\nThe app is slow for\nsome users.\n",
        "content/issues/2024-03-02-lines.md": "---\ntitle: Lines\n"
                                              "date: 2024-03-02T08:00:00Z\naffected: [App]\n"
                                              "---\nOne paragraph.\n\n- a list\n- of two\n",
    })
    result = import_("cstate", str(tmp_path / "src"), into=tmp_path / "site")
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if "line break" in line]
    assert warned == ["src/content/issues/2024-03-01-wrapped.md:6: warning: a line break inside "
                      "a paragraph: cState joined such lines, the status page shows the break "
                      "(see the content format); join the lines in the imported file if they "
                      "were only wrapped"]


def test_a_broken_tidings_yml_stops_the_import(tmp_path: Path) -> None:
    write_files(tmp_path, {"tidings.yml": "name: X\ncomponents: nope\n"})
    result = import_("statuspage", str(FIXTURES[0]), into=tmp_path)
    assert result.exit_code == 1
    assert ("tidings.yml:1: fix tidings.yml first: the import maps components to the ones it "
            "defines") in result.output
    assert "tidings.yml:2: components must be a list" in result.output
    assert not (tmp_path / "incidents").exists()


@pytest.mark.parametrize(("body", "expected"), [
    # label on its own line, track at the end of the text
    ('*Resolved* -\nAll good. {{< track "2018-05-25 05:54:00" >}}\n\n'
     '*Investigating* - Looking. {{< track "2018-05-25 04:13:00" >}}',
     [("All good.", "2018-05-25 05:54:00", "resolved"),
      ("Looking.", "2018-05-25 04:13:00", "investigating")]),
    # a thematic break ends a part; a track on its own line
    ('Down.\n{{< track "2024-01-01 10:00:00" >}}\n\n---\n\n*Fixed* - Up. '
     '{{< track "2024-01-01 10:05:00" >}}',
     [("Down.", "2024-01-01 10:00:00", None), ("Up.", "2024-01-01 10:05:00", "fixed")]),
    # blank lines inside a code fence do not split; an untimed lead stays separate
    ("*Post-mortem*\n\nWhy.\n\n---\n\n```\na\n\nb\n```\n{{< track \"2024-01-01 10:00:00\" >}}",
     [("*Post-mortem*\n\nWhy.", None, None), ("```\na\n\nb\n```", "2024-01-01 10:00:00",
                                              None)]),
])
def test_split_body_finds_parts_times_and_labels(body: str, expected: list) -> None:
    parts = [(s.message, s.track, s.label) for s in split_body(body, 1)]
    assert parts == expected


# -- the built site ----------------------------------------------------------------------------


def test_imported_history_builds_and_the_api_matches_the_source(tmp_path: Path) -> None:
    root = site_sources(tmp_path / "project")
    assert import_("cstate", str(CSTATE), into=root).exit_code == 0
    assert import_("statuspage", *map(str, FIXTURES), into=root).exit_code == 0
    paste_components(root)
    check = run_cli("check", str(root), "--now", NOW_ARG)
    assert check.exit_code == 0, check.output
    result = build_site(root, tmp_path / "site", NOW)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    api = json.loads((site / "api/v2/incidents.json").read_text(encoding="utf-8"))
    maintenance = json.loads((site / "api/v2/scheduled-maintenances.json")
                             .read_text(encoding="utf-8"))
    published = {i["id"]: i for i in api["incidents"] + maintenance["scheduled_maintenances"]}
    for path in FIXTURES:
        for source in source_incidents(path):
            (ours,) = [i for i in published.values() if i["id"].endswith(source["id"])]
            assert ours["name"] == source["name"] and ours["impact"] == source["impact"]
            assert sorted((u["status"], u["created_at"], u["body"])
                          for u in ours["incident_updates"]) == sorted(
                (u["status"], second(u["display_at"]), u["body"])
                for u in source["incident_updates"])
    postmortem = site / "incidents/2018-04-13-unavailable-guilds-connection-issues/index.html"
    assert "At approximately 14:01, a Redis instance" in postmortem.read_text(encoding="utf-8")


def test_minimal_config_constant_still_defines_api() -> None:
    # The paste test relies on MINIMAL_CONFIG ending with its components list and naming API.
    assert MINIMAL_CONFIG.rstrip().splitlines()[-2:] == ["  - id: db", "    name: Database"]
    assert "    name: API\n" in MINIMAL_CONFIG


# -- whatever the input, no crash and nothing the checker rejects ------------------------------

_ANY = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
                    lambda c: st.one_of(st.lists(c, max_size=3),
                                        st.dictionaries(st.text(max_size=3), c, max_size=3)),
                    max_leaves=6)


def _or_any(strategy):
    """Mostly the right kind of value, sometimes anything."""
    return st.one_of(strategy, strategy, strategy, _ANY)


_TIMES = st.sampled_from(["2020-01-01T00:00:00Z", "2020-01-01T00:00:00.5Z",
                          "2020-01-02T00:00:00-05:00", "2020-01-01T00:00:00", "soon"])
_AFFECTED = st.fixed_dictionaries({}, optional={
    "code": _or_any(st.sampled_from(["c1", "c2"])), "name": _or_any(st.text(max_size=5)),
    "old_status": _or_any(st.sampled_from(["operational", "major_outage"])),
    "new_status": _or_any(st.sampled_from(["operational", "under_maintenance", "broken"]))})
_UPDATE = st.fixed_dictionaries({}, optional={
    "id": _or_any(st.sampled_from(["u1", "u2"])),
    "status": _or_any(st.sampled_from(["investigating", "resolved", "postmortem", "scheduled",
                                       "in_progress", "completed"])),
    "body": _or_any(st.text(max_size=10)), "created_at": _or_any(_TIMES),
    "display_at": _or_any(_TIMES), "affected_components": _or_any(st.lists(_AFFECTED,
                                                                           max_size=3))})
_COMPONENT = st.fixed_dictionaries({}, optional={
    "id": _or_any(st.sampled_from(["c1", "c2", "g1"])),
    "name": _or_any(st.sampled_from(["API", "api", ""])), "group": _or_any(st.booleans()),
    "group_id": _or_any(st.sampled_from(["g1", None])), "created_at": _or_any(_TIMES)})
_INCIDENT = st.fixed_dictionaries(
    {"id": _or_any(st.sampled_from(["i1", "i2"])),
     "incident_updates": _or_any(st.lists(_UPDATE, max_size=4))},
    optional={"name": _or_any(st.text(max_size=8)),
              "impact": _or_any(st.sampled_from(["none", "minor", "maintenance", "critical"])),
              "status": _or_any(st.sampled_from(["resolved", "postmortem"])),
              "components": _or_any(st.lists(_COMPONENT, max_size=3)),
              "scheduled_for": _or_any(_TIMES), "scheduled_until": _or_any(_TIMES),
              "postmortem_body": _or_any(st.text(max_size=5)),
              "postmortem_published_at": _or_any(_TIMES)})
_EXPORT = st.one_of(_INCIDENT, st.fixed_dictionaries({}, optional={
    "incidents": _or_any(st.lists(_INCIDENT, max_size=3)),
    "scheduled_maintenances": _or_any(st.lists(_INCIDENT, max_size=2)),
    "components": _or_any(st.lists(_COMPONENT, max_size=3))}))

_DATES = st.sampled_from(["2024-01-01 10:00:00", "2024-01-01T10:00:00Z", "2024-01-02", "bad",
                          "2023-12-31 23:59:59"])
_META = st.fixed_dictionaries({
    "title": _or_any(st.sampled_from(["Down", "Maintenance window"])), "date": _or_any(_DATES)},
    optional={
    "resolved": _or_any(st.booleans()), "resolvedWhen": _or_any(_DATES),
    "severity": _or_any(st.sampled_from(["down", "disrupted", "notice"])),
    "affected": _or_any(st.lists(st.sampled_from(["API", "Other"]), max_size=2)),
    "informational": _or_any(st.booleans()), "extra": _ANY})
_PIECE = st.one_of(st.sampled_from(["*Investigating* - Looking.", "*Resolved* -\nDone.", "---",
                                    "*Post-mortem*", "```\na\n\nb\n```", "```", "text", ""]),
                   _DATES.map(lambda d: f'{{{{< track "{d}" >}}}}'), st.text(max_size=6))


def _no_import_bug(problems: Problems) -> None:
    assert [str(p) for p in problems.errors if "bug in tidings import" in p.message] == []


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(exports=st.lists(_EXPORT, min_size=1, max_size=2))
def test_any_statuspage_json_is_imported_or_reported(exports: list) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = [write_files(root, {f"x{i}.json": json.dumps(e)}) / f"x{i}.json"
                 for i, e in enumerate(exports)]
        problems = Problems(root=root)
        import_statuspage(paths, root / "out", problems)
        _no_import_bug(problems)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(issues=st.lists(st.tuples(_META, st.lists(_PIECE, max_size=6)), min_size=1, max_size=3))
@example(issues=[({"title": "Down", "date": "2024-01-01 10:00:00", "severity": "down"},
                  ['{{< track "2024-01-01 10:00:00" >}}'])])  # an update with no text
def test_any_cstate_issue_is_imported_or_reported(issues: list) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_files(root, {"config.yml": "params:\n  systems:\n    - name: API\n"})
        for index, (meta, pieces) in enumerate(issues):
            text = f"---\n{yaml.safe_dump(meta)}---\n" + "\n\n".join(pieces) + "\n"
            write_files(root, {f"content/issues/2024-01-01-i{index}.md": text.encode()})
        problems = Problems(root=root)
        import_cstate(root, root / "out", problems)
        _no_import_bug(problems)
