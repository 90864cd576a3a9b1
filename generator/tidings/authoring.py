"""Write incidents, updates, maintenance and postmortems as files that pass ``tidings check``.

The core of the authoring commands (no click here; ``now`` and ``at`` are parameters).
Names, ids and front matter come from the content format (``content_format``); ids carry a
random suffix and update file names carry seconds, and files are created exclusively, so two
branches or two responders never write the same file.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import files
from .config import SiteConfig
from .content_format import (
    INCIDENT_FILE,
    POSTMORTEM_FILE,
    TEMPLATES_FOLDER,
    incident_ids,
    markdown_file,
    new_id,
    templates_in,
    update_file_names,
)
from .frontmatter import Document, FrontMatterError, LineDict, parse
from .loader import load_incidents
from .model import Incident
from .problems import Problems, did_you_mean, one_of
from .render import markdown_to_text
from .rules import FUTURE_TOLERANCE
from .status import initial_statuses, replay
from .timestamps import TimestampError, iso, parse_duration, parse_timestamp, parse_when
from .vocabulary import (
    CLOSED_STATUSES,
    COMPONENT_STATUSES,
    IMPACT_DEFAULT_STATUS,
    IMPACTS,
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
    STATUS_INDICATOR,
    lookup,
    member,
    worst,
)
from .wording import format_time

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class AuthoringError(ValueError):
    """A request that cannot be written; ``option`` names the command-line option at fault."""

    def __init__(self, message: str, option: str | None = None):
        self.message = message
        self.option = option
        super().__init__(message)


class UnknownIncident(AuthoringError):
    """No incident folder has that id; the caller may add which incidents are open."""


@dataclass
class Written:
    """What a command wrote: the incident's id and folder, and the new files."""

    incident_id: str
    folder: Path
    files: list[Path]


# -- ids, names and values --------------------------------------------------------------------


def make_id(config: SiteConfig, title: str, day: date, rng: random.Random | None = None,
            fallback: str = "incident") -> str:
    """A new incident id that no incident under incidents/ has."""
    try:
        return new_id(title, day, incident_ids(config.incidents_path, config.root), rng,
                      fallback)
    except ValueError as exc:
        raise AuthoringError(str(exc)) from None


def check_choice(value: str, allowed: Iterable[str], option: str, what: str) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise AuthoringError(f'{what} "{value}" is not allowed{did_you_mean(value, allowed)}; '
                             f"use one of {one_of(allowed)}", option)
    return value


def parse_components(config: SiteConfig, specs: Iterable[str], allow_status: bool = True,
                     option: str = "--component") -> dict[str, str | None]:
    """``api=partial_outage`` or ``api`` (status None) to {id: status}, checked against config."""
    result: dict[str, str | None] = {}
    ids = config.component_ids
    for spec in specs:
        cid, _, status = (part.strip() for part in spec.partition("="))
        if cid not in ids:
            raise AuthoringError(f'unknown component "{cid}"{did_you_mean(cid, ids)}; '
                                 f"components in tidings.yml: {one_of(ids)}", option)
        if status and not allow_status:
            raise AuthoringError(f'"{spec}": maintenance components take no status (they are '
                                 f"under maintenance during the window); write just {cid}", option)
        if status:
            check_choice(status, COMPONENT_STATUSES, option, f"component status of {cid}")
        result[cid] = status or None
    return result


def parse_at(value: str | None, now: datetime, config: SiteConfig,
             option: str = "--at") -> datetime:
    """When an update is posted: ``value`` or now; never noticeably in the future."""
    if not value:
        return now
    at = timestamp(value, config, option)
    if at > now + FUTURE_TOLERANCE:
        raise AuthoringError(f"{iso(at)} is in the future (now is {iso(now)}); an update is "
                             "dated when it is posted", option)
    return at


def timestamp(value: str, config: SiteConfig, option: str) -> datetime:
    try:
        return parse_timestamp(value, config.default_zone)
    except TimestampError as exc:
        raise AuthoringError(str(exc), option) from None


