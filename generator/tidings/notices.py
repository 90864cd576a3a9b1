"""What is new: the updates a deploy published for the first time, as notices to announce.

What is new is what this deploy's API lists and the previously deployed one did not: both are
compared as Statuspage documents (``incidents.json``, ``scheduled-maintenances.json``) by the
API's own update ids, so a re-run posts nothing twice and a skipped deploy loses nothing.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from . import api, urls
from .config import SiteConfig
from .posting import USER_AGENT
from .status import Snapshot
from .timestamps import TimestampError, parse_timestamp

Json = dict[str, Any]
# The API's lists that notify compares, by key, with the file that publishes each.
LISTS = {"incidents": "incidents.json", "scheduled_maintenances": "scheduled-maintenances.json"}
DEFAULT_MAX_AGE = timedelta(hours=24)


class NotifyError(Exception):
    """The previous state cannot be read; nothing is posted."""


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
            text: str = response.read().decode("utf-8-sig")
            return text
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise NotifyError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NotifyError(f"{url}: cannot fetch it: {reason}") from None


