"""Chat notifications: post each update a deploy published for the first time.

What is new is what this deploy's API lists and the previously deployed one did not: both are
compared as Statuspage documents (``incidents.json``, ``scheduled-maintenances.json``) by the
API's own update ids, so a re-run posts nothing twice and a skipped deploy loses nothing.
Payloads follow each service's incoming-webhook format; the URLs come from the environment.
"""

from __future__ import annotations

import http.client
import json
import math
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from . import __version__, api, urls
from .config import SiteConfig, Webhook
from .render import markdown_to_html, markdown_to_text
from .status import Snapshot
from .timestamps import TimestampError, iso, parse_timestamp
from .vocabulary import (
    CLOSED_STATUSES,
    COMPONENT_STATUS_LABELS,
    INDICATOR_FILLS,
    STATUS_LABELS,
    lookup,
)
from .wording import format_time, format_window

Json = dict[str, Any]
# The API's lists that notify compares, by key, with the file that publishes each.
LISTS = {"incidents": "incidents.json", "scheduled_maintenances": "scheduled-maintenances.json"}
DEFAULT_MAX_AGE = timedelta(hours=24)
USER_AGENT = f"tidings/{__version__}"


class NotifyError(Exception):
    """The previous state cannot be read; nothing is posted."""


# -- what is new ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """One update to announce, with what a chat message shows about its incident."""

    incident_id: str
    kind: str  # "incident" or "maintenance"
    title: str
    impact: str
    url: str
    components: tuple[str, ...]  # ids of the components the incident affects
    update_id: str
    status: str  # the update's status
    at: datetime
    message: str  # Markdown
    changes: tuple[tuple[str, str, str], ...] = ()  # (id, name, new status)
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    list_key: str = "incidents"  # the API list it comes from

    @property
    def affected_names(self) -> tuple[str, ...]:
        return tuple(name for _cid, name, _new in self.changes)


def lists_in(document: Any) -> dict[str, list[Json]]:
    """The incident lists a Statuspage document holds, by key; items that are not objects go."""
    if not isinstance(document, dict):
        return {}
    return {key: [item for item in document[key] if isinstance(item, dict)]
            for key in LISTS if isinstance(document.get(key), list)}


def published_update_ids(items: Iterable[Json]) -> set[str]:
    """``incident_updates[].id`` of every incident listed."""
    return {str(update["id"]) for item in items
            for update in item.get("incident_updates") or ()
            if isinstance(update, dict) and update.get("id") is not None}


def current_lists(snapshot: Snapshot) -> dict[str, list[Json]]:
    """This deploy's lists, exactly as the API files publish them (same ids, same 50 cap)."""
    files = api.api_files(snapshot)
    found: dict[str, list[Json]] = {}
    for name in LISTS.values():
        found.update(lists_in(json.loads(files[urls.API + name])))
    return found


def new_notices(config: SiteConfig, current: Mapping[str, list[Json]],
                previous: Mapping[str, set[str]], now: datetime,
                max_age: timedelta = DEFAULT_MAX_AGE) -> list[Notice]:
    """Updates in ``current`` that ``previous`` did not publish, oldest first.

    Only the lists ``previous`` covers are compared (a list it lacks would look all new), and
    updates older than ``max_age`` are stale news, never posted: this bounds what a lost
    previous state (first deploy, live site down) can send.
    """
    return [n for n in recent_notices(config, {k: current.get(k, []) for k in previous},
                                      now, max_age)
            if n.update_id not in previous[n.list_key]]


def recent_notices(config: SiteConfig, current: Mapping[str, list[Json]], now: datetime,
                   max_age: timedelta = DEFAULT_MAX_AGE) -> list[Notice]:
    """Every update ``current`` lists from the last ``max_age``, oldest first."""
    notices = []
    for key, items in current.items():
        for item in items:
            for update in item.get("incident_updates") or ():
                if not isinstance(update, dict):
                    continue
                notice = _notice(config, key, item, update)
                if notice is not None and notice.at > now - max_age:
                    notices.append(notice)
    return sorted(notices, key=lambda n: (n.at, n.incident_id, n.update_id))