def parse_next(value: str | None, at: datetime, config: SiteConfig) -> str | None:
    """``next_update`` as written: a duration such as ``30m`` or an ISO timestamp in UTC."""
    if not value:
        return None
    try:
        due = parse_when(value, at, config.default_zone)
    except TimestampError:
        raise AuthoringError(f'"{value}" is neither a duration such as 30m, 1h or 1h30m nor a '
                             "timestamp such as 2026-11-23T15:30:00Z", "--next") from None
    if due <= at:
        raise AuthoringError(f"the next update ({iso(due)}) must be after this one ({iso(at)})",
                             "--next")
    try:
        parse_duration(value)
        return value.strip()
    except TimestampError:
        return iso(due)


def parse_window(start: str, end: str, config: SiteConfig) -> tuple[datetime, datetime]:
    """A maintenance window; ``end`` may be a duration after ``start`` (e.g. 2h)."""
    begins = timestamp(start, config, "--start")
    try:
        ends = parse_when(end, begins, config.default_zone)
    except TimestampError as exc:
        raise AuthoringError(str(exc), "--end") from None
    if ends <= begins:
        raise AuthoringError(f"the window ends ({iso(ends)}) before it starts ({iso(begins)}); "
                             "--end must be later than --start", "--end")
    return begins, ends


def default_impact(statuses: Iterable[str | None]) -> str:
    """An incident's impact from its worst component status; "minor" when none says more."""
    known = [m for s in statuses if (m := member(s, COMPONENT_STATUSES)) is not None]
    implied = STATUS_INDICATOR[worst(known)]
    return implied if implied in ("major", "critical") else "minor"


def write_new(path: Path, text: str) -> Path:
    """Create ``path``; never overwrite (``x`` mode fails if another file got there first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return path


def write_update(folder: Path, at: datetime, status: str, text: str) -> Path:
    """Write an update file named by its time and status, numbered if the name is taken."""
    for name in update_file_names(at, status):
        try:
            return write_new(folder / name, text)
        except FileExistsError:
            continue
    raise AuthoringError(f"too many updates at {iso(at)} with status {status} in {folder}")


def _message(text: str) -> str:
    if not text or not text.strip():
        raise AuthoringError("the message is empty; write what customers should know",
                             "--message")
    return text.strip()


def _title(text: str) -> str:
    if not text or not text.strip():
        raise AuthoringError("the title is empty; give one, e.g. \"Elevated API errors\"")
    return " ".join(text.split())


def update_meta(at: datetime, status: str, components: dict[str, str] | None = None,
                next_update: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"at": iso(at), "status": status}
    if components:
        meta["components"] = dict(components)
    if next_update:
        meta["next_update"] = next_update
    return meta


# -- finding and reading an incident ------------------------------------------------------------


def find_incident(config: SiteConfig, ref: str) -> Path:
    """The folder of incident ``ref``: a folder name (or unique start of one) or a path."""
    given = Path(ref)
    for candidate in (given, config.root / given):
        if (candidate / INCIDENT_FILE).is_file():
            return candidate.resolve()
    name = given.name
    folders = incident_ids(config.incidents_path, config.root)
    if name in folders:
        return folders[name]
    starting = sorted(f for f in folders if f.startswith(name)) if name else []
    if len(starting) == 1:
        return folders[starting[0]]
    if starting:
        raise AuthoringError(f'"{ref}" matches several incidents: {one_of(starting)}; '
                             "give the full id")
    raise UnknownIncident(f'no incident "{ref}" under {config.incidents_dir}/'
                          f"{did_you_mean(name, folders)}")


def read_incident(config: SiteConfig, folder: Path) -> Incident:
    """Load one incident folder with the loader's rules; its errors stop the command."""
    problems = Problems(root=config.root)
    # The loader walks config.incidents_path; pointing it at the folder reads just that one.
    one = dataclasses.replace(config, incidents_dir=str(folder.resolve()))
    incidents = load_incidents(one, problems)
    if problems.errors or not incidents:
        listed = "\n".join(str(p) for p in problems.errors)
        raise AuthoringError(f"fix the incident's files first (tidings check):\n{listed}")
    return incidents[0]


