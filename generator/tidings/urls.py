"""Site-relative URLs of every page and output, in one place (Statuspage's where it has one)."""

from __future__ import annotations

OVERVIEW = ""
HISTORY = "history/"
MAINTENANCE = "maintenance/"
UPTIME = "uptime/"
POSTMORTEMS = "postmortems/"
SUBSCRIBE = "subscribe/"
ABOUT = "about/"
COMMUNICATION = "communication/"  # the internal audience only

HISTORY_ATOM = "history.atom"
HISTORY_RSS = "history.rss"
UPDATES_ATOM = "updates.atom"
UPDATES_RSS = "updates.rss"
CALENDAR = "maintenance.ics"
BADGE = "badge.svg"
EMBED = "embed.js"
API = "api/v2/"
BRAND = "assets/brand/"  # the company's logo and favicon, copied from the repository
DEFAULT_FAVICON = "assets/tidings/favicon.svg"
# Statuspage's public API v2 endpoints, each a static JSON file under API.
API_SUMMARY = f"{API}summary.json"
API_STATUS = f"{API}status.json"
API_COMPONENTS = f"{API}components.json"
API_INCIDENTS = f"{API}incidents.json"
API_UNRESOLVED = f"{API}incidents/unresolved.json"
API_MAINTENANCES = f"{API}scheduled-maintenances.json"
API_UPCOMING = f"{API}scheduled-maintenances/upcoming.json"
API_ACTIVE = f"{API}scheduled-maintenances/active.json"
COMPONENT_HISTORY_ATOM = "history.atom"  # names for component_file()
COMPONENT_HISTORY_RSS = "history.rss"


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


def brand(source: str) -> str:
    """Where a logo or favicon named in tidings.yml (``docs/logo.svg``) is published."""
    return BRAND + source.rsplit("/", 1)[-1]
