"""Options and helpers shared by several commands."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

from ..config import CONFIG_FILE, find_root
from ..timestamps import TimestampError, build_now, parse_timestamp


def resolve_now(value: str | None) -> datetime:
    """``--now`` when given, else SOURCE_DATE_EPOCH, else the clock."""
    try:
        return parse_timestamp(value) if value else build_now()
    except TimestampError as exc:
        raise click.BadParameter(str(exc), param_hint="--now / SOURCE_DATE_EPOCH") from None


now_option = click.option(
    "--now", "now", metavar="TIMESTAMP",
    help="Time to check or build as of (ISO 8601 with zone); default: SOURCE_DATE_EPOCH or now.",
)

project_argument = click.argument(
    "path", type=click.Path(file_okay=False, path_type=Path), required=False,
)

root_option = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
    help="The status repository (holds tidings.yml); default: found from the current folder "
         "up.")


def repository_root(given: Path | None) -> Path:
    """``given``, else the status repository found from the current folder up; says which
    folder it used when that is not the current one."""
    if given is not None:
        return given
    here = Path.cwd()
    found = find_root(here)
    if found is None:
        raise click.ClickException(
            f"no {CONFIG_FILE} in {here} or any folder above it: run the command inside a "
            "status repository, pass its folder (--root DIR), or start one with `tidings init`")
    if found != here.resolve():
        click.echo(f"tidings: using the status repository in {found}", err=True)
    return found


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def in_ci() -> bool:
    """Whether this runs in continuous integration: GitHub Actions, GitLab, CircleCI and
    most others set ``CI``."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false")
