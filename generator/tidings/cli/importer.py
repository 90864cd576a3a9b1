"""``tidings import statuspage|cstate``: bring history from another status page."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from ..config import find_root
from ..importers import ImportReport, import_cstate, import_statuspage
from ..problems import Problems


def _into(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """The status repository holding the current folder, else the current folder (an import
    may start a new repository there)."""
    return value if value is not None else (find_root(Path.cwd()) or Path("."))


into_option = click.option(
    "--into", type=click.Path(file_okay=False, path_type=Path), callback=_into,
    help="The status repository to import into; default: the one holding the current folder, "
         "else the current folder.")
dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Convert and report everything, but write nothing.")


@click.group("import")
def import_() -> None:
    """Import history from Statuspage or cState into incidents/.

    Existing folders are never overwritten; on any error nothing is written.
    """


@import_.command("statuspage")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@into_option
@dry_run_option
def statuspage(files: tuple[Path, ...], into: Path, dry_run: bool) -> None:
    """Import Statuspage API JSON files.

    FILES: incidents.json, summary.json, scheduled-maintenances.json, single incidents.
    """
    problems = Problems()  # paths shown relative to where the command runs, as typed
    finish(import_statuspage(list(files), into, problems, dry_run), problems)


@import_.command("cstate")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--timezone", "zone_name", metavar="NAME",
              help="IANA zone of cState dates written without one (default: UTC, with a "
                   "warning per file).")
@into_option
@dry_run_option
def cstate(directory: Path, zone_name: str | None, into: Path, dry_run: bool) -> None:
    """Import a cState site.

    DIRECTORY: the site root (with config.yml) or its content/issues folder.
    """
    zone = None
    if zone_name:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise click.BadParameter(f'unknown time zone "{zone_name}"; use an IANA name such '
                                     "as Europe/Berlin or UTC", param_hint="--timezone") from None
    problems = Problems()  # paths shown relative to where the command runs, as typed
    finish(import_cstate(directory, into, problems, zone, zone_name, dry_run), problems)


def finish(report: ImportReport | None, problems: Problems) -> None:
    """Print problems (stderr) and what was written (stdout); exit 1 on errors."""
    for problem in sorted(problems.items, key=lambda p: (p.path, p.line)):
        click.echo(str(problem), err=True)
    if report is None:
        click.echo(f"{len(problems.errors)} error(s), {len(problems.warnings)} warning(s); "
                   "nothing was written", err=True)
        raise SystemExit(1)
    describe(report, problems)


def describe(report: ImportReport, problems: Problems) -> None:
    verb = "would write" if report.dry_run else "wrote"
    for folder, draft in report.folders.items():
        extra = ", postmortem" if draft.postmortem else ""
        click.echo(f"{verb} {problems.display(folder)}/ ({draft.kind}, "
                   f"{len(draft.updates)} update(s){extra})")
    drafts = report.drafts
    maintenance = sum(d.kind == "maintenance" for d in drafts)
    click.echo(f"{'Would import' if report.dry_run else 'Imported'} "
               f"{len(drafts) - maintenance} incident(s) and {maintenance} maintenance(s) with "
               f"{sum(len(d.updates) for d in drafts)} update(s) and "
               f"{sum(d.postmortem is not None for d in drafts)} postmortem(s); "
               f"{len(report.skipped)} skipped, {len(problems.warnings)} warning(s).")
    if report.matched:
        click.echo(f"Uses component(s) tidings.yml already has: {', '.join(report.matched)}.")
    if report.config_created:
        click.echo(f"{verb} {problems.display(report.config_created)} with "
                   f"{len(report.new_components)} component(s): review name and url, and set "
                   "feed: before publishing.")
    elif report.components_file:
        click.echo(f"\ntidings.yml lacks {len(report.new_components)} component(s) the import "
                   "uses or found. Add these entries to the components: list in tidings.yml"
                   f" ({verb} them to {problems.display(report.components_file)} too):\n")
        click.echo(report.components_block)
    click.echo("Next: run `tidings check` and review the result before committing.")
