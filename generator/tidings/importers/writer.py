"""Write drafts as Tidings folders with the content format's writer, all or nothing.

Everything is first written into a staging folder and read back with the real loader; only
when that passes are the folders moved into ``incidents/``, so bad input never leaves half an
import behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import CONFIG_FILE, Component, SiteConfig
from ..content_format import (
    INCIDENT_FILE,
    POSTMORTEM_FILE,
    dump_yaml,
    incident_ids,
    markdown_file,
    update_file_names,
)
from ..loader import load_incidents
from ..problems import Problems
from ..timestamps import iso
from .components import NewComponent
from .drafts import Draft, SiteInfo

COMPONENTS_FILE = "tidings.import-components.yml"


def draft_files(draft: Draft, ids: dict[str, str]) -> dict[str, str]:
    """File name -> text for one incident folder."""
    meta: dict[str, Any] = {"title": draft.title}
    if draft.kind == "maintenance":
        meta["type"] = "maintenance"
    meta["impact"] = draft.impact
    if draft.components:
        meta["components"] = list(dict.fromkeys(ids[k] for k in draft.components))
    if draft.scheduled_for and draft.scheduled_until:
        meta["scheduled_for"] = iso(draft.scheduled_for)
        meta["scheduled_until"] = iso(draft.scheduled_until)
    files = {INCIDENT_FILE: markdown_file(meta, draft.summary)}
    for update in draft.updates:
        # numbered when two updates share a second and a status
        name = next(n for n in update_file_names(update.at, update.status) if n not in files)
        umeta: dict[str, Any] = {"at": iso(update.at), "status": update.status}
        if update.components:
            umeta["components"] = {ids[k]: s for k, s in update.components.items()}
        files[name] = markdown_file(umeta, update.message)
    if draft.postmortem:
        files[POSTMORTEM_FILE] = markdown_file({"published": iso(draft.postmortem.published)},
                                               draft.postmortem.body)
    return files


@dataclass
class Plan:
    """Folders to write (relative to incidents/), and those skipped because they exist."""

    folders: dict[Path, dict[str, str]] = field(default_factory=dict)
    skipped: list[tuple[Draft, Path]] = field(default_factory=list)
    drafts: dict[Path, Draft] = field(default_factory=dict)


def plan(drafts: list[Draft], ids: dict[str, str], incidents: Path, root: Path) -> Plan:
    """Decide every folder; an existing incident (its id anywhere in the tree) or folder is
    never overwritten."""
    existing = incident_ids(incidents, root)
    result = Plan()
    for draft in drafts:
        rel = Path(draft.year) / draft.folder
        where = existing.get(draft.folder, incidents / rel)
        if draft.folder in existing or os.path.lexists(where):
            result.skipped.append((draft, where))
            continue
        result.folders[rel] = draft_files(draft, ids)
        result.drafts[rel] = draft
    return result


@contextmanager
def staged(the_plan: Plan, parent: Path | None) -> Iterator[Path]:
    """The planned folders written under a temporary folder, removed afterwards."""
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tidings-import-", dir=parent))
    try:
        for rel, files in the_plan.folders.items():
            folder = staging / rel
            folder.mkdir(parents=True)
            for name, text in files.items():
                (folder / name).write_text(text, encoding="utf-8")
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def verify(staging: Path, components: list[Component], problems: Problems) -> int:
    """Read the staged folders with the real loader; returns the number of incidents read."""
    config = SiteConfig(components=components, root=staging, incidents_dir=".")
    check = Problems(root=staging)
    incidents = load_incidents(config, check)
    for problem in check.errors:
        problems.add(problem.path, problem.line, f"the import wrote content the checker "
                     f"rejects (a bug in tidings import; please report it): {problem.message}")
    return len(incidents)


def move_into_place(staging: Path, the_plan: Plan, incidents: Path) -> list[Path]:
    """Rename each staged folder into incidents/ (same file system: one rename each)."""
    written = []
    for rel in the_plan.folders:
        target = incidents / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / rel, target)
        written.append(target)
    return written


def components_block(new: list[NewComponent]) -> str:
    """The ``components:`` entries to add to tidings.yml."""
    return dump_yaml({"components": [c.as_yaml() for c in new]})


def components_file_text(new: list[NewComponent]) -> str:
    return ("# Components found by `tidings import` that tidings.yml does not define yet.\n"
            "# Copy the entries below into the `components:` list of tidings.yml (edit names,\n"
            "# groups and descriptions as you like, but keep the ids), then delete this file.\n"
            + components_block(new))


def config_text(site: SiteInfo, new: list[NewComponent]) -> str:
    """A new tidings.yml for a project that has none."""
    data: dict[str, Any] = {"name": site.name or "Status", "url": site.url or
                            "http://127.0.0.1:8000/"}
    if site.timezone:
        data["timezone"] = site.timezone
    data["components"] = [c.as_yaml() for c in new]
    return ("# Site configuration for Tidings, written by `tidings import`.\n"
            "# Review name and url, and set `feed:` (authority, author, email) before\n"
            "# publishing: see the configuration reference of Tidings' documentation.\n"
            + dump_yaml(data))


def write_config(root: Path, site: SiteInfo, new: list[NewComponent]) -> Path:
    path = root / CONFIG_FILE
    with path.open("x", encoding="utf-8") as handle:  # never replace one written meanwhile
        handle.write(config_text(site, new))
    return path


def write_components_file(root: Path, new: list[NewComponent]) -> Path:
    path = root / COMPONENTS_FILE
    path.write_text(components_file_text(new), encoding="utf-8")
    return path
