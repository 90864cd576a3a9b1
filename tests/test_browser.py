"""The demo site in headless Debian Chromium: what a customer sees, can click and can read.

One browser per module; each test gets a fresh context. The browser clock is frozen at the
demo's moment so relative times and the "may be out of date" note read as on that day.
Set TIDINGS_UPDATE_SCREENSHOT=1 to rewrite documentation/screenshot-overview.png (README).
"""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser import PHONE, axe_violations, chromium, describe_violations, serve
from conftest import DEMO_NOW, REPO
from playwright.sync_api import expect
from tidings.project import load_valid_project
from tidings.render import markdown_to_text
from tidings.status import Snapshot
from tidings.timestamps import iso
from tidings.vocabulary import STATUS_LABELS

OPEN_INCIDENT = "2026-11-23-api-errors"
SCREENSHOT = REPO / "documentation" / "screenshot-overview.png"
PAGES = {  # a page of every kind, for checks that hold on all of them
    "overview": "",
    "incident": f"incidents/{OPEN_INCIDENT}/",
    "history": "history/",
    "maintenance": "maintenance/",
    "uptime": "uptime/",
    "component": "components/api/",
    "postmortem": "incidents/2026-10-14-login-failures/postmortem/",
    "postmortems": "postmortems/",
    "subscribe": "subscribe/",
    "about": "about/",
}


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    """What the demo shows, from the status engine: expectations, not hard-coded copies."""
    return load_valid_project(REPO, DEMO_NOW).snapshot(DEMO_NOW)


@pytest.fixture(scope="module")
def site_url(demo_site: Path) -> Iterator[str]:
    with serve(demo_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def new_page(browser: Any, javascript: bool = True, **options: Any) -> Any:
    """A page in a fresh context (no shared storage), clock frozen at the demo's moment."""
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB",
                                  timezone_id="UTC", **options)
    context.set_default_timeout(10_000)  # a missing element fails in seconds, not 30
    page = context.new_page()
    if javascript:
        page.clock.set_fixed_time(DEMO_NOW)
    return page


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = new_page(browser)
    yield page
    page.context.close()


def local_time(snapshot: Snapshot, moment: datetime) -> str:
    """``14:50 CET``: pages show times in the site's timezone, with the zone named."""
    return moment.astimezone(snapshot.config.timezone).strftime("%H:%M %Z")


def first_sentence(markdown: str) -> str:
    return markdown_to_text(markdown).split(". ")[0]


# --- overview and incident ----------------------------------------------------------------