def _notice(config: SiteConfig, key: str, item: Json, update: Json) -> Notice | None:
    try:
        at = parse_timestamp(update.get("created_at"))
    except TimestampError:
        return None
    incident_id = str(item.get("id"))
    return Notice(
        incident_id=incident_id,
        kind="maintenance" if key == "scheduled_maintenances" else "incident",
        title=str(item.get("name") or incident_id),
        impact=str(item.get("impact") or "none"),
        url=urls.absolute(config.base_url, urls.incident(incident_id)),
        components=tuple(str(c.get("id")) for c in item.get("components") or ()
                         if isinstance(c, dict)),
        update_id=str(update.get("id")),
        status=str(update.get("status")),
        at=at,
        message=str(update.get("body") or ""),
        changes=tuple((str(c.get("code")), str(c.get("name")), str(c.get("new_status")))
                      for c in update.get("affected_components") or () if isinstance(c, dict)),
        scheduled_for=_optional_time(item.get("scheduled_for")),
        scheduled_until=_optional_time(item.get("scheduled_until")),
        list_key=key,
    )


def _optional_time(value: Any) -> datetime | None:
    try:
        return parse_timestamp(value) if value else None
    except TimestampError:
        return None


# -- the previous state ---------------------------------------------------------------------


def read_previous(sources: Iterable[str], timeout: float = 10.0) -> dict[str, set[str]]:
    """Update ids per list from each previously deployed document (a file or an http(s) URL).

    A URL that answers 404 was never deployed: it published nothing.
    """
    return {key: published_update_ids(items)
            for key, items in read_lists(sources, timeout, missing_ok=True).items()}


def read_lists(sources: Iterable[str], timeout: float = 10.0,
               missing_ok: bool = False) -> dict[str, list[Json]]:
    """The incident lists of deployed documents (files or URLs), merged by key."""
    found: dict[str, list[Json]] = {}
    for source in sources:
        lists = lists_in(_load(source, timeout, missing_ok))
        if not lists:
            raise NotifyError(f"{source}: not an incidents.json or scheduled-maintenances.json "
                              'document (no "incidents" or "scheduled_maintenances" list)')
        for key, items in lists.items():
            found.setdefault(key, []).extend(items)
    return found


def _load(source: str, timeout: float, missing_ok: bool) -> Any:
    if re.match(r"https?://", source):
        text = _fetch(source, timeout)
        if text is None:
            if not missing_ok:
                raise NotifyError(f"{source}: HTTP 404 Not Found")
            # Never deployed: it published nothing.
            key = "scheduled_maintenances" if "scheduled-maintenances" in source else "incidents"
            return {key: []}
    else:
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise NotifyError(f"{source}: cannot read it: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise NotifyError(f"{source}: not JSON ({exc}); pass a deployed "
                          "api/v2/incidents.json") from None


def _fetch(url: str, timeout: float) -> str | None:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Cache-Control": "no-cache"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.read().decode("utf-8-sig")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise NotifyError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NotifyError(f"{url}: cannot fetch it: {reason}") from None


# -- chat markup ------------------------------------------------------------------------------


