"""The built status site, read the way a customer reads it: real MkDocs + Material builds.

Pages are parsed with the standard library's HTML parser into a small tree and asserted on
what a reader sees (words, times, links), never compared with a full-page snapshot.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import DEMO_NOW, MINIMAL_CONFIG, REPO, build_site, copy_demo, write_files

SITE = "http://site.invalid/"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}

BLOCK = {"address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
         "h1", "h2", "h3", "h4", "h5", "h6", "li", "nav", "ol", "p", "pre", "section",
         "summary", "table", "td", "th", "tr", "ul", "br"}


# --- a small HTML tree --------------------------------------------------------------------

class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self, hidden: bool = True) -> str:
        """Normalised text; ``hidden=False`` leaves out visually hidden (screen reader) text."""
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif hidden or "tidings-sr" not in child.classes:
                gap = " " if child.tag in BLOCK else ""  # blocks are apart, inline text is not
                parts.append(gap + child.text(hidden) + gap)
        return " ".join("".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str
                 ) -> list[Node]:
        return [n for n in self.iter()
                if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
                and all(n.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls} {attrs}> in <{self.tag}>"
        return found[0]

    def links(self) -> list[str]:
        return [a.attrs.get("href") or "" for a in self.find_all("a")]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag: str) -> None:
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(path: Path) -> Node:
    builder = TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    return builder.root


def page(site: Path, url: str) -> Node:
    return parse(site / url / "index.html")


def article(site: Path, url: str) -> Node:
    return page(site, url).find("article")


def card(root: Node, title: str) -> Node:
    """The incident card whose title is ``title``."""
    cards = [c for c in root.find_all("section", "tidings-card")
             if c.find(cls="tidings-card__title").text() == title]
    assert len(cards) == 1, f"{len(cards)} cards titled {title!r}"
    return cards[0]


def resolve(url: str, href: str) -> str:
    """A link on the page at ``url`` as a site path ("" is the home page)."""
    return urljoin(SITE + url, href).removeprefix(SITE)


def targets(node: Node, url: str) -> list[str]:
    """Every link under ``node`` of the page at ``url``, as site paths."""
    return [resolve(url, h) for h in node.links()]


def times(node: Node) -> list[str]:
    return [t.attrs["datetime"] or "" for t in node.find_all("time")]


# --- small projects built at a frozen time ---------------------------------------------------

def site_project(root: Path, files: dict[str, str], config: str = MINIMAL_CONFIG) -> Path:
    """A project with its own content, built with this repository's mkdocs.yml and templates."""
    (root / "incidents").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site_templates", root / "site_templates")
    shutil.copytree(REPO / "docs", root / "docs")
    write_files(root, {"tidings.yml": config, **files})
    return root


def built(root: Path, now: datetime) -> Path:
    dest = root / "site"
    result = build_site(root, dest, now)
    assert result.returncode == 0, result.stderr
    return dest


def incident_files(folder: str, title: str, updates: list[tuple[str, str, str]],
                   components: str = "[api]", impact: str = "major",
                   components_at: dict[int, str] | None = None) -> dict[str, str]:
    """One incident folder: ``updates`` are (at, status, message)."""
    files = {f"incidents/{folder}/incident.md":
             f"---\ntitle: {title}\nimpact: {impact}\ncomponents: {components}\n---\n"}
    for n, (at, status, message) in enumerate(updates):
        extra = (components_at or {}).get(n, "")
        stamp = at.replace(":", "").replace("-", "")
        files[f"incidents/{folder}/{stamp}-{status}.md"] = (
            f"---\nat: {at}\nstatus: {status}\n{extra}---\n{message}\n")
    return files


