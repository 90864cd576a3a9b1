"""Feeds as readers get them: feedparser reads them, jing validates Atom against RFC 4287,
ids are stable tag: URIs, and an entry comes back to the top when its incident is updated."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from browser import require
from conftest import DEMO_NOW, REPO, build_site, copy_demo, write_files
from tidings.feeds import FEED_LIMIT
from tidings.outputs import generated_files
from tidings.pipeline import load_project, load_valid_project
from tidings.status import Snapshot

ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_RNC = REPO / "tests" / "fixtures" / "oracles" / "atom.rnc"
OPEN = "2026-11-23-api-errors"
AUTHORITY = "status.acme.example,2026"


def snapshot_of(root: Path, now: datetime = DEMO_NOW) -> Snapshot:
    return load_valid_project(root, now).snapshot(now)


@pytest.fixture(scope="module")
def demo() -> Snapshot:
    return snapshot_of(REPO)


@pytest.fixture(scope="module")
def files(demo: Snapshot) -> dict[str, bytes]:
    return generated_files(demo)


def feed_paths(snapshot: Snapshot) -> list[str]:
    stems = ["history", "updates"] + [f"components/{c.id}/history"
                                      for c in snapshot.config.components]
    return [f"{stem}.{kind}" for stem in stems for kind in ("atom", "rss")]


def parse(content: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def entry(parsed: feedparser.FeedParserDict, entry_id: str) -> feedparser.FeedParserDict:
    return next(e for e in parsed.entries if e.id == entry_id)


def author_email(node: feedparser.FeedParserDict, path: str) -> str:
    """The author's email; feedparser cannot split RSS's "email (name)" for long TLDs such as
    .example (its pattern allows 2-4 letters), so RSS's raw text is read instead."""
    if path.endswith(".atom"):
        return node.author_detail.email
    return node.author.split(" (", 1)[0]


def incident_id(incident: str) -> str:
    return f"tag:{AUTHORITY}:incident/{incident}"


# -- every feed, every reader check ----------------------------------------------------------


def test_every_feed_is_read_by_feedparser_with_its_own_self_link(demo, files):
    for path in feed_paths(demo):
        parsed = parse(files[path])
        assert parsed.version == ("atom10" if path.endswith(".atom") else "rss20"), path
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert self_links == [f"http://127.0.0.1:8000/{path}"], path
        assert author_email(parsed.feed, path) == "status@acme.example", path
        assert len(parsed.entries) <= FEED_LIMIT
        for item in parsed.entries:
            assert item.id.startswith(f"tag:{AUTHORITY}:"), (path, item.id)
            assert item.link.startswith("http://127.0.0.1:8000/incidents/"), (path, item.link)
            assert author_email(item, path) == "status@acme.example", (path, item.id)


