"""Every page of the status site as plain data: URL, title, template, context, edit path.

The site engine adapter (``tidings.plugin``) turns these into pages; nothing here knows MkDocs.
Per-page work is bounded: an incident page looks at its own incident only, lists are
paginated or capped, so a build grows linearly with history.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from . import urls
from .communication import communication_context
from .model import Incident
from .page_views import IncidentView, Views
from .render import Renderer
from .status import Snapshot
from .vocabulary import (
    COMPONENT_STATUS_EXPLAINED,
    COMPONENT_STATUS_LABELS,
    COMPONENT_STATUSES,
    IMPACT_LABELS,
    IMPACTS,
    INDICATORS,
    MAINTENANCE_STATUSES,
    STATUS_EXPLAINED,
    STATUS_LABELS,
    Indicator,
)
from .wording import format_duration, month_heading

HISTORY_PAGE_SIZE = 25
POSTMORTEMS_PAGE_SIZE = 25
COMPONENT_INCIDENTS = 25  # a component page lists this many, then links to the history
PAST_MAINTENANCE = 10
RECENT_DAYS = 15  # the overview's recent history, as Statuspage shows it
OVERVIEW_BARS_LIMIT = 50  # above this many components the overview links to the bars
STALE_AFTER_MINUTES = 30  # a page this old says "may be out of date": CI may have stalled

ATOM, RSS = "application/atom+xml", "application/rss+xml"
T = TypeVar("T")


@dataclass(frozen=True)
class Feed:
    """A feed linked from a page's <head> for discovery."""

    type: str
    title: str
    url: str


@dataclass
class SitePage:
    """One page; ``context()`` computes what its template shows only when it is rendered."""

    url: str  # site-relative, from tidings.urls
    title: str
    template: str  # a template under site_templates/
    build: Callable[[], dict[str, Any]]
    edit_path: str | None = None  # source file relative to the project root, for "edit"
    nav_title: str | None = None  # set for the few pages in the navigation
    description: str = ""
    feeds: list[Feed] = field(default_factory=list)
    markdown: str = ""  # a hand-written intro may replace it (docs/<same URL>.md)
    # What the page shows besides what every page shows: the ids of the incidents it reads,
    # and its pager's numbers. ``tidings serve`` renders a page again only when this or one
    # of those incidents changed (tidings/incremental.py); None: it reads the whole history.
    lists: tuple[str | int, ...] | None = None

    @property
    def source_name(self) -> str:
        """The Markdown file name a site engine knows the page by: ``history/index.md``."""
        return self.url + "index.md"

    def context(self) -> dict[str, Any]:
        return self.build()


@dataclass
class Site:
    pages: list[SitePage]
    common: dict[str, Any]  # shown on every page: site name, build time, feeds
    nav: list[tuple[str, str]]  # (title, source_name), in order


@dataclass(frozen=True)
class Pager:
    number: int
    count: int
    total_items: int
    previous_url: str | None
    next_url: str | None
    links: list[tuple[int, str | None]]  # (page number, URL); None marks a gap ("…")