def many_incidents(count: int, start: datetime, components: str = "[api]") -> dict[str, str]:
    """``count`` resolved incidents, one a day from ``start``, oldest first."""
    files: dict[str, str] = {}
    for n in range(count):
        at = start + timedelta(days=n)
        day = at.strftime("%Y-%m-%d")
        files.update(incident_files(
            f"{day}-incident-{n:03d}", f"Incident number {n:03d}",
            [(at.strftime("%Y-%m-%dT%H:%M:%SZ"), "investigating", f"Looking at {n}."),
             ((at + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"), "resolved",
              f"Fixed {n}.")], components=components))
    return files


# --- the demo site, page by page --------------------------------------------------------------

def test_overview_says_the_overall_status_in_words(demo_site: Path) -> None:
    body = article(demo_site, "")
    banner = body.find(cls="tidings-banner")
    assert banner.text() == "Current status: Partial System Outage"
    assert "tidings-banner--major" in banner.classes


def test_overview_shows_the_open_incident_with_latest_update_and_next_update(
        demo_site: Path) -> None:
    body = article(demo_site, "")
    section = body.find("section", **{"aria-labelledby": "open-incidents"})
    incident = card(section, "Elevated API error rates")
    assert resolve("", incident.find("a").attrs["href"]) == "incidents/2026-11-23-api-errors/"
    meta = incident.find(cls="tidings-card__meta").text()
    assert "Identified" in meta and "Major impact" in meta
    # True however old the page gets; tidings.js writes the live duration in its place.
    assert "Ongoing since 23 Nov 2026, 14:50 CET, for at least 1 h 10 min" in meta
    latest = incident.find(cls="tidings-card__latest")
    assert "15:40 CET" in latest.text()
    assert "The replica is promoted" in latest.text()
    assert "We are seeing elevated error rates" not in incident.text()  # only the latest
    following = incident.find(cls="tidings-next")
    assert following.text() == "Next update by 23 Nov 2026, 16:10 CET."
    assert times(following) == ["2026-11-23T15:10:00Z"]
    affected = [li.text() for li in incident.find("ul", "tidings-affected").find_all("li")]
    assert affected == ["API: Partial outage", "Managed databases: Partial outage"]


def test_overview_shows_upcoming_maintenance_with_its_window(demo_site: Path) -> None:
    body = article(demo_site, "")
    upcoming = body.find("section", **{"aria-labelledby": "maintenance-upcoming"})
    maintenance = card(upcoming, "Managed database upgrade to PostgreSQL 18")
    assert "Scheduled 28 Nov 2026, 03:00 – 05:00 CET" in maintenance.text()
    assert not body.find_all("section", **{"aria-labelledby": "maintenance-now"})


def test_overview_lists_components_by_group_with_status(demo_site: Path) -> None:
    body = article(demo_site, "")
    groups = body.find_all("details", "tidings-group")
    headings = [g.find(cls="tidings-group__name").text() for g in groups]
    assert headings == ["Platform", "Data", "Other"]
    # A group says its own status and is open when something in it is not operational.
    assert [g.find("summary").find(cls="tidings-status").text() for g in groups] == [
        "Partial outage", "Partial outage", "Operational"]
    assert ["open" in g.attrs for g in groups] == [True, True, False]
    status = {
        c.find(cls="tidings-component__name").text():
            c.find(cls="tidings-component__head").find(cls="tidings-status").text()
        for c in body.find_all("section", "tidings-component")
    }
    assert status == {"API": "Partial outage", "Dashboard": "Operational",
                      "Login and SSO": "Operational", "Managed databases": "Partial outage",
                      "Object storage": "Operational", "Email notifications": "Operational"}


def test_uptime_bars_label_every_day_with_date_and_downtime(demo_site: Path) -> None:
    body = article(demo_site, "")
    api = body.find("section", "tidings-component", **{"aria-labelledby": "component-api"})
    bars = api.find("ol", "tidings-bars").find_all("a", "tidings-bar")
    assert len(bars) == 90
    labels = [bar.attrs["aria-label"] for bar in bars]  # each day is a link with its words
    assert labels[0].startswith("26 Aug 2026: ")
    assert labels[-1].startswith("23 Nov 2026: partial outage, ") and "of downtime" in labels[-1]
    assert "tidings-bar--partial_outage" in bars[-1].classes
    assert labels[-2] == "22 Nov 2026: operational, no downtime, 100 % uptime"
    percents = {s.classes[-1]: s.find(cls="tidings-uptime__percent").text()
                for s in api.find_all("span", "tidings-span")}
    assert set(percents) == {"tidings-span--30", "tidings-span--60", "tidings-span--90"}
    assert re.fullmatch(r"99\.\d\d % uptime over 90 days", percents["tidings-span--90"])
    # Without a script a day with an incident leads to its entry, which links the incident.
    assert bars[-1].attrs["href"] == "#api-2026-11-23"
    entry = api.find("li", id="api-2026-11-23")
    assert entry.find("a").text() == "Elevated API error rates"
    assert resolve("", entry.find("a").attrs["href"]) == "incidents/2026-11-23-api-errors/"
    quiet = bars[-2].attrs["href"]
    assert resolve("", quiet) == "components/api/#uptime"  # a quiet day: its full record
    days = [li.attrs["id"] for li in api.find("ul", "tidings-uptime__days").find_all("li")]
    assert days[0] == "api-2026-11-23" and days == sorted(days, reverse=True)
    assert not body.find_all("details", "tidings-uptime__days")  # no "Days with incidents" box


def test_uptime_days_are_the_days_of_the_page_time_zone(tmp_path: Path) -> None:
    """An incident at 00:30 Berlin time (23:30 UTC the day before) is on the date its page
    shows, in the bars and in the list of days."""
    config = MINIMAL_CONFIG.replace("url: https://status.test.example/\n",
                                    "url: https://status.test.example/\ntimezone: Europe/Berlin\n")
    root = site_project(tmp_path, incident_files(
        "2026-11-05-late", "Late night errors", [
            ("2026-11-05T00:30:00+01:00", "investigating", "Errors."),
            ("2026-11-05T01:30:00+01:00", "resolved", "Fixed.")],
        components_at={0: "components:\n  api: major_outage\n"}), config=config)
    site = built(root, datetime(2026, 11, 6, 12, 0, tzinfo=UTC))
    body = article(site, "")
    api = body.find("section", "tidings-component", **{"aria-labelledby": "component-api"})
    bars = {b.attrs["aria-label"].split(":")[0]: b for b in api.find_all("a", "tidings-bar")}
    assert "tidings-bar--major_outage" in bars["5 Nov 2026"].classes
    assert "tidings-bar--operational" in bars["4 Nov 2026"].classes
    assert api.find("li", id="api-2026-11-05").find("a").text() == "Late night errors"
    assert "5 Nov 2026, 00:30 CET" in article(site, "incidents/2026-11-05-late/").text()


def test_uptime_before_a_component_existed_is_no_data(demo_site: Path) -> None:
    storage = article(demo_site, "components/storage/")
    labels = [a.attrs["aria-label"] for a in storage.find("ol", "tidings-bars").find_all("a")]
    assert labels[0] == "26 Aug 2026: no data"
    assert labels.index("1 Oct 2026: operational, no downtime, 100 % uptime") == 36
    assert any(label.startswith("8 Nov 2026: under maintenance, no downtime") for label in labels)


def test_uptime_page_gives_each_component_its_calendar_months(demo_site: Path) -> None:
    body = article(demo_site, "uptime/")
    tables = body.find_all("table")
    assert len(tables) == 3  # Platform, Data, Other
    head = [th.text() for th in tables[0].find("thead").find_all("th")]
    assert head == ["Component", "Sep(September 2026)", "Oct(October 2026)",
                    "Nov(November 2026)", "90 days"]
    rows = {tr.find("th").text(): [td.text() for td in tr.find_all("td")]
            for t in tables for tr in t.find("tbody").find_all("tr")}
    assert rows["Object storage"][0] == "no data"  # it exists since 1 Oct
    assert rows["API"][-1] == article(demo_site, "").find(
        "section", **{"aria-labelledby": "component-api"}).find(
        cls="tidings-span--90").find(cls="tidings-uptime__percent").text().split(" uptime")[0]
    assert not body.find_all("ol", "tidings-bars")  # the bars are on the overview already


def test_overview_lists_the_last_15_days_newest_first(demo_site: Path) -> None:
    history = article(demo_site, "").find("section", **{"aria-labelledby": "recent-history"})
    entries = [li for li in history.find("ol", "tidings-days").children
               if isinstance(li, Node) and li.tag == "li"]
    assert [li.attrs["id"] for li in entries][:2] == ["day-2026-11-23", "day-2026-11-22"]
    assert len(entries) == 15 and entries[-1].attrs["id"] == "day-2026-11-09"
    today = entries[0]
    assert today.find("a").text() == "Elevated API error rates" and "ongoing" in today.text()
    assert entries[1].find(cls="tidings-days__none").text() == "No incidents reported."


def test_every_page_names_the_build_time_and_time_zone(demo_site: Path) -> None:
    for url in ("", "history/", "incidents/2026-11-23-api-errors/", "about/"):
        footer = article(demo_site, url).find(cls="tidings-built")
        assert "Page built 23 Nov 2026, 16:00 CET." in footer.text()
        assert "Europe/Berlin" in footer.text()
        assert times(footer) == ["2026-11-23T15:00:00Z"]
        asof = article(demo_site, url).find(cls="tidings-asof")  # the out-of-date note's place
        assert asof.text() == "Updated 23 Nov 2026, 16:00 CET."
        assert asof.attrs["data-tidings-built"] == "2026-11-23T15:00:00Z"
        assert asof.attrs["data-tidings-stale-minutes"] == "30"


def test_every_page_links_the_feeds_in_its_head(demo_site: Path) -> None:
    for url in ("", "history/", "incidents/2026-10-14-login-failures/", "subscribe/"):
        head = page(demo_site, url).find("head")
        alternates = {(ln.attrs["type"], ln.attrs["href"].rsplit("/", 1)[-1])
                      for ln in head.find_all("link", rel="alternate")}
        assert {("application/atom+xml", "history.atom"), ("application/rss+xml", "history.rss"),
                ("application/atom+xml", "updates.atom"),
                ("application/rss+xml", "updates.rss")} <= alternates
    head = page(demo_site, "components/api/").find("head")
    hrefs = [resolve("components/api/", ln.attrs["href"])
             for ln in head.find_all("link", rel="alternate")]
    assert "components/api/history.atom" in hrefs and "history.atom" in hrefs
    assert (demo_site / "components/api/history.atom").is_file()


def test_incident_page_shows_facts_and_timeline_newest_first(demo_site: Path) -> None:
    body = article(demo_site, "incidents/2026-11-23-api-errors/")
    assert body.find("h1").text() == "Elevated API error rates"
    facts = body.find("dl", "tidings-facts").text()
    for fact in ("Status Identified", "Impact Major: An important feature is failing",
                 "Started 23 Nov 2026, 14:50 CET", "Ongoing for at least 1 h 10 min",
                 "Next update by 23 Nov 2026, 16:10 CET"):
        assert fact in facts
    updates = body.find("ol", "tidings-timeline").find_all("article", "tidings-update")
    assert [times(u)[0] for u in updates] == [
        "2026-11-23T14:40:00Z", "2026-11-23T14:15:00Z", "2026-11-23T13:50:00Z"]
    assert [u.find(cls="tidings-status").text() for u in updates] == [
        "Identified", "Identified", "Investigating"]
    identified = updates[1]
    assert identified.find(cls="tidings-changes").text() == (
        "Component status: API Partial outage, Managed databases Major outage")
    message = identified.find(cls="tidings-message")  # Markdown rendered: code, list, link
    assert message.find("code").text() == "eu-west"
    assert [li.text() for li in message.find("ul").find_all("li")] == [
        "retry failed requests with backoff;", "see our retry guide."]
    assert message.find("a").attrs["href"] == "https://docs.acme.example/retries"
    assert "Some API requests fail with errors 502 and 503." in body.find(
        cls="tidings-summary").text()


def test_incident_page_lists_no_other_incident(demo_site: Path) -> None:
    body = page(demo_site, "incidents/2026-11-23-api-errors/")
    others = [h for h in body.links() if "2026-" in h and "api-errors" not in h]
    assert others == []


def test_postmortem_and_incident_link_each_other(demo_site: Path) -> None:
    incident = article(demo_site, "incidents/2026-10-14-login-failures/")
    aside = incident.find("aside", "tidings-postmortem-link")
    assert "Published 16 Oct 2026, 17:00 CEST." in aside.text()
    assert "For 78 minutes on 14 October" in aside.text()  # the excerpt skips headings
    assert targets(aside, "incidents/2026-10-14-login-failures/") == [
        "incidents/2026-10-14-login-failures/postmortem/"]
    postmortem = article(demo_site, "incidents/2026-10-14-login-failures/postmortem/")
    assert postmortem.find("h1").text() == "Postmortem: Sign-in failures for SSO customers"
    assert postmortem.find("h2").text() == "We are sorry"
    assert "incidents/2026-10-14-login-failures/" in targets(
        postmortem, "incidents/2026-10-14-login-failures/postmortem/")
    assert "lasted 1 h 18 min" in postmortem.text()
    listing = article(demo_site, "postmortems/")
    assert listing.find("h2").text() == "Sign-in failures for SSO customers"
    assert "incidents/2026-10-14-login-failures/postmortem/" in targets(listing, "postmortems/")


def test_resolved_incident_shows_duration_and_names_components_only(demo_site: Path) -> None:
    body = article(demo_site, "incidents/2026-11-01-email-delays/")
    facts = body.find("dl", "tidings-facts").text()
    assert "Status Resolved" in facts and "Duration 2 h 35 min" in facts
    assert "Resolved 2 Nov 2026, 01:15 CET" in facts
    assert [li.text() for li in body.find("ul", "tidings-affected").find_all("li")] == [
        "Email notifications"]


def test_maintenance_pages_show_the_window(demo_site: Path) -> None:
    body = article(demo_site, "maintenance/")
    upcoming = card(body, "Managed database upgrade to PostgreSQL 18")
    assert "28 Nov 2026, 03:00 – 05:00 CET" in upcoming.text()
    past = card(body, "Object storage migration to new hardware")
    assert "Completed" in past.text()
    assert "No maintenance is in progress." in body.text()
    upgrade = article(demo_site, "incidents/2026-11-28-database-upgrade/")
    facts = upgrade.find("dl", "tidings-facts").text()
    assert "Window 28 Nov 2026, 03:00 – 05:00 CET" in facts and "Status Scheduled" in facts


def test_history_groups_by_month_newest_first(demo_site: Path) -> None:
    body = article(demo_site, "history/")
    months = [m.find("h2").text() for m in body.find_all("section", "tidings-month")]
    assert months == ["November 2026", "October 2026"]  # 30 Sep 23:10 UTC is 1 Oct in Berlin
    titles = [a.text() for a in body.find_all("a", "tidings-list__title")]
    # Maintenance is filed by its window (28 Nov, 8 Nov), incidents by their creation.
    assert titles == ["Managed database upgrade to PostgreSQL 18", "Elevated API error rates",
                      "Object storage migration to new hardware", "Delayed alert emails",
                      "Sign-in failures for SSO customers", "Dashboard unavailable"]
    assert not body.find_all("nav", "tidings-pager")  # one page only


def test_component_page_shows_status_uptime_feeds_and_incidents(demo_site: Path) -> None:
    body = article(demo_site, "components/db/")
    assert body.find("h1").text() == "Managed databases"
    assert body.find(cls="tidings-component__now").text() == "Current status: Partial outage"
    assert "Customer PostgreSQL and Redis instances." in body.text()
    assert len(body.find("ol", "tidings-bars").find_all("li")) == 90
    titles = [c.find(cls="tidings-card__title").text()
              for c in body.find_all("section", "tidings-card")]
    assert titles == ["Elevated API error rates", "Managed database upgrade to PostgreSQL 18"]
    assert {f"components/db/{name}" for name in ("history.atom", "history.rss",
                                                 "maintenance.ics", "badge.svg")} <= set(
        targets(body, "components/db/"))


def test_subscribe_page_gives_absolute_urls(demo_site: Path) -> None:
    body = article(demo_site, "subscribe/")
    code = {c.text() for c in body.find_all("code")}
    base = "http://127.0.0.1:8000/"
    for path in ("history.atom", "history.rss", "updates.atom", "updates.rss",
                 "maintenance.ics", "badge.svg"):
        assert base + path in code, path
        assert (demo_site / path).is_file(), path
    assert f'<script src="{base}embed.js" async></script>' in code
    assert f"[![Status]({base}badge.svg)]({base})" in code
    api = [a.attrs["href"] for a in body.find_all("a") if "/api/v2/" in a.attrs["href"]]
    assert f"{base}api/v2/summary.json" in api
    assert all((demo_site / a.removeprefix(base)).is_file() for a in api)
    # Grouped, short: one chooser leads to each component's own feeds, calendar and badge.
    headings = [h.text() for h in body.find_all("h2")]
    assert headings == ["Every incident", "One component", "Maintenance calendar",
                        "For developers"]
    chooser = body.find("ul", "tidings-chooser").find_all("a")
    assert [resolve("subscribe/", a.attrs["href"]) for a in chooser][0] == \
        "components/api/#subscribe"
    follow = article(demo_site, "components/api/")
    for name in ("history.atom", "history.rss", "maintenance.ics", "badge.svg"):
        assert f"components/api/{name}" in targets(follow, "components/api/"), name
    assert not body.find_all("dl")


def test_about_page_explains_levels_and_statuses_from_configuration(demo_site: Path) -> None:
    body = article(demo_site, "about/")
    text = body.text()
    assert "This is the status page of Acme Cloud." in text  # docs/about.md, hand-written
    assert "Critical Acme Cloud is down or unusable for most customers." in text  # tidings.yml
    assert "Partial outage Some requests or some customers are failing." in text
    assert "Monitoring A fix is in place" in text
    assert "Object storage Buckets, uploads and downloads." in text
    assert "at least every 1 h" in text


def test_navigation_is_small_and_never_lists_incidents(demo_site: Path) -> None:
    expected = ["Overview", "History", "Maintenance", "Uptime", "Postmortems", "Subscribe",
                "About"]
    paths = ["", "history/", "maintenance/", "uptime/", "postmortems/", "subscribe/", "about/"]
    for url in ("", "incidents/2026-11-23-api-errors/", "components/api/", "history/"):
        nav = page(demo_site, url).find("nav", "tidings-nav").find("ul", "tidings-nav__wide")
        links = nav.find_all("a")
        assert [a.text() for a in links] == expected
        assert [resolve(url, a.attrs["href"]) for a in links] == paths


PUBLIC_KINDS = ("", "incidents/2026-11-23-api-errors/",
                "incidents/2026-10-14-login-failures/postmortem/", "history/", "maintenance/",
                "uptime/", "postmortems/", "subscribe/", "about/", "components/api/", "404.html")


def test_public_pages_are_the_companys_not_a_repositorys(demo_site: Path) -> None:
    """No edit links, no repository box, no "Made with Material", no docs sidebar."""
    for url in PUBLIC_KINDS:
        root = page(demo_site, url) if url != "404.html" else parse(demo_site / "404.html")
        assert not root.find_all("a", rel="edit"), url
        assert not root.find_all(cls="md-source"), url
        assert not root.find_all(cls="md-sidebar"), url
        assert "Made with" not in root.text() and "github.com" not in " ".join(root.links()), url
        assert root.find("header", "tidings-header") and root.find("footer", "tidings-footer")
        icon = root.find("link", rel="icon").attrs["href"]
        assert icon.endswith("assets/tidings/favicon.svg"), url  # never Material's book


def test_404_page_says_where_the_status_is(demo_site: Path) -> None:
    root = parse(demo_site / "404.html")
    assert root.find("h1").text() == "Page not found"
    assert "/" in root.find("article").links()  # the status page, from any depth


def test_edit_links_only_in_a_preview_build(tmp_path: Path) -> None:
    """A pull-request preview adds repo_url, edit_uri and the edit feature: edit links then
    point at the source files."""
    root = copy_demo(tmp_path)
    text = (root / "mkdocs.yml").read_text()
    text = text.replace("docs_dir: docs\n", "repo_url: https://github.com/acme/status\n"
                        "edit_uri: edit/main/\ndocs_dir: docs\n")
    text = text.replace("  language: en\n",
                        "  language: en\n  features:\n    - content.action.edit\n")
    (root / "mkdocs.yml").write_text(text)
    site = built(root, DEMO_NOW)
    edit = "https://github.com/acme/status/edit/main/"
    cases = {
        "incidents/2026-11-23-api-errors/": "incidents/2026/2026-11-23-api-errors/incident.md",
        "incidents/2026-10-14-login-failures/postmortem/":
            "incidents/2026/2026-10-14-login-failures/postmortem.md",
        "about/": "docs/about.md",
    }
    for url, source in cases.items():
        links = page(site, url).find_all("a", rel="edit")
        assert [a.attrs["href"] for a in links] == [edit + source]
    assert not page(site, "history/").find_all("a", rel="edit")


def test_logo_favicon_and_company_links_from_tidings_yml(tmp_path: Path) -> None:
    config = MINIMAL_CONFIG.replace("components:\n", "logo: docs/brand/logo.svg\n"
                                    "favicon: docs/brand/icon.png\n"
                                    "website: https://test.example/\n"
                                    "support: mailto:help@test.example\ncomponents:\n")
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
           '<rect width="10" height="10"/></svg>')
    root = site_project(tmp_path, {"docs/brand/logo.svg": svg, "docs/brand/icon.png": "png"},
                        config=config)
    site = built(root, datetime(2026, 11, 5, 12, 0, tzinfo=UTC))
    for url in ("", "history/"):
        root_node = page(site, url)
        logo = root_node.find("img", "tidings-brand__logo")
        assert resolve(url, logo.attrs["src"]) == "assets/brand/logo.svg"
        assert resolve(url, root_node.find("link", rel="icon").attrs["href"]) == \
            "assets/brand/icon.png"
        nav = root_node.find("nav", "tidings-nav").find("ul", "tidings-nav__wide")
        links = {a.text(): a.attrs["href"] for a in nav.find_all("a")}
        assert links["test.example"] == "https://test.example/"
        assert links["Support"] == "mailto:help@test.example"
    assert (site / "assets/brand/logo.svg").read_text() == svg


