"""One build of the status site, in the order MkDocs' own ``build()`` reads:
load → check → snapshot → outputs → pages.

``tidings check`` runs the first two stages, ``tidings notify`` the first three, and the
MkDocs plugin and ``tidings export`` all five; each stage takes what the one before gave, so
every command sees the same content, the same problems and the same status. The build owns
its Markdown renderer, so that pages and feeds render each text once, and a ``tidings serve``
session keeps it between rebuilds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import files
from .audience import for_audience
from .check_cache import FolderCache
from .config import CONFIG_FILE, SiteConfig, check_site_url, load_config
from .loader import load_incidents
from .model import Incident
from .problems import ContentError, Problems
from .render import Renderer
from .rules import check_rules
from .status import Snapshot, derive
from .vocabulary import Audience

if TYPE_CHECKING:  # the checks never render a page: they import nothing of it
    from .pages import Site


# The folders MkDocs copies into the site besides incidents/ (docs_dir and the theme's
# custom_dir of the demo and of `tidings init`); the plugin passes the configured ones.
SITE_FOLDERS = ("docs", "site_templates")


@dataclass
class Project:
    """A repository's configuration and content, with every problem found in them."""

    config: SiteConfig
    incidents: list[Incident]
    problems: Problems

    def snapshot(self, now: datetime, audience: Audience | None = None) -> Snapshot:
        """Status at ``now`` for ``audience`` (default: the configured one), from only what
        that audience may see."""
        config, incidents = for_audience(self.config, self.incidents,
                                         audience or self.config.audience)
        return derive(config, incidents, now)


@dataclass
class BuiltSite:
    """What a whole build gives the site engine."""

    snapshot: Snapshot
    outputs: dict[str, bytes]  # site-relative path -> bytes: feeds, API, calendars, badges
    site: Site


@dataclass
class Build:
    """The status site of the repository at ``root`` as of ``now``, for one audience."""

    root: Path
    now: datetime
    config_path: Path | None = None  # tidings.yml; default: the one in root
    site_folders: list[Path] | None = None  # checked for links out of the repository
    audience: Audience = "public"
    renderer: Renderer = field(default_factory=Renderer)
    cache: bool = False  # keep each folder's reading for the next load (``tidings check``)

    def load(self) -> Project:
        """Configuration and content, every problem of each file recorded; never raises."""
        root = Path(self.root)
        problems = Problems(root=root)
        config = load_config(root, problems, self.config_path)
        check_site_url(config, problems)
        folders = self.site_folders
        for folder in folders if folders is not None else [root / n for n in SITE_FOLDERS]:
            if folder.is_dir() and files.inside(folder, root):
                files.check_tree(folder, root, problems)
        config.audience = self.audience
        cache = FolderCache.of(root, self.config_path or root / CONFIG_FILE, self.audience
                               ) if self.cache else None
        incidents = load_incidents(config, problems, cache) if config.components else []
        return Project(config, incidents, problems)

    def check(self, project: Project) -> Project:
        """The rules across files and in time (duplicate ids, future dates, overdue updates)."""
        check_rules(project.config, project.incidents, self.now, project.problems)
        return project

    def checked(self) -> Project:
        """``load`` then ``check``: what ``tidings check`` reports."""
        return self.check(self.load())

    def valid(self) -> Project:
        """``checked``, raising ContentError with every error when there is one."""
        project = self.checked()
        if project.problems.errors:
            raise ContentError(project.problems.errors)
        return project

    def snapshot(self, project: Project, audience: Audience | None = None) -> Snapshot:
        """Status at ``now`` from only what ``audience`` (default: the build's) may see."""
        return project.snapshot(self.now, audience)

    def outputs(self, snapshot: Snapshot) -> dict[str, bytes]:
        """Feeds, API, calendars, badges and embed.js, with the history's Markdown rendered
        ahead (on the other cores for a large history)."""
        from .outputs import generated_files

        self.renderer.prerender_history(snapshot.incidents)
        return generated_files(snapshot, self.renderer)

    def pages(self, snapshot: Snapshot, outputs: dict[str, bytes]) -> Site:
        """Every page of the site, as data the site engine renders."""
        from .pages import build_site

        return build_site(snapshot, outputs, self.renderer)

    def site(self, project: Project) -> BuiltSite:
        """The three last stages for a project without errors."""
        snapshot = self.snapshot(project)
        outputs = self.outputs(snapshot)
        return BuiltSite(snapshot, outputs, self.pages(snapshot, outputs))


def load_project(root: Path, now: datetime, config_path: Path | None = None,
                 site_folders: list[Path] | None = None, audience: Audience = "public"
                 ) -> Project:
    """``Build(...).checked()``: read everything and record every problem; never raises."""
    return Build(root, now, config_path, site_folders, audience).checked()


def load_valid_project(root: Path, now: datetime, config_path: Path | None = None,
                       audience: Audience = "public") -> Project:
    """``Build(...).valid()``: like ``load_project`` but raise ContentError on an error."""
    return Build(root, now, config_path, audience=audience).valid()
