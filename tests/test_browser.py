"""The demo site in headless Debian Chromium: what a customer sees, can click and can read.

One browser per module; each test gets a fresh context. The browser clock is frozen at the
demo's moment so relative times and the "may be out of date" note read as on that day.
Set TIDINGS_UPDATE_SCREENSHOT=1 to rewrite documentation/screenshot-overview.png (phone) and
documentation/screenshot-desktop.png (README).
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
from browser import ALL_IMPACTS, PHONE, axe_violations, chromium, describe_violations, serve
from conftest import DEMO_NOW, MINIMAL_CONFIG, REPO, build_site, write_files
from playwright.sync_api import expect
from tidings.pipeline import load_valid_project
from tidings.render import markdown_to_text
from tidings.status import Snapshot
from tidings.timestamps import iso
from tidings.vocabulary import STATUS_LABELS

OPEN_INCIDENT = "2026-11-23-api-errors"
SCREENSHOT = REPO / "documentation" / "screenshot-overview.png"
DESKTOP_SCREENSHOT = REPO / "documentation" / "screenshot-desktop.png"
DESKTOP = {"width": 1280, "height": 800}
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
    "not found": "404.html",  # what a web host serves for a wrong address
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


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    # Scale 1: the README shows the screenshot at the phone's own size (375 px wide).
    page = new_page(browser, viewport=PHONE, device_scale_factor=1, is_mobile=True,
                    has_touch=True)
    yield page
    page.context.close()


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


def test_uptime_bars_take_the_colour_of_the_days_downtime(page: Any, site_url: str,
                                                          snapshot: Snapshot) -> None:
    """A day with an outage must not look like a good day: each level has its own colour."""
    page.goto(site_url)
    colours: dict[str, set[str]] = {}
    for uptime in snapshot.uptime.values():
        section = f"section[aria-labelledby='component-{uptime.component.id}']"
        bars = page.locator(f"{section} ol.tidings-bars .tidings-bar")
        assert bars.count() == len(uptime.days)
        found = bars.evaluate_all("bars => bars.map(b => getComputedStyle(b).backgroundColor)")
        for colour, day in zip(found, uptime.days, strict=True):
            colours.setdefault(day.level, set()).add(colour)
    assert {"operational", "degraded_performance", "partial_outage"} <= colours.keys(), colours
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


def test_each_update_starts_with_one_short_line_on_a_phone(phone: Any, site_url: str) -> None:
    phone.goto(f"{site_url}incidents/{OPEN_INCIDENT}/")
    for head in phone.locator(".tidings-update__head").all():
        lines = head.evaluate("h => Math.round(h.getBoundingClientRect().height / "
                              "parseFloat(getComputedStyle(h).lineHeight))")
        assert lines == 1, head.inner_text()


def test_times_follow_the_readers_clock_and_the_stale_note_shows_when_old(
        page: Any, site_url: str) -> None:
    page.goto(f"{site_url}incidents/{OPEN_INCIDENT}/")
    started = page.locator(".tidings-facts .tidings-ago").first
    # The reader's zone (UTC here) differs from the page's (CET): their time shows as text.
    assert started.inner_text().strip() == "(1 hour ago; 13:50 UTC your time)"
    assert page.locator(".tidings-asof").inner_text() == "Updated 23 Nov 2026, 16:00 CET."
    page.clock.set_fixed_time(DEMO_NOW + timedelta(days=4))  # older than the 30 minutes
    page.reload()
    note = page.locator(".tidings-asof")
    expect(note).to_contain_text("Updated 4 days ago: this page may be out of date")
    # Four days after a missed update the page says so truthfully.
    expect(page.locator(".tidings-facts .tidings-next")).to_contain_text(
        "An update was due 4 days ago")
    expect(page.locator("[data-tidings-since]")).to_have_text("for 4 d 1 h")


LAYOUT_SHIFTS = """() => new Promise(done => {
  let total = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) total += e.value; })
    .observe({type: "layout-shift", buffered: true});
  setTimeout(() => done(total), 500);
})"""


@pytest.mark.parametrize("age", [timedelta(0), timedelta(days=4)])
@pytest.mark.parametrize("name", ["overview", "incident"])
def test_words_the_script_writes_do_not_move_the_page(browser: Any, site_url: str, name: str,
                                                      age: timedelta) -> None:
    """Relative times, the reader's own time, "An update was due …" and the out-of-date note
    take the space the build reserved for them (a phone in another zone than the page's)."""
    page = new_page(browser, viewport={"width": 412, "height": 823}, is_mobile=True)
    try:
        page.clock.set_fixed_time(DEMO_NOW + age)
        page.goto(site_url + PAGES[name])
        assert page.evaluate(LAYOUT_SHIFTS) <= 0.01
        stale = page.locator(".tidings-asof--stale")
        expect(stale).to_have_count(1 if age else 0)
    finally:
        page.context.close()


# --- uptime days by touch, keyboard and without JavaScript ----------------------------------

def test_tapping_a_day_opens_its_panel_and_escape_closes_it(phone: Any, site_url: str,
                                                            snapshot: Snapshot) -> None:
    phone.goto(site_url)
    today = phone.locator("section[aria-labelledby='component-api'] .tidings-bar").last
    assert today.bounding_box()["width"] >= 8  # 30 days on a phone: a bar a finger can hit
    today.tap()
    panel = phone.get_by_role("dialog", name="API, 23 Nov 2026")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("partial outage")
    link = panel.get_by_role("link", name=snapshot.open_incidents[0].title)
    assert link.get_attribute("href").endswith(f"incidents/{OPEN_INCIDENT}/")
    phone.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    assert phone.evaluate("() => document.activeElement.getAttribute('aria-label')") \
        .startswith("23 Nov 2026")


def test_tab_reaches_the_days_and_enter_opens_them(page: Any, site_url: str) -> None:
    page.goto(site_url)
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('tidings-bar')"):
            break
    else:
        pytest.fail("Tab never reached a day of the uptime bars")
    label = "() => document.activeElement.getAttribute('aria-label')"
    assert page.evaluate(label).startswith("23 Nov 2026")  # the newest day of the component
    page.keyboard.press("ArrowLeft")  # the arrow keys move between days: one Tab stop each
    assert page.evaluate(label).startswith("22 Nov 2026")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="API, 22 Nov 2026")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.keyboard.press("Tab")  # on to the next component's days, not the 21st of November
    assert page.evaluate(label) is None or not page.evaluate(label).startswith("21 Nov")