def test_light_and_dark_palettes_can_be_toggled(demo_site: Path) -> None:
    toggles = page(demo_site, "").find_all("input", cls="md-option")
    assert [t.attrs["data-md-color-media"] for t in toggles] == [
        "(prefers-color-scheme: light)", "(prefers-color-scheme: dark)"]
    assert page(demo_site, "").find("meta", name="viewport")


def test_no_search_index_is_built(demo_site: Path) -> None:
    assert not (demo_site / "search").exists()


# --- states at a frozen now -------------------------------------------------------------------

def test_all_operational(tmp_path: Path) -> None:
    root = site_project(tmp_path, incident_files(
        "2026-11-02-slow", "Slow pages", [("2026-11-02T10:00:00Z", "investigating", "Slow."),
                                          ("2026-11-02T11:00:00Z", "resolved", "Fast again.")]))
    site = built(root, datetime(2026, 11, 5, 12, 0, tzinfo=UTC))
    body = article(site, "")
    assert body.find(cls="tidings-banner").text() == "Current status: All Systems Operational"
    assert "Open incidents" not in body.text()
    assert "Maintenance in progress" not in body.text()
    # No time zone configured: times are UTC, named so.
    assert "Page built 5 Nov 2026, 12:00 UTC." in body.find(cls="tidings-built").text()
    assert {s.text() for s in body.find_all("span", "tidings-status")} == {"Operational"}


