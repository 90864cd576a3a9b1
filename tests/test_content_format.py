"""The content format has one writer and one reader: whatever Tidings writes (the authoring
commands, both importers) the real loader reads back unchanged, hostile values included."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from conftest import MINIMAL_CONFIG, run_cli, write_files
from hypothesis import given, settings
from hypothesis import strategies as st
from tidings.authoring import timeline
from tidings.content_format import markdown_file
from tidings.frontmatter import FrontMatterError, check_text, parse
from tidings.pipeline import load_project
from tidings.timestamps import iso

NOW = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
# Quotes, ": ", " #", a leading "-" and "---", YAML's words and a timestamp as text, Unicode
# (with an emoji, a right-to-left word and a byte-order mark).
TITLES = ['Login "fails": it\'s down # not a comment — Störung 🚨',
          "--- Planned: DB upgrade #2 — 'quoted' \"double\"",
          "- yes: null ~ 2026-11-23T14:00:00Z",
          "Сбой входа · ログイン障害 · עברית \ufeff& *star* [link]"]
# A message that starts like front matter and holds Markdown, quotes, ": ", "#" and every
# kind of line break YAML and Python know (NEL U+0085, LINE SEPARATOR U+2028).
MESSAGE = ('---\nnot: front matter\n---\n# A heading, not a YAML comment\n\n'
           'He said "it\'s: down" — Störung 🚨\nline\x85next\u2028same paragraph\n\n'
           "    indented code: # kept\n\n...\nThe end.")


def cli(root: Path, *args: str) -> str:
    """``tidings ARGS`` in ``root``; authoring commands as of NOW."""
    now = () if "--now" in args or args[0] == "import" else ("--now", iso(NOW))
    result = run_cli(*args, *now, cwd=root)
    assert result.exit_code == 0, result.output
    return result.output


def written_folder(output: str) -> Path:
    first = next(line for line in output.splitlines() if line.startswith("Wrote "))
    return Path(first.removeprefix("Wrote ")).parent


def test_every_writer_round_trips_through_the_real_loader(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"tidings.yml": MINIMAL_CONFIG})
    # Authoring: new, update, resolve, postmortem scaffold, maintenance.
    incident_id = written_folder(cli(
        root, "new", TITLES[0], "-c", "api=partial_outage", "-c", "web", "-m", MESSAGE,
        "--at", "2026-11-23T14:00:00Z", "--next", "30m")).name
    cli(root, "update", incident_id, "--status", "identified", "-c", "db=major_outage",
        "-m", MESSAGE, "--at", "2026-11-23T14:20:00Z", "--next", "2026-11-23T15:00:00Z")
    cli(root, "resolve", incident_id, "-m", MESSAGE, "--at", "2026-11-23T15:10:00Z")
    cli(root, "postmortem", incident_id)  # published: now
    maintenance_id = written_folder(cli(
        root, "maintenance", "--start", "2026-11-28T02:00:00Z", "--end", "2h", "-c", "db",
        "-m", MESSAGE, "--at", "2026-11-23T15:40:00Z", "--now", iso(NOW), "--", TITLES[1])).name
    # Both importers' drafts: a Statuspage export and a cState issue.
    statuspage = {"id": "h0st1le", "name": TITLES[2], "impact": "major",
                  "postmortem_body": MESSAGE, "postmortem_published_at": "2026-11-22T09:00:00Z",
                  "components": [{"id": "c0de", "name": "API"}],
                  "incident_updates": [
                      {"id": "u2", "status": "resolved", "body": MESSAGE,
                       "created_at": "2026-11-21T11:00:00Z", "affected_components": [
                           {"code": "c0de", "old_status": "major_outage",
                            "new_status": "operational"}]},
                      {"id": "u1", "status": "investigating", "body": MESSAGE,
                       "created_at": "2026-11-21T10:00:00Z", "affected_components": [
                           {"code": "c0de", "old_status": "operational",
                            "new_status": "major_outage"}]}]}
    cstate_title = json.dumps(TITLES[3])  # a JSON string is a YAML string
    write_files(tmp_path / "in", {
        "incidents.json": json.dumps({"incidents": [statuspage]}),
        "content/issues/2026-11-20-sign-in.md": (
            f"---\ntitle: {cstate_title}\ndate: 2026-11-20T08:00:00Z\nresolved: true\n"
            "resolvedWhen: 2026-11-20T09:00:00Z\nseverity: disrupted\naffected: [API]\n"
            f"section: issue\n---\n{MESSAGE}\n")})
    cli(root, "import", "statuspage", str(tmp_path / "in/incidents.json"), "--into", str(root))
    cli(root, "import", "cstate", str(tmp_path / "in"), "--into", str(root))

    project = load_project(root, NOW)
    assert [str(p) for p in project.problems.errors] == []
    assert run_cli("check", str(root), "--now", iso(NOW)).exit_code == 0
    read = {i.id: i for i in project.incidents}
    incident, maintenance = read.pop(incident_id), read.pop(maintenance_id)
    imported = {i.title: i for i in read.values()}

    assert (incident.title, incident.impact, incident.components) == (
        TITLES[0], "major", ["api", "web"])
    assert [(iso(u.at), u.status, u.message, u.components) for u in incident.updates] == [
        ("2026-11-23T14:00:00Z", "investigating", MESSAGE,
         {"api": "partial_outage", "web": "partial_outage"}),
        ("2026-11-23T14:20:00Z", "identified", MESSAGE, {"db": "major_outage"}),
        ("2026-11-23T15:10:00Z", "resolved", MESSAGE,
         dict.fromkeys(["api", "web", "db"], "operational"))]
    assert [iso(u.next_update) if u.next_update else None for u in incident.updates] == [
        "2026-11-23T14:30:00Z", "2026-11-23T15:00:00Z", None]
    assert incident.postmortem is not None
    assert iso(incident.postmortem.published) == iso(NOW)
    assert incident.postmortem.body.startswith("## We are sorry\n\n<!-- Apologise plainly")
    assert timeline(project.config, incident) in incident.postmortem.body

    assert (maintenance.title, maintenance.kind, maintenance.components) == (
        TITLES[1], "maintenance", ["db"])
    assert (iso(maintenance.scheduled_for), iso(maintenance.scheduled_until)) == (
        "2026-11-28T02:00:00Z", "2026-11-28T04:00:00Z")
    assert [(u.status, u.message) for u in maintenance.updates] == [("scheduled", MESSAGE)]

    from_statuspage, from_cstate = imported[TITLES[2]], imported[TITLES[3]]
    assert from_statuspage.id.endswith("-h0st1le")
    assert [(iso(u.at), u.status, u.message) for u in from_statuspage.updates] == [
        ("2026-11-21T10:00:00Z", "investigating", MESSAGE),
        ("2026-11-21T11:00:00Z", "resolved", MESSAGE)]
    assert from_statuspage.postmortem is not None
    assert from_statuspage.postmortem.body == MESSAGE
    assert from_cstate.id == "2026-11-20-sign-in"
    assert [(iso(u.at), u.status, u.message) for u in from_cstate.updates] == [
        ("2026-11-20T08:00:00Z", "investigating", MESSAGE),
        ("2026-11-20T09:00:00Z", "resolved", "This issue has been resolved.")]


# Any text a content file may carry: what ``tidings check`` accepts (no control characters).
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40).filter(
    lambda text: _allowed(text))
_VALUES = st.recursive(st.one_of(_TEXT, st.none(), st.booleans(), st.integers()),
                       lambda c: st.one_of(st.lists(c, max_size=3),
                                           st.dictionaries(_TEXT, c, max_size=3)),
                       max_leaves=8)


def _allowed(text: str) -> bool:
    try:
        check_text(text)
    except FrontMatterError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(meta=st.dictionaries(_TEXT.filter(bool), _VALUES, min_size=1, max_size=4), body=_TEXT)
def test_the_writer_and_the_reader_agree_on_any_value(meta: dict, body: str) -> None:
    """The one writer's output parses back to the same keys, values and body (the body with
    its line ends made ``\\n`` and the blank lines around it dropped)."""
    document = parse(Path("x.md"), markdown_file(meta, body).encode())
    assert document.meta == meta
    assert document.body == body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def test_a_template_linked_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    outside = write_files(tmp_path / "outside", {"secret.md": "---\ntitle: Secret\n---\nkey\n"})
    root = write_files(tmp_path / "site", {"tidings.yml": MINIMAL_CONFIG})
    (root / "incidents/_templates").mkdir(parents=True)
    os.symlink(outside / "secret.md", root / "incidents/_templates/leak.md")
    result = run_cli("new", "--template", "leak", "-m", "x", "--now", iso(NOW), cwd=root)
    assert result.exit_code != 0
    assert "incidents/_templates/leak.md:1: this is a link to" in result.output
    assert "outside the repository" in result.output
    assert not [p for p in (root / "incidents").rglob("*.md") if "_templates" not in p.parts]
    assert "key" not in result.output
