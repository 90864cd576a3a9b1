"""A new status repository: the files ``tidings init`` writes, and the pinned requirements.

The files come from ``templates/repository/`` inside the package, mirroring a repository:
a name ending in ``.jinja`` is rendered with the answers (values go in through the ``yaml``
filter, so any name or URL stays one valid YAML scalar), and a leading ``dot-`` stands for
the ``.`` that package data cannot carry (``dot-github/`` is ``.github/``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from jinja2 import Environment, StrictUndefined
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .authoring import SHIPPED_TEMPLATES
from .content_format import TEMPLATES_FOLDER, templates_in

REPOSITORY_TEMPLATES = Path(__file__).parent / "templates" / "repository"
REQUIREMENTS_FILE = "requirements.txt"
CI_FILES: dict[str, tuple[str, ...]] = {"github": (".github/",), "gitlab": (".gitlab-ci.yml",)}
_COMPONENT_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")

CI = Literal["github", "gitlab"]


class ScaffoldError(ValueError):
    """Answers that cannot make a repository, or files that are there already."""


@dataclass(frozen=True)
class Component:
    id: str
    name: str


@dataclass(frozen=True)
class Answers:
    """What ``tidings init`` asks for."""

    name: str
    url: str
    timezone: str
    components: tuple[Component, ...]
    ci: CI
    year: int

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "status.example.com"

    @property
    def authority(self) -> str:
        """The feed's tag: authority: the page's host and the year the page starts."""
        return f"{self.host},{self.year}"

    @property
    def email(self) -> str:
        """status@ the company's domain (the host without a leading ``status.``)."""
        domain = self.host.removeprefix("status.") if self.host.count(".") > 1 else self.host
        return f"status@{domain}"


def parse_component(spec: str) -> Component:
    """``id="Name"`` (or a bare id) from ``--component``."""
    cid, _, name = spec.partition("=")
    cid = cid.strip()
    if not _COMPONENT_ID.fullmatch(cid):
        raise ScaffoldError(f'"{spec}": a component is ID=NAME with an id of lower-case letters, '
                            'digits, "-" or "_", e.g. api="API"')
    return Component(cid, name.strip().strip("\"'").strip() or cid)


def check_answers(answers: Answers) -> None:
    parts = urlsplit(answers.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ScaffoldError(f'"{answers.url}" is not the page\'s address; give an absolute '
                            "http(s) URL, e.g. https://status.example.com/")
    ids = [c.id for c in answers.components]
    if not ids:
        raise ScaffoldError('give at least one component, e.g. --component api="API"')
    if len(set(ids)) != len(ids):
        raise ScaffoldError(f"component ids must be unique: {', '.join(ids)}")


def repository_files(answers: Answers, requirements: str) -> dict[str, str]:
    """Relative path -> text of every file of the new repository."""
    check_answers(answers)
    url = answers.url if answers.url.endswith("/") else answers.url + "/"
    values = {"name": answers.name, "url": url, "timezone": answers.timezone,
              "components": answers.components, "ci": answers.ci,
              "authority": answers.authority, "email": answers.email}
    files: dict[str, str] = {}
    for source in sorted(REPOSITORY_TEMPLATES.rglob("*")):
        name = _target_name(source.relative_to(REPOSITORY_TEMPLATES).as_posix())
        if source.is_file() and _for_ci(name, answers.ci):
            text = source.read_text(encoding="utf-8")
            if name.endswith(".jinja"):
                name, text = name.removesuffix(".jinja"), _render(text, values)
            files[name] = text
    for template in templates_in(SHIPPED_TEMPLATES):
        files[f"incidents/{TEMPLATES_FOLDER}/{template.name}"] = template.read_text("utf-8")
    files[REQUIREMENTS_FILE] = requirements
    return dict(sorted(files.items()))


def _target_name(relative: str) -> str:
    return "/".join("." + part[4:] if part.startswith("dot-") else part
                    for part in relative.split("/"))


def _for_ci(name: str, ci: CI) -> bool:
    """Files of the other CI system are left out."""
    others = (prefix for system, prefixes in CI_FILES.items() if system != ci
              for prefix in prefixes)
    return not any(name.startswith(prefix) for prefix in others)


def _render(text: str, values: Mapping[str, object]) -> str:
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters["yaml"] = yaml_scalar
    return env.from_string(text).render(values)


def yaml_scalar(value: object) -> str:
    """``value`` as one YAML scalar, quoted only where YAML needs it (``yes``, ``: ``)."""
    dumped = yaml.safe_dump(str(value), allow_unicode=True, width=10**6)
    return dumped.removesuffix("\n...\n").rstrip("\n")


def existing(dest: Path, names: Iterable[str]) -> list[str]:
    return [name for name in names if os.path.lexists(dest / name)]


def write_repository(dest: Path, files: dict[str, str]) -> list[Path]:
    """Write every file, or none when any of them is there already."""
    taken = existing(dest, files)
    if taken:
        raise ScaffoldError(f"{dest} already has {', '.join(taken)}; nothing was written "
                            "(tidings init never overwrites a file)")
    written = []
    for name, text in files.items():
        path = dest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        if name.endswith(".sh"):
            path.chmod(0o755)
        written.append(path)
    return written


# -- requirements -----------------------------------------------------------------------------


def pinned_requirements(distribution: str = "tidings") -> str:
    """requirements.txt pinning ``distribution`` and everything it needs, at the versions of
    the environment this runs in (the versions just tried), so CI installs exactly those."""
    pins = _closure(distribution)
    top = canonicalize_name(distribution)
    lines = [
        "# Tidings and everything it runs on, pinned: CI installs exactly these versions, so a",
        "# new release of Tidings, MkDocs or Material never changes a deploy by surprise.",
        "# Upgrade in a pull request: pip install --upgrade tidings && tidings pin",
        f"{top}=={pins.pop(top)}",
        f"# what {top} needs, as installed where `tidings pin` ran",
        *(f"{name}=={version}" for name, version in sorted(pins.items())),
    ]
    return "\n".join(lines) + "\n"


def _closure(distribution: str) -> dict[str, str]:
    """Name -> installed version of ``distribution`` and its runtime requirements, recursively
    (extras and requirements whose markers exclude this Python are left out)."""
    pins: dict[str, str] = {}
    todo = [distribution]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in pins:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a requirement for another platform, never installed here
        pins[name] = dist.version
        for spec in dist.requires or []:
            requirement = Requirement(spec)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return pins
