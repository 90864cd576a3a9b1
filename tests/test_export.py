"""`tidings export`: a plain Material project that `mkdocs build` (no plugin) and the real
`zensical build` build into the plugin build's URLs, feeds and API."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO_NOW, REPO, copy_demo, epoch, run_cli
from tests.test_site import Node, parse

NOW = "2026-11-23T15:00:00Z"
# Its own environment: Zensical must never meet the project's packages (or our plugin).
ZENSICAL_VENV = Path(os.environ.get("TIDINGS_ZENSICAL_VENV") or REPO / ".zensical-venv")
# One page of every kind the plugin generates, by URL.
PAGE_KINDS = {
    "overview": "", "history": "history/", "maintenance": "maintenance/", "uptime": "uptime/",
    "postmortems": "postmortems/", "subscribe": "subscribe/", "about": "about/",
    "component": "components/api/", "incident": "incidents/2026-11-23-api-errors/",
    "postmortem": "incidents/2026-10-14-login-failures/postmortem/",
}
# What only one engine writes besides the site: MkDocs' gzipped sitemap, Zensical's search.
ENGINE_EXTRAS = {"sitemap.xml.gz", "search.json"}


def zensical() -> Path:
    """The zensical command, installed into its own venv on first use (as
    scripts/install-test-tools does)."""
    command = ZENSICAL_VENV / "bin" / "zensical"
    if not command.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ZENSICAL_VENV)], check=True)
        pip = [str(ZENSICAL_VENV / "bin" / "pip"), "install", "-q"]
        if subprocess.run([*pip, "zensical>=0.0.73"], check=False).returncode != 0:
            subprocess.run([*pip, "zensical==0.0.73"], check=True)
    return command


def engine_env() -> dict[str, str]:
    """A build environment without our package on the path: the export needs no plugin."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": epoch(DEMO_NOW)}


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
            if p.is_file() and not p.relative_to(site).as_posix().startswith("assets/")
            and p.name not in ENGINE_EXTRAS}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("export") / "status-export"
    result = run_cli("export", str(dest), "--now", NOW, cwd=REPO)
    assert result.exit_code == 0, result.output
    return dest