def test_open_incident_changes_the_overall_status(tmp_path: Path) -> None:
    root = site_project(tmp_path, incident_files(
        "2026-11-05-down", "Website down", [("2026-11-05T11:30:00Z", "investigating",
                                             "The website does not load.")],
        components="[web]", impact="critical",
        components_at={0: "components:\n  web: major_outage\nnext_update: 45m\n"}))
    site = built(root, datetime(2026, 11, 5, 12, 0, tzinfo=UTC))
    body = article(site, "")
    assert body.find(cls="tidings-banner").text() == "Current status: Major System Outage"
    incident = card(body, "Website down")
    assert "Ongoing since 5 Nov 2026, 11:30 UTC, for at least 30 min" in incident.text()
    assert incident.find(cls="tidings-next").text() == "Next update by 5 Nov 2026, 12:15 UTC."
    web = body.find("section", "tidings-component", **{"aria-labelledby": "component-web"})
    assert web.find(cls="tidings-status").text() == "Major outage"


def test_maintenance_in_progress(tmp_path: Path) -> None:
    files = {"incidents/2026-11-05-upgrade/incident.md": """\
        ---
        title: Database upgrade
        type: maintenance
        impact: maintenance
        components: [db]
        scheduled_for: 2026-11-05T11:00:00Z
        scheduled_until: 2026-11-05T13:00:00Z
        ---
        A short restart.
        """}
    root = site_project(tmp_path, files)
    site = built(root, datetime(2026, 11, 5, 12, 0, tzinfo=UTC))
    body = article(site, "")
    assert body.find(cls="tidings-banner").text() == "Current status: Service Under Maintenance"
    now = body.find("section", **{"aria-labelledby": "maintenance-now"})
    maintenance = card(now, "Database upgrade")
    assert "In progress" in maintenance.text()
    assert "Scheduled 5 Nov 2026, 11:00 – 13:00 UTC" in maintenance.text()
    assert "Database: Under maintenance" in maintenance.text()
    assert "Database upgrade" in article(site, "maintenance/").find(
        "h2", id="in-progress").parent.text()


