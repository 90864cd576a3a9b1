"""``tidings build`` and ``tidings serve``: run MkDocs on the status site; ``tidings export``.

An adapter like ``tidings/plugin/``: it runs MkDocs in a child process (so the build sees
exactly the environment a CI build sees) with ``python -P``, so that no module in the
repository's folder (a stray ``yaml.py``) can shadow an installed one: content is data, never
code. ``build`` checks the
content first, builds into a temporary folder next to the destination and swaps it in only
when the build succeeded: a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click
import yaml

from ..config import mkdocs_settings
from ..export import ExportError
from ..export import export as write_export
from ..pipeline import Build
from ..problems import ContentError
from .check import report
from .options import now_option, repository_root, resolve_now

AUDIENCE_ENV = "TIDINGS_AUDIENCE"  # read by the plugin (tidings/plugin/)
FOLLOW_CLOCK_ENV = "TIDINGS_SERVE_FOLLOW_CLOCK"  # the same
PLAIN_TEXT = "tag:yaml.org,2002:str"  # a YAML value written as plain text, no tag
SITE_DIRS = {"public": Path("site"), "internal": Path("site-internal")}


def mkdocs_env(now: datetime | None, audience: str | None = None) -> dict[str, str]:
    """The child's environment: the build time as SOURCE_DATE_EPOCH, the audience, no EOL
    banner."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if audience is not None:
        env[AUDIENCE_ENV] = audience
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
    project = Build(root, now).checked()
    report(project.problems.errors + project.problems.warnings)
    if project.problems.errors:
        click.echo(f"{len(project.problems.errors)} error(s): the site was not built; "
                   "the previous site is unchanged", err=True)
        raise SystemExit(1)


def ensure_docs_dir(config_file: Path) -> None:
    """MkDocs refuses a missing docs folder, and git keeps no empty one: a repository whose
    only hand-written page was deleted gets an empty docs folder back."""
    root = config_file.resolve().parent
    settings = mkdocs_settings(config_file, root)
    if settings is None:
        return
    found = settings.get("docs_dir")
    if found is None:
        docs = "docs"  # MkDocs' default
    elif isinstance(found[1], yaml.ScalarNode) and found[1].tag == PLAIN_TEXT:
        docs = found[1].value
    else:
        return  # a value MkDocs resolves itself (!ENV)
    path = root / docs
    if not os.path.lexists(path):
        path.mkdir(parents=True)


def swap_in(built: Path, dest: Path) -> None:
    """Replace ``dest`` by ``built`` with two renames on one file system."""
    if dest.exists() and not dest.is_dir():
        raise click.ClickException(f"{dest} exists and is not a folder; remove it or choose -d")
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-{os.getpid()}-", dir=dest.parent))
        old.rmdir()
        dest.rename(old)
    built.rename(dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def signals_unwind() -> Iterator[None]:
    """SIGTERM (a cancelled CI job, a stopped service) and SIGINT unwind like an error: the
    ``finally`` blocks stop the MkDocs child and remove the staging folder."""
    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGTERM and SIGINT until the block is done; they arrive right after it."""
    held = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def run_child(command: list[str], env: dict[str, str],
              stop: signal.Signals = signal.SIGTERM) -> int:
    """Run a child to its end; if this process is told to stop first, stop the child too with
    ``stop``: SIGTERM ends a build at once (its staging folder is ours to remove; SIGINT would
    print a traceback in a child still starting), SIGINT lets ``mkdocs serve`` remove the
    temporary site it serves from."""
    child = subprocess.Popen(command, env=env)
    try:
        return child.wait()
    finally:
        if child.poll() is None:
            child.send_signal(stop)
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def remove_leftovers(dest: Path) -> None:
    """Remove the staging and old folders of builds that were killed (``kill -9`` runs no
    clean-up), never those of a build still running: each name carries its process id."""
    for prefix in (f".{dest.name}.new-", f".{dest.name}.old-"):
        for path in dest.parent.glob(prefix + "*") if dest.parent.is_dir() else []:
            pid = path.name[len(prefix):].split("-", 1)[0]
            if not (pid.isdigit() and _running(int(pid))) and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def make_staging(dest: Path) -> Path:
    """An empty folder next to ``dest`` (so the swap is a rename), or a one-line error."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{dest.name}.new-{os.getpid()}-", dir=dest.parent))
    except OSError as exc:
        raise click.ClickException(f"cannot create the site next to {dest} ({exc.strerror}); "
                                   "make its folder writable or choose another --site-dir"
                                   ) from None


