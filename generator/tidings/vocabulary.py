"""Statuspage's vocabulary, so the JSON API maps one to one, with plain-words labels."""

from __future__ import annotations

# Component statuses, best first: the index is the severity used to pick "the worst".
COMPONENT_STATUSES: tuple[str, ...] = (
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
)
COMPONENT_STATUS_LABELS: dict[str, str] = {
    "operational": "Operational",
    "under_maintenance": "Under maintenance",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
}
COMPONENT_STATUS_EXPLAINED: dict[str, str] = {
    "operational": "Working normally.",
    "under_maintenance": "Planned work is in progress; it may be briefly unavailable.",
    "degraded_performance": "Working, but slower or less reliable than usual.",
    "partial_outage": "Some requests or some customers are failing.",
    "major_outage": "Not working for most or all customers.",
}

INCIDENT_STATUSES: tuple[str, ...] = ("investigating", "identified", "monitoring", "resolved")
MAINTENANCE_STATUSES: tuple[str, ...] = ("scheduled", "in_progress", "verifying", "completed")
STATUS_LABELS: dict[str, str] = {
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
CLOSED_STATUSES: frozenset[str] = frozenset({"resolved", "completed"})

IMPACTS: tuple[str, ...] = ("none", "minor", "major", "critical")
# Real Statuspage data marks maintenance with impact "maintenance".
INCIDENT_IMPACTS: tuple[str, ...] = (*IMPACTS, "maintenance")
INDICATORS: tuple[str, ...] = ("none", "minor", "major", "critical", "maintenance")

INCIDENT_TYPES: tuple[str, ...] = ("incident", "maintenance")

DEFAULT_SEVERITY_TEXT: dict[str, str] = {
    "none": "No customer impact; shared for transparency.",
    "minor": "A small part of the service is slow or failing for some customers.",
    "major": "An important feature is failing for many customers.",
    "critical": "The service is down or data is at risk for most customers.",
    "maintenance": "Planned work announced in advance.",
}


def severity(component_status: str) -> int:
    """Rank a component status: higher is worse."""
    return COMPONENT_STATUSES.index(component_status)


def worst(statuses: list[str] | tuple[str, ...]) -> str:
    """The worst of several component statuses; operational when there are none."""
    return max(statuses, key=severity, default="operational")

# Who a build or a webhook is for: customers, or the company's own people.
AUDIENCES: tuple[str, ...] = ("public", "internal")
VISIBILITIES: tuple[str, ...] = ("public", "internal")
ROLES: tuple[str, ...] = ("commander", "communications")