def test_overview_shows_the_open_incident_and_links_to_it(page: Any, site_url: str,
                                                          snapshot: Snapshot) -> None:
    incident = snapshot.open_incidents[0]
    page.goto(site_url)
    expect(page.get_by_text(snapshot.description).first).to_be_visible()
    link = page.get_by_role("link", name=incident.title).first
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(f"{site_url}incidents/{incident.id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(incident.title)


def test_uptime_bars_take_the_colour_of_the_days_worst_status(page: Any, site_url: str,
                                                              snapshot: Snapshot) -> None:
    """A day with an outage must not look like a good day: each status has its own colour."""
    page.goto(site_url)
    colours: dict[str, set[str]] = {}
    for uptime in snapshot.uptime.values():
        section = f"section[aria-labelledby='component-{uptime.component.id}']"
        bars = page.locator(f"{section} ol.tidings-bars > li")
        assert bars.count() == len(uptime.days)
        for bar, day in zip(bars.all(), uptime.days, strict=True):
            key = day.worst if day.has_data else "nodata"
            colours.setdefault(key, set()).add(
                bar.evaluate("e => getComputedStyle(e).backgroundColor"))
    assert {"operational", "major_outage", "partial_outage"} <= colours.keys(), colours
    assert all(len(found) == 1 for found in colours.values()), colours
    distinct = [next(iter(found)) for found in colours.values()]
    assert len(set(distinct)) == len(distinct), colours


def assert_timeline_newest_first(page: Any, snapshot: Snapshot, incident_id: str) -> None:
    """Each entry of the timeline shows its status, time (site zone) and message, newest first."""
    incident = next(i for i in snapshot.incidents if i.id == incident_id)
    entries = page.locator("ol.tidings-timeline > li")
    newest_first = list(reversed(incident.updates))
    assert entries.count() == len(newest_first)
    for entry, update in zip(entries.all(), newest_first, strict=True):
        text = entry.inner_text()
        assert entry.locator("time").first.get_attribute("datetime") == iso(update.at), text
        assert STATUS_LABELS[update.status] in text, text
        assert local_time(snapshot, update.at) in text, text
        assert first_sentence(update.message) in text, text


def test_incident_page_shows_the_timeline_newest_first(page: Any, site_url: str,
                                                       snapshot: Snapshot) -> None:
    page.goto(f"{site_url}incidents/{OPEN_INCIDENT}/")
    assert_timeline_newest_first(page, snapshot, OPEN_INCIDENT)


def test_times_get_relative_words_and_the_stale_note_shows_when_old(page: Any,
                                                                     site_url: str) -> None:
    page.goto(f"{site_url}incidents/{OPEN_INCIDENT}/")
    assert "ago" in page.locator(".tidings-local").first.inner_text()
    assert page.locator(".tidings-stale").is_hidden()  # the clock says: built just now
    # Older than the 30 minutes after which a page says it may be out of date.
    page.clock.set_fixed_time(DEMO_NOW + timedelta(hours=2))
    page.reload()
    note = page.locator(".tidings-stale")
    expect(note).to_be_visible()
    expect(note).to_contain_text("may be out of date")


# --- without JavaScript ---------------------------------------------------------------------

def assert_uptime_labels(page: Any, snapshot: Snapshot) -> None:
    """Every day's bar of every component carries its date and what happened, as text."""
    for component in snapshot.config.components:
        days = snapshot.uptime[component.id].days
        bars = page.get_by_role("list", name=f"{component.name}: daily uptime")
        labels = bars.get_by_role("listitem").all_text_contents()
        assert len(labels) == len(days) == 90, (component.id, len(labels))
        for label, day in zip(labels, days, strict=True):
            assert label.startswith(f"{day.day.day} {day.day:%b} {day.day.year}: "), label
            if not day.has_data:
                assert "no data" in label, label
                continue
            assert day.worst.replace("_", " ") in label, label
            assert ("of downtime" if day.downtime > 0 else "no downtime") in label, label


def test_pages_are_complete_without_javascript(browser: Any, site_url: str,
                                               snapshot: Snapshot) -> None:
    page = new_page(browser, javascript=False)
    try:
        page.goto(site_url)
        text = page.locator("body").inner_text()
        assert snapshot.description in text
        for incident in snapshot.open_incidents:
            assert incident.title in text
        for component in snapshot.config.components:
            assert component.name in text
        assert_uptime_labels(page, snapshot)
        built = page.locator(f".tidings-built time[datetime='{iso(snapshot.now)}']")
        assert local_time(snapshot, snapshot.now) in built.inner_text()
        assert page.locator(".tidings-local").count() == 0  # the script really did not run
        page.goto(f"{site_url}incidents/{OPEN_INCIDENT}/")
        assert_timeline_newest_first(page, snapshot, OPEN_INCIDENT)
    finally:
        page.context.close()


# --- accessibility --------------------------------------------------------------------------

# Every page kind in the light palette; in the dark one (only colours change) the pages the
# issue names plus Subscribe, whose links set in code have a colour of their own.
AXE_CASES = [(name, "default") for name in PAGES] + [
    (name, "slate") for name in ("overview", "incident", "history", "subscribe")]


@pytest.fixture(scope="module")
def palettes(browser: Any) -> Iterator[dict[str, Any]]:
    """A page per palette, from the reader's preferred colour scheme as Material reads it."""
    pages = {"default": new_page(browser, color_scheme="light"),
             "slate": new_page(browser, color_scheme="dark")}
    yield pages
    for page in pages.values():
        page.context.close()


@pytest.mark.parametrize(("name", "scheme"), AXE_CASES)
def test_no_serious_accessibility_violations(palettes: dict[str, Any], site_url: str, name: str,
                                             scheme: str) -> None:
    page = palettes[scheme]
    page.goto(site_url + PAGES[name])
    assert page.locator("body").get_attribute("data-md-color-scheme") == scheme
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_light_and_dark_palettes(page: Any, site_url: str) -> None:
    page.goto(site_url)
    schemes = page.locator("input[name='__palette']").evaluate_all(
        "inputs => inputs.map(i => i.dataset.mdColorScheme)")
    assert set(schemes) == {"default", "slate"}, schemes
    background = "() => getComputedStyle(document.body).backgroundColor"
    light = page.evaluate(background)
    page.locator("label.md-header__button[for^='__palette']:visible").click()
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    assert page.evaluate(background) != light


# --- phone ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    # Scale 1: the README shows the screenshot at the phone's own size (375 px wide).
    page = new_page(browser, viewport=PHONE, device_scale_factor=1, is_mobile=True,
                    has_touch=True)
    yield page
    page.context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_horizontal_scroll_on_a_phone(phone: Any, site_url: str, name: str) -> None:
    phone.goto(site_url + PAGES[name])
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{PAGES[name] or '/'} is {width}px wide on a 375px phone"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def bottom(locator: Any) -> float:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not displayed"
    return box["y"] + box["height"]


def test_phone_screenshot_of_the_overview(phone: Any, site_url: str, tmp_path: Path,
                                          snapshot: Snapshot) -> None:
    phone.goto(site_url)
    # The first screen of a phone answers "is it down?": overall status and the open incident.
    assert bottom(phone.get_by_text(snapshot.description).first) <= PHONE["height"]
    title = snapshot.open_incidents[0].title
    assert bottom(phone.get_by_role("link", name=title).first) <= PHONE["height"]
    shot = tmp_path / "overview-phone.png"
    phone.screenshot(path=str(shot))
    assert png_size(shot) == (PHONE["width"], PHONE["height"])
    if os.environ.get("TIDINGS_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, SCREENSHOT)
