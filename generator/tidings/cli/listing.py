"""``tidings list``: the incidents and maintenance, as of now, one line each."""

from __future__ import annotations

from pathlib import Path

import click

from ..model import Incident
from ..pipeline import load_project
from ..status import Snapshot
from ..timestamps import iso
from .options import now_option, repository_root, resolve_now, root_option


@click.command("list")
@click.option("--open", "only_open", is_flag=True,
              help="Only open incidents and maintenance not completed.")
@now_option
@root_option
def list_(only_open: bool, now: str | None, root: Path | None) -> None:
    """List incidents and maintenance, newest first: id, status, impact, title, last update."""
    snapshot = current(root, now)
    shown = [i for i in snapshot.incidents if not only_open or snapshot.state(i).is_open]
    if not shown:
        click.echo("No open incidents or maintenance." if only_open else "No incidents yet.",
                   err=True)
    for incident in shown:
        click.echo(line(snapshot, incident))


def current(root: Path | None, now: str | None) -> Snapshot:
    """The status as of ``now``; content errors stop here, as in ``tidings check``."""
    moment = resolve_now(now)
    project = load_project(repository_root(root), moment)
    if project.problems.errors:
        raise click.ClickException(f"{len(project.problems.errors)} error(s) in the content; "
                                   "run `tidings check` and fix them first")
    return project.snapshot(moment)


def line(snapshot: Snapshot, incident: Incident) -> str:
    state = snapshot.state(incident)
    posted = state.updates
    last = iso(posted[-1].at) if posted else "none yet"
    return (f"{incident.id}  {state.status:<13} {incident.impact:<11} {incident.title}  "
            f"(last update {last})")