def paginate(items: list[T], size: int) -> list[list[T]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def pager(number: int, count: int, total: int, url_of: Callable[[int], str]) -> Pager:
    """A bounded set of page links: first, last and two either side of the current one."""
    shown = sorted({1, count, *range(max(1, number - 2), min(count, number + 2) + 1)})
    links: list[tuple[int, str | None]] = []
    for n in shown:
        if links and n - links[-1][0] > 1:
            links.append((0, None))
        links.append((n, url_of(n)))
    return Pager(number, count, total, url_of(number - 1) if number > 1 else None,
                 url_of(number + 1) if number < count else None, links)


class SiteBuilder:
    """Turns one Snapshot into the list of pages."""

    def __init__(self, snapshot: Snapshot, renderer: Renderer, outputs: Iterable[str] = ()):
        self.snapshot = snapshot
        self.config = snapshot.config
        self.views = Views(snapshot, renderer)
        self.root_prefix = str(self.config.root).rstrip(os.sep) + os.sep
        self.outputs = sorted(outputs)
        self.by_component = self.views.by_component()
        self.feeds = [
            Feed(ATOM, f"{self.config.name}: incident history (Atom)", urls.HISTORY_ATOM),
            Feed(RSS, f"{self.config.name}: incident history (RSS)", urls.HISTORY_RSS),
            Feed(ATOM, f"{self.config.name}: every update (Atom)", urls.UPDATES_ATOM),
            Feed(RSS, f"{self.config.name}: every update (RSS)", urls.UPDATES_RSS),
        ]

    def edit_path(self, path: Path) -> str | None:
        """``path`` relative to the project root (a string prefix: no file-system calls)."""
        text, root = str(path), self.root_prefix
        if root == "." + os.sep and not path.is_absolute():
            return text.replace(os.sep, "/")
        if text.startswith(root):
            return text[len(root):].replace(os.sep, "/")
        try:
            return path.resolve().relative_to(self.config.root.resolve()).as_posix()
        except ValueError:
            return None

    def build(self) -> Site:
        pages = [self.overview(), *self.history(), self.maintenance(), self.uptime(),
                 *self.postmortems(), self.subscribe(), self.about()]
        if self.config.audience == "internal":
            pages.append(self.communication())
        pages += [self.component(c.id) for c in self.config.components]
        for incident in self.snapshot.incidents:
            pages.append(self.incident(incident))
            if self.snapshot.state(incident).postmortem is not None:
                pages.append(self.postmortem(incident))
        nav = [(p.nav_title, p.source_name) for p in pages if p.nav_title]
        return Site(pages, self.common(pages), nav)

    def common(self, pages: list[SitePage]) -> dict[str, Any]:
        c = self.config
        return {
            "name": c.name,
            "nav": [(p.nav_title, p.url) for p in pages if p.nav_title],
            "logo": urls.brand(c.logo) if c.logo else None,
            "website": c.website,
            "website_label": urlsplit(c.website).hostname if c.website else None,
            "support": c.support,
            "description": self.config.description,
            "built": self.views.moment(self.snapshot.now),
            "stale_after_minutes": STALE_AFTER_MINUTES,
            "timezone": self.config.timezone_name,
            "indicator": self.snapshot.indicator,
            "status": self.snapshot.description,
            "feeds": self.feeds,
            "audience": self.config.audience,
            "urls": {"history": urls.HISTORY, "subscribe": urls.SUBSCRIBE,
                     "overview": urls.OVERVIEW or "./", "about": urls.ABOUT},
        }

    def page(self, url: str, title: str, template: str, build: Callable[[], dict[str, Any]],
             **kwargs: Any) -> SitePage:
        return SitePage(url, title, template, build, feeds=kwargs.pop("feeds", self.feeds),
                        **kwargs)

    # --- the pages in the navigation -----------------------------------------------------

    def overview(self) -> SitePage:
        s, v = self.snapshot, self.views

        def build() -> dict[str, Any]:
            return {
                "indicator": s.indicator,
                "status": s.description,
                "open_incidents": worst_first([v.incident(i) for i in s.open_incidents]),
                "active_maintenance": [v.incident(i) for i in s.active_maintenance],
                "upcoming_maintenance": [v.incident(i) for i in s.maintenance("scheduled")],
                "groups": v.groups(),
                "executive_summary": (v.executive_summary()
                                      if self.config.audience == "internal" else []),
                "bars": len(self.config.components) <= OVERVIEW_BARS_LIMIT,
                "recent": v.recent_history(RECENT_DAYS),
                "recent_days": RECENT_DAYS,
            }

        return self.page(urls.OVERVIEW, self.config.name, "tidings/overview.html", build,
                         nav_title="Overview", description=self.config.description
                         or f"Current status of {self.config.name}")

    def filed_at(self, incident: Incident) -> datetime:
        """Where the history files an entry: maintenance by its window, incidents by creation."""
        if incident.is_maintenance and incident.scheduled_for:
            return incident.scheduled_for
        return incident.created_at or self.snapshot.now

    def history(self) -> list[SitePage]:
        filed = sorted(self.snapshot.incidents, key=lambda i: (self.filed_at(i), i.id),
                       reverse=True)
        chunks = paginate(filed, HISTORY_PAGE_SIZE)
        return [self.history_page(n, chunk, len(chunks))
                for n, chunk in enumerate(chunks, start=1)]

    def history_page(self, number: int, chunk: list[Incident], count: int) -> SitePage:
        def build() -> dict[str, Any]:
            months: list[tuple[str, list[IncidentView]]] = []
            for incident in chunk:
                heading = month_heading(self.filed_at(incident), self.config.timezone)
                if not months or months[-1][0] != heading:
                    months.append((heading, []))
                months[-1][1].append(self.views.incident(incident))
            return {"months": months, "pager": pager(number, count, len(self.snapshot.incidents),
                                                     urls.history_page)}

        title = "History" if number == 1 else f"History, page {number} of {count}"
        return self.page(urls.history_page(number), title, "tidings/history.html", build,
                         nav_title="History" if number == 1 else None,
                         lists=(*(i.id for i in chunk), count, len(self.snapshot.incidents)),
                         description=f"Past incidents and maintenance of {self.config.name}")

    def maintenance(self) -> SitePage:
        s, v = self.snapshot, self.views

        def build() -> dict[str, Any]:
            past = s.maintenance("completed")
            return {
                "active": [v.incident(i) for i in s.active_maintenance],
                "upcoming": [v.incident(i) for i in s.maintenance("scheduled")],
                "past": [v.incident(i) for i in past[:PAST_MAINTENANCE]],
                "past_total": len(past),
                "history_url": urls.HISTORY,
            }

        return self.page(urls.MAINTENANCE, "Maintenance", "tidings/maintenance.html", build,
                         nav_title="Maintenance",
                         description=f"Planned maintenance of {self.config.name}")

    def uptime(self) -> SitePage:
        return self.page(urls.UPTIME, "Uptime", "tidings/uptime.html",
                         lambda: {"groups": self.views.groups()}, nav_title="Uptime",
                         description=f"Uptime of every {self.config.name} component, 90 days")

    def postmortems(self) -> list[SitePage]:
        published = sorted(
            (i for i in self.snapshot.incidents
             if self.snapshot.state(i).postmortem is not None),
            key=lambda i: (i.postmortem.published, i.id) if i.postmortem else (None, i.id),
            reverse=True)
        chunks = paginate(published, POSTMORTEMS_PAGE_SIZE)
        return [self.postmortems_page(n, chunk, len(chunks), len(published))
                for n, chunk in enumerate(chunks, start=1)]

    def postmortems_page(self, number: int, chunk: list[Incident], count: int,
                         total: int) -> SitePage:
        def build() -> dict[str, Any]:
            return {"items": [(self.views.incident(i), self.views.postmortem_excerpt(i))
                              for i in chunk],
                    "pager": pager(number, count, total, urls.postmortems_page)}

        title = "Postmortems" if number == 1 else f"Postmortems, page {number} of {count}"
        return self.page(urls.postmortems_page(number), title, "tidings/postmortems.html", build,
                         nav_title="Postmortems" if number == 1 else None,
                         lists=(*(i.id for i in chunk), count, total),
                         description=f"What went wrong at {self.config.name}, and what changed")

    def subscribe(self) -> SitePage:
        base = self.config.base_url

        def absolute(path: str) -> str:
            return urls.absolute(base, path)

        def build() -> dict[str, Any]:
            return {
                # "Acme Status: all incidents (Atom)" reads "all incidents (Atom)" here.
                "feeds": [(f.title.split(": ", 1)[-1], f.type, absolute(f.url))
                          for f in self.feeds],
                "calendar": absolute(urls.CALENDAR),
                "badge": absolute(urls.BADGE),
                "badge_url": urls.BADGE,
                "site": base,
                "embed": f'<script src="{absolute(urls.EMBED)}" async></script>',
                "components": [
                    (self.views.component(c.id),
                     {name: absolute(url)
                      for name, url in self.views.component(c.id).feeds.items()})
                    for c in self.config.components],
                "api": [absolute(p) for p in self.outputs if p.startswith(urls.API)],
                "email": self.email_subscription(),
            }

        return self.page(urls.SUBSCRIBE, "Subscribe", "tidings/subscribe.html", build,
                         nav_title="Subscribe",
                         description=f"Feeds, calendar, badge and embed for {self.config.name}")

    def email_subscription(self) -> dict[str, Any] | None:
        """How to get updates by email, when an email webhook serves this audience."""
        c = self.config
        if not any(w.type == "email" and (w.audience == "public" or c.audience == "internal")
                   for w in c.webhooks):
            return None
        return {"url": c.subscribe_email_url, "text": c.subscribe_email}

    def about(self) -> SitePage:
        def build() -> dict[str, Any]:
            return {
                "severity": [(IMPACT_LABELS[level], level,
                              self.config.severity.get(level, "")) for level in INDICATORS],
                "component_statuses": [(COMPONENT_STATUS_LABELS[s], s,
                                        COMPONENT_STATUS_EXPLAINED[s])
                                       for s in COMPONENT_STATUSES],
                "incident_statuses": [(STATUS_LABELS[s], s, STATUS_EXPLAINED[s])
                                      for s in ("investigating", "identified", "monitoring",
                                                "resolved")],
                "maintenance_statuses": [(STATUS_LABELS[s], s, STATUS_EXPLAINED[s])
                                         for s in MAINTENANCE_STATUSES],
                "groups": self.views.groups(),
                "cadence": format_duration(self.config.update_cadence),
                "timezone": self.config.timezone_name,
            }

        return self.page(urls.ABOUT, "About this page", "tidings/about.html", build,
                         nav_title="About",
                         description=f"How to read the {self.config.name} page")

    def communication(self) -> SitePage:
        return self.page(urls.COMMUNICATION, "Communication", "tidings/communication.html",
                         lambda: communication_context(self.snapshot), nav_title="Communication",
                         description=f"How well {self.config.name} communicated its incidents")

    # --- pages per component and per incident ---------------------------------------------

    def component(self, component_id: str) -> SitePage:
        view = self.views.component(component_id)

        def build() -> dict[str, Any]:
            related = self.by_component.get(component_id, [])
            return {
                "component": view,
                "incidents": [self.views.incident(i) for i in related[:COMPONENT_INCIDENTS]],
                "incidents_total": len(related),
                "history_url": urls.HISTORY,
            }

        feeds = [*self.feeds,
                 Feed(ATOM, f"{view.name}: incident history (Atom)", view.feeds["history.atom"]),
                 Feed(RSS, f"{view.name}: incident history (RSS)", view.feeds["history.rss"])]
        # Its status and uptime come from every incident that affects it, not only those listed.
        return self.page(view.url, view.name, "tidings/component.html", build, feeds=feeds,
                         description=f"Status and uptime of {view.name}",
                         lists=tuple(i.id for i in self.by_component.get(component_id, [])))

    def incident(self, incident: Incident) -> SitePage:
        def build() -> dict[str, Any]:
            return {
                "incident": self.views.incident(incident),
                "timeline": self.views.timeline(incident),
                "postmortem_excerpt": self.views.postmortem_excerpt(incident),
            }

        return self.page(urls.incident(incident.id), incident.title, "tidings/incident.html",
                         build, edit_path=self.edit_path(incident.source),
                         description=f"{incident.title}: status and timeline",
                         lists=(incident.id,))

    def postmortem(self, incident: Incident) -> SitePage:
        def build() -> dict[str, Any]:
            return {"incident": self.views.incident(incident),
                    "html": self.views.postmortem_html(incident)}

        source = incident.postmortem.source if incident.postmortem else incident.source
        return self.page(urls.postmortem(incident.id), f"Postmortem: {incident.title}",
                         "tidings/postmortem.html", build, edit_path=self.edit_path(source),
                         description=f"Postmortem of {incident.title}", lists=(incident.id,))


def worst_first(incidents: list[IncidentView]) -> list[IncidentView]:
    """Open incidents by impact, the worst first, then the newest first."""
    rank: dict[Indicator, int] = {impact: n for n, impact in enumerate(IMPACTS)}
    newest = sorted(incidents, key=lambda i: i.started.iso if i.started else "", reverse=True)
    return sorted(newest, key=lambda i: rank.get(i.impact, 0), reverse=True)


def build_site(snapshot: Snapshot, outputs: Iterable[str] = (),
               renderer: Renderer | None = None) -> Site:
    """Every page of the site for one snapshot; ``outputs`` are the generated file paths."""
    return SiteBuilder(snapshot, renderer or Renderer(), outputs).build()