# --- size: pagination and caps ----------------------------------------------------------------

@pytest.fixture(scope="module")
def sixty(tmp_path_factory) -> Path:
    """60 resolved incidents on one component, a day apart, built once."""
    root = site_project(tmp_path_factory.mktemp("sixty"),
                        many_incidents(60, datetime(2026, 6, 1, 9, 0, tzinfo=UTC)))
    return built(root, datetime(2026, 8, 15, 12, 0, tzinfo=UTC))


def test_history_is_paginated(sixty: Path) -> None:
    pages = [article(sixty, url) for url in ("history/", "history/page/2/", "history/page/3/")]
    cards = [[a.text() for a in p.find_all("a", "tidings-list__title")] for p in pages]
    assert [len(c) for c in cards] == [25, 25, 10]
    flat = [title for chunk in cards for title in chunk]
    assert flat == [f"Incident number {n:03d}" for n in range(59, -1, -1)]
    assert not (sixty / "history/page/4").exists()
    assert not (sixty / "history/page/1").exists()
    pagers = pages[1].find_all("nav", "tidings-pager")  # at the top and at the bottom
    assert [p.attrs["aria-label"] for p in pagers] == ["History pages, top", "History pages"]
    pager = pagers[-1]
    assert "Page 2 of 3 (60 in all)" in pager.text()
    assert resolve("history/page/2/", pager.find("a", rel="prev").attrs["href"]) == "history/"
    assert resolve("history/page/2/", pager.find("a", rel="next").attrs["href"]) == \
        "history/page/3/"
    assert [m.find("h2").text() for m in pages[1].find_all("section", "tidings-month")] == [
        "July 2026", "June 2026"]