@pytest.fixture(scope="module")
def mkdocs_site(exported: Path, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("export-mkdocs") / "site"
    # The plain `mkdocs` of an environment where the plugin cannot be loaded by accident.
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d",
                             str(site)], cwd=exported, env=engine_env(), capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def zensical_site(exported: Path) -> Path:
    result = subprocess.run([str(zensical()), "build", "--strict"], cwd=exported,
                            env=engine_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return exported / "site"


def article(site: Path, url: str) -> Node:
    (node,) = [n for n in parse(site / url / "index.html").iter() if n.tag == "article"
               and "md-content__inner" in n.classes]
    return node


def test_the_export_is_a_plain_project(exported: Path):
    config = (exported / "mkdocs.yml").read_text(encoding="utf-8")
    assert "tidings" not in re.sub(r"^#.*\n", "", config).split("plugins:")[1].split("\n")[0]
    assert (exported / "docs" / "incidents/2026-11-23-api-errors/index.md").is_file()
    assert (exported / "docs" / "api/v2/summary.json").is_file()
    assert (exported / "overrides" / "assets/tidings/tidings.css").is_file()
    assert not (exported / "overrides" / "tidings" / "incident.html").exists()  # bodies are HTML


@pytest.mark.parametrize("engine", ["mkdocs_site", "zensical_site"])
def test_each_engine_builds_the_plugin_build_urls_feeds_and_api(
        engine: str, demo_site: Path, request: pytest.FixtureRequest):
    site: Path = request.getfixturevalue(engine)
    plugin, built = site_files(demo_site), site_files(site)
    assert sorted(built) == sorted(plugin)
    static = [p for p in plugin if not p.endswith((".html", "sitemap.xml"))]
    assert {"history.atom", "updates.rss", "api/v2/summary.json", "maintenance.ics",
            "badge.svg", "embed.js"} <= set(static)
    for path in static:  # feeds, API, calendars, badges, embed.js: byte for byte
        assert built[path] == plugin[path], path


@pytest.mark.parametrize("engine", ["mkdocs_site", "zensical_site"])
def test_every_page_kind_shows_what_the_plugin_build_shows(
        engine: str, demo_site: Path, request: pytest.FixtureRequest):
    site: Path = request.getfixturevalue(engine)
    for kind, url in PAGE_KINDS.items():
        ours, theirs = article(site, url), article(demo_site, url)
        assert ours.text() == theirs.text(), kind
        # No edit button (the pages are generated); Zensical adds an anchor without href.
        assert list(filter(None, ours.links())) == [
            link for link in theirs.links() if "edit/main/" not in link], kind
    banner = article(site, "").find(cls="tidings-banner")
    assert banner.text() == "Current status: Partial System Outage"
    assert banner.text() == article(demo_site, "").find(cls="tidings-banner").text()


@pytest.mark.parametrize("engine", ["mkdocs_site", "zensical_site"])
def test_pages_keep_the_frame_feeds_stylesheets_and_script(
        engine: str, request: pytest.FixtureRequest):
    page = parse(request.getfixturevalue(engine) / "components/api/index.html")
    feeds = [n.attrs.get("href") for n in page.find_all("link", rel="alternate")]
    assert [href.rsplit("/", 1)[-1] for href in feeds] == [
        "history.atom", "history.rss", "updates.atom", "updates.rss", "history.atom",
        "history.rss"]
    styles = [n.attrs.get("href") or "" for n in page.find_all("link", rel="stylesheet")]
    assert any(s.endswith("assets/tidings/tidings.css") for s in styles)
    assert any(s.endswith("assets/acme.css") for s in styles)  # the repository's override
    scripts = [n.attrs.get("src") or "" for n in page.find_all("script")]
    assert any(s.endswith("assets/tidings/tidings.js") for s in scripts)


def test_neither_engine_publishes_a_search_index(mkdocs_site: Path, zensical_site: Path):
    """An index would carry every incident of the history to every reader."""
    assert not (mkdocs_site / "search").exists()
    index = zensical_site / "search.json"  # Zensical writes an empty one when disabled
    assert not index.exists() or json.loads(index.read_text(encoding="utf-8"))["items"] == []
    assert 'class="md-search"' not in (zensical_site / "index.html").read_text(encoding="utf-8")


def test_the_hand_written_intro_keeps_its_markdown_and_links(zensical_site: Path):
    intro = article(zensical_site, "about/")
    assert "This is the status page of Acme Cloud." in intro.text()
    assert "../subscribe/" in intro.links()


def test_two_exports_of_one_commit_are_identical_and_honour_source_date_epoch(
        exported: Path, tmp_path: Path):
    again = tmp_path / "again"
    result = run_cli("export", str(again), cwd=REPO, env={"SOURCE_DATE_EPOCH": epoch(DEMO_NOW)})
    assert result.exit_code == 0, result.output
    assert site_files(again) == {k: v for k, v in site_files(exported).items()
                                 if not k.startswith(("site/", ".cache/"))}


def test_bad_content_is_reported_and_nothing_is_exported(tmp_path: Path):
    (tmp_path / "repo").mkdir()
    root = copy_demo(tmp_path / "repo")
    update = root / "incidents/2026/2026-11-23-api-errors/2026-11-23T141500Z-identified.md"
    update.write_text(update.read_text().replace("status: identified", "status: fixed"))
    result = run_cli("export", str(tmp_path / "out"), "--now", NOW, cwd=root)
    assert result.exit_code == 1
    assert "2026-11-23T141500Z-identified.md:" in result.output and "nothing" in result.output
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["repo"]  # no staging folder left


def test_a_folder_that_is_not_an_export_is_never_replaced(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli("export", str(tmp_path), "--now", NOW, cwd=REPO)
    assert result.exit_code == 1 and "not an earlier export" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_engine_tags_in_mkdocs_yml_are_kept_for_the_engine(tmp_path: Path):
    (tmp_path / "repo").mkdir()
    root = copy_demo(tmp_path / "repo")
    with (root / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write("markdown_extensions:\n  - pymdownx.emoji:\n"
                     "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
                     "extra:\n  flag: !ENV [TIDINGS_TEST_UNSET, true]\n")
    result = run_cli("export", str(tmp_path / "out"), "--now", NOW, cwd=root)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "mkdocs.yml").read_text(encoding="utf-8")
    assert "!!python/name:material.extensions.emoji.twemoji" in text
    assert "!ENV [TIDINGS_TEST_UNSET, true]" in text
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d",
                            str(tmp_path / "site")], cwd=tmp_path / "out", env=engine_env(),
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr


def test_an_export_inside_docs_is_refused(tmp_path: Path):
    (tmp_path / "repo").mkdir()
    root = copy_demo(tmp_path / "repo")
    result = run_cli("export", "docs/export", "--now", NOW, cwd=root)
    assert result.exit_code == 1 and "inside" in result.output
    assert not (root / "docs" / "export").exists()
