"""Authoring commands: new, update, resolve, maintenance, postmortem, templates.

Each writes files with ``tidings.authoring`` and prints what it wrote and the git commands
that open a pull request; content is published by merging it.
"""

from __future__ import annotations

import functools
import os
import shlex
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from .. import authoring
from ..authoring import AuthoringError
from ..config import SiteConfig, load_config
from ..content_format import TEMPLATES_FOLDER
from ..language import check_incident
from ..model import Incident
from ..pipeline import load_project
from ..problems import Problems
from ..timestamps import iso
from ..vocabulary import COMPONENT_STATUSES, IMPACTS, INCIDENT_STATUSES
from .options import repository_root, resolve_now, root_option

SCISSORS = "# ------------------------ >8 ------------------------"


def _time_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--now", metavar="TIMESTAMP",
                           help="The current time (ISO 8601 with zone); default: "
                                "SOURCE_DATE_EPOCH, else the clock.",
                           )(command)
    return click.option("--at", metavar="TIMESTAMP",
                        help="When this was posted (ISO 8601); default: now.")(command)


_message_option = click.option(
    "-m", "--message", metavar="TEXT",
    help="The message customers read (Markdown). Without it: $EDITOR, or standard input.")
_component_option = click.option(
    "-c", "--component", "components", multiple=True, metavar="ID[=STATUS]",
    help=f"A component and its status ({', '.join(COMPONENT_STATUSES)}); repeat for more.")
_next_option = click.option(
    "--next", "next_update", metavar="DURATION|TIMESTAMP",
    help="When the next update is promised, e.g. 30m or 2026-11-23T15:30:00Z.")


def _reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn AuthoringError into a click usage error (exit 2) or a plain error (exit 1)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AuthoringError as exc:
            if exc.option:
                raise click.BadParameter(exc.message, param_hint=f"'{exc.option}'") from None
            raise click.ClickException(exc.message) from None
        except FileExistsError as exc:
            raise click.ClickException(f"{exc.filename} exists already; nothing was "
                                       "overwritten") from None
        except OSError as exc:
            raise click.ClickException(f"cannot write {exc.filename or 'the file'}: "
                                       f"{exc.strerror or exc}") from None

    return run


def _config(given: Path | None) -> SiteConfig:
    root = repository_root(given)
    problems = Problems(root=root)
    config = load_config(root, problems)
    if problems.errors:
        listed = "\n".join(str(p) for p in problems.errors)
        raise click.ClickException(f"fix tidings.yml first:\n{listed}")
    return config


def _incident(config: SiteConfig, ref: str, now: str | None = None) -> Incident:
    try:
        folder = authoring.find_incident(config, ref)
    except authoring.UnknownIncident as exc:
        raise AuthoringError(f"{exc.message}; {_open_now(config, now)}") from None
    return authoring.read_incident(config, folder)


def _open_now(config: SiteConfig, now: str | None) -> str:
    """The ids a responder most likely meant: the open incidents and maintenance."""
    moment = resolve_now(now)
    project = load_project(config.root, moment)
    snapshot = project.snapshot(moment)
    ids = [f"{i.id} ({i.title})" for i in snapshot.incidents if snapshot.state(i).is_open]
    if not ids:
        return "nothing is open now; `tidings list` shows every id"
    return "open now: " + ", ".join(ids)


def _times(config: SiteConfig, now: str | None, at: str | None) -> tuple[datetime, datetime]:
    moment = resolve_now(now)
    return moment, authoring.parse_at(at, moment, config)


def ask_message(message: str | None, about: str, initial: str = "") -> str:
    """``--message``, else the editor (on a terminal) or standard input, as git does."""
    if message is None:
        if sys.stdin.isatty():
            hint = (f"{SCISSORS}\n# Write the message customers read above this line, in "
                    f"Markdown.\n# {about}\n# Everything from the line above on is ignored; "
                    "an empty message aborts.\n")
            edited = click.edit(f"{initial}\n\n{hint}", extension=".md", require_save=True)
            message = (edited or "").split(SCISSORS)[0]
        else:
            message = sys.stdin.read() or initial
    if not message.strip():
        raise click.ClickException("Aborting: the message is empty. Write it with --message, "
                                   "in the editor, or on standard input.")
    return message.strip()


