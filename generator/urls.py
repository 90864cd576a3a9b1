"""Site-relative URLs of every page and output, in one place (Statuspage's where it has one)."""

from __future__ import annotations

OVERVIEW = ""
HISTORY = "history/"
MAINTENANCE = "maintenance/"
UPTIME = "uptime/"
POSTMORTEMS = "postmortems/"
SUBSCRIBE = "subscribe/"
ABOUT = "about/"

HISTORY_ATOM = "history.atom"
HISTORY_RSS = "history.rss"
UPDATES_ATOM = "updates.atom"
UPDATES_RSS = "updates.rss"
CALENDAR = "maintenance.ics"
BADGE = "badge.svg"
EMBED = "embed.js"
API = "api/v2/"


def history_page(number: int) -> str:
    """Page 1 of the history is /history/, later ones /history/page/N/."""
    return HISTORY if number <= 1 else f"{HISTORY}page/{number}/"


def postmortems_page(number: int) -> str:
    """Page 1 of the postmortems is /postmortems/, later ones /postmortems/page/N/."""
    return POSTMORTEMS if number <= 1 else f"{POSTMORTEMS}page/{number}/"


def incident(incident_id: str) -> str:
    return f"incidents/{incident_id}/"


def postmortem(incident_id: str) -> str:
    return f"incidents/{incident_id}/postmortem/"


def component(component_id: str) -> str:
    return f"components/{component_id}/"


def component_file(component_id: str, name: str) -> str:
    """Per-component outputs: history.atom, history.rss, maintenance.ics, badge.svg."""
    return f"components/{component_id}/{name}"


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path
