"""Options and helpers shared by several commands."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

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
    "path", type=click.Path(file_okay=False, path_type=Path), default=".", required=False,
)


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"