def warn_words(config: SiteConfig, folder: Path, now: datetime) -> None:
    """The plain-words warnings ``tidings check`` will give, right after writing."""
    problems = Problems(root=Path.cwd())
    check_incident(config, authoring.read_incident(config, folder), now, problems)
    for warning in problems.warnings:
        click.echo(str(warning), err=True)


def _relative(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def report(paths: list[Path], branch: str, commit: str, added: Path | None = None) -> None:
    """Print what was written and the git commands that open a pull request."""
    for path in paths:
        click.echo(f"Wrote {_relative(path)}")
    click.echo("\nOpen a pull request; the page shows it once merged:")
    for line in (f"git switch -c {shlex.quote(branch)}",
                 f"git add {shlex.quote(_relative(added or paths[0]))}",
                 f"git commit -m {shlex.quote(commit)}",
                 f"git push -u origin {shlex.quote(branch)}",
                 "gh pr create --fill"):
        click.echo(f"  {line}")


# -- commands ---------------------------------------------------------------------------------


@click.command()
@click.argument("title", required=False)
@click.option("--impact", type=click.Choice(IMPACTS),
              help="Impact on customers; default: from the template or the worst component "
                   "status, else minor.")
@_component_option
@click.option("--status", type=click.Choice(INCIDENT_STATUSES),
              help="First status; default: from the template, else investigating.")
@_message_option
@_next_option
@click.option("-t", "--template", metavar="NAME",
              help="Fill title, impact, components, status and message from "
                   "incidents/_templates/NAME.md (see tidings templates).")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="A value for a {NAME} placeholder in the template; repeat for more.")
@_time_options
@root_option
@_reports_errors
def new(title: str | None, impact: str | None, components: tuple[str, ...], status: str | None,
        message: str | None, next_update: str | None, template: str | None,
        variables: tuple[str, ...], at: str | None, now: str | None, root: Path | None) -> None:
    """Create an incident titled TITLE with its first update."""
    config = _config(root)
    moment, posted = _times(config, now, at)
    chosen = authoring.parse_components(config, components)
    values = authoring.parse_vars(variables)
    initial = ""
    if template:
        tpl = authoring.load_template(config, template)
        chosen = chosen or tpl.components
        values.setdefault("component", authoring.component_names(config, chosen))
        title = title or authoring.fill(tpl.title, values, tpl.name)
        impact, status = impact or tpl.impact, status or tpl.status
        initial = authoring.fill(tpl.message, values, tpl.name)
    if not title:
        raise click.UsageError("give the incident a TITLE, or a --template")
    text = ask_message(message, f"New incident: {title}", initial)
    written = authoring.new_incident(
        config, title=title, impact=impact, status=status or "investigating", components=chosen,
        message=text, at=posted, next_update=authoring.parse_next(next_update, posted, config))
    report(written.files, f"incident/{written.incident_id}",
           f"Incident: {title}", added=written.folder)
    warn_words(config, written.folder, max(moment, posted))


@click.command()
@click.argument("incident_id", metavar="ID")
@click.option("--status", help="New status (default: unchanged): investigating, identified, "
              "monitoring, resolved; maintenance: scheduled, in_progress, verifying, completed.")
@_message_option
@_component_option
@_next_option
@_time_options
@root_option
@_reports_errors
def update(incident_id: str, status: str | None, message: str | None,
           components: tuple[str, ...], next_update: str | None, at: str | None,
           now: str | None, root: Path | None) -> None:
    """Add an update to incident or maintenance ID (its folder name)."""
    config = _config(root)
    incident = _incident(config, incident_id, now)
    moment, posted = _times(config, now, at)
    changes = authoring.parse_components(config, components)
    promised = authoring.parse_next(next_update, posted, config)
    text = ask_message(message, f"Update to {incident.id}: {incident.title}")
    path = authoring.add_update(incident, status=status, message=text, components=changes,
                                at=posted, next_update=promised)
    label = (status or (incident.latest.status if incident.latest else "update"))
    report([path], f"update/{incident.id}-{posted.strftime('%H%M%S')}",
           f"{incident.title}: {label.replace('_', ' ')}")
    warn_words(config, incident.folder, max(moment, posted))


