"""RSS 2.0 and Atom feeds of incidents and maintenance, built with feedgen.

``/history.atom|rss`` has one entry per incident, as Statuspage's do: its content lists every
update, newest first, and its updated time moves with each update so readers show it again.
``/updates.atom|rss`` has one entry per update (what chat and monitoring tools want). Entry
ids are ``tag:`` URIs from the configured authority, so they survive title edits, rebuilds
and a new site URL.
"""

from __future__ import annotations

import heapq
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, partial

from feedgen.entry import FeedEntry  # type: ignore[import-untyped]
from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from . import published, urls
from .audience import INTERNAL_NOTE_HEADING, with_internal_note
from .config import SiteConfig
from .model import Update
from .render import Renderer
from .status import IncidentState, Snapshot
from .timestamps import iso
from .vocabulary import STATUS_LABELS
from .wording import format_time, format_window

FEED_LIMIT = 50  # entries per feed: readers poll often, and history is on the site
_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


@dataclass(frozen=True)
class Entry:
    """One feed entry, independent of the format it is written in."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    category: str
    html: Callable[[], str] = field(compare=False, repr=False)

    @cached_property
    def content(self) -> str:
        """Rendered only for entries a feed keeps, once however many feeds show it."""
        return self.html()


@dataclass(frozen=True)
class Feed:
    """One feed, written as both Atom and RSS at ``<stem>.atom`` and ``<stem>.rss``."""

    stem: str  # site-relative path without the extension
    id: str
    title: str
    description: str
    page: str  # site-relative path of the HTML page the feed mirrors
    entries: tuple[Entry, ...]
    updated: datetime  # the newest entry's, so a rebuild without news changes no byte


def feed_files(snapshot: Snapshot, renderer: Renderer) -> dict[str, bytes]:
    """Every feed of the site: history and updates, then history per component."""
    config = snapshot.config
    quiet = published.page_updated_at(snapshot)  # the time of a feed without entries
    incident_entries = {i.id: e for i in snapshot.incidents
                        if (e := incident_entry(config, snapshot.state(i), renderer)) is not None}
    feeds = [
        Feed(urls.HISTORY_ATOM.removesuffix(".atom"), published.tag(config, "history"),
             f"{config.name}: incident history", _description(config), urls.HISTORY,
             *newest(incident_entries.values(), quiet)),
        Feed(urls.UPDATES_ATOM.removesuffix(".atom"), published.tag(config, "updates"),
             f"{config.name}: every update", _description(config), urls.HISTORY,
             *newest(update_entries(config, [snapshot.state(i) for i in snapshot.incidents],
                                   renderer),
                     quiet)),
    ]
    affecting = published.by_component(snapshot)
    for component in config.components:
        entries = [incident_entries[i.id] for i in affecting[component.id]
                   if i.id in incident_entries]
        stem = urls.component_file(component.id, urls.COMPONENT_HISTORY_ATOM)
        feeds.append(Feed(stem.removesuffix(".atom"),
                          published.tag(config, "component", component.id, "history"),
                          f"{config.name}: {component.name} history",
                          f"Incidents and maintenance affecting {component.name}.",
                          urls.component(component.id), *newest(entries, quiet)))
    files: dict[str, bytes] = {}
    for feed in feeds:
        files[f"{feed.stem}.atom"] = render(config, feed, "atom")
        files[f"{feed.stem}.rss"] = render(config, feed, "rss")
    return files


def newest(entries: Iterable[Entry], quiet: datetime) -> tuple[tuple[Entry, ...], datetime]:
    """Newest change first, capped, ties broken by id; and the feed's updated time."""
    ordered = sorted(entries, key=lambda e: (e.updated, e.id), reverse=True)[:FEED_LIMIT]
    return tuple(ordered), (ordered[0].updated if ordered else quiet)


def _description(config: SiteConfig) -> str:
    return config.description or f"Incidents and planned maintenance for {config.name}."


# -- entries ---------------------------------------------------------------------------


def incident_entry(config: SiteConfig, state: IncidentState, renderer: Renderer
                   ) -> Entry | None:
    """One entry per incident or maintenance; None before anything about it is published."""
    incident = state.incident
    created = published.created_at(state)
    changed = published.last_changed(state)
    if created is None or changed is None:
        return None
    return Entry(published.incident_tag(config, incident), incident.title,
                 published.incident_link(config, incident), created, changed, incident.kind,
                 partial(incident_html, config, state, renderer))