# -- the commands' work -------------------------------------------------------------------------


def new_incident(config: SiteConfig, *, title: str, impact: str | None, status: str,
                 components: dict[str, str | None], message: str, at: datetime,
                 next_update: str | None = None, rng: random.Random | None = None) -> Written:
    """Create ``incidents/YYYY/<id>/`` with incident.md and the first update."""
    title, message = _title(title), _message(message)
    impact = impact or default_impact(components.values())
    check_choice(impact, IMPACTS, "--impact", "impact")
    check_choice(status, INCIDENT_STATUSES, "--status", "incident status")
    implied = lookup(IMPACT_DEFAULT_STATUS, impact) or "operational"  # impact is checked above
    statuses = {cid: s or implied for cid, s in components.items()}
    day = at.astimezone(config.timezone).date()
    incident_id = make_id(config, title, day, rng)
    folder = config.incidents_path / f"{day.year}" / incident_id
    meta: dict[str, Any] = {"title": title, "impact": impact}
    if statuses:
        meta["components"] = list(statuses)
    first = write_new(folder / INCIDENT_FILE, markdown_file(meta))
    update = write_update(folder, at, status,
                          markdown_file(update_meta(at, status, statuses, next_update), message))
    return Written(incident_id, folder, [first, update])


def add_update(incident: Incident, *, status: str | None, message: str,
               components: dict[str, str | None], at: datetime,
               next_update: str | None = None) -> Path:
    """Write one more update; the status defaults to the current one."""
    message = _message(message)
    _after_latest(incident, at)
    allowed = MAINTENANCE_STATUSES if incident.is_maintenance else INCIDENT_STATUSES
    current = incident.latest.status if incident.latest else allowed[0]
    status = check_choice(status or current, allowed, "--status",
                          "maintenance status" if incident.is_maintenance else "incident status")
    for cid, component_status in components.items():
        if component_status is None:
            raise AuthoringError(f'give {cid} a status, e.g. {cid}=major_outage or '
                                 f"{cid}=operational", "--component")
    meta = update_meta(at, status, {c: s for c, s in components.items() if s}, next_update)
    return write_update(incident.folder, at, status, markdown_file(meta, message))


def _after_latest(incident: Incident, at: datetime) -> None:
    """Updates sort by time; one not after the latest would not become the current status."""
    latest = incident.latest
    if latest is not None and at <= latest.at:
        raise AuthoringError(f"the latest update of {incident.id} is at {iso(latest.at)}; this "
                             f"one ({iso(at)}) must be later to become the current status",
                             "--at")


def resolve_components(incident: Incident) -> dict[str, str]:
    """Back to operational: components in incident.md and any an update made non-operational."""
    affected = dict.fromkeys(initial_statuses(incident))
    for step in replay(incident, incident.updates):
        affected.update(dict.fromkeys(c for c, _old, new in step.changes if new != "operational"))
    return dict.fromkeys(affected, "operational")


def resolve_incident(incident: Incident, *, message: str,
                     at: datetime) -> Path:
    """Write the closing update (resolved, or completed for maintenance)."""
    message = _message(message)
    status = "completed" if incident.is_maintenance else "resolved"
    if incident.latest and incident.latest.status in CLOSED_STATUSES:
        raise AuthoringError(f"{incident.id} is already {incident.latest.status} "
                             f"({iso(incident.latest.at)}); to reopen it, use tidings update "
                             f"{incident.id} --status …")
    _after_latest(incident, at)
    meta = update_meta(at, status, resolve_components(incident))
    return write_update(incident.folder, at, status, markdown_file(meta, message))


