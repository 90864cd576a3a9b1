"""The authoring commands write files that pass `tidings check`, through the real CLI."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import DEMO_NOW, copy_demo, run_cli, write_files
from tidings.authoring import SHIPPED_TEMPLATES
from tidings.content_format import new_id, slug
from tidings.pipeline import load_project
from tidings.timestamps import parse_timestamp

NOW = "2026-11-23T14:15:03Z"
NOW_DT = datetime(2026, 11, 23, 14, 15, 3, tzinfo=UTC)
DEMO = "2026-11-23T15:00:00Z"  # DEMO_NOW, for tests on a copy of the demo
ID = re.compile(r"^2026-11-23-[a-z0-9-]+-[a-z2-9]{4}$")
RESOLVED = {
    "incidents/old/incident.md": """
        ---
        title: Old outage
        impact: minor
        components: [web]
        ---
        """,
    "incidents/old/2026-11-20T100000Z-investigating.md": """
        ---
        at: 2026-11-20T10:00:00Z
        status: investigating
        ---
        Looking.
        """,
    "incidents/old/2026-11-20T110000Z-resolved.md": """
        ---
        at: 2026-11-20T11:00:00Z
        status: resolved
        ---
        Fixed.
        """,
}


def cli(root: Path, *args: str, input: str | None = None, now: str = NOW):
    """``tidings ARGS`` in ``root`` as of ``now`` (unless ARGS give --now)."""
    when = () if "--now" in args else ("--now", now)
    return run_cli(*args, *when, cwd=root, input=input)


def errors(root: Path, now: datetime = NOW_DT) -> list[str]:
    return [str(p) for p in load_project(root, now).problems.errors]


def written(output: str) -> list[Path]:
    return [Path(line.removeprefix("Wrote ")) for line in output.splitlines()
            if line.startswith("Wrote ")]


def new_incident(root: Path, *args: str) -> tuple[str, Path]:
    result = cli(root, "new", "Elevated API errors", "-m", "We see errors.", *args)
    assert result.exit_code == 0, result.output
    folder = written(result.output)[0].parent
    return folder.name, root / folder


def test_new_writes_incident_and_first_update_that_pass_check(project):
    root = project()
    result = cli(root, "new", "Elevated API errors", "--impact", "major",
                 "--component", "api=partial_outage", "-c", "db", "--status", "investigating",
                 "--message", "Some **requests** fail.", "--next", "30m")
    assert result.exit_code == 0, result.output
    incident_file, update_file = written(result.output)
    assert incident_file.parent.parent == Path("incidents/2026")
    assert ID.match(incident_file.parent.name)
    assert incident_file.parent.name.startswith("2026-11-23-elevated-api-errors-")
    assert update_file.name == "2026-11-23T141503Z-investigating.md"
    assert errors(root) == []
    incident = load_project(root, NOW_DT).incidents[0]
    assert (incident.title, incident.impact, incident.components) == (
        "Elevated API errors", "major", ["api", "db"])
    first = incident.latest
    # db had no status: the impact's default for a named component.
    assert first.components == {"api": "partial_outage", "db": "partial_outage"}
    assert first.message == "Some **requests** fail."
    assert first.next_update == parse_timestamp("2026-11-23T14:45:03Z")
    branch = f"incident/{incident.id}"
    for command in (f"git switch -c {branch}", f"git add incidents/2026/{incident.id}",
                    "git commit -m 'Incident: Elevated API errors'",
                    f"git push -u origin {branch}", "gh pr create --fill"):
        assert command in result.output


def test_same_title_same_day_gives_different_ids(project):
    root = project()
    first, _ = new_incident(root)
    second, _ = new_incident(root)
    assert first != second
    assert first.rsplit("-", 1)[0] == second.rsplit("-", 1)[0] == (
        "2026-11-23-elevated-api-errors")
    assert errors(root) == []
    assert len(load_project(root, NOW_DT).incidents) == 2


def test_ids_are_ascii_and_never_repeat_a_taken_one():
    assert slug("Störung der Straße: Überlast!") == "storung-der-strasse-uberlast"
    assert slug("データベース障害") and slug("データベース障害").isascii()
    assert slug("!!!") == "incident"
    assert len(slug("word " * 40)) <= 48

    class Repeats:  # a random source that repeats itself until told otherwise
        values = iter("aaaa" "aaaa" "bbbb")

        def choice(self, _alphabet: str) -> str:
            return next(self.values)

    taken = {"2026-11-23-x-aaaa"}
    assert new_id("x", date(2026, 11, 23), taken, Repeats()) == "2026-11-23-x-bbbb"


def test_update_file_carries_seconds_and_never_overwrites(project):
    root = project()
    incident_id, folder = new_incident(root, "-c", "api=degraded_performance",
                                       "--at", "2026-11-23T14:00:00Z")
    # Another branch's file took the name this update would get.
    taken = folder / "2026-11-23T141503Z-identified.md"
    taken.write_text("---\nat: 2026-11-23T14:10:00Z\nstatus: identified\n---\nTheirs.\n")
    result = cli(root, "update", incident_id, "--status", "identified", "-c", "api=major_outage",
                 "--next", "2026-11-23T15:00:00Z", "-m", "Ours.")
    assert result.exit_code == 0, result.output
    [path] = written(result.output)
    assert path.name == "2026-11-23T141503Z-identified-2.md"
    assert taken.read_text().endswith("Theirs.\n")
    assert errors(root) == []
    snapshot = load_project(root, NOW_DT).snapshot(NOW_DT)
    state = snapshot.states[incident_id]
    assert state.status == "identified"
    assert snapshot.component_status["api"] == "major_outage"
    assert state.next_update_due == parse_timestamp("2026-11-23T15:00:00Z")
    assert snapshot.incidents[0].latest.message == "Ours."
    assert f"git switch -c update/{incident_id}-141503" in result.output
    assert f"git add incidents/2026/{incident_id}/{path.name}" in result.output


def test_an_update_must_be_later_than_the_latest(project):
    root = project()
    incident_id, _ = new_incident(root)
    for at in (NOW, "2026-11-23T14:00:00Z"):
        result = cli(root, "update", incident_id, "--status", "identified", "--at", at, "-m", "x")
        assert result.exit_code == 2
        assert "must be later to become the current status" in result.output
    assert len(load_project(root, NOW_DT).incidents[0].updates) == 1


def test_update_keeps_status_by_default_and_takes_the_id_as_unique_start(project):
    root = project()
    incident_id, _ = new_incident(root, "--status", "identified")
    result = cli(root, "update", "2026-11-23-elevated", "-m", "Still on it.",
                 now="2026-11-23T14:40:00Z")
    assert result.exit_code == 0, result.output
    assert written(result.output)[0].name == "2026-11-23T144000Z-identified.md"
    assert errors(root, parse_timestamp("2026-11-23T14:40:00Z")) == []


def test_unknown_id_says_did_you_mean_and_skips_template_folders(project):
    root = project({"incidents/_templates/2026-11-23-api-errors/incident.md": "---\ntitle: x\n"})
    incident_id, _ = new_incident(root)
    typo = incident_id[:-1] + ("q" if incident_id[-1] != "q" else "z")  # the suffix is random
    result = cli(root, "update", typo, "-m", "x", now="2026-11-23T14:20:00Z")
    assert result.exit_code == 1
    assert f'did you mean "{incident_id}"?' in result.output
    hidden = cli(root, "update", "2026-11-23-api-errors", "-m", "x")
    assert hidden.exit_code == 1 and 'no incident "2026-11-23-api-errors"' in hidden.output


def test_resolve_sets_every_affected_component_operational(project):
    root = project()
    incident_id, _ = new_incident(root, "-c", "api=partial_outage")
    cli(root, "update", incident_id, "--status", "identified", "-c", "db=major_outage",
        "-c", "web=operational", "-m", "Database down.", now="2026-11-23T14:20:00Z")
    result = cli(root, "resolve", incident_id, "-m", "All good.", now="2026-11-23T14:50:00Z")
    assert result.exit_code == 0, result.output
    later = parse_timestamp("2026-11-23T14:50:00Z")
    assert errors(root, later) == []
    project_ = load_project(root, later)
    resolved = project_.incidents[0].latest
    assert resolved.status == "resolved"
    assert resolved.components == {"api": "operational", "db": "operational"}
    snapshot = project_.snapshot(later)
    assert set(snapshot.component_status.values()) == {"operational"}
    assert snapshot.open_incidents == []
    again = cli(root, "resolve", incident_id, "-m", "Again.", now="2026-11-23T14:55:00Z")
    assert again.exit_code == 1 and "already resolved" in again.output


def test_maintenance_is_scheduled_with_window_and_announcement(project):
    root = project()
    result = cli(root, "maintenance", "Database upgrade", "--start", "2026-11-28T02:00:00Z",
                 "--end", "2h", "--component", "db", "-m", "Each database restarts once.")
    assert result.exit_code == 0, result.output
    incident_file, update_file = written(result.output)
    assert incident_file.parent.name.startswith("2026-11-28-database-upgrade-")
    assert update_file.name == "2026-11-23T141503Z-scheduled.md"
    assert errors(root) == []
    project_ = load_project(root, NOW_DT)
    [maint] = project_.incidents
    assert (maint.kind, maint.impact, maint.components) == ("maintenance", "maintenance", ["db"])
    assert maint.scheduled_for == parse_timestamp("2026-11-28T02:00:00Z")
    assert maint.scheduled_until == parse_timestamp("2026-11-28T04:00:00Z")
    assert project_.snapshot(NOW_DT).maintenance("scheduled") == [maint]
    done = cli(root, "resolve", maint.id, "-m", "Done.", now="2026-11-28T03:30:00Z")
    assert done.exit_code == 0 and written(done.output)[0].name.endswith("-completed.md")
    assert errors(root, parse_timestamp("2026-11-28T03:30:00Z")) == []


def test_postmortem_needs_a_resolved_incident_and_prefills_the_timeline(project):
    root = project()
    incident_id, folder = new_incident(root)
    refused = cli(root, "postmortem", incident_id)
    assert refused.exit_code == 1
    assert "not resolved" in refused.output and f"tidings resolve {incident_id}" in refused.output
    assert not (folder / "postmortem.md").exists()
    cli(root, "resolve", incident_id, "-m", "Fixed by a *rollback*.", now="2026-11-23T15:00:00Z")
    result = cli(root, "postmortem", incident_id, now="2026-11-24T09:00:00Z")
    assert result.exit_code == 0, result.output
    assert "once the pull request is merged" in result.output
    later = parse_timestamp("2026-11-24T09:00:00Z")
    assert errors(root, later) == []
    post = load_project(root, later).incidents[0].postmortem
    assert post.published == later
    for heading in ("## We are sorry", "## What happened and its impact", "## Timeline",
                    "## How we fixed it", "## What will prevent a repeat"):
        assert heading in post.body
    assert "- 23 Nov 2026, 14:15 UTC, investigating: We see errors." in post.body
    assert "- 23 Nov 2026, 15:00 UTC, resolved: Fixed by a rollback." in post.body
    again = cli(root, "postmortem", incident_id, now="2026-11-24T09:00:00Z")
    assert again.exit_code == 1 and "already has a postmortem" in again.output


def test_message_from_standard_input_and_empty_message_aborts(project):
    root = project()
    piped = cli(root, "new", "Slow dashboard", "-c", "web", input="Pages load *slowly*.\n")
    assert piped.exit_code == 0, piped.output
    update = load_project(root, NOW_DT).incidents[0].latest
    assert update.message == "Pages load *slowly*."
    for given in (("-m", "  "), ()):
        result = cli(root, "new", "Nothing to say", *given, input="")
        assert result.exit_code == 1
        assert "Aborting: the message is empty" in result.output
    assert len(load_project(root, NOW_DT).incidents) == 1


EDITOR = """\
import os
import sys
from pathlib import Path
path = Path(sys.argv[1])
text = path.read_text()
Path(os.environ["SEEN"]).write_text(text)
if os.environ.get("TYPED"):
    path.write_text(os.environ["TYPED"] + text)
