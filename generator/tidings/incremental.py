"""``tidings serve``'s incremental rebuild: from the last good build and the paths that changed
under incidents/, the pages to render again and the files to write or remove.

Only the changed incident folders are read again; status, outputs and the list of pages are
derived again from the whole history (a fraction of a build), then compared with the last:
a page is rendered again when it is new, when it reads the whole history (``lists`` is
None: overview, maintenance, uptime, subscribe, about), or when the incidents it lists (its
``lists``) or one of them changed; an output is written when its bytes differ. Anything this
cannot account for raises ``FullRebuild``, and the caller builds everything as before. The
rules are documented in documentation/commands.md (``tidings serve``). Nothing here knows
MkDocs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import urls
from .content_format import INCIDENT_FILE
from .loader import _collector_paused, in_order, load_folders
from .model import Incident
from .outputs import generated_files
from .pages import Site, SitePage, build_site
from .pipeline import Build, Project
from .problems import Problem, Problems
from .render import Renderer
from .rules import check_rules
from .status import Snapshot


class FullRebuild(Exception):
    """The change needs the whole build; the message says why (for the terminal)."""

    def __init__(self, reason: str, advance_clock: bool = False):
        super().__init__(reason)
        self.advance_clock = advance_clock  # a changed file is dated after the session's time


@dataclass
class Built:
    """What a good build had: the content, its time, and everything derived from it."""

    project: Project
    now: datetime
    snapshot: Snapshot
    outputs: dict[str, bytes]
    site: Site
    renderer: Renderer = field(default_factory=Renderer)  # the session's, kept across rebuilds

    @classmethod
    def of(cls, build: Build, project: Project) -> Built:
        """The pipeline's last stages for a project without errors, kept for rebuilds."""
        site = build.site(project)
        return cls(project, build.now, site.snapshot, site.outputs, site.site, build.renderer)


@dataclass
class Changes:
    """What an incremental rebuild writes into the site folder: its pages, then the other
    files (``outputs()``), which no browser shows, so that the pages can be served first."""

    before: Built  # the last good build
    built: Built  # the new one; its outputs are the last build's until outputs() ran
    render: list[SitePage]  # new pages and pages that changed
    removed: list[SitePage]  # pages of the last build that are gone
    pages_listed: bool  # pages were added or removed: the site's lists of pages (sitemap)
    warnings: list[Problem] = field(default_factory=list)

    def outputs(self) -> tuple[dict[str, bytes], list[str]]:
        """The feeds, API, calendars and badges again, compared with the last build's: the
        new and changed files, and the paths gone. Then ``built`` is complete."""
        with _collector_paused():
            new = _outputs(self.before, self.built.snapshot)
        self.built.outputs = new
        old = self.before.outputs
        return {p: b for p, b in new.items() if old.get(p) != b}, sorted(set(old) - set(new))


def rebuild(built: Built, paths: Iterable[Path], follow_clock: bool = False) -> Changes:
    """The changes ``paths`` (created, edited, deleted or moved under incidents/) make to
    ``built``. ``follow_clock``: the session's time may move on (no --now), so a changed file
    dated after it asks for a full rebuild at a later time instead of an error."""
    with _collector_paused():  # as for the load: a large history is many long-lived objects
        return _rebuild(built, paths, follow_clock)


def _rebuild(built: Built, paths: Iterable[Path], follow_clock: bool) -> Changes:
    project, warnings = read_again(built, paths, follow_clock)
    new = _derive(built, project)
    if new.site.common != built.site.common:
        raise FullRebuild("what every page shows changed (the overall status)")
    changed = changed_incidents(built.snapshot, new.snapshot)
    old_pages = {p.url: p for p in built.site.pages}
    # The same incidents (an editor's swap file, a file saved unchanged): the same site.
    render = [p for p in new.site.pages
              if changed and _needs_render(p, old_pages.get(p.url), changed)]
    urls_now = {p.url for p in new.site.pages}
    removed = [p for p in built.site.pages if p.url not in urls_now]
    return Changes(built, new, render, removed, bool(removed) or len(urls_now) != len(old_pages),
                   warnings)