def new_maintenance(config: SiteConfig, *, title: str, start: datetime, end: datetime,
                    components: Iterable[str], message: str, at: datetime,
                    rng: random.Random | None = None) -> Written:
    """Create a maintenance with its window and a "scheduled" announcement."""
    title, message = _title(title), _message(message)
    day = start.astimezone(config.timezone).date()
    incident_id = make_id(config, title, day, rng, fallback="maintenance")
    folder = config.incidents_path / f"{day.year}" / incident_id
    meta: dict[str, Any] = {"title": title, "type": "maintenance", "impact": "maintenance"}
    if components := list(dict.fromkeys(components)):
        meta["components"] = components
    meta.update(scheduled_for=iso(start), scheduled_until=iso(end))
    first = write_new(folder / INCIDENT_FILE, markdown_file(meta))
    update = write_update(folder, at, "scheduled",
                          markdown_file(update_meta(at, "scheduled"), message))
    return Written(incident_id, folder, [first, update])


POSTMORTEM_SECTIONS = (
    ("We are sorry", "Apologise plainly: who was affected, for how long, and what it cost them."),
    ("What happened and its impact", "The cause in words customers understand; which features, "
     "how many customers, how long."),
    ("Timeline", None),
    ("How we fixed it", "What brought the service back, and why it took the time it took."),
    ("What will prevent a repeat", "Concrete changes, each with an owner or a date where you "
     "can."),
)


def scaffold_postmortem(config: SiteConfig, incident: Incident, *, published: datetime) -> Path:
    """Write postmortem.md with the sections of a good postmortem and the timeline filled in."""
    path = incident.folder / POSTMORTEM_FILE
    if path.exists():
        raise AuthoringError(f"{incident.id} already has a postmortem; edit {path}")
    latest = incident.latest
    if latest is None or latest.status not in CLOSED_STATUSES:
        raise AuthoringError(f"{incident.id} is not resolved (its status is "
                             f'"{latest.status if latest else "none"}"); a postmortem is '
                             f"published once it is: tidings resolve {incident.id} -m …")
    parts = []
    for heading, hint in POSTMORTEM_SECTIONS:
        text = timeline(config, incident) if hint is None else f"<!-- {hint} -->"
        parts.append(f"## {heading}\n\n{text}")
    return write_new(path, markdown_file({"published": iso(published)}, "\n\n".join(parts)))


def timeline(config: SiteConfig, incident: Incident) -> str:
    """One line per update, in the site's zone, with the first line of its message."""
    lines = []
    for update in incident.updates:
        when = format_time(update.at, config.timezone)
        first = (markdown_to_text(update.message).splitlines() or [""])[0]
        if len(first) > 160:
            first = first[:159].rstrip() + "…"
        lines.append(f"- {when}, {update.status.replace('_', ' ')}: {first}")
    return "\n".join(lines)


# -- templates --------------------------------------------------------------------------------


@dataclass
class Template:
    """A ready-made first update: incidents/_templates/NAME.md."""

    name: str
    path: Path
    title: str
    impact: str | None
    status: str | None
    components: dict[str, str | None]
    message: str


_TEMPLATE_KEYS = {"title", "impact", "status", "components"}


def templates_path(config: SiteConfig) -> Path:
    return config.incidents_path / TEMPLATES_FOLDER


# The templates that ship with Tidings; `tidings init` copies them into incidents/_templates/.
SHIPPED_TEMPLATES = Path(__file__).parent / "templates" / "incidents"


def template_files(config: SiteConfig) -> list[Path]:
    """Every template file, by name: the repository's, then the shipped ones it does not
    replace (so an upgrade brings new templates and a company's edits still win)."""
    by_name: dict[str, Path] = {}
    for folder in (SHIPPED_TEMPLATES, templates_path(config)):
        by_name.update((p.stem, p) for p in templates_in(folder))
    return [by_name[name] for name in sorted(by_name)]


def load_template(config: SiteConfig, name: str) -> Template:
    path = next((p for p in template_files(config) if p.stem == name), None)
    if path is None:
        names = [p.stem for p in template_files(config)]
        listed = one_of(sorted(names)) if names else "none (add Markdown files there)"
        raise AuthoringError(f'no template "{name}"{did_you_mean(name, names)} in '
                             f"{config.incidents_dir}/{TEMPLATES_FOLDER}/; templates: {listed}",
                             "--template")
    return read_template(config, path)


