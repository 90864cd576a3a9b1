"""Import history from Statuspage and cState into Tidings folders (no click here).

Readers (``statuspage``, ``cstate``) turn the source into drafts and record every problem;
``complete`` gives components their ids, writes the folders all or nothing (``writer``) and
says which components tidings.yml still needs:

- no tidings.yml yet: one is created with the components found;
- tidings.yml exists: it is never edited (comments and layout are the author's); the missing
  components are printed as a paste-ready ``components:`` block and written to
  ``tidings.import-components.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path

from ..config import CONFIG_FILE, Component, SiteConfig, load_config
from ..frontmatter import without_control
from ..problems import Problems
from .components import ComponentRegistry, NewComponent
from .cstate import read_cstate
from .drafts import Draft, SiteInfo
from .statuspage import read_statuspage
from .writer import (
    components_block,
    move_into_place,
    plan,
    staged,
    verify,
    write_components_file,
    write_config,
)

__all__ = ["ImportReport", "complete", "import_cstate", "import_statuspage"]


@dataclass
class ImportReport:
    root: Path
    dry_run: bool
    folders: dict[Path, Draft] = field(default_factory=dict)  # final path -> what it holds
    skipped: list[tuple[Draft, Path]] = field(default_factory=list)
    new_components: list[NewComponent] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)  # ids tidings.yml has that the import uses
    config_created: Path | None = None  # tidings.yml written (or to be, in a dry run)
    components_file: Path | None = None  # tidings.import-components.yml
    components_block: str = ""

    @property
    def drafts(self) -> list[Draft]:
        return list(self.folders.values())


def import_statuspage(paths: list[Path], root: Path, problems: Problems,
                      dry_run: bool = False) -> ImportReport | None:
    """Import Statuspage JSON files; None when there were errors (nothing written)."""
    registry, site = ComponentRegistry(), SiteInfo()
    drafts = read_statuspage(paths, problems, registry, site)
    return complete(root, drafts, registry, site, problems, dry_run)


def import_cstate(directory: Path, root: Path, problems: Problems, zone: tzinfo | None = None,
                  zone_name: str | None = None, dry_run: bool = False) -> ImportReport | None:
    """Import a cState site; None when there were errors (nothing written)."""
    registry, site = ComponentRegistry(), SiteInfo(timezone=zone_name)
    drafts = read_cstate(directory, problems, registry, site, zone)
    return complete(root, drafts, registry, site, problems, dry_run)


def complete(root: Path, drafts: list[Draft], registry: ComponentRegistry, site: SiteInfo,
             problems: Problems, dry_run: bool) -> ImportReport | None:
    """Assign component ids, then write every folder or none."""
    if problems.errors:
        return None
    for draft in drafts:
        _drop_control_characters(draft, problems)
    config = _existing_config(root, problems)
    if problems.errors:
        return None
    configured = config.components if config else []
    incidents = config.incidents_path if config else root / "incidents"
    used = {key for d in drafts for key in [*d.components, *(k for u in d.updates
                                                             for k in u.components)]}
    assignment = registry.assign(configured, used)
    drafts = sorted(drafts, key=lambda d: (d.created_at is None, d.created_at, d.folder))
    the_plan = plan(drafts, assignment.ids, incidents, root)
    for _draft, where in the_plan.skipped:
        problems.warn(where, 1, "this folder already exists and is not overwritten; delete "
                      "it to import it again")
    every = configured + [Component(c.id, c.name) for c in assignment.new]
    report = ImportReport(root, dry_run, skipped=the_plan.skipped,
                          new_components=assignment.new, matched=assignment.existing)
    with staged(the_plan, None if dry_run else incidents) as staging:
        verify(staging, every, problems)
        if problems.errors:
            return None
        if not dry_run:
            move_into_place(staging, the_plan, incidents)
    report.folders = {incidents / rel: d for rel, d in the_plan.drafts.items()}
    _components(report, config, site, problems)
    return report


def _drop_control_characters(draft: Draft, problems: Problems) -> None:
    """Invisible control characters (a pasted terminal colour code) would make the imported
    files fail `tidings check`: they are removed, and the import says so. A text left empty
    takes the title (or the id), as an empty source text does."""
    draft.title, removed = without_control(draft.title)
    draft.title = draft.title if draft.title.strip() else draft.folder
    draft.summary, count = without_control(draft.summary)
    removed += count
    for update in draft.updates:
        message, count = without_control(update.message)
        update.message = message if message.strip() or not count else draft.title
        removed += count
    if draft.postmortem is not None:
        draft.postmortem.body, count = without_control(draft.postmortem.body)
        removed += count
    if removed:
        problems.warn(draft.source, draft.line, f"removed {removed} invisible control "
                      "character(s), which no page or feed can show")


def _existing_config(root: Path, problems: Problems) -> SiteConfig | None:
    if not (root / CONFIG_FILE).is_file():
        return None
    config = load_config(root, problems)
    if problems.errors:
        problems.add(root / CONFIG_FILE, 1, "fix tidings.yml first: the import maps "
                     "components to the ones it defines")
    return config


def _components(report: ImportReport, config: SiteConfig | None, site: SiteInfo,
                problems: Problems) -> None:
    """Create tidings.yml, or say (and write down) which components it still needs."""
    new, root = report.new_components, report.root
    if config is None:
        report.config_created = root / CONFIG_FILE
        if not new:
            problems.warn(root / CONFIG_FILE, 1, "the source names no components; add at "
                          "least one under components: in tidings.yml")
        if not report.dry_run:
            write_config(root, site, new)
        return
    if new:
        report.components_block = components_block(new)
        report.components_file = root / "tidings.import-components.yml"
        if not report.dry_run:
            write_components_file(root, new)