def test_narrow_screens_show_fewer_days_with_their_uptime(browser: Any, site_url: str) -> None:
    for width, days in ((375, 30), (700, 60), (1280, 90)):
        page = new_page(browser, viewport={"width": width, "height": 800})
        try:
            page.goto(site_url)
            api = page.locator("section[aria-labelledby='component-api']")
            assert api.locator(".tidings-bar:visible").count() == days, width
            expect(api.locator(".tidings-uptime__percent:visible")).to_contain_text(
                f"uptime over {days} days")
        finally:
            page.context.close()


# --- without JavaScript ---------------------------------------------------------------------

def assert_uptime_labels(page: Any, snapshot: Snapshot) -> None:
    """Every day's bar of every component carries its date and what happened, as text."""
    for component in snapshot.config.components:
        days = snapshot.uptime[component.id].days
        # By attribute, not role: a folded group's bars are in the page but not displayed.
        bars = page.locator(f"ol.tidings-bars[aria-label^='{component.name}: daily uptime']")
        labels = bars.locator(".tidings-bar").evaluate_all(
            "bars => bars.map(b => b.getAttribute('aria-label'))")
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
        everything = page.locator("body").text_content()  # folded groups are there too
        for component in snapshot.config.components:
            assert component.name in everything
        assert_uptime_labels(page, snapshot)
        built = page.locator(f".tidings-built time[datetime='{iso(snapshot.now)}']")
        assert local_time(snapshot, snapshot.now) in built.inner_text()
        assert page.locator("[aria-expanded]").count() == 0  # the script really did not run
        # A day with an incident leads to its entry, which links the incident.
        page.locator("section[aria-labelledby='component-api'] .tidings-bar").last.click()
        assert page.url.endswith("#api-2026-11-23")
        entry = page.locator("#api-2026-11-23")
        expect(entry.get_by_role("link", name=snapshot.open_incidents[0].title)).to_be_visible()
        page.goto(f"{site_url}incidents/{OPEN_INCIDENT}/")
        assert_timeline_newest_first(page, snapshot, OPEN_INCIDENT)
    finally:
        page.context.close()


