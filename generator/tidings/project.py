"""One entry point for every output: read configuration and content, validate, derive status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import files
from .audience import for_audience
from .config import Audience, SiteConfig, check_site_url, load_config
from .loader import load_incidents
from .model import Incident
from .problems import ContentError, Problems
from .rules import check_rules
from .status import Snapshot, derive


@dataclass
class Project:
    config: SiteConfig
    incidents: list[Incident]
    problems: Problems

    def snapshot(self, now: datetime, audience: Audience | None = None) -> Snapshot:
        """Status at ``now`` for ``audience`` (default: the configured one), from only what
        that audience may see."""
        config, incidents = for_audience(self.config, self.incidents,
                                         audience or self.config.audience)
        return derive(config, incidents, now)


# The folders MkDocs copies into the site besides incidents/ (docs_dir and the theme's
# custom_dir of the demo and of `tidings init`); the plugin passes the configured ones.
SITE_FOLDERS = ("docs", "site_templates")


def load_project(root: Path, now: datetime, config_path: Path | None = None,
                 site_folders: list[Path] | None = None, audience: Audience = "public"
                 ) -> Project:
    """Read everything and record every problem; never raises for bad content."""
    root = Path(root)
    problems = Problems(root=root)
    config = load_config(root, problems, config_path)
    check_site_url(config, problems)
    for folder in site_folders if site_folders is not None else [root / n for n in SITE_FOLDERS]:
        if folder.is_dir() and files.inside(folder, root):
            files.check_tree(folder, root, problems)
    config.audience = audience
    incidents = load_incidents(config, problems) if config.components else []
    check_rules(config, incidents, now, problems)
    return Project(config, incidents, problems)


def load_valid_project(root: Path, now: datetime, config_path: Path | None = None,
                       audience: Audience = "public") -> Project:
    """Like ``load_project`` but raise ContentError with every error when there is one."""
    project = load_project(root, now, config_path, audience=audience)
    if project.problems.errors:
        raise ContentError(project.problems.errors)
    return project
