"""Payloads: each notice in the incoming-webhook format of Slack, Discord, Teams or plain JSON,
and which webhook wants which notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .chat_markup import chat_markdown, chat_markdown_text, slack_mrkdwn
from .config import SiteConfig, Webhook
from .notices import Notice
from .render import markdown_to_text
from .timestamps import iso
from .vocabulary import (
    CLOSED_STATUSES,
    COMPONENT_STATUS_LABELS,
    INDICATOR_FILLS,
    STATUS_LABELS,
    lookup,
)
from .wording import format_time, format_window

Json = dict[str, Any]


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