# --- the page's own origin only, and nothing of a documentation site -----------------------

@pytest.mark.parametrize("name", list(PAGES))
def test_no_request_leaves_the_pages_origin(page: Any, site_url: str, name: str) -> None:
    requests: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(site_url + PAGES[name])
    page.wait_for_load_state("networkidle")
    assert requests and all(url.startswith(site_url) for url in requests), requests
    assert failed == [], failed  # no sitemap.xml fetches, no missing asset
    assert page.locator("a[rel=edit], .md-source, .md-sidebar").count() == 0
    assert "Made with" not in page.locator("body").inner_text()


def test_postmortem_header_fits_two_lines_on_a_desktop(browser: Any, site_url: str) -> None:
    page = new_page(browser, viewport={"width": 1440, "height": 900})
    try:
        for url in (PAGES["postmortem"], PAGES["postmortems"]):
            page.goto(site_url + url)
            line = page.locator(".tidings-byline").first
            lines = line.evaluate("p => p.getClientRects().length && Math.round("
                                  "p.getBoundingClientRect().height / "
                                  "parseFloat(getComputedStyle(p).lineHeight))")
            assert 1 <= lines <= 2, (url, lines, line.inner_text())
            assert line.evaluate("p => getComputedStyle(p).display") == "block"
    finally:
        page.context.close()


# --- a page with several open incidents, built days after one was resolved -----------------

def incident(folder: str, title: str, impact: str, *updates: tuple[str, str]) -> dict[str, str]:
    files = {f"incidents/{folder}/incident.md":
             f"---\ntitle: {title}\nimpact: {impact}\ncomponents: [api]\n---\n"}
    for at, status in updates:
        files[f"incidents/{folder}/{at.replace(':', '')}.md"] = (
            f"---\nat: {at}\nstatus: {status}\n---\nWe are on it.\n")
    return files


MAJOR_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=DEMO_NOW.tzinfo)


@pytest.fixture(scope="module")
def major_url(tmp_path_factory: Any) -> Iterator[str]:
    """A critical incident, a newer minor one, and one resolved three days before the build."""
    root = tmp_path_factory.mktemp("major")
    (root / "incidents").mkdir()
    (root / "docs").mkdir()
    shutil.copytree(REPO / "site_templates", root / "site_templates")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    write_files(root, {"tidings.yml": MINIMAL_CONFIG,
                       **incident("2026-11-20-down", "API down", "critical",
                                  ("2026-11-20T10:00:00Z", "investigating")),
                       **incident("2026-11-20-slow", "Slow logins", "minor",
                                  ("2026-11-20T11:00:00Z", "investigating")),
                       **incident("2026-11-17-errors", "Errors on uploads", "major",
                                  ("2026-11-17T09:00:00Z", "investigating"),
                                  ("2026-11-17T09:45:00Z", "resolved"))})
    result = build_site(root, root / "site", MAJOR_NOW)
    assert result.returncode == 0, result.stderr
    with serve(root / "site") as url:
        yield url


