"""The ``tidings`` command line: one click group, each family of commands in its own module."""

from __future__ import annotations

import click

from .. import __version__
from .check import check


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tidings")
def main() -> None:
    """Tidings: a git repository becomes your status page."""


main.add_command(check)