class _ChatMarkup(HTMLParser):
    """Sanitised message HTML to Slack mrkdwn or to plain Markdown (Discord, Teams).

    Starting from the HTML the page shows means raw HTML in content is already gone, and every
    text run can be escaped for the target, so a message never pings @channel or breaks a link.
    """

    def __init__(self, slack: bool):
        super().__init__(convert_charrefs=True)
        self.slack = slack
        self.marks = ({"strong": "*", "b": "*", "em": "_", "i": "_", "del": "~", "s": "~"}
                      if slack else
                      {"strong": "**", "b": "**", "em": "*", "i": "*", "del": "~~", "s": "~~"})
        self.out: list[str] = []
        self.quotes: list[list[str]] = []  # output saved while a blockquote collects its own
        self.lists: list[list[int]] = []  # per open list: [ordered, counter]
        self.links: list[str] = []
        self.pre = False
        self.code = False  # inside `code` or a fenced block: Markdown is literal there

    def text(self, html: str) -> str:
        self.feed(html)
        self.close()
        return self.tidy(self.out)

    @staticmethod
    def tidy(parts: list[str]) -> str:
        joined = "".join(parts)
        return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", joined)).strip()

    def block(self) -> None:
        self.out.append("\n\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "div", "table", "pre") or re.fullmatch(r"h[1-6]", tag):
            self.block()
        if tag in self.marks:
            self.out.append(self.marks[tag])
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append(self.marks["strong"])
        elif tag == "br":
            self.out.append("\n")
        elif tag == "code" and not self.pre:
            self.code = True
            self.out.append("`")
        elif tag == "pre":
            self.pre = self.code = True
            self.out.append("```\n")
        elif tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            self.li()
        elif tag == "blockquote":
            self.quotes.append(self.out)
            self.out = []
        elif tag == "a":
            self.link_start(dict(attrs).get("href") or "")
        elif tag == "tr":
            self.out.append("\n")
        elif tag == "input":  # a task list item's checkbox (the only input the sanitiser keeps)
            self.out.append("[x]" if "checked" in dict(attrs) else "[ ]")

    def li(self) -> None:
        depth = max(len(self.lists) - 1, 0)
        ordered = self.lists[-1] if self.lists else [False, 0]
        ordered[1] += 1
        bullet = f"{ordered[1]}." if ordered[0] else ("•" if self.slack else "-")
        self.out.append(f"\n{'    ' * depth}{bullet} ")

    def link_start(self, href: str) -> None:
        self.links.append(href)
        if href:
            self.out.append("<" + self.escape(href) + "|" if self.slack else "[")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.marks:
            self.out.append(self.marks[tag])
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append(self.marks["strong"])
            self.block()
        elif tag == "code" and not self.pre:
            self.code = False
            self.out.append("`")
        elif tag == "pre":
            self.pre = self.code = False
            if self.out:
                self.out[-1] = self.out[-1].rstrip("\n")
            self.out.append("\n```")
            self.block()
        elif tag == "blockquote" and self.quotes:
            quoted = self.tidy(self.out)
            self.out = self.quotes.pop()
            self.block()
            self.out.append("\n".join("> " + line for line in quoted.splitlines()))
            self.block()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self.block()
        elif tag == "p":
            self.block()
        elif tag in ("td", "th"):
            self.out.append(" | ")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.out.append(">" if self.slack else "](" + href.replace(")", "%29")
                                .replace(" ", "%20") + ")")

    def handle_data(self, data: str) -> None:
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
            if not self.out or self.out[-1].endswith("\n"):
                data = data.lstrip()
        self.out.append(self.escape(data) if self.slack or not self.code else data)

    def escape(self, text: str) -> str:
        if self.slack:  # the three characters Slack asks to escape; the rest is literal
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return re.sub(r"([\\*_~`|\[\]<>#])", r"\\\1", text)


def slack_mrkdwn(markdown: str) -> str:
    return _ChatMarkup(slack=True).text(markdown_to_html(markdown))


def chat_markdown_text(text: str) -> str:
    """Plain text (a title) escaped for Markdown chat, so it never becomes a link."""
    return _ChatMarkup(slack=False).escape(text)


def chat_markdown(markdown: str) -> str:
    """Markdown for Discord and Teams, rebuilt from the sanitised HTML."""
    return _ChatMarkup(slack=False).text(markdown_to_html(markdown))


# -- payloads ---------------------------------------------------------------------------------


def _label(status: str) -> str:
    return lookup(STATUS_LABELS, status) or status.replace("_", " ").capitalize()


def _color(notice: Notice) -> int:
    """The site's fills: its operational green once closed, otherwise the impact's."""
    fill = None if notice.status in CLOSED_STATUSES else lookup(INDICATOR_FILLS, notice.impact)
    return int((fill or INDICATOR_FILLS["none"]).lstrip("#"), 16)


def facts(config: SiteConfig, notice: Notice) -> list[tuple[str, str]]:
    """Status, impact or window, and component changes, as (name, value) lines."""
    lines = [("Status", _label(notice.status))]
    if notice.kind == "maintenance" and notice.scheduled_for and notice.scheduled_until:
        lines.append(("Window", format_window(notice.scheduled_for, notice.scheduled_until,
                                              config.timezone)))
    else:
        lines.append(("Impact", notice.impact.capitalize()))
    if notice.changes:
        lines.append(("Components", ", ".join(
            f"{name}: {(lookup(COMPONENT_STATUS_LABELS, new) or new).lower()}"
            for _cid, name, new in notice.changes)))
    lines.append(("Posted", format_time(notice.at, config.timezone)))
    return lines


def summary_line(notice: Notice) -> str:
    return f"[{_label(notice.status)}] {notice.title}"


def slack_payload(config: SiteConfig, notice: Notice) -> Json:
    """Blocks for the channel, ``text`` for notifications and clients without blocks."""
    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    heading = f"*<{notice.url}|{esc(notice.title).replace('|', '¦')}>*"
    details = " · ".join(f"*{name}:* {esc(value)}" for name, value in facts(config, notice))
    plain = markdown_to_text(notice.message)
    return {  # the fallback text is mrkdwn too: escaped, so it pings nobody and links nowhere
        "text": _cut(esc(f"{summary_line(notice)}: {plain} {notice.url}"), 3000),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": _cut(heading, 3000)}},
            {"type": "section", "text": {"type": "mrkdwn",
                                         "text": _cut(slack_mrkdwn(notice.message) or " ", 3000)}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(details, 3000)}]},
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def discord_payload(config: SiteConfig, notice: Notice) -> Json:
    """An embed with the message; mentions are disabled so text never pings anyone."""
    return {
        "content": _cut(f"**{_label(notice.status)}**: {chat_markdown_text(notice.title)}",
                        2000),
        "embeds": [{
            "title": _cut(notice.title, 256),
            "url": notice.url,
            "description": _cut(chat_markdown(notice.message), 4096),
            "color": _color(notice),
            "fields": [{"name": name, "value": _cut(value, 1024), "inline": name != "Components"}
                       for name, value in facts(config, notice)],
            "timestamp": iso(notice.at),
        }],
        "allowed_mentions": {"parse": []},
    }