def incident_html(config: SiteConfig, state: IncidentState, renderer: Renderer) -> str:
    """The window, affected components, summary, postmortem, then updates newest first."""
    incident, parts = state.incident, []
    if incident.is_maintenance and incident.scheduled_for and incident.scheduled_until:
        window = format_window(incident.scheduled_for, incident.scheduled_until,
                               config.timezone)
        parts.append(f"<p>Scheduled for {html.escape(window)}.</p>")
    names = [c.name for cid in incident.affected if (c := config.component(cid))]
    if names:
        parts.append(f"<p>Affected components: {html.escape(', '.join(names))}.</p>")
    if incident.summary.strip():
        parts.append(renderer.html(incident.summary))
    if incident.internal.strip():  # only the internal audience's content has one
        parts.append(f"<p><strong>{INTERNAL_NOTE_HEADING}:</strong></p>"
                     + renderer.html(incident.internal))
    if (report := state.postmortem) is not None:
        parts.append(_item_html(config, renderer, "Postmortem", report.published, report.body,
                                document=True))
    for update in reversed(state.updates):
        parts.append(_item_html(config, renderer, STATUS_LABELS[update.status], update.at,
                                with_internal_note(update)))
    return "\n".join(parts)


def update_entries(config: SiteConfig, states: list[IncidentState], renderer: Renderer
                   ) -> list[Entry]:
    """One entry per update and per published postmortem: the newest FEED_LIMIT of them."""
    found: list[tuple[datetime, str, str, IncidentState, Update | None]] = []
    for state in states:
        incident = state.incident
        found += [(u.at, incident.id, u.id, state, u) for u in state.updates]
        if state.postmortem is not None and incident.updates:
            found.append((state.postmortem.published, incident.id, "", state, None))
    chosen = heapq.nlargest(FEED_LIMIT, found, key=lambda item: item[:3])
    return [_update_entry(config, state, update, renderer)
            for _, _, _, state, update in chosen]


def _update_entry(config: SiteConfig, state: IncidentState, update: Update | None,
                  renderer: Renderer) -> Entry:
    """An update's entry, or with ``update`` None the postmortem's."""
    incident = state.incident
    if update is None:
        report = state.postmortem
        assert report is not None, "only published postmortems get an entry"
        return Entry(published.postmortem_tag(config, incident), f"{incident.title}: Postmortem",
                     published.link(config, urls.postmortem(incident.id)), report.published,
                     report.published, incident.kind,
                     partial(_item_html, config, renderer, "Postmortem", report.published,
                             report.body, document=True))
    label = STATUS_LABELS[update.status]
    return Entry(published.update_tag(config, incident, update), f"{incident.title}: {label}",
                 published.incident_link(config, incident), update.at, update.at,
                 incident.kind, partial(_item_html, config, renderer, label, update.at,
                                        with_internal_note(update)))


def _item_html(config: SiteConfig, renderer: Renderer, label: str, at: datetime,
               markdown: str, document: bool = False) -> str:
    """A dated, labelled message (or postmortem ``document``), sanitised HTML from Markdown."""
    stamp = html.escape(iso(at))
    return (f'<p><small><time datetime="{stamp}">{_when(config, at)}</time></small><br>'
            f"<strong>{html.escape(label)}</strong></p>\n{renderer.html(markdown, document)}")


def _when(config: SiteConfig, moment: datetime) -> str:
    """A time as readers see it on the page: the site's zone, with its abbreviation."""
    return html.escape(format_time(moment, config.timezone))


# -- writing ---------------------------------------------------------------------------


def render(config: SiteConfig, feed: Feed, kind: str) -> bytes:
    """The feed as Atom or RSS bytes; every date comes from the data, never the clock."""
    generator = FeedGenerator()
    generator.id(feed.id)
    generator.title(feed.title)
    generator.subtitle(feed.description)  # also the RSS description
    generator.author({"name": config.feed_author, "email": config.feed_email})
    generator.managingEditor(_rss_person(config))  # RSS's feed author: an email, then the name
    generator.link(href=published.link(config, f"{feed.stem}.{kind}"), rel="self",
                   type=_TYPES[kind])
    generator.link(href=published.link(config, feed.page), rel="alternate", type="text/html")
    generator.language("en")
    generator.generator("Tidings")
    generator.updated(feed.updated)
    for entry in feed.entries:
        generator.add_entry(_feed_entry(config, entry, kind), order="append")
    written: bytes = generator.atom_str(pretty=True) if kind == "atom" else \
        generator.rss_str(pretty=True)
    return written


def _rss_person(config: SiteConfig) -> str:
    return f"{config.feed_email} ({config.feed_author})"


def _feed_entry(config: SiteConfig, entry: Entry, kind: str) -> FeedEntry:
    item = FeedEntry()
    item.id(entry.id)
    item.title(entry.title)
    item.link(href=entry.link, rel="alternate", type="text/html")
    item.author({"name": config.feed_author, "email": config.feed_email})
    item.category(term=entry.category)
    item.updated(entry.updated)
    if kind == "atom":
        item.published(entry.published)
        item.content(entry.content, type="html")
    else:
        # RSS has no "updated": readers that watch pubDate see the entry again on each update.
        item.published(entry.updated)
        item.description(entry.content)
    return item
