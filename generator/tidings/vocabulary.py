"""Every closed set of Tidings, with its order, labels, plain-word explanations, colours and
mappings: Statuspage's vocabulary, so the JSON API maps one to one.

Each set is a ``Literal`` type, so mypy checks every literal written against it, and a tuple
in the set's order read from that type, so the order is written once. The palette is the
site's: ``tidings.css`` declares the same values (``tests/test_vocabulary.py`` holds the two
equal), and ``embed.js``, badges, charts and chat messages take theirs from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, TypeAlias, TypeVar, get_args

# --- the sets ----------------------------------------------------------------------------

ComponentStatus: TypeAlias = Literal[
    "operational", "under_maintenance", "degraded_performance", "partial_outage",
    "major_outage"]
IncidentStatus: TypeAlias = Literal["investigating", "identified", "monitoring", "resolved"]
MaintenanceStatus: TypeAlias = Literal["scheduled", "in_progress", "verifying", "completed"]
UpdateStatus: TypeAlias = IncidentStatus | MaintenanceStatus
# The API also says "postmortem" once a resolved incident's postmortem is published.
ApiStatus: TypeAlias = UpdateStatus | Literal["postmortem"]
Impact: TypeAlias = Literal["none", "minor", "major", "critical"]
# The overall indicator adds maintenance; real Statuspage data marks maintenance with impact
# "maintenance" too.
Indicator: TypeAlias = Impact | Literal["maintenance"]
IncidentType: TypeAlias = Literal["incident", "maintenance"]
Audience: TypeAlias = Literal["public", "internal"]  # who a build or a webhook is for
Visibility: TypeAlias = Literal["public", "internal"]
Role: TypeAlias = Literal["commander", "communications"]

# Component statuses best first: the index is the severity used to pick "the worst".
COMPONENT_STATUSES: tuple[ComponentStatus, ...] = get_args(ComponentStatus)
INCIDENT_STATUSES: tuple[IncidentStatus, ...] = get_args(IncidentStatus)
MAINTENANCE_STATUSES: tuple[MaintenanceStatus, ...] = get_args(MaintenanceStatus)
CLOSED_STATUSES: frozenset[UpdateStatus] = frozenset({"resolved", "completed"})
API_CLOSED_STATUSES: tuple[ApiStatus, ...] = ("resolved", "postmortem", "completed")
# A maintenance under way: its components are under maintenance.
ACTIVE_MAINTENANCE_STATUSES: tuple[MaintenanceStatus, ...] = ("in_progress", "verifying")
IMPACTS: tuple[Impact, ...] = get_args(Impact)  # least first
INCIDENT_IMPACTS: tuple[Indicator, ...] = (*IMPACTS, "maintenance")
INDICATORS: tuple[Indicator, ...] = INCIDENT_IMPACTS
INCIDENT_TYPES: tuple[IncidentType, ...] = get_args(IncidentType)
AUDIENCES: tuple[Audience, ...] = get_args(Audience)
VISIBILITIES: tuple[Visibility, ...] = get_args(Visibility)
ROLES: tuple[Role, ...] = get_args(Role)

# --- words -------------------------------------------------------------------------------

COMPONENT_STATUS_LABELS: dict[ComponentStatus, str] = {
    "operational": "Operational",
    "under_maintenance": "Under maintenance",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
}
COMPONENT_STATUS_EXPLAINED: dict[ComponentStatus, str] = {
    "operational": "Working normally.",
    "under_maintenance": "Planned work is in progress; it may be briefly unavailable.",
    "degraded_performance": "Working, but slower or less reliable than usual.",
    "partial_outage": "Some requests or some customers are failing.",
    "major_outage": "Not working for most or all customers.",
}
STATUS_LABELS: dict[ApiStatus, str] = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "postmortem": "Postmortem",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "verifying": "Verifying",
    "completed": "Completed",
}
STATUS_EXPLAINED: dict[UpdateStatus, str] = {
    "investigating": "We know something is wrong and are finding out what.",
    "identified": "We found the cause and are working on a fix.",
    "monitoring": "A fix is in place; we are watching that it holds.",
    "resolved": "The problem is fixed and the service works normally.",
    "scheduled": "Planned work, announced in advance; nothing has changed yet.",
    "in_progress": "The planned work is happening now.",
    "verifying": "The work is done; we are checking that everything works.",
    "completed": "The planned work is finished.",
}
IMPACT_LABELS: dict[Indicator, str] = {
    "none": "No impact",
    "minor": "Minor",
    "major": "Major",
    "critical": "Critical",
    "maintenance": "Maintenance",
}
# What each level means, unless tidings.yml's severity: says it in the company's words.
DEFAULT_SEVERITY_TEXT: dict[Indicator, str] = {
    "none": "No customer impact; shared for transparency.",
    "minor": "A small part of the service is slow or failing for some customers.",
    "major": "An important feature is failing for many customers.",
    "critical": "The service is down or data is at risk for most customers.",
    "maintenance": "Planned work announced in advance.",
}
# Statuspage's own indicator descriptions, so API clients see the words they know.
INDICATOR_DESCRIPTIONS: dict[Indicator, str] = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
    "maintenance": "Service Under Maintenance",
}
ROLE_LABELS: dict[Role, str] = {
    "commander": "Incident commander",
    "communications": "Communications lead",
}

# --- mappings ----------------------------------------------------------------------------

# The indicator a component status implies; the overall indicator is the worst of these
# and of open incidents' impact.
STATUS_INDICATOR: dict[ComponentStatus, Indicator] = {
    "operational": "none",
    "under_maintenance": "maintenance",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
# Indicators least first: maintenance is announced, so it ranks below any outage.
_INDICATOR_ORDER: tuple[Indicator, ...] = ("none", "maintenance", "minor", "major", "critical")
INDICATOR_RANK: dict[Indicator, int] = {name: rank for rank, name in enumerate(_INDICATOR_ORDER)}
# A component an incident names, before any update gives it a status, takes this from impact
# (and a new incident takes its impact from its components the other way round).
IMPACT_DEFAULT_STATUS: dict[Indicator, ComponentStatus] = {
    "none": "operational",
    "minor": "degraded_performance",
    "major": "partial_outage",
    "critical": "major_outage",
    "maintenance": "under_maintenance",
}
# Incident statuses as a maintenance says them (importers read both from one status field).
AS_MAINTENANCE: dict[ApiStatus, MaintenanceStatus] = {
    "investigating": "in_progress",
    "identified": "in_progress",
    "monitoring": "verifying",
    "resolved": "completed",
    "postmortem": "completed",
}
# The component status whose colour an update status's dot takes on the page.
STATUS_TONE: dict[UpdateStatus, ComponentStatus] = {
    "investigating": "major_outage",
    "identified": "partial_outage",
    "monitoring": "degraded_performance",
    "resolved": "operational",
    "scheduled": "under_maintenance",
    "in_progress": "under_maintenance",
    "verifying": "under_maintenance",
    "completed": "operational",
}
# The incidents that owe customers a postmortem.
POSTMORTEM_IMPACTS: tuple[Impact, ...] = ("major", "critical")

# --- the palette -------------------------------------------------------------------------

# Bars and status dots, (light scheme, dark scheme): each is at least 3:1 against its
# scheme's background. Colours never carry meaning alone: every status is also in words.
STATUS_COLOURS: dict[ComponentStatus, tuple[str, str]] = {
    "operational": ("#1b7f3b", "#4ade80"),
    "under_maintenance": ("#1f5fbf", "#7fb2ff"),
    "degraded_performance": ("#9a6700", "#fbbf24"),
    "partial_outage": ("#c2410c", "#fb923c"),
    "major_outage": ("#b91c1c", "#f87171"),
}
NODATA_COLOURS: tuple[str, str] = ("#9e9e9e", "#6b6b6b")
# Fills under white text, each at least 4.5:1 against it (WCAG AA): the overall banner,
# badges, embed.js's banner and chat messages.
INDICATOR_FILLS: dict[Indicator, str] = {
    "none": "#1b7f3b",
    "minor": "#8a5a00",
    "major": "#b43a08",
    "critical": "#b91c1c",
    "maintenance": "#1f5fbf",
}


Member = TypeVar("Member", bound=str)
Value = TypeVar("Value")


def member(value: object, allowed: tuple[Member, ...]) -> Member | None:
    """``value`` as a member of a closed set (typed as one), or None when it is not one."""
    for candidate in allowed:  # a loop: next() over a generator costs twice as much per word
        if candidate == value:
            return candidate
    return None


def lookup(table: Mapping[Member, Value], key: str) -> Value | None:
    """A table's entry for a word read from outside (a deployed JSON file), else None."""
    found = member(key, tuple(table))
    return None if found is None else table[found]


def status_fill(status: ComponentStatus) -> str:
    """The fill under white text for a component status (a badge's)."""
    return INDICATOR_FILLS[STATUS_INDICATOR[status]]


def severity(component_status: ComponentStatus) -> int:
    """Rank a component status: higher is worse."""
    return COMPONENT_STATUSES.index(component_status)


def worst(statuses: Iterable[ComponentStatus]) -> ComponentStatus:
    """The worst of several component statuses; operational when there are none."""
    return max(statuses, key=severity, default="operational")