def test_atom_feeds_are_valid_rfc_4287(demo, files, tmp_path):
    require(shutil.which("jing") is not None, "jing (Debian package jing)")
    assert ATOM_RNC.is_file(), f"{ATOM_RNC} missing from tests/fixtures/"
    paths = [p for p in feed_paths(demo) if p.endswith(".atom")]
    for path in paths:
        target = tmp_path / path.replace("/", "_")
        target.write_bytes(files[path])
        result = subprocess.run(["jing", "-c", str(ATOM_RNC), str(target)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{path}: {result.stdout}{result.stderr}"


def test_a_real_statuspage_feed_reads_like_ours(files, tmp_path):
    """GitHub's real history.atom (tests/fixtures/github-statuses) passes the same grammar, and
    a reader finds in its entries the fields a subscriber sees in ours."""
    require(shutil.which("jing") is not None, "jing (Debian package jing)")
    real = REPO / "tests" / "fixtures" / "github-statuses" / "github-status-history.atom"
    result = subprocess.run(["jing", "-c", str(ATOM_RNC), str(real)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    theirs, ours = feedparser.parse(real.read_bytes()), parse(files["history.atom"])
    fields = {"id", "title", "link", "updated", "content"}
    assert fields <= set(theirs.entries[0]) and fields <= set(ours.entries[0])


def test_atom_rules_the_grammar_cannot_express(demo, files):
    """RFC 4287's Schematron-like rules: authors, unique ids, a link or content per entry."""
    for path in (p for p in feed_paths(demo) if p.endswith(".atom")):
        feed = ET.fromstring(files[path])
        feed_has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
        ids = [e.findtext(f"{ATOM}id") for e in feed.iter(f"{ATOM}entry")]
        assert len(ids) == len(set(ids)), path
        for item in feed.iter(f"{ATOM}entry"):
            assert feed_has_author or item.find(f"{ATOM}author") is not None, path
            assert item.find(f"{ATOM}content") is not None, path
            assert item.find(f"{ATOM}link").get("rel", "alternate") == "alternate", path
        selves = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
        assert len(selves) == 1, path


def test_rss_items_have_unique_non_permalink_guids_and_email_authors(demo, files):
    for path in (p for p in feed_paths(demo) if p.endswith(".rss")):
        channel = ET.fromstring(files[path]).find("channel")
        guids = channel.findall("item/guid")
        assert len({g.text for g in guids}) == len(guids), path
        assert all(g.get("isPermaLink") == "false" for g in guids), path
        for author in channel.findall("item/author"):
            assert author.text == "status@acme.example (Acme Cloud Operations)", path


# -- what the entries say ----------------------------------------------------------------------


def test_history_entry_lists_every_update_newest_first_with_rendered_html(demo, files):
    incident = next(i for i in demo.incidents if i.id == OPEN)
    for kind in ("atom", "rss"):
        item = entry(parse(files[f"history.{kind}"]), incident_id(OPEN))
        html = item.content[0].value if kind == "atom" else item.summary
        assert item.title == incident.title
        assert item.link == f"http://127.0.0.1:8000/incidents/{OPEN}/"
        stamps = [f'datetime="{u.at:%Y-%m-%dT%H:%M:%SZ}"' for u in incident.updates]
        positions = [html.index(stamp) for stamp in stamps]
        assert positions == sorted(positions, reverse=True), "updates must be newest first"
        assert '<a href="https://docs.acme.example/retries"' in html  # Markdown rendered
        assert "<code>eu-west</code>" in html
        assert "15:40 CET" in html  # the site's zone, as on the page
        assert html.count("<strong>Identified</strong>") == 2


def test_history_is_newest_first_and_has_incidents_and_maintenance(demo, files):
    parsed = parse(files["history.atom"])
    updated = [e.updated_parsed for e in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    ids = {e.id for e in parsed.entries}
    assert ids == {incident_id(i.id) for i in demo.incidents}
    assert {t.term for e in parsed.entries for t in e.tags} == {"incident", "maintenance"}


def test_feed_time_is_the_latest_update_not_the_clock(files):
    atom = ET.fromstring(files["history.atom"])
    assert atom.findtext(f"{ATOM}updated") == "2026-11-23T14:40:00+00:00"
    rss = ET.fromstring(files["history.rss"]).find("channel")
    assert rss.findtext("lastBuildDate") == "Mon, 23 Nov 2026 14:40:00 +0000"


def test_published_postmortem_is_in_the_entry_and_moves_its_time(files):
    item = entry(parse(files["history.atom"]), incident_id("2026-10-14-login-failures"))
    assert "<strong>Postmortem</strong>" in item.content[0].value
    assert "We are sorry" in item.content[0].value
    assert item.updated == "2026-10-16T15:00:00+00:00"  # the postmortem's publication
    assert item.published == "2026-10-14T09:12:00+00:00"  # the first update


def test_updates_feed_has_one_entry_per_update_and_postmortem(demo, files):
    parsed = parse(files["updates.atom"])
    expected = {f"{incident_id(i.id)}/update/{u.id}" for i in demo.incidents for u in i.updates}
    expected.add(f"{incident_id('2026-10-14-login-failures')}/postmortem")
    assert {e.id for e in parsed.entries} == expected
    latest = parsed.entries[0]
    assert latest.id == f"{incident_id(OPEN)}/update/2026-11-23T144000Z-identified"
    assert latest.title == "Elevated API error rates: Identified"
    assert "most databases are reachable again" in latest.content[0].value
    rss_ids = [e.id for e in parse(files["updates.rss"]).entries]
    assert rss_ids == [e.id for e in parsed.entries]


def test_component_feeds_hold_only_that_components_incidents(demo, files):
    for component in demo.config.components:
        parsed = parse(files[f"components/{component.id}/history.atom"])
        expected = {incident_id(i.id) for i in demo.incidents if component.id in i.affected}
        assert {e.id for e in parsed.entries} == expected, component.id
        assert component.name in parsed.feed.title
    storage = parse(files["components/storage/history.rss"])
    assert [e.id for e in storage.entries] == [incident_id("2026-11-08-storage-migration")]


def test_updates_after_now_are_not_published(tmp_path):
    root = copy_demo(tmp_path)
    earlier = datetime(2026, 11, 23, 14, 20, tzinfo=DEMO_NOW.tzinfo)
    snapshot = load_project(root, DEMO_NOW).snapshot(earlier)
    files = generated_files(snapshot)
    item = entry(parse(files["history.atom"]), incident_id(OPEN))
    assert item.updated == "2026-11-23T14:15:00+00:00"
    assert "most databases are reachable again" not in item.content[0].value
    updates = parse(files["updates.atom"]).entries
    assert not any(e.id.endswith("2026-11-23T144000Z-identified") for e in updates)


# -- stability: what readers rely on to show an entry once, and again when it changes ---------


def test_new_update_moves_the_entry_time_and_content_but_not_its_id(tmp_path, files):
    root = copy_demo(tmp_path)
    write_files(root / "incidents/2026" / OPEN, {"2026-11-23T145500Z-monitoring.md": """\
        ---
        at: 2026-11-23T14:55:00Z
        status: monitoring
        ---
        A fix is deployed; error rates are back to normal. We are watching closely.
        """})
    after = generated_files(snapshot_of(root))
    for kind in ("atom", "rss"):
        old = entry(parse(files[f"history.{kind}"]), incident_id(OPEN))
        new = entry(parse(after[f"history.{kind}"]), incident_id(OPEN))
        assert new.id == old.id
        assert new.updated_parsed > old.updated_parsed if kind == "atom" else \
            new.published_parsed > old.published_parsed
        body = new.content[0].value if kind == "atom" else new.summary
        assert body.index("error rates are back to normal") < body.index("replica is promoted")
    assert parse(after["history.atom"]).feed.updated == "2026-11-23T14:55:00+00:00"


def test_title_edit_and_new_site_url_keep_every_id(tmp_path, files):
    root = copy_demo(tmp_path)
    incident_md = root / "incidents/2026" / OPEN / "incident.md"
    incident_md.write_text(incident_md.read_text().replace(
        "title: Elevated API error rates", "title: API errors in eu-west"))
    config = root / "tidings.yml"
    config.write_text(config.read_text().replace("url: http://127.0.0.1:8000/",
                                                 "url: https://status.acme.example/status/"))
    after = generated_files(snapshot_of(root))
    for path in ("history.atom", "history.rss", "updates.atom", "components/api/history.atom"):
        before_ids = [e.id for e in parse(files[path]).entries]
        after_feed = parse(after[path])
        assert [e.id for e in after_feed.entries] == before_ids, path
        if path.endswith(".atom"):
            assert after_feed.feed.id == parse(files[path]).feed.id, path
        self_link = next(link.href for link in after_feed.feed.links if link.rel == "self")
        assert self_link == f"https://status.acme.example/status/{path}"
    renamed = entry(parse(after["history.atom"]), incident_id(OPEN))
    assert renamed.title == "API errors in eu-west"
    assert renamed.link == f"https://status.acme.example/status/incidents/{OPEN}/"


def test_feeds_are_byte_identical_across_rebuilds_and_quiet_hours(demo, files):
    again = generated_files(snapshot_of(REPO))
    an_hour_later = generated_files(snapshot_of(REPO, DEMO_NOW + timedelta(minutes=30)))
    for path in feed_paths(demo):
        assert again[path] == files[path], path
        assert an_hour_later[path] == files[path], f"{path} changed without new content"


def test_every_feed_is_capped_at_the_newest_fifty(project):
    incidents = {}
    for n in range(60):
        at = datetime(2026, 1, 1, tzinfo=DEMO_NOW.tzinfo) + timedelta(days=n)
        folder = f"incidents/2026/i{n:02d}"
        incidents[f"{folder}/incident.md"] = "---\ntitle: Incident\nimpact: minor\n" \
                                             "components: [api]\n---\n"
        incidents[f"{folder}/a.md"] = f"---\nat: {at:%Y-%m-%dT%H:%M:%SZ}\nstatus: " \
                                      "investigating\n---\nLooking.\n"
        incidents[f"{folder}/b.md"] = f"---\nat: {at + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}" \
                                      "\nstatus: resolved\n---\nFixed.\n"
    root = project(incidents)
    files = generated_files(snapshot_of(root))
    for path in ("history.atom", "history.rss", "components/api/history.atom"):
        ids = [e.id for e in parse(files[path]).entries]
        assert len(ids) == FEED_LIMIT, path
        assert ids[0].endswith("incident/i59") and ids[-1].endswith("incident/i10"), path
    updates = parse(files["updates.rss"]).entries
    assert len(updates) == FEED_LIMIT
    assert updates[0].id.endswith("i59/update/b")
    assert parse(files["components/web/history.atom"]).entries == []


# -- the built site (MkDocs with the tidings plugin) ----------------------------------------


def site_file(site: Path, url: str) -> Path:
    """The built file a site URL serves (``…/`` serves ``…/index.html``)."""
    relative = url.removeprefix("http://127.0.0.1:8000/")
    return site / (relative + "index.html" if relative.endswith("/") or not relative
                   else relative)


def test_built_site_publishes_every_feed_unchanged(demo_site, demo, files):
    for path in feed_paths(demo):
        assert (demo_site / path).read_bytes() == files[path], path


def test_every_feed_link_leads_to_a_built_page(demo_site, demo, files):
    for path in feed_paths(demo):
        parsed = parse(files[path])
        targets = [link.href for link in parsed.feed.links] + [e.link for e in parsed.entries]
        for url in targets:
            assert site_file(demo_site, url).is_file(), f"{path} links to missing {url}"


def test_a_second_build_is_byte_identical(demo_site, demo, tmp_path):
    """SOURCE_DATE_EPOCH fixes now: two builds of the same content give the same outputs."""
    result = build_site(REPO, tmp_path / "again")
    assert result.returncode == 0, result.stderr
    for path in generated_files(demo):
        assert (tmp_path / "again" / path).read_bytes() == (demo_site / path).read_bytes(), path


def test_an_update_reads_the_same_time_in_the_feed_as_on_the_page(demo_site, files):
    """The feed once wrote "01 Nov 2026" where the page wrote "1 Nov 2026"."""
    page = (demo_site / "incidents" / "2026-11-01-email-delays" / "index.html").read_text()
    on_page = dict(re.findall(r'<time datetime="([^"]+)"[^>]*>([^<]+)</time>', page))
    item = entry(parse(files["history.atom"]), incident_id("2026-11-01-email-delays"))
    in_feed = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', item.content[0].value)
    assert in_feed and ("2026-11-01T21:40:00Z", "1 Nov 2026, 22:40 CET") in in_feed
    for stamp, text in in_feed:
        assert on_page[stamp] == text
