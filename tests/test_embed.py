"""embed.js in headless Chromium, as a customer's web app uses it: the app on one origin, the
status site on another (sending CORS headers as GitHub Pages does), at the root or a subpath."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from browser import axe_violations, chromium, describe_violations
from conftest import DEMO_NOW, REPO, copy_demo, write_files
from tidings.outputs import generated_files
from tidings.pipeline import load_valid_project
from tidings.status import Snapshot

OPEN = "2026-11-23-api-errors"
MAINTENANCE = "2026-11-28-database-upgrade"
BANNER = "[data-tidings-banner]"
DISMISS = "Dismiss this status notice"


class _SiteHandler(SimpleHTTPRequestHandler):
    """A static host; with ``cors`` it sends what GitHub Pages sends to every origin."""

    cors = True

    def end_headers(self) -> None:
        if self.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _NoCorsHandler(_SiteHandler):
    cors = False


@contextmanager
def static_server(folder: Path, cors: bool = True) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 on a free port; yields its base URL."""
    handler = partial(_SiteHandler if cors else _NoCorsHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def write_site(snapshot: Snapshot, folder: Path) -> Path:
    for path, content in generated_files(snapshot).items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return folder


def host_page(folder: Path, script_src: str) -> Path:
    """A customer's app page that embeds the banner with one script tag."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Acme app</title></head><body><main><h1>Your projects</h1>"
        f'<p>Nothing here yet.</p></main><script src="{script_src}" async></script>'
        "</body></html>\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture(scope="module")
def demo() -> Snapshot:
    return load_valid_project(REPO, DEMO_NOW).snapshot(DEMO_NOW)


def open_app(page: Any, app_url: str) -> None:
    """Load the app and wait until embed.js has read the summary."""
    with page.expect_response(lambda r: r.url.endswith("/api/v2/summary.json")):
        page.goto(app_url)
    page.wait_for_load_state("networkidle")


def test_banner_shows_open_incident_from_another_origin(page, demo_site, tmp_path):
    """The built demo site on one origin, the app on another; the link opens the incident."""
    with static_server(demo_site) as site_url, \
            static_server(host_page(tmp_path / "app", f"{site_url}embed.js")) as app_url:
        assert site_url != app_url  # two origins: another port
        open_app(page, app_url)
        banner = page.get_by_role("status")
        banner.wait_for()
        assert "Incident (Identified):" in banner.inner_text()
        link = banner.get_by_role("link", name="Elevated API error rates")
        assert link.get_attribute("href") == f"{site_url}incidents/{OPEN}/"
        assert page.get_by_role("button", name=DISMISS).is_visible()
        with page.context.expect_page() as opened:
            link.click()
        incident_page = opened.value
        incident_page.wait_for_load_state()
        assert incident_page.url == f"{site_url}incidents/{OPEN}/"
        assert "Elevated API error rates" in incident_page.title()
    assert page.errors == []


def test_nothing_is_shown_when_all_is_operational(page, project, tmp_path):
    root = project()  # no incidents at all
    quiet = load_valid_project(root, DEMO_NOW).snapshot(DEMO_NOW)
    site = write_site(quiet, tmp_path / "site")
    with static_server(site) as site_url, \
            static_server(host_page(tmp_path / "app", f"{site_url}embed.js")) as app_url:
        open_app(page, app_url)
        assert page.locator(BANNER).count() == 0
        assert page.get_by_role("status").count() == 0
    assert page.errors == []


def test_site_under_a_subpath(page, demo_site, tmp_path):
    shutil.copytree(demo_site, tmp_path / "root" / "status")
    with static_server(tmp_path / "root") as origin, \
            static_server(host_page(tmp_path / "app", f"{origin}status/embed.js")) as app_url:
        with page.expect_response(f"{origin}status/api/v2/summary.json") as response:
            page.goto(app_url)
        assert response.value.ok
        link = page.get_by_role("status").get_by_role("link", name="Elevated API error rates")
        link.wait_for()
        assert link.get_attribute("href") == f"{origin}status/incidents/{OPEN}/"


def test_dismissal_is_remembered_until_the_next_update(page, demo, tmp_path):
    site = write_site(demo, tmp_path / "site")
    with static_server(site) as site_url, \
            static_server(host_page(tmp_path / "app", f"{site_url}embed.js")) as app_url:
        open_app(page, app_url)
        page.get_by_role("button", name=DISMISS).click()
        assert page.locator(BANNER).count() == 0
        open_app(page, app_url)
        assert page.locator(BANNER).count() == 0, "a dismissed notice came back on reload"

        (tmp_path / "next").mkdir()
        root = copy_demo(tmp_path / "next")
        write_files(root / "incidents/2026" / OPEN, {"2026-11-23T145500Z-monitoring.md": """\
            ---
            at: 2026-11-23T14:55:00Z
            status: monitoring
            ---
            A fix is deployed; we are watching error rates.
            """})
        write_site(load_valid_project(root, DEMO_NOW).snapshot(DEMO_NOW), site)
        open_app(page, app_url)
        banner = page.get_by_role("status")
        banner.wait_for()
        assert "Incident (Monitoring):" in banner.inner_text()


def test_active_maintenance_shows_and_links_to_its_page(page, tmp_path):
    (tmp_path / "demo").mkdir()
    root = copy_demo(tmp_path / "demo")
    write_files(root / "incidents/2026" / OPEN, {"2026-11-23T153000Z-resolved.md": """\
        ---
        at: 2026-11-23T15:30:00Z
        status: resolved
        ---
        Error rates are back to normal.
        """})
    during = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    site = write_site(load_valid_project(root, during).snapshot(during), tmp_path / "site")
    with static_server(site) as site_url, \
            static_server(host_page(tmp_path / "app", f"{site_url}embed.js")) as app_url:
        open_app(page, app_url)
        banner = page.get_by_role("status")
        banner.wait_for()
        assert "Maintenance (In progress):" in banner.inner_text()
        link = banner.get_by_role("link", name="Managed database upgrade to PostgreSQL 18")
        assert link.get_attribute("href") == f"{site_url}incidents/{MAINTENANCE}/"


def test_without_cors_headers_it_stays_silent(page, demo, tmp_path):
    site = write_site(demo, tmp_path / "site")
    with static_server(site, cors=False) as site_url, \
            static_server(host_page(tmp_path / "app", f"{site_url}embed.js")) as app_url:
        page.goto(app_url)
        page.wait_for_load_state("networkidle")
        assert page.locator(BANNER).count() == 0
    assert page.errors == []  # the blocked request is caught, never an uncaught error


def test_titles_are_text_never_markup(page, project, tmp_path):
    root = project({
        "incidents/x/incident.md": """\
            ---
            title: '<img src=x onerror="window.pwned = 1"> Login fails'
            impact: minor
            components: [api]
            ---
            """,
        "incidents/x/a.md": """\
            ---
            at: 2026-11-23T14:00:00Z
            status: investigating
            ---
            Looking.
            """,
    })
    site = write_site(load_valid_project(root, DEMO_NOW).snapshot(DEMO_NOW), tmp_path / "site")
    with static_server(site) as site_url, \
            static_server(host_page(tmp_path / "app", f"{site_url}embed.js")) as app_url:
        open_app(page, app_url)
        banner = page.get_by_role("status")
        banner.wait_for()
        assert '<img src=x onerror="window.pwned = 1"> Login fails' in banner.inner_text()
        assert banner.locator("img").count() == 0
        assert page.evaluate("() => window.pwned") is None


def test_banner_is_accessible(page, demo, tmp_path):
    site = write_site(demo, tmp_path / "site")
    with static_server(site) as site_url, \
            static_server(host_page(tmp_path / "app", f"{site_url}embed.js")) as app_url:
        open_app(page, app_url)
        page.get_by_role("status").wait_for()
        violations = axe_violations(page, frozenset({"minor", "moderate", "serious",
                                                     "critical"}))
        assert violations == [], describe_violations(violations)
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.shadowRoot"
                                "?.activeElement?.getAttribute('aria-label')")
        assert focused == DISMISS  # reachable by keyboard: the link, then the close button