def teams_payload(config: SiteConfig, notice: Notice) -> Json:
    """An Adaptive Card message, as Teams Workflows ("When a Teams webhook request is
    received") and incoming webhooks accept it."""
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": chat_markdown_text(notice.title), "weight": "Bolder",
             "size": "Medium", "wrap": True},
            {"type": "FactSet", "facts": [{"title": name, "value": value}
                                          for name, value in facts(config, notice)]},
            {"type": "TextBlock", "text": chat_markdown(notice.message), "wrap": True},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "View on the status page",
                     "url": notice.url}],
    }
    return {"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
        "content": card}]}


def json_payload(config: SiteConfig, notice: Notice) -> Json:
    """A flat, documented object for any other service."""
    return {
        "event": "update_published",
        "id": notice.incident_id,
        "kind": notice.kind,
        "title": notice.title,
        "impact": notice.impact,
        "status": notice.status,
        "status_label": _label(notice.status),
        "message": markdown_to_text(notice.message),
        "message_markdown": notice.message,
        "url": notice.url,
        "update_id": notice.update_id,
        "at": iso(notice.at),
        "components": [{"id": cid, "name": name, "status": new}
                       for cid, name, new in notice.changes],
        "scheduled_for": iso(notice.scheduled_for) if notice.scheduled_for else None,
        "scheduled_until": iso(notice.scheduled_until) if notice.scheduled_until else None,
        "page": {"name": config.name, "url": config.base_url},
    }


