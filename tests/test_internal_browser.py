"""The internal site in headless Debian Chromium: the banner on every page, the executive
summary (open incidents worst first, in words), internal notes, and no axe-core violation.

Set TIDINGS_UPDATE_SCREENSHOT=1 to rewrite documentation/screenshot-internal.png.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import axe_violations, chromium, describe_violations, serve
from conftest import DEMO_NOW, REPO, copy_demo, write_files
from tidings.cli.site import mkdocs_command, mkdocs_env

SCREENSHOT = REPO / "documentation" / "screenshot-internal.png"
EVERY_IMPACT = frozenset({"minor", "moderate", "serious", "critical"})
# The newest open incident is the worst one: worst-first must not be newest- or oldest-first.
CRITICAL = {
    "incidents/2026/2026-11-23-checkout-down/incident.md": """
        ---
        title: Checkout is down
        impact: critical
        components: [web]
        roles:
          commander: "@ana"
        ---
        """,
    "incidents/2026/2026-11-23-checkout-down/2026-11-23T145500Z-investigating.md": """
        ---
        at: 2026-11-23T14:55:00Z
        status: investigating
        components:
          web: major_outage
        next_update: 20m
        ---
        Nobody can pay.
        """,
}
PAGES = ["", "incidents/2026-11-23-api-errors/", "incidents/2026-11-23-vpn-outage/",
         "history/", "components/vpn/", "subscribe/", "about/"]


def build_internal(root: Path, dest: Path) -> Path:
    import subprocess
    result = subprocess.run(mkdocs_command("build", root / "mkdocs.yml", "-q", "--strict",
                                           "-d", str(dest)),
                            env=mkdocs_env(DEMO_NOW, "internal"), cwd=root,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return dest


@pytest.fixture(scope="module")
def demo_internal(tmp_path_factory) -> Path:
    return build_internal(REPO, tmp_path_factory.mktemp("internal") / "site-internal")


@pytest.fixture(scope="module")
def with_critical(tmp_path_factory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("critical"))
    write_files(root, CRITICAL)
    return build_internal(root, root / "site-internal")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  timezone_id="Europe/Berlin")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.clock.set_fixed_time(DEMO_NOW)  # relative times read as on the demo's day
    yield tab
    context.close()


def test_every_internal_page_says_it_is_internal_in_another_colour(page: Any,
                                                                    demo_internal: Path):
    with serve(demo_internal) as url:
        colours = set()
        for path in PAGES:
            page.goto(url + path)
            banner = page.locator(".tidings-internal-banner")
            assert banner.is_visible(), path
            assert "Internal page" in banner.inner_text()
            colours.add(page.evaluate(
                "() => getComputedStyle(document.querySelector('.md-header')).backgroundColor"))
        assert colours == {"rgb(106, 27, 154)"}  # not the public page's indigo


def test_the_executive_summary_lists_open_incidents_worst_first(page: Any,
                                                                with_critical: Path):
    with serve(with_critical) as url:
        page.goto(url)
        items = page.locator(".tidings-executive__list > li")
        assert [items.nth(n).get_attribute("data-tidings-impact")
                for n in range(items.count())] == ["critical", "major", "minor"]
        first, second, third = (items.nth(n).inner_text() for n in range(3))
        assert first.startswith("Checkout is down: Critical impact: Dashboard is affected "
                                "since 23 Nov 2026, 15:55 CET")
        assert "Status: investigating. Next update by 23 Nov 2026, 16:15 CET." in first
        assert second.startswith("Elevated API error rates: Major impact: ")
        assert "API, Managed databases are affected since 23 Nov 2026, 14:50 CET" in second
        assert third.startswith("Office VPN drops connections internal only: Minor impact: "
                                "Office VPN is affected")
        # It sits at the top of the overview, above the open incidents' cards.
        summary = page.locator("#executive-summary").bounding_box()
        cards = page.locator("#open-incidents").bounding_box()
        assert summary["y"] < cards["y"]


def test_internal_notes_and_roles_beside_the_public_message(page: Any, demo_internal: Path):
    with serve(demo_internal) as url:
        page.goto(url + "incidents/2026-11-23-api-errors/")
        roles = page.locator(".tidings-roles")
        assert "@dana (SRE on call)" in roles.inner_text()
        note = page.locator("#update-2026-11-23T141500Z-identified .tidings-internal--note")
        assert "retried for 24 h" in note.inner_text()


@pytest.mark.parametrize("path", PAGES[:3])
def test_no_axe_violation_on_the_internal_site(page: Any, demo_internal: Path, path: str):
    with serve(demo_internal) as url:
        for preference, scheme in (("light", "default"), ("dark", "slate")):
            # The reader's own preference picks the scheme as the page loads; switching the
            # attribute afterwards would measure colours in the middle of their transition.
            page.emulate_media(color_scheme=preference)
            page.goto(url + path)
            assert page.locator("body").get_attribute("data-md-color-scheme") == scheme
            violations = axe_violations(page, EVERY_IMPACT)
            assert violations == [], f"{scheme}: " + describe_violations(violations)


def test_screenshot_of_the_demo_internal_overview(page: Any, demo_internal: Path,
                                                  tmp_path: Path):
    with serve(demo_internal) as url:
        page.goto(url)
        shot = tmp_path / "internal.png"
        page.screenshot(path=str(shot), full_page=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("TIDINGS_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, SCREENSHOT)
