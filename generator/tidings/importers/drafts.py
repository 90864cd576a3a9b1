"""What an importer produces: incidents as plain data, before component ids and files exist.

Components are referred to by source keys (``statuspage:<code>``, ``cstate:<name>``) until the
registry has given every one an id, so one run maps a source component to one id only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path


@dataclass
class DraftUpdate:
    at: datetime  # UTC, whole seconds
    status: str
    message: str  # Markdown, verbatim from the source
    components: dict[str, str] = field(default_factory=dict)  # component key -> status


@dataclass
class DraftPostmortem:
    published: datetime
    body: str


@dataclass
class Draft:
    """One incident or maintenance to write as ``incidents/<year>/<folder>/``."""

    folder: str  # the id: ends with the source id, so imports are traceable
    kind: str  # "incident" or "maintenance"
    title: str
    impact: str
    components: list[str]  # component keys
    updates: list[DraftUpdate]
    source: Path  # the file it came from, for messages
    line: int
    summary: str = ""
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    postmortem: DraftPostmortem | None = None
    source_id: str = ""

    @property
    def created_at(self) -> datetime | None:
        """Like the loader: the first update, else the window's start."""
        return self.updates[0].at if self.updates else self.scheduled_for

    @property
    def year(self) -> str:
        created = self.created_at
        return f"{created.year:04d}" if created else "undated"


@dataclass
class SiteInfo:
    """What the source says about the site, for a new tidings.yml."""

    name: str | None = None
    url: str | None = None
    timezone: str | None = None


def utc_seconds(moment: datetime) -> datetime:
    """UTC, without sub-seconds: content timestamps and update file names carry seconds."""
    return moment.astimezone(UTC).replace(microsecond=0)


def spread(updates: list[DraftUpdate]) -> list[datetime]:
    """Space updates that share a second one second apart, in list order (the loader orders
    equal times by file name, which would lose the source's order). Returns the times moved."""
    moved = []
    for previous, update in zip(updates, updates[1:], strict=False):
        if update.at <= previous.at:
            moved.append(update.at)
            update.at = previous.at + timedelta(seconds=1)
    return moved