PAYLOADS: dict[str, Callable[[SiteConfig, Notice], Json]] = {
    "slack": slack_payload, "discord": discord_payload, "teams": teams_payload,
    "json": json_payload,
}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wants(webhook: Webhook, notice: Notice) -> bool:
    """A webhook limited to components gets only incidents that touch one of them; one
    limited to impacts only incidents of those impacts (maintenance counts as its own)."""
    if webhook.impact and notice.impact not in webhook.impact:
        return False
    return not webhook.components or bool(set(webhook.components) & set(notice.components))


# -- delivery ---------------------------------------------------------------------------------


@dataclass
class Retry:
    tries: int = 3
    delay: float = 2.0  # seconds before the second try; doubles after each failure
    timeout: float = 10.0  # total time one request may take, answer included
    max_wait: float = 30.0  # cap on a Retry-After the service asks for
    sleep: Callable[[float], None] = time.sleep


class PostError(Exception):
    """A post failed; ``retry`` says whether trying again may help."""

    def __init__(self, message: str, retry: bool, wait: float | None = None):
        super().__init__(message)
        self.retry = retry
        self.wait = wait


def within(seconds: float, work: Callable[[], None]) -> None:
    """Run ``work`` with a total deadline, however slowly a server answers.

    A socket timeout bounds each read, not the request: a server sending a byte every few
    seconds would hold it for ever. The work runs in a daemon thread that is abandoned
    (and ends at its own socket timeout) when the deadline passes.
    """
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            failure.append(exc)

    worker = threading.Thread(target=run, daemon=True, name="tidings-post")
    worker.start()
    worker.join(max(seconds, 0.0))
    if worker.is_alive():
        raise PostError(f"no complete answer within {seconds:g} s", True)
    if failure:
        raise failure[0]


def check_url(url: str, env: str) -> None:
    """A webhook URL must be http(s); the message names the variable, never its value."""
    if not re.match(r"https?://[^\s/]+", url):
        raise PostError(f"{env} does not hold an http(s) URL; set the secret to the "
                        "webhook URL the service gave you", False)


def post_json(url: str, payload: Json, timeout: float) -> None:
    """POST ``payload`` within ``timeout`` seconds in all; any answer but 2xx raises PostError
    (never quoting the secret URL)."""
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT})

    def send() -> None:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            wait = _retry_after(exc.headers.get("Retry-After")) if exc.code == 429 else None
            raise PostError(f"HTTP {exc.code} {exc.reason}", exc.code == 429 or exc.code >= 500,
                            wait) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise PostError(f"no answer ({reason})", True) from None

    within(timeout, send)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header; anything else (a date, garbage, NaN) is None."""
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None


def post_with_retries(url: str, payload: Json, retry: Retry,
                      deadline: float = math.inf) -> tuple[bool, str, int]:
    """Try up to ``retry.tries`` times with backoff, never past ``deadline`` (a
    ``time.monotonic()`` value); (ok, last error, tries made)."""
    return send_with_retries(lambda timeout: post_json(url, payload, timeout), retry, deadline)


def send_with_retries(send: Callable[[float], None], retry: Retry,
                      deadline: float = math.inf) -> tuple[bool, str, int]:
    """``send(timeout)`` with retries and backoff, within ``deadline``."""
    delay = retry.delay
    for attempt in range(1, retry.tries + 1):
        left = deadline - time.monotonic()
        if left <= 0:
            return False, "the run's time budget is spent", attempt - 1
        try:
            send(min(retry.timeout, left))
            return True, "", attempt
        except PostError as exc:
            if not exc.retry or attempt == retry.tries:
                return False, str(exc), attempt
            wait = min(exc.wait if exc.wait is not None else delay, retry.max_wait)
            if time.monotonic() + wait >= deadline:
                return False, f"{exc}; no time left in the run's budget to retry", attempt
            retry.sleep(wait)
            delay *= 2
    return False, "no tries", 0