def ordinary_permissions(folder: Path) -> None:
    """``mkdtemp`` makes the folder 0700, which a web server running as another user answers
    with 403: give it what the umask gives any new folder (0755 under the usual 022)."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)

audience_option = click.option(
    "--audience", type=click.Choice(tuple(SITE_DIRS)), default="public", show_default=True,
    help="Who the site is for: public (customers) or internal (employees: internal notes, "
         "incidents, components and roles; built into site-internal/ by default).")


config_file_option = click.option(
    "-f", "--config-file", type=click.Path(dir_okay=False, path_type=Path),
    help="The MkDocs configuration to build; default: mkdocs.yml of the status repository "
         "holding the current folder.")


@click.command()
@now_option
@click.option("--strict/--no-strict", default=True, show_default=True,
              help="Fail on any MkDocs warning (broken link, missing file).")
@click.option("-d", "--site-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where to put the built site; default: site/ beside mkdocs.yml, or "
                   "site-internal/ for --audience internal.")
@audience_option
@config_file_option
def build(now: str | None, strict: bool, site_dir: Path | None, audience: str,
          config_file: Path | None) -> None:
    """Build the status site into SITE_DIR, replacing it only when the build succeeds."""
    moment = resolve_now(now).replace(microsecond=0)
    config_file = mkdocs_file(config_file)
    site_dir = site_dir or config_file.resolve().parent / SITE_DIRS[audience]
    ensure_docs_dir(config_file)
    check_content(config_file.resolve().parent, moment)
    dest = site_dir.resolve()
    with signals_unwind():
        remove_leftovers(dest)
        staging = make_staging(dest)
        try:
            args = ["-d", str(staging), "--clean", *(["--strict"] if strict else [])]
            if run_child(mkdocs_command("build", config_file, *args),
                         mkdocs_env(moment, audience)) != 0:
                click.echo(f"the build failed: {dest} is unchanged", err=True)
                raise SystemExit(1)
            ordinary_permissions(staging)
            with signals_deferred():  # between the two renames there is no site at all
                swap_in(staging, dest)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    stamp = moment.isoformat().replace("+00:00", "Z")
    click.echo(f"built the {audience} site as of {stamp} into {dest}", err=True)


@click.command()
@now_option
@click.option("-a", "--dev-addr", metavar="IP:PORT", default="127.0.0.1:8000", show_default=True,
              help="Address to serve on.")
@audience_option
@config_file_option
def serve(now: str | None, dev_addr: str, audience: str, config_file: Path | None) -> None:
    """Serve the site locally and rebuild when incidents/, tidings.yml or templates change.

    An edit under incidents/ renders again only the pages and files it changes. The site is
    as of --now, else as of the session's start, which moves on to the current time when a
    changed file is dated after it (see documentation/commands.md).
    """
    fixed = bool(now) or bool(os.environ.get("SOURCE_DATE_EPOCH", "").strip())
    moment = resolve_now(now)
    config_file = mkdocs_file(config_file)
    ensure_docs_dir(config_file)
    env = mkdocs_env(moment, audience)
    if not fixed:
        env[FOLLOW_CLOCK_ENV] = "1"
    with signals_unwind():
        # SIGINT: `mkdocs serve` then removes its temporary site folder.
        code = run_child(mkdocs_command("serve", config_file, "-a", dev_addr), env,
                         stop=signal.SIGINT)
    raise SystemExit(code)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@now_option
@config_file_option
def export(directory: Path, now: str | None, config_file: Path | None) -> None:
    """Write the site as a plain Material project into DIRECTORY, without the plugin.

    `mkdocs build` and `zensical build` in DIRECTORY build the same pages, feeds and API
    (see documentation/export.md). An earlier export in DIRECTORY is replaced.
    """
    moment = resolve_now(now).replace(microsecond=0)
    config_file = mkdocs_file(config_file)
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
