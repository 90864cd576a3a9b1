"""``tidings build`` and ``tidings serve``: run MkDocs on the status site; ``tidings export``.

An adapter like ``tidings/plugin.py``: it runs MkDocs (``python -m mkdocs`` in a child
process, so the build sees exactly the environment a CI build sees). ``build`` checks the
content first, builds into a temporary folder next to the destination and swaps it in only
when the build succeeded (decision 13): a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import click

from ..export import ExportError
from ..export import export as write_export
from ..problems import ContentError
from ..project import load_project
from .check import report
from .options import now_option, resolve_now


def mkdocs_env(now: datetime | None) -> dict[str, str]:
    """The child's environment: the build time as SOURCE_DATE_EPOCH, no EOL banner."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if now is not None:
        env["SOURCE_DATE_EPOCH"] = str(int(now.timestamp()))
    return env


def mkdocs_command(action: str, config_file: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "mkdocs", action, "-f", str(config_file), *args]


def check_content(root: Path, now: datetime) -> None:
    """Print every problem as ``tidings check`` does; stop before MkDocs starts on an error.

    Warnings (overdue updates) are printed and never stop the build (decision 5).
    """
    project = load_project(root, now)
    report(project.problems.errors + project.problems.warnings)
    if project.problems.errors:
        click.echo(f"{len(project.problems.errors)} error(s): the site was not built; "
                   "the previous site is unchanged", err=True)
        raise SystemExit(1)


def swap_in(built: Path, dest: Path) -> None:
    """Replace ``dest`` by ``built`` with two renames on one file system."""
    if dest.exists() and not dest.is_dir():
        raise click.ClickException(f"{dest} exists and is not a folder; remove it or choose -d")
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        old.rmdir()
        dest.rename(old)
    built.rename(dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


config_file_option = click.option(
    "-f", "--config-file", type=click.Path(dir_okay=False, path_type=Path),
    default=Path("mkdocs.yml"), show_default=True, help="The MkDocs configuration to build.")


@click.command()
@now_option
@click.option("--strict/--no-strict", default=True, show_default=True,
              help="Fail on any MkDocs warning (broken link, missing file).")
@click.option("-d", "--site-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("site"), show_default=True, help="Where to put the built site.")
@config_file_option
def build(now: str | None, strict: bool, site_dir: Path, config_file: Path) -> None:
    """Build the status site into SITE_DIR, replacing it only when the build succeeds."""
    moment = resolve_now(now).replace(microsecond=0)
    if not config_file.is_file():
        raise click.ClickException(f"{config_file} not found; run from the repository root "
                                   "or pass -f path/to/mkdocs.yml")
    check_content(config_file.resolve().parent, moment)
    dest = site_dir.resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.new-", dir=dest.parent))
    try:
        args = ["-d", str(staging), "--clean", *(["--strict"] if strict else [])]
        result = subprocess.run(mkdocs_command("build", config_file, *args),
                                env=mkdocs_env(moment), check=False)
        if result.returncode != 0:
            click.echo(f"the build failed: {dest} is unchanged", err=True)
            raise SystemExit(1)
        swap_in(staging, dest)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    click.echo(f"built the site as of {moment.isoformat().replace('+00:00', 'Z')} into {dest}",
               err=True)


@click.command()
@now_option
@click.option("-a", "--dev-addr", metavar="IP:PORT", default="127.0.0.1:8000", show_default=True,
              help="Address to serve on.")
@config_file_option
def serve(now: str | None, dev_addr: str, config_file: Path) -> None:
    """Serve the site locally and rebuild when incidents/, tidings.yml or templates change.

    Without --now every rebuild uses the current time.
    """
    moment = resolve_now(now) if now else None
    result = subprocess.run(mkdocs_command("serve", config_file, "-a", dev_addr),
                            env=mkdocs_env(moment), check=False)
    raise SystemExit(result.returncode)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@now_option
@config_file_option
def export(directory: Path, now: str | None, config_file: Path) -> None:
    """Write the site as a plain Material project into DIRECTORY, without the plugin.

    `mkdocs build` and `zensical build` in DIRECTORY build the same pages, feeds and API
    (see documentation/export.md). An earlier export in DIRECTORY is replaced.
    """
    moment = resolve_now(now).replace(microsecond=0)
    try:
        warnings = write_export(config_file, directory.resolve(), moment)
    except ContentError as exc:
        report(exc.problems)
        click.echo(f"{len(exc.problems)} error(s): nothing was exported", err=True)
        raise SystemExit(1) from None
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    for warning in warnings:
        click.echo(warning, err=True)
    click.echo(f"exported the site as of {moment.isoformat().replace('+00:00', 'Z')} into "
               f"{directory}: build it with `mkdocs build` or `zensical build` there", err=True)