def read_again(built: Built, paths: Iterable[Path], follow_clock: bool
               ) -> tuple[Project, list[Problem]]:
    """The content with the changed incident folders read again and checked, and the
    warnings; content errors are left to the full build, which shows them."""
    config, root = built.project.config, built.project.problems.root
    folders = changed_folders(built, paths)
    problems = Problems(root=root)
    read = load_folders(config, problems, [f for f in folders
                                           if os.path.lexists(f / INCIDENT_FILE)])
    if not problems.errors:
        if follow_clock and any(_dated_after(i, built.now) for i in read):
            raise FullRebuild("a changed file is dated after the session's time",
                              advance_clock=True)
        gone = set(folders)
        incidents = in_order([i for i in built.project.incidents if _folder(i) not in gone]
                             + read)
        check_rules(config, incidents, built.now, problems)
    if problems.errors:
        raise FullRebuild("content errors")
    return Project(config, incidents, Problems(root=root)), problems.warnings


def changed_folders(built: Built, paths: Iterable[Path]) -> list[Path]:
    """The incident folders the changed paths are in (each path is a file's or a folder's,
    created, edited or deleted); a change anywhere else under incidents/ (a year folder
    moved, a stray file) needs the full build, which applies every rule of the layout."""
    root = Path(os.path.abspath(built.project.config.incidents_path))
    known = {_folder(i) for i in built.project.incidents}
    folders: dict[Path, None] = {}
    for given in paths:
        path = Path(os.path.abspath(given))
        if root not in path.parents:
            raise FullRebuild(f"{path} is not inside {root}")
        inside = [p for p in (path, *path.parents) if root in p.parents]
        folder = next((p for p in inside if p in known or os.path.lexists(p / INCIDENT_FILE)),
                      None)
        if folder is not None:
            if any(p.is_symlink() for p in inside if p == folder or p in folder.parents):
                raise FullRebuild(f"{folder} is a link")
            folders[folder] = None
            continue
        where = path if path.is_dir() else path.parent
        if where == root or _has_content(where) or any(path in k.parents for k in known):
            raise FullRebuild(f"{path} is not in an incident folder")
    return list(folders)


def changed_incidents(before: Snapshot, after: Snapshot) -> set[str]:
    """Ids of the incidents added, removed or changed between two snapshots."""
    old = {i.id: i for i in before.incidents}
    new = {i.id: i for i in after.incidents}
    return {i for i in old.keys() | new.keys()
            if not (old.get(i) is new.get(i) or old.get(i) == new.get(i))}


def _needs_render(page: SitePage, old: SitePage | None, changed: set[str]) -> bool:
    if old is None or page.lists is None or page.lists != old.lists:
        return True
    return any(item in changed for item in page.lists)


def _derive(built: Built, project: Project) -> Built:
    """Status and pages again. The outputs' paths follow from tidings.yml alone, so the
    pages (the subscribe page lists the API's) are those of the last build's outputs, which
    ``Changes.outputs`` computes again afterwards."""
    snapshot = project.snapshot(built.now)
    return Built(project, built.now, snapshot, built.outputs,
                 build_site(snapshot, built.outputs, built.renderer), built.renderer)


def _outputs(built: Built, snapshot: Snapshot) -> dict[str, bytes]:
    """The outputs of ``snapshot``; the calendars are kept when no maintenance changed."""
    before = {i.id: i for i in built.snapshot.incidents if i.is_maintenance}
    after = {i.id: i for i in snapshot.incidents if i.is_maintenance}
    same = before.keys() == after.keys() and all(before[k] == after[k] for k in before)
    calendars = {p: b for p, b in built.outputs.items()
                 if p.rsplit("/", 1)[-1] == urls.CALENDAR} if same else None
    return generated_files(snapshot, built.renderer, calendars)


def _folder(incident: Incident) -> Path:
    folder = incident.folder  # absolute when the project's root is (as the plugin's is)
    return folder if folder.is_absolute() else Path(os.path.abspath(folder))


def _dated_after(incident: Incident, now: datetime) -> bool:
    """An update or postmortem the session's time would not show yet."""
    published = incident.postmortem.published if incident.postmortem else None
    return any(u.at > now for u in incident.updates) or bool(published and published > now)


def _has_content(folder: Path) -> bool:
    """A folder with folders or Markdown in it (an empty new folder, or one left with only an
    editor's swap file, is no content yet)."""
    try:
        with os.scandir(folder) as entries:
            return any(e.is_dir() or e.name.endswith(".md") for e in entries)
    except OSError:
        return False