@click.command()
@click.argument("incident_id", metavar="ID")
@_message_option
@_time_options
@root_option
@_reports_errors
def resolve(incident_id: str, message: str | None, at: str | None, now: str | None,
            root: Path | None) -> None:
    """Resolve incident ID (or complete a maintenance); its components become operational."""
    config = _config(root)
    incident = _incident(config, incident_id, now)
    _moment, posted = _times(config, now, at)
    text = ask_message(message, f"Resolving {incident.id}: {incident.title}")
    path = authoring.resolve_incident(incident, message=text, at=posted)
    report([path], f"incident/{incident.id}-resolved", f"{incident.title}: resolved")


@click.command()
@click.argument("title")
@click.option("--start", required=True, metavar="TIMESTAMP",
              help="When the window starts (ISO 8601).")
@click.option("--end", required=True, metavar="TIMESTAMP|DURATION",
              help="When it ends: a timestamp, or a duration after --start such as 2h.")
@click.option("-c", "--component", "components", multiple=True, metavar="ID",
              help="A component under maintenance; repeat for more.")
@_message_option
@_time_options
@root_option
@_reports_errors
def maintenance(title: str, start: str, end: str, components: tuple[str, ...],
                message: str | None, at: str | None, now: str | None, root: Path | None) -> None:
    """Schedule a maintenance titled TITLE and announce it."""
    config = _config(root)
    moment, posted = _times(config, now, at)
    begins, ends = authoring.parse_window(start, end, config)
    if ends <= moment:
        click.echo(f"warning: this window ended at {iso(ends)}, before now ({iso(moment)}); "
                   "the page will show it as completed. Check --start and --end (and their "
                   "time zone) if it is still to come.", err=True)
    ids = authoring.parse_components(config, components, allow_status=False)
    text = ask_message(message, f"Maintenance: {title}")
    written = authoring.new_maintenance(config, title=title, start=begins, end=ends,
                                        components=ids, message=text, at=posted)
    report(written.files, f"maintenance/{written.incident_id}", f"Maintenance: {title}",
           added=written.folder)


@click.command()
@click.argument("incident_id", metavar="ID")
@click.option("--now", metavar="TIMESTAMP",
              help="The current time, written as `published`; default: "
              "SOURCE_DATE_EPOCH, else the clock.")
@root_option
@_reports_errors
def postmortem(incident_id: str, now: str | None, root: Path | None) -> None:
    """Start the postmortem of resolved incident ID, with its timeline filled in."""
    config = _config(root)
    incident = _incident(config, incident_id, now)
    path = authoring.scaffold_postmortem(config, incident, published=resolve_now(now))
    click.echo("Fill in every section (the <!-- hints --> are not published). `published` is "
               "now; the page shows the postmortem once the pull request is merged.")
    report([path], f"postmortem/{incident.id}", f"Postmortem: {incident.title}")


@click.command()
@root_option
def templates(root: Path | None) -> None:
    """List the incident templates in incidents/_templates/ (for tidings new --template)."""
    config = _config(root)
    files = authoring.template_files(config)
    if not files:
        click.echo(f"No templates: add Markdown files to {config.incidents_dir}/"
                   f"{TEMPLATES_FOLDER}/", err=True)
        return
    broken = 0
    for path in files:
        try:
            tpl = authoring.read_template(config, path)
        except AuthoringError as exc:
            click.echo(exc.message, err=True)
            broken += 1
            continue
        details = ", ".join(filter(None, (tpl.impact, tpl.status)))
        click.echo(f"{tpl.name:<24} {tpl.title}" + (f"  ({details})" if details else ""))
    if broken:
        raise SystemExit(1)