def test_the_worst_open_incident_comes_first(phone: Any, major_url: str) -> None:
    phone.goto(major_url)
    cards = phone.locator("section[aria-labelledby='open-incidents'] .tidings-card__title")
    assert cards.all_inner_texts() == ["API down", "Slow logins"]
    assert bottom(cards.first) <= PHONE["height"]  # on the first screen
    expect(phone.locator(".tidings-banner")).to_contain_text("Major System Outage")


def test_an_incident_resolved_days_ago_stays_on_the_overview(page: Any, major_url: str) -> None:
    page.goto(major_url)
    day = page.locator("#day-2026-11-17")
    expect(day.get_by_role("link", name="Errors on uploads")).to_be_visible()
    expect(day).to_contain_text("resolved after 45 min")
    expect(page.locator("#day-2026-11-18")).to_contain_text("No incidents reported.")


# --- accessibility --------------------------------------------------------------------------

AXE_CASES = [(name, scheme, width) for name in PAGES for scheme in ("light", "dark")
             for width in (375, 1280)]


@pytest.fixture(scope="module")
def viewports(browser: Any) -> Iterator[dict[tuple[str, int], Any]]:
    """A page per colour scheme and width, from the reader's preferred scheme."""
    pages = {(scheme, width): new_page(browser, color_scheme=scheme,
                                       viewport={"width": width, "height": 800})
             for scheme in ("light", "dark") for width in (375, 1280)}
    yield pages
    for page in pages.values():
        page.context.close()


@pytest.mark.parametrize(("name", "scheme", "width"), AXE_CASES)
def test_no_accessibility_violations_of_any_impact(viewports: dict[tuple[str, int], Any],
                                                   site_url: str, name: str, scheme: str,
                                                   width: int) -> None:
    page = viewports[(scheme, width)]
    page.goto(site_url + PAGES[name])
    expected = "slate" if scheme == "dark" else "default"
    assert page.locator("body").get_attribute("data-md-color-scheme") == expected
    violations = axe_violations(page, impacts=ALL_IMPACTS)
    assert not violations, describe_violations(violations)


def test_an_open_day_panel_has_no_accessibility_violations(phone: Any, site_url: str) -> None:
    phone.goto(site_url)
    phone.locator("section[aria-labelledby='component-api'] .tidings-bar").last.tap()
    expect(phone.get_by_role("dialog")).to_have_count(1)
    violations = axe_violations(phone, impacts=ALL_IMPACTS)
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
    page.reload()  # the choice is kept
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"


# --- phone ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(PAGES))
def test_no_horizontal_scroll_on_a_phone(phone: Any, site_url: str, name: str) -> None:
    phone.goto(site_url + PAGES[name])
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{PAGES[name] or '/'} is {width}px wide on a 375px phone"


def test_phone_menu_opens_without_javascript(browser: Any, site_url: str) -> None:
    page = new_page(browser, javascript=False, viewport=PHONE)
    try:
        page.goto(site_url)
        menu = page.locator("details.tidings-menu")
        expect(menu.get_by_role("link", name="History")).to_be_hidden()
        menu.locator("summary").click()
        menu.get_by_role("link", name="History").click()
        page.wait_for_url(f"{site_url}history/")
    finally:
        page.context.close()


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


def test_desktop_screenshot_of_the_overview(browser: Any, site_url: str, tmp_path: Path) -> None:
    page = new_page(browser, viewport=DESKTOP, device_scale_factor=1)
    try:
        page.goto(site_url)
        shot = tmp_path / "overview-desktop.png"
        page.screenshot(path=str(shot))
        assert png_size(shot) == (DESKTOP["width"], DESKTOP["height"])
        if os.environ.get("TIDINGS_UPDATE_SCREENSHOT") == "1":
            shutil.copyfile(shot, DESKTOP_SCREENSHOT)
    finally:
        page.context.close()