"""


@pytest.mark.parametrize("typed", ["# Heading kept\nWritten in the editor.", ""])
def test_without_message_on_a_terminal_the_editor_opens(project, tmp_path, typed):
    root = project()
    script, seen = tmp_path / "editor.py", tmp_path / "seen.txt"
    script.write_text(EDITOR)
    editor = f"{sys.executable} {script}"
    env = {**os.environ, "EDITOR": editor, "VISUAL": editor, "SEEN": str(seen), "TYPED": typed}
    _controller, terminal = pty.openpty()  # standard input is a terminal, as for a person
    tidings = Path(sys.executable).parent / "tidings"
    proc = subprocess.run([tidings, "new", "Editor test", "-c", "api", "--now", NOW], cwd=root,
                          stdin=terminal, capture_output=True, text=True, env=env, timeout=60)
    os.close(terminal)
    assert "Write the message customers read above this line" in seen.read_text()
    if not typed:  # saved unchanged: nothing written, as git aborts an empty commit
        assert proc.returncode == 1 and "Aborting: the message is empty" in proc.stderr
        assert not list((root / "incidents").rglob("*.md"))
        return
    assert proc.returncode == 0, proc.stderr
    message = load_project(root, NOW_DT).incidents[0].latest.message
    assert message == typed


def test_option_errors_are_clear_and_exit_2(project):
    root = project()
    incident_id, _ = new_incident(root)
    later = ("--now", "2026-11-23T14:30:00Z")
    cases = [
        (("new", "X", "-c", "apii", "-m", "x"), 'unknown component "apii" (did you mean "api"?)'),
        (("new", "X", "-c", "api=partial", "-m", "x"),
         '"partial" is not allowed (did you mean "partial_outage"?)'),
        (("new", "X", "--status", "fixed", "-m", "x"), "--status"),
        (("new", "X", "--impact", "huge", "-m", "x"), "--impact"),
        (("new", "X", "--next", "soonish", "-m", "x"), "neither a duration"),
        (("new", "X", "--at", "2026-11-24T10:00:00Z", "-m", "x"), "is in the future"),
        (("new", "X", "--at", "yesterday", "-m", "x"), '"yesterday" is not a timestamp'),
        (("update", incident_id, "--status", "completed", "-m", "x", *later),
         'incident status "completed" is not allowed'),
        (("update", incident_id, "-c", "api", "-m", "x", *later), "give api a status"),
        (("update", incident_id, "--next", "10x", "-m", "x", *later), "neither a duration"),
        (("maintenance", "M", "--start", "2026-12-01T02:00:00Z", "--end",
          "2026-12-01T01:00:00Z", "-m", "x"), "--end must be later than --start"),
        (("maintenance", "M", "--start", "2026-12-01T02:00:00Z", "--end", "2q", "-m", "x"),
         "--end"),
        (("maintenance", "M", "--start", "2026-12-01T02:00:00Z", "--end", "1h",
          "-c", "db=major_outage", "-m", "x"), "maintenance components take no status"),
    ]
    for args, expected in cases:
        result = cli(root, *args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert len(load_project(root, NOW_DT).incidents) == 1


def test_yaml_values_survive_any_title(project):
    root = project()
    title = 'API: "quoted" # not a comment — Ünïcode & {braces} [brackets] yes'
    result = cli(root, "new", title, "-m", "Body\n---\nwith a rule.")
    assert result.exit_code == 0, result.output
    assert errors(root) == []
    incident = load_project(root, NOW_DT).incidents[0]
    assert incident.title == title
    assert incident.latest.message == "Body\n---\nwith a rule."


def test_templates_are_listed_and_fill_a_new_incident(tmp_path):
    root = copy_demo(tmp_path)
    listing = run_cli("templates", cwd=root)
    assert listing.exit_code == 0, listing.output
    for name in ("degraded-performance", "outage", "third-party-outage", "security"):
        assert name in listing.output
    assert "{component} affected by an outage at {provider}" in listing.output
    result = run_cli("new", "--template", "third-party-outage", "-c", "storage",
                     "--var", "provider=Example Cloud", "--now", DEMO, cwd=root)
    assert result.exit_code == 0, result.output
    incident = next(i for i in load_project(root, DEMO_NOW).incidents if "Example" in i.title)
    assert incident.title == "Object storage affected by an outage at Example Cloud"
    assert (incident.impact, incident.latest.status) == ("minor", "identified")
    assert incident.latest.components == {"storage": "degraded_performance"}
    assert incident.latest.message.startswith("Example Cloud, a provider we rely on")
    assert "{" not in incident.latest.message
    assert errors(root, DEMO_NOW) == []


def test_every_shipped_template_makes_a_valid_incident(tmp_path):
    root = copy_demo(tmp_path)
    for path in sorted(SHIPPED_TEMPLATES.glob("*.md")):
        result = run_cli("new", "-t", path.stem, "-c", "api", "--var", "provider=Example",
                         "--now", DEMO, cwd=root)
        assert result.exit_code == 0, (path.name, result.output)
    assert errors(root, DEMO_NOW) == []


def test_options_override_the_template_and_missing_values_are_named(tmp_path):
    root = copy_demo(tmp_path)
    result = run_cli("new", "Total API outage", "-t", "outage", "-c", "api=major_outage",
                     "--impact", "critical", "--status", "identified", "-m", "Our words.",
                     "--now", DEMO, cwd=root)
    assert result.exit_code == 0, result.output
    incident = next(i for i in load_project(root, DEMO_NOW).incidents
                    if i.title == "Total API outage")
    assert (incident.impact, incident.latest.status) == ("critical", "identified")
    assert incident.latest.message == "Our words."
    needs = run_cli("new", "-t", "third-party-outage", "-c", "api", "--now", DEMO, cwd=root)
    assert needs.exit_code == 2 and "add --var provider=" in needs.output
    needs = run_cli("new", "-t", "outage", "--now", DEMO, cwd=root)
    assert needs.exit_code == 2 and "add --component ID" in needs.output
    typo = run_cli("new", "-t", "outgae", "-c", "api", "--now", DEMO, cwd=root)
    assert typo.exit_code == 2 and 'did you mean "outage"?' in typo.output


def test_a_broken_template_is_reported_with_path_and_line(project):
    root = project({"incidents/_templates/bad.md": """
        ---
        title: Broken
        impact: huge
        ---
        Text.
        """})
    listing = run_cli("templates", cwd=root)
    assert listing.exit_code == 1
    assert 'incidents/_templates/bad.md:3: impact "huge" is not allowed' in listing.output
    result = cli(root, "new", "-t", "bad")
    assert result.exit_code == 2 and "bad.md:3:" in result.output


def test_content_errors_in_the_target_incident_stop_an_update(project):
    broken = "---\nstatus: nope\n---\nx\n"
    root = project({**RESOLVED, "incidents/old/2026-11-20T120000Z-x.md": broken})
    result = cli(root, "update", "old", "-m", "x")
    assert result.exit_code == 1
    assert "incidents/old/2026-11-20T120000Z-x.md:2:" in result.output


def test_config_errors_stop_every_command(project):
    root = project()
    write_files(root, {"tidings.yml": "name: X\n"})
    result = cli(root, "new", "X", "-m", "x")
    assert result.exit_code == 1 and "fix tidings.yml first" in result.output