def read_template(config: SiteConfig, path: Path) -> Template:
    problems = Problems(root=config.root)
    # A shipped template lies in the package, a company's inside the repository.
    root = SHIPPED_TEMPLATES if path.parent == SHIPPED_TEMPLATES else config.root
    try:
        doc = parse(path, files.read_file(path, root))
    except FrontMatterError as exc:
        raise AuthoringError(f"{problems.display(path)}:{exc.line}: {exc.message}",
                             "--template") from None
    except files.RefusedFile as exc:
        raise AuthoringError(f"{problems.display(path)}:1: {exc}", "--template") from None

    def fail(key: str | None, message: str) -> AuthoringError:
        line = doc.meta.lines.get(key, doc.meta.line) if key else doc.meta.line
        return AuthoringError(f"{problems.display(path)}:{line}: {message}", "--template")

    for key in doc.meta:
        if key not in _TEMPLATE_KEYS:
            raise fail(key, f'unknown key "{key}"{did_you_mean(key, _TEMPLATE_KEYS)}; allowed '
                       f"keys: {one_of(sorted(_TEMPLATE_KEYS))}")
    if not isinstance(doc.meta.get("title"), str) or not doc.meta["title"].strip():
        raise fail("title", "a template needs a title, e.g. title: Degraded performance of "
                   "{component}")
    return Template(path.stem, path, doc.meta["title"].strip(),
                    _template_choice(doc, "impact", IMPACTS, fail),
                    _template_choice(doc, "status", INCIDENT_STATUSES, fail),
                    _template_components(config, doc, fail), doc.body.strip())


def _template_choice(doc: Document, key: str, allowed: tuple[str, ...],
                     fail: Callable[[str | None, str], AuthoringError]) -> str | None:
    value = doc.meta.get(key)
    if value is not None and value not in allowed:
        raise fail(key, f'{key} "{value}" is not allowed{did_you_mean(str(value), allowed)}; '
                   f"use one of {one_of(allowed)}")
    return value


def _template_components(config: SiteConfig, doc: Document,
                         fail: Callable[[str | None, str], AuthoringError]
                         ) -> dict[str, str | None]:
    value = doc.meta.get("components") or []
    if isinstance(value, LineDict):
        specs = [f"{cid}={status}" for cid, status in value.items()]
    elif isinstance(value, list):
        specs = [str(cid) for cid in value]
    else:
        raise fail("components", "components must be a list of ids or a mapping id: status")
    try:
        return parse_components(config, specs)
    except AuthoringError as exc:
        raise fail("components", exc.message) from None


def component_names(config: SiteConfig, ids: Iterable[str]) -> str:
    """ "API", "API and Dashboard", "API, Dashboard and Databases" for {component}."""
    names = [c.name if (c := config.component(cid)) else cid for cid in ids]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def fill(text: str, values: dict[str, str], template: str) -> str:
    """Replace ``{name}`` placeholders; a missing value is an error naming the option to add."""
    missing = sorted({m for m in _PLACEHOLDER.findall(text) if not values.get(m)})
    if missing:
        needs = " ".join(f"--var {m}=…" if m != "component" else "--component ID"
                         for m in missing)
        raise AuthoringError(f'template "{template}" needs a value for '
                             f"{', '.join('{' + m + '}' for m in missing)}: add {needs}", "--var")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def parse_vars(specs: Iterable[str]) -> dict[str, str]:
    """``--var NAME=VALUE`` pairs for template placeholders."""
    values: dict[str, str] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep or not _PLACEHOLDER.fullmatch("{" + name.strip() + "}"):
            raise AuthoringError(f'"{spec}" is not NAME=VALUE with a lower-case name, e.g. '
                                 "provider=Stripe", "--var")
        values[name.strip()] = value.strip()
    return values