def test_component_page_caps_its_incidents(sixty: Path) -> None:
    body = article(sixty, "components/api/")
    assert len(body.find_all("section", "tidings-card")) == 25
    assert "Showing the 25 most recent of 60" in body.text()
    assert "history/" in targets(body, "components/api/")


def test_incident_pages_stay_small_as_history_grows(sixty: Path) -> None:
    sizes = [len((sixty / f"incidents/{d.name}/index.html").read_bytes())
             for d in sorted((sixty / "incidents").iterdir())]
    assert len(sizes) == 60 and max(sizes) - min(sizes) < 200


# --- escaping and sanitising -----------------------------------------------------------------

PAYLOADS = {
    "incidents/2026-11-04-evil/incident.md": """\
        ---
        title: "<script>alert('title')</script> Evil <b>bold</b>"
        impact: minor
        components: [api]
        ---
        Summary <img src=x onerror="alert('summary')"> and <a href="javascript:alert(1)">x</a>.
        """,
    "incidents/2026-11-04-evil/2026-11-04T100000Z-investigating.md": """\
        ---
        at: 2026-11-04T10:00:00Z
        status: investigating
        ---
        <script>alert('update')</script>
        [click](javascript:alert('link')) and <svg onload="alert(2)"></svg>
        <iframe src="https://evil.example/"></iframe> is shown as text.

        But **bold** stays.
        """,
    "incidents/2026-11-04-evil/2026-11-04T110000Z-resolved.md": """\
        ---
        at: 2026-11-04T11:00:00Z
        status: resolved
        ---
        Fixed. <div onmouseover="alert(3)">hover</div>
        """,
    "incidents/2026-11-04-evil/postmortem.md": """\
        ---
        published: 2026-11-04T12:00:00Z
        ---
        Sorry. <script>alert('postmortem')</script><a href="javascript:void(0)">y</a>
        """,
}


