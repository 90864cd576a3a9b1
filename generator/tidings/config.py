"""The site configuration, ``tidings.yml`` at the repository root.

The core reads it itself, so ``tidings check`` works without MkDocs; ``mkdocs.yml`` only
points the plugin at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from . import files
from .frontmatter import FrontMatterError, LineDict, LineList, decode, load_yaml
from .language_settings import LanguageSettings, read_language_checks
from .limits import EARLIEST, LATEST
from .problems import Problems, did_you_mean, one_of
from .timestamps import TimestampError, parse_duration
from .vocabulary import (
    AUDIENCES,
    DEFAULT_SEVERITY_TEXT,
    INCIDENT_IMPACTS,
    INDICATORS,
    VISIBILITIES,
    Audience,
    Indicator,
)

CONFIG_FILE = "tidings.yml"
WEBHOOK_TYPES = ("slack", "discord", "teams", "json", "email")
_ENV = re.compile(r"[A-Z_][A-Z0-9_]*")
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")  # matched whole: "api\n" is no id
EXAMPLE_AUTHORITY = "status.example.com,2026"


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    description: str = ""
    group: str | None = None
    since: date | None = None  # days before it existed show "no data" in uptime
    position: int = 0
    visibility: str = "public"  # "internal": an internal tool, shown only on the internal page


@dataclass(frozen=True)
class Webhook:
    type: str  # slack, discord, teams, json or email
    url_env: str  # the environment variable (a repository secret) holding the URL (or SMTP URL)
    components: tuple[str, ...] = ()  # empty: every incident
    audience: Audience = "public"  # "internal": internal notes and internal incidents too
    impact: tuple[str, ...] = ()  # empty: every impact
    name: str = ""  # the key of its delivery record; default: url_env (never the URL)
    to_env: str = ""  # email: the variable holding the list address

    @property
    def key(self) -> str:
        return self.name or self.url_env


@dataclass
class SiteConfig:
    name: str = "Status"
    url: str = "http://127.0.0.1:8000/"
    timezone: tzinfo = UTC
    timezone_name: str = "UTC"
    zone_is_default: bool = True  # no `timezone` configured: timestamps must carry a zone
    description: str = ""
    components: list[Component] = field(default_factory=list)
    severity: dict[Indicator, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITY_TEXT))
    update_cadence: timedelta = timedelta(minutes=60)
    feed_authority: str = EXAMPLE_AUTHORITY
    feed_author: str = "Status"
    feed_email: str = "status@example.com"
    incidents_dir: str = "incidents"
    webhooks: list[Webhook] = field(default_factory=list)
    subscribe_email_url: str = ""  # the mailing list's sign-up page, shown on Subscribe
    subscribe_email: str = ""  # or how to subscribe, in words
    audience: Audience = "public"  # set by whoever builds, never by tidings.yml
    # The company's branding on every page: image files inside the repository (relative to
    # its root) and links to the company's own site and its support.
    logo: str | None = None
    favicon: str | None = None
    website: str | None = None
    support: str | None = None
    root: Path = field(default_factory=Path.cwd)
    path: Path | None = None
    language: LanguageSettings = field(default_factory=LanguageSettings)

    @property
    def default_zone(self) -> tzinfo | None:
        """The zone for timestamps written without one, or None when they are errors."""
        return None if self.zone_is_default else self.timezone

    @property
    def component_ids(self) -> list[str]:
        return [c.id for c in self.components]

    def component(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)

    @property
    def incidents_path(self) -> Path:
        return self.root / self.incidents_dir

    @property
    def base_url(self) -> str:
        return self.url if self.url.endswith("/") else self.url + "/"

    def groups(self) -> list[tuple[str | None, list[Component]]]:
        """Components by group, in configuration order; ungrouped ones form a group of None."""
        grouped: dict[str | None, list[Component]] = {}
        for component in self.components:
            grouped.setdefault(component.group, []).append(component)
        return list(grouped.items())


_TOP_KEYS = {
    "name", "url", "timezone", "description", "components", "severity", "update_cadence",
    "feed", "incidents_dir", "webhooks", "language_checks", "subscribe_email_url",
    "subscribe_email", "logo", "favicon", "website", "support",
}
IMAGE_SUFFIXES = (".svg", ".png", ".ico", ".webp", ".jpg", ".jpeg", ".gif")
_COMPONENT_KEYS = {"id", "name", "description", "group", "since", "visibility"}
_FEED_KEYS = {"authority", "author", "email"}
_WEBHOOK_KEYS = {"type", "url_env", "components", "audience", "impact", "name", "to_env"}


def find_root(start: Path) -> Path | None:
    """The status repository holding ``start``: the nearest folder, from ``start`` up, with a
    tidings.yml (as git finds its repository), so commands work from any subfolder."""
    start = start.resolve()
    return next((folder for folder in (start, *start.parents)
                 if (folder / CONFIG_FILE).is_file()), None)


def load_config(root: Path, problems: Problems, path: Path | None = None) -> SiteConfig:
    """Read and validate ``tidings.yml``; every problem goes into ``problems``."""
    path = path or root / CONFIG_FILE
    config = SiteConfig(root=root, path=path)
    if not path.exists() and not path.is_symlink():
        problems.add(path, 1, f"the site configuration {path.name} is missing; create it "
                     "(`tidings init` writes one)")
        return config
    try:
        data = load_yaml(decode(files.read_file(path, root)))
    except files.RefusedFile as exc:
        problems.add(path, 1, str(exc))
        return config
    except OSError as exc:
        problems.add(path, 1, f"cannot read the file ({exc.strerror}); make it readable")
        return config
    except FrontMatterError as exc:
        problems.add(path, exc.line, exc.message)
        return config
    if not isinstance(data, LineDict):
        problems.add(path, 1, "the configuration must be a YAML mapping of 'key: value' lines")
        return config
    _Reader(path, problems, config).read(data)
    return config


@dataclass
class _Reader:
    path: Path
    problems: Problems
    config: SiteConfig

    def error(self, where: LineDict | LineList, key: Any, message: str) -> None:
        line = where.lines[key] if isinstance(where, LineDict) else where.lines[key]
        self.problems.add(self.path, line, message)

    def unknown_keys(self, data: LineDict, allowed: set[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.error(data, key, f'unknown key "{key}" in {what}{did_you_mean(key, allowed)}; '
                           f"allowed keys: {one_of(sorted(allowed))}")

    def text(self, data: LineDict, key: str, default: str) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.error(data, key, f'"{key}" must be non-empty text')
            return default
        return value.strip()

    def read(self, data: LineDict) -> None:
        c = self.config
        self.unknown_keys(data, _TOP_KEYS, "tidings.yml")
        c.name = self.text(data, "name", c.name)
        c.url = self.text(data, "url", c.url)
        if "url" in data:
            self.check_url(data)
        c.description = self.text(data, "description", "-") if "description" in data else ""
        self.read_incidents_dir(data)
        optional = {"timezone": self.read_timezone, "update_cadence": self.read_cadence,
                    "feed": self.read_feed, "severity": self.read_severity}
        for key, read in optional.items():
            if key in data:
                read(data)
        self.read_components(data)
        if "webhooks" in data:
            self.read_webhooks(data)
        if "language_checks" in data:
            c.language = read_language_checks(self.path, self.problems, data["language_checks"],
                                              data.lines["language_checks"])
        self.read_subscribe_email(data)
        if c.feed_authority == EXAMPLE_AUTHORITY:
            self.problems.warn(self.path, data.lines.get("feed", 1), "the feed authority is "
                               f'still the example "{EXAMPLE_AUTHORITY}"; set feed: authority: '
                               "to a domain you own and this year, once (entry ids use it)")
        self.read_branding(data)

    def read_incidents_dir(self, data: LineDict) -> None:
        c = self.config
        c.incidents_dir = self.text(data, "incidents_dir", c.incidents_dir)
        if not files.inside(c.incidents_path, c.root):
            self.error(data, "incidents_dir", "incidents_dir must be a folder inside the "
                       "repository, e.g. incidents")
            c.incidents_dir = "incidents"

    def read_subscribe_email(self, data: LineDict) -> None:
        """How readers join the mailing list an email webhook posts to."""
        c = self.config
        for key in ("subscribe_email_url", "subscribe_email"):
            if key in data:
                setattr(c, key, self.text(data, key, ""))
        if c.subscribe_email_url and not re.match(r"https?://|mailto:", c.subscribe_email_url):
            self.error(data, "subscribe_email_url", "subscribe_email_url must be an https:// "
                       "or mailto: address of the mailing list's sign-up")
        if any(w.type == "email" and w.audience == "public" for w in c.webhooks) and not (
                c.subscribe_email_url or c.subscribe_email):
            self.problems.warn(self.path, data.lines["webhooks"], "an email webhook is "
                               "configured but the Subscribe page cannot say how to join the "
                               "list; add subscribe_email_url (or subscribe_email: text)")

    def read_branding(self, data: LineDict) -> None:
        """Logo, favicon and the company's website and support links."""
        c = self.config
        c.logo = self.image(data, "logo")
        c.favicon = self.image(data, "favicon")
        if c.logo and c.favicon and c.logo != c.favicon \
                and c.logo.rsplit("/", 1)[-1] == c.favicon.rsplit("/", 1)[-1]:
            self.error(data, "favicon", "logo and favicon are published side by side and have "
                       "the same file name; rename one of them")
            c.favicon = None
        c.website = self.link(data, "website", ("https://", "http://"))
        c.support = self.link(data, "support", ("https://", "http://", "mailto:"))

    def check_url(self, data: LineDict) -> None:
        parts = urlsplit(self.config.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.error(data, "url", "url must be the site's address starting with https:// "
                       "(or http://), e.g. https://status.example.com/")
            self.config.url = SiteConfig.url

    def image(self, data: LineDict, key: str) -> str | None:
        """An image file inside the repository, as a POSIX path relative to its root."""
        if key not in data:
            return None
        value = data[key]
        example = f"{key}: docs/assets/{key}.svg"
        if not isinstance(value, str) or not value.strip():
            self.error(data, key, f"{key} must be the path of an image file in the repository, "
                       f"e.g. {example}")
            return None
        root = self.config.root.resolve()
        target = (root / value.strip()).resolve()
        if not target.is_relative_to(root):
            self.error(data, key, f'{key} "{value}" is outside the repository; put the image '
                       f"in the repository and give its path relative to the root, e.g. {example}")
        elif not target.is_file():
            self.error(data, key, f'{key} "{value}" does not exist; give the path of an image '
                       f"relative to the repository root, e.g. {example}")
        elif target.suffix.lower() not in IMAGE_SUFFIXES:
            self.error(data, key, f'{key} "{value}" is not an image; use a file ending in '
                       f"{one_of(IMAGE_SUFFIXES)}")
        else:
            return target.relative_to(root).as_posix()
        return None

    def link(self, data: LineDict, key: str, schemes: tuple[str, ...]) -> str | None:
        """An absolute link to the company's own pages."""
        if key not in data:
            return None
        value = data[key]
        text = value.strip() if isinstance(value, str) else ""
        if not any(text.startswith(s) and len(text) > len(s) for s in schemes):
            self.error(data, key, f"{key} must be an absolute link starting with "
                       f"{one_of(schemes)}, e.g. {key}: https://example.com/"
                       f"{'support/' if key == 'support' else ''}")
            return None
        return text

    def read_timezone(self, data: LineDict) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones  # when set

        name = str(data["timezone"])
        try:
            self.config.timezone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            hint = did_you_mean(name, available_timezones())
            self.error(data, "timezone", f'unknown time zone "{name}"{hint}; use an IANA name '
                       "such as Europe/Berlin or America/New_York")
            return
        self.config.timezone_name = name
        self.config.zone_is_default = False

    def read_cadence(self, data: LineDict) -> None:
        value = data["update_cadence"]
        if not isinstance(value, int | str) or isinstance(value, bool):
            self.error(data, "update_cadence", "update_cadence must be a duration such as 60m "
                       "or 1h30m")
            return
        try:
            cadence = timedelta(minutes=value) if isinstance(value, int) else parse_duration(value)
        except TimestampError as exc:
            self.error(data, "update_cadence", f"update_cadence: {exc}")
            return
        if cadence <= timedelta(0):
            self.error(data, "update_cadence", "update_cadence must be longer than zero, e.g. 60m")
            return
        self.config.update_cadence = cadence

    def read_feed(self, data: LineDict) -> None:
        feed = data["feed"]
        if not isinstance(feed, LineDict):
            self.error(data, "feed", "feed must be a mapping with authority, author and email")
            return
        self.unknown_keys(feed, _FEED_KEYS, "feed")
        c = self.config
        c.feed_authority = self.text(feed, "authority", c.feed_authority)
        if "authority" in feed and not re.fullmatch(r"[A-Za-z0-9.-]+,\d{4}(-\d\d){0,2}",
                                                    c.feed_authority):
            self.error(feed, "authority", 'feed authority must look like "status.example.com,2026"'
                       " (a domain you own and a date; set it once and never change it)")
        c.feed_author = self.text(feed, "author", c.name)
        c.feed_email = self.text(feed, "email", c.feed_email)
        if "@" not in c.feed_email:
            self.error(feed, "email",
                       "feed email must be an email address, e.g. status@example.com")

    def read_severity(self, data: LineDict) -> None:
        severity = data["severity"]
        if not isinstance(severity, LineDict):
            self.error(data, "severity", "severity must map each impact level to a plain sentence")
            return
        for level, text in severity.items():
            if level not in INDICATORS:
                self.error(severity, level, f'unknown severity level "{level}"'
                           f"{did_you_mean(level, INDICATORS)}; use {one_of(INDICATORS)}")
            elif not isinstance(text, str) or not text.strip():
                self.error(severity, level, f'severity "{level}" needs a plain-words explanation')
            else:
                self.config.severity[level] = text.strip()

    def read_components(self, data: LineDict) -> None:
        items = data.get("components")
        if not isinstance(items, LineList) or not items:
            line = data.lines.get("components", 1)
            self.problems.add(self.path, line, "components must be a list of at least one component"
                              " with id and name, e.g. '- {id: api, name: API}'")
            return
        seen: set[str] = set()
        for index, item in enumerate(items):
            component = self.read_component(items, index, item)
            if component is None:
                continue
            if component.id in seen:
                self.error(items, index, f'component id "{component.id}" is used twice; ids must '
                           "be unique")
                continue
            seen.add(component.id)
            self.config.components.append(component)

    def read_component(self, items: LineList, index: int, item: Any) -> Component | None:
        if not isinstance(item, LineDict):
            self.error(items, index, "each component must be a mapping with id and name")
            return None
        self.unknown_keys(item, _COMPONENT_KEYS, "a component")
        cid = item.get("id")
        if not isinstance(cid, str) or not _ID.fullmatch(cid):
            where = "id" if "id" in item else next(iter(item), None)
            self.problems.add(self.path, item.lines.get(where, items.lines[index]),
                              "a component needs an id of lower-case letters, digits, '-' or '_'"
                              ", e.g. id: api")
            return None
        since = None
        if "since" in item:
            try:
                since = date.fromisoformat(str(item["since"]))
                if not EARLIEST.date() <= since < LATEST.date():
                    raise ValueError(since)
            except ValueError:
                self.error(item, "since", f'since must be a date such as 2025-01-31 between '
                           f'{EARLIEST.date()} and {LATEST.date()}, not "{item["since"]}"')
                since = None
        visibility = item.get("visibility", "public")
        if visibility not in VISIBILITIES:
            self.error(item, "visibility", f'visibility "{visibility}" is not allowed; use '
                       f"{one_of(VISIBILITIES)}")
            visibility = "public"
        return Component(
            visibility=visibility,
            id=cid,
            name=self.text(item, "name", cid),
            description=self.text(item, "description", "") if "description" in item else "",
            group=self.text(item, "group", "") if "group" in item else None,
            since=since,
            position=index + 1,
        )

    def read_webhooks(self, data: LineDict) -> None:
        hooks = data["webhooks"]
        if not isinstance(hooks, LineList):
            self.error(data, "webhooks", "webhooks must be a list of {type, url_env}")
            return
        for index, hook in enumerate(hooks):
            if not isinstance(hook, LineDict):
                self.error(hooks, index, "each webhook must be a mapping with type and url_env")
                continue
            self.unknown_keys(hook, _WEBHOOK_KEYS, "a webhook")
            kind = hook.get("type")
            if kind not in WEBHOOK_TYPES:
                self.error(hook, "type" if "type" in hook else next(iter(hook)),
                           f'webhook type must be one of {one_of(WEBHOOK_TYPES)}'
                           f"{did_you_mean(str(kind), WEBHOOK_TYPES)}")
                continue
            env = hook.get("url_env")
            if not isinstance(env, str) or not _ENV.fullmatch(env):
                self.error(hook, "url_env" if "url_env" in hook else "type",
                           "url_env must name an environment variable (a repository secret) "
                           "holding the webhook URL (for email, the SMTP URL), e.g. "
                           "SLACK_WEBHOOK_URL; never put the URL here")
                continue
            if (webhook := self.read_webhook(hook, kind, env)) is not None:
                self.config.webhooks.append(webhook)
        names = [w.key for w in self.config.webhooks]
        for index, hook in enumerate(hooks):
            key = hook.get("name") or hook.get("url_env") if isinstance(hook, LineDict) else None
            if key is not None and names.count(key) > 1:
                self.error(hooks, index, f'two webhooks are both called "{key}"; give each a '
                           "unique name (its delivery record is kept by name)")
                names = [n for n in names if n != key]

    def read_webhook(self, hook: LineDict, kind: str, env: str) -> Webhook | None:
        audience = hook.get("audience", "public")
        if audience not in AUDIENCES:
            self.error(hook, "audience", f'webhook audience "{audience}" is not allowed; use '
                       f"{one_of(AUDIENCES)}")
            return None
        impact = self.id_list(hook, "impact")
        for level in impact:
            if level not in INCIDENT_IMPACTS:
                self.error(hook, "impact", f'unknown impact "{level}"'
                           f"{did_you_mean(level, INCIDENT_IMPACTS)}; use a list of "
                           f"{one_of(INCIDENT_IMPACTS)}, "
                           "e.g. impact: [major, critical]")
                return None
        name = hook.get("name", "")
        if name and (not isinstance(name, str) or not _ID.fullmatch(name)):
            self.error(hook, "name", "a webhook name is lower-case letters, digits, '-' or '_'"
                       ", e.g. name: executives")
            return None
        to_env = hook.get("to_env", "")
        if kind == "email" and (not isinstance(to_env, str) or not _ENV.fullmatch(to_env)):
            self.error(hook, "to_env" if "to_env" in hook else "type", "an email webhook needs "
                       "to_env: the environment variable holding the list address, e.g. "
                       "TIDINGS_EMAIL_TO")
            return None
        components = self.webhook_components(hook)
        if components is None:
            return None
        return Webhook(kind, env, components, audience, impact, str(name), str(to_env))

    def id_list(self, hook: LineDict, key: str) -> tuple[str, ...]:
        """A list of ids; one id alone is a list of one, never split into letters."""
        value = hook.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(hook, key, f"{key} must be a list, e.g. {key}: [a, b]")
            return ()
        return tuple(map(str, value))

    def webhook_components(self, hook: LineDict) -> tuple[str, ...] | None:
        """The component ids a webhook is for; a single id is a list of one, not letters."""
        value = hook.get("components") or []
        if isinstance(value, str):
            value = [value]
        ids = self.config.component_ids
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            self.error(hook, "components", "a webhook's components must be a list of "
                       f"component ids, e.g. [api, web]; ids: {one_of(ids)}")
            return None
        for cid in value:
            if cid not in ids:
                self.error(hook, "components", f'unknown component "{cid}"'
                           f"{did_you_mean(cid, ids)}; use one of {one_of(ids)}")
        return tuple(value)


def mkdocs_settings(path: Path, root: Path) -> dict[str, tuple[int, yaml.Node]] | None:
    """The top-level keys of mkdocs.yml, each with its line and value; None when it cannot
    be read (MkDocs reports that itself). Composed, not constructed: its ``!!python/name:``
    and ``!ENV`` tags need no loader."""
    try:
        node = yaml.compose(decode(files.read_file(path, root)), Loader=yaml.SafeLoader)
    except (OSError, files.RefusedFile, FrontMatterError, yaml.YAMLError):
        return None
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: (key.start_mark.line + 1, value) for key, value in node.value
            if isinstance(key, yaml.ScalarNode)}


def check_site_url(config: SiteConfig, problems: Problems) -> None:
    """Warn when mkdocs.yml's ``site_url`` is not tidings.yml's ``url``: the page's canonical
    links would point to one site and its feeds, API and calendars to another."""
    path = config.root / "mkdocs.yml"
    line, value = (mkdocs_settings(path, config.root) or {}).get("site_url", (0, None))
    if isinstance(value, yaml.ScalarNode) and value.value:
        site_url = value.value if value.value.endswith("/") else value.value + "/"
        if site_url != config.base_url:
            problems.warn(path, line, f"site_url {site_url} is not the url of {CONFIG_FILE} "
                          f"({config.base_url}); make them the same, or remove site_url (the "
                          "plugin then takes url)")


def now_in_zone(config: SiteConfig, moment: datetime) -> datetime:
    """``moment`` shown in the site's configured zone."""
    return moment.astimezone(config.timezone)
