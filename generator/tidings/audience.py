"""Who a build is for: the one place that decides what the public may see.

The public audience gets a copy of the content with every internal part removed before any
output is computed (internal incidents and components dropped, ``internal:`` notes and
``roles:`` emptied), so no page, feed, API document, calendar, badge or notification can
carry them, whatever a template or builder does. The internal audience gets everything.
"""

from __future__ import annotations

from dataclasses import replace

from .config import SiteConfig
from .model import Incident, Update
from .vocabulary import Audience

INTERNAL_NOTE_HEADING = "Internal note"


def for_audience(config: SiteConfig, incidents: list[Incident], audience: Audience
                 ) -> tuple[SiteConfig, list[Incident]]:
    """The configuration and content ``audience`` may see."""
    if audience == "internal":
        return replace(config, audience="internal"), incidents
    public = replace(config, audience="public",
                     components=[c for c in config.components if c.visibility == "public"])
    return public, [_public(i) for i in incidents if i.visibility == "public"]


def _public(incident: Incident) -> Incident:
    """The incident without its internal parts; one that has none is itself (no copy, so a
    large history costs nothing extra)."""
    if not (incident.internal or incident.roles or any(u.internal for u in incident.updates)):
        return incident
    return replace(incident, internal="", roles={},
                   updates=[replace(u, internal="") for u in incident.updates])


def with_internal_note(update: Update) -> str:
    """The update's message, followed by its internal note when the audience has one.

    Feeds, the API and notifications carry the note this way; pages show it beside.
    """
    if not update.internal.strip():
        return update.message
    return f"{update.message.rstrip()}\n\n**{INTERNAL_NOTE_HEADING}:**\n\n{update.internal}"
