"""The pages the plugin renders itself (outside the navigation), against what MkDocs would do.

Incident, postmortem, component and later history pages skip MkDocs' per-page pipeline: the
plugin renders them through the theme's environment, Material's frame once per template and
depth (tidings/frames.py). These tests hold that to a whole rendering of every page, to a
repository's overrides that read the page, and to what MkDocs still does for them (sitemap,
links from hand-written pages, a navigation that lists one).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import DEMO_NOW, build_site, copy_demo, epoch, load_benchmark, write_files
from mkdocs.commands.build import build
from mkdocs.config import load_config

INCIDENTS = ("2026-11-23-api-errors", "2026-10-14-login-failures", "2026-09-30-dashboard-outage")


def demo_dir(tmp_path: Path) -> Path:
    (tmp_path / "demo").mkdir()
    return tmp_path / "demo"


def build_in_process(root: Path, dest: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    """A real ``mkdocs build --strict`` in this process; the plugin, to look inside."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(DEMO_NOW))
    monkeypatch.chdir(root)
    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(dest), strict=True)
    build(config)
    return config.plugins["tidings"]


def synthetic_site(root: Path, incidents: int) -> Path:
    """The benchmark's synthetic history (benchmarks/synthetic.py) of ``incidents``."""
    load_benchmark("synthetic").write_site(root, incidents)
    return root


@pytest.mark.parametrize("site", ["demo", "demo, internal", "synthetic"])
def test_every_page_outside_the_navigation_equals_its_whole_rendering(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site: str) -> None:
    if site == "synthetic":
        root = synthetic_site(tmp_path / "synthetic", 120)
    else:
        monkeypatch.setenv("TIDINGS_AUDIENCE", "internal" if "internal" in site else "public")
        root = copy_demo(demo_dir(tmp_path))
    plugin = build_in_process(root, tmp_path / "site", monkeypatch)
    renderer = plugin.page_renderer  # type: ignore[attr-defined]
    own = list(plugin.files.own.values())  # type: ignore[attr-defined]
    kinds = {p.url.split("/")[0] for p in own}
    assert kinds >= {"incidents", "components"} | ({"history"} if site == "synthetic" else set())
    for page in own:
        whole = renderer.env.get_template(page.meta["template"]).render(renderer.context(page))
        assert Path(page.file.abs_dest_path).read_text(encoding="utf-8") == whole, page.url
    # Every template and depth got a frame: none fell back to whole rendering.
    assert renderer.frames.frames and None not in renderer.frames.frames.values()


OVERRIDES = {
    # A block of the repository's own main.html that reads the page.
    "own block": {"site_templates/main.html": """\
        {% extends "tidings/main.html" %}
        {% block tabs %}<p class="mine">{{ page.url }}</p>{% endblock %}
        """},
    # A block over the body: what super() gives holds the page's content, so it is not shared.
    "own block over the body": {"site_templates/main.html": """\
        {% extends "tidings/main.html" %}
        {% block container %}<p class="mine">{{ page.url }}</p>{{ super() }}{% endblock %}
        """},
    # A block over one of the frame's, adding to it: super() is the frame's, the rest is not.
    "own block with super": {"site_templates/main.html": """\
        {% extends "tidings/main.html" %}
        {% block scripts %}{{ super() }}<p class="mine">{{ page.url }}</p>{% endblock %}
        """},
    # A top-level {% set %} that a block then shows.
    "top-level set": {"site_templates/main.html": """\
        {% extends "tidings/main.html" %}
        {% set mine = page.url %}
        {% block tabs %}<p class="mine">{{ mine }}</p>{% endblock %}
        """},
    # A partial that Material's base.html includes outside every block.
    "own partial": {"site_templates/partials/javascripts/content.html":
                    '<p class="mine">{{ page.url }}</p>\n'},
}


@pytest.mark.parametrize("override", OVERRIDES)
def test_a_repository_override_that_reads_the_page_shows_each_page(
        tmp_path: Path, override: str) -> None:
    root = copy_demo(demo_dir(tmp_path))
    write_files(root, OVERRIDES[override])
    site = tmp_path / "site"
    result = build_site(root, site)
    assert result.returncode == 0, result.stderr
    headings = set()
    for incident in INCIDENTS:
        for url in (f"incidents/{incident}/", f"incidents/{incident}/postmortem/"):
            path = site / url / "index.html"
            if path.exists():
                html = path.read_text(encoding="utf-8")
                assert re.findall(r'<p class="mine">([^<]*)</p>', html) == [url], url
                assert f'<link rel="canonical" href="http://127.0.0.1:8000/{url}">' in html
                headings.add(re.findall(r"<h1>([^<]*)</h1>", html)[0])
    assert len(headings) > len(INCIDENTS)  # each page its own body, postmortems too


def test_sitemap_and_links_know_the_pages_mkdocs_does_not_build(tmp_path: Path) -> None:
    root = copy_demo(demo_dir(tmp_path))
    about = root / "docs" / "about.md"
    about.write_text(about.read_text() + "\nSee [the API incident]"
                     f"(incidents/{INCIDENTS[0]}/index.md).\n")
    site = tmp_path / "site"
    result = build_site(root, site)  # strict: a link MkDocs could not resolve would fail it
    assert result.returncode == 0, result.stderr
    assert "excluded" not in result.stderr
    about_html = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert f'href="../incidents/{INCIDENTS[0]}/"' in about_html
    listed = re.findall(r"<loc>([^<]*)</loc>", (site / "sitemap.xml").read_text())

    def url(path: Path) -> str:
        folder = path.parent.relative_to(site).as_posix()
        return "http://127.0.0.1:8000/" + ("" if folder == "." else folder + "/")
    assert sorted(listed) == sorted(url(p) for p in site.rglob("index.html"))
    assert f"http://127.0.0.1:8000/incidents/{INCIDENTS[0]}/" in listed


def test_an_incident_page_in_mkdocs_yml_nav_is_built_by_mkdocs(tmp_path: Path) -> None:
    root = copy_demo(demo_dir(tmp_path))
    text = (root / "mkdocs.yml").read_text()
    (root / "mkdocs.yml").write_text(
        text + f"nav:\n  - Overview: index.md\n  - API errors: incidents/{INCIDENTS[0]}/index.md\n"
        "  - About: about.md\n")
    site = tmp_path / "site"
    result = build_site(root, site)
    assert result.returncode == 0, result.stderr
    html = (site / "incidents" / INCIDENTS[0] / "index.html").read_text(encoding="utf-8")
    assert '<link rel="prev"' in html and '<link rel="next"' in html  # in MkDocs' nav
    assert "<h1>" in html and "Updates, newest first" in html
