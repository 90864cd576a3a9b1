"""The content model: what the files under ``incidents/`` say, validated, nothing derived yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .vocabulary import ComponentStatus, IncidentType, Indicator, Role, UpdateStatus, Visibility


@dataclass
class Update:
    """One file per update, so two responders never conflict on a merge."""

    id: str  # the file name without .md; unique within its incident
    at: datetime  # UTC
    status: UpdateStatus
    message: str  # Markdown
    components: dict[str, ComponentStatus]  # component id -> its status from this update on
    next_update: datetime | None
    source: Path
    line: int  # line of `at`, for messages about this update
    body_line: int = 0  # line where the message starts, for messages about its words
    internal: str = ""  # Markdown for internal readers only (support, executives)


@dataclass
class Postmortem:
    published: datetime
    body: str  # Markdown
    source: Path
    body_line: int = 0  # line where the body starts


@dataclass
class Incident:
    """An incident or a maintenance; its folder name is its id and URL slug."""

    id: str
    kind: IncidentType
    title: str
    impact: Indicator
    components: list[str]
    summary: str  # Markdown, shown above the timeline
    source: Path  # the incident.md file
    updates: list[Update] = field(default_factory=list)  # oldest first
    postmortem: Postmortem | None = None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    lines: dict[str, int] = field(default_factory=dict)  # line of each key in incident.md
    summary_line: int = 0  # line where the summary starts
    detected_at: datetime | None = None  # when the problem was noticed, before any update
    internal: str = ""  # Markdown for internal readers only
    visibility: Visibility = "public"  # "internal": shown only on the internal page
    roles: dict[Role, str] = field(default_factory=dict)  # role -> who

    @property
    def is_maintenance(self) -> bool:
        return self.kind == "maintenance"

    @property
    def folder(self) -> Path:
        return self.source.parent

    @property
    def latest(self) -> Update | None:
        return self.updates[-1] if self.updates else None

    def posted(self, now: datetime) -> list[Update]:
        """The updates posted by ``now``, oldest first: one dated a few minutes ahead (which
        check tolerates as clock skew) is not published yet, and promises nothing yet."""
        return [u for u in self.updates if u.at <= now]

    def latest_posted(self, now: datetime) -> Update | None:
        return next((u for u in reversed(self.updates) if u.at <= now), None)

    def published_postmortem(self, now: datetime) -> Postmortem | None:
        """The postmortem once its publication time has come."""
        found = self.postmortem
        return found if found is not None and found.published <= now else None

    @property
    def affected(self) -> list[str]:
        """Every component the incident names or an update changes, in first-seen order."""
        seen = dict.fromkeys(self.components)
        for update in self.updates:
            seen.update(dict.fromkeys(update.components))
        return list(seen)

    @property
    def created_at(self) -> datetime | None:
        """When it was first published: the first update, else the window's start."""
        if self.updates:
            return self.updates[0].at
        return self.scheduled_for