def test_content_cannot_inject_script(tmp_path: Path) -> None:
    site = built(site_project(tmp_path, PAYLOADS), datetime(2026, 11, 5, 12, 0, tzinfo=UTC))
    pages = list(site.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        where = path.relative_to(site)
        for node in parse(path).iter():
            assert node.tag not in ("iframe", "b"), (where, node.tag)
            if node.tag == "script":
                assert "alert" not in node.text(), where
            for name, value in node.attrs.items():
                assert not name.startswith("on"), (where, node.tag, name)
                assert not (value or "").strip().lower().startswith("javascript:"), where
        assert "javascript:" not in path.read_text(encoding="utf-8").lower(), where
    incident = article(site, "incidents/2026-11-04-evil/")
    title = "<script>alert('title')</script> Evil <b>bold</b>"
    assert incident.find("h1").text() == " ".join(title.split())
    assert page(site, "incidents/2026-11-04-evil/").find("title").text().startswith(
        "<script>alert('title')</script> Evil")
    assert incident.find("strong").text() == "bold"  # Markdown still renders


# --- the 'docs' folder only holds hand-written pages -----------------------------------------

def test_build_writes_nothing_into_docs(tmp_path: Path) -> None:
    root = copy_demo(tmp_path)
    before = sorted(p.relative_to(root / "docs") for p in (root / "docs").rglob("*"))
    built(root, DEMO_NOW)
    assert sorted(p.relative_to(root / "docs") for p in (root / "docs").rglob("*")) == before


def test_hand_written_pages_in_docs(tmp_path: Path) -> None:
    root = site_project(tmp_path, {
        "docs/index.md": "Questions? Write to **support@test.example**.\n",
        "docs/faq.md": "# Questions\n\nSee the [about page](about.md).\n",
    })
    site = built(root, datetime(2026, 11, 5, 12, 0, tzinfo=UTC))
    body = article(site, "")
    children = [n for n in body.children if isinstance(n, Node)]
    banner = body.find(cls="tidings-glance")
    intro = next(n for n in children if n.tag == "p" and "Questions?" in n.text())
    assert children.index(banner) < children.index(intro)  # under the status
    assert intro.find("strong").text() == "support@test.example"
    faq = article(site, "faq/")
    assert faq.find("h1").text() == "Questions"
    assert "about/" in targets(faq, "faq/")
    assert not page(site, "faq/").find_all("a", rel="edit")  # a public page: no edit link


def test_shared_blocks_follow_each_page_depth(sixty: Path) -> None:
    """Sidebars, footer and config are rendered once per depth for pages outside the nav."""
    for url, base in (("incidents/2026-06-01-incident-000/", "../.."),
                      ("components/api/", "../.."), ("history/page/2/", "../../.."),
                      ("history/", "..")):
        root = page(sixty, url)
        config = json.loads(root.find("script", id="__config").text())
        assert config["base"] == base, url
        nav = root.find("nav", "tidings-nav").find("ul", "tidings-nav__wide")
        assert [resolve(url, a.attrs["href"]) for a in nav.find_all("a")][:2] == [
            "", "history/"], url
        assert root.find("footer", "tidings-footer")


@pytest.mark.parametrize(("minutes", "words"), [
    (0.5, "just now"), (1, "1 minute ago"), (25, "25 minutes ago"), (110, "2 hours ago"),
    (89, "1 hour ago"), (4 * 1440 + 60, "4 days ago"), (-10, "in 10 minutes")])
def test_relative_words_round_as_the_script_does(minutes: float, words: str) -> None:
    from tidings.wording import format_relative
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert format_relative(now - timedelta(minutes=minutes), now) == words
