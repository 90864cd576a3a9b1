"""``tidings build`` and ``tidings serve``: run MkDocs on the status site.

An adapter like ``tidings/plugin.py``: it runs MkDocs in a child process (so the build sees
exactly the environment a CI build sees) with ``python -P``, so that no module in the
repository's folder (a stray ``yaml.py``) can shadow an installed one: content is data, never
code. ``build`` checks the
content first, builds into a temporary folder next to the destination and swaps it in only
when the build succeeded: a failed build leaves the previous site untouched.
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
import yaml

from ..project import load_project
from .check import report
from .options import now_option, repository_root, resolve_now


def mkdocs_env(now: datetime | None) -> dict[str, str]:
    """The child's environment: the build time as SOURCE_DATE_EPOCH, no EOL banner."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if now is not None:
        env["SOURCE_DATE_EPOCH"] = str(int(now.timestamp()))
    return env


def mkdocs_command(action: str, config_file: Path, *args: str) -> list[str]:
    """MkDocs in a child Python that does not put the working folder on its import path."""
    return [sys.executable, "-P", "-m", "mkdocs", action, "-f", str(config_file), *args]


def mkdocs_file(given: Path | None) -> Path:
    """``-f``, else mkdocs.yml of the status repository holding the current folder."""
    path = given if given is not None else repository_root(None) / "mkdocs.yml"
    if not path.is_file():
        raise click.ClickException(f"{path} not found; every status repository has one "
                                   "(`tidings init` writes it), or pass -f path/to/mkdocs.yml")
    return path


def check_content(root: Path, now: datetime) -> None:
    """Print every problem as ``tidings check`` does; stop before MkDocs starts on an error.

    Warnings (overdue updates) are printed and never stop the build: the page must keep
    publishing mid-incident.
    """
    project = load_project(root, now)
    report(project.problems.errors + project.problems.warnings)
    if project.problems.errors:
        click.echo(f"{len(project.problems.errors)} error(s): the site was not built; "
                   "the previous site is unchanged", err=True)
        raise SystemExit(1)


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml for one key; its ``!!python/name:`` and ``!ENV`` tags are skipped."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def ensure_docs_dir(config_file: Path) -> None:
    """MkDocs refuses a missing docs folder, and git keeps no empty one: a repository whose
    only hand-written page was deleted gets an empty docs folder back."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_AnyTagLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return  # MkDocs reports it with its own message
    docs = data.get("docs_dir", "docs") if isinstance(data, dict) else "docs"
    if isinstance(docs, str):
        path = config_file.resolve().parent / docs
        if not os.path.lexists(path):
            path.mkdir(parents=True)


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
    help="The MkDocs configuration to build; default: mkdocs.yml of the status repository "
         "holding the current folder.")


@click.command()
@now_option
@click.option("--strict/--no-strict", default=True, show_default=True,
              help="Fail on any MkDocs warning (broken link, missing file).")
@click.option("-d", "--site-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where to put the built site; default: site/ beside mkdocs.yml.")
@config_file_option
def build(now: str | None, strict: bool, site_dir: Path | None,
          config_file: Path | None) -> None:
    """Build the status site into SITE_DIR, replacing it only when the build succeeds."""
    moment = resolve_now(now).replace(microsecond=0)
    config_file = mkdocs_file(config_file)
    site_dir = site_dir or config_file.resolve().parent / "site"
    ensure_docs_dir(config_file)
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
def serve(now: str | None, dev_addr: str, config_file: Path | None) -> None:
    """Serve the site locally and rebuild when incidents/, tidings.yml or templates change.

    Without --now every rebuild uses the current time.
    """
    moment = resolve_now(now) if now else None
    config_file = mkdocs_file(config_file)
    ensure_docs_dir(config_file)
    result = subprocess.run(mkdocs_command("serve", config_file, "-a", dev_addr),
                            env=mkdocs_env(moment), check=False)
    raise SystemExit(result.returncode)
