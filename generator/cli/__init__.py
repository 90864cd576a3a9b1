"""The ``tidings`` command line: one click group, each family of commands in its own module."""

from __future__ import annotations

import click

from .. import __version__
from .author import maintenance, new, postmortem, resolve, templates, update
from .check import check
from .importer import import_
from .notify import notify
from .site import build, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tidings")
def main() -> None:
    """Tidings: a git repository becomes your status page."""


for command in (check, new, update, resolve, maintenance, postmortem, templates, build, serve,
                notify, import_):
    main.add_command(command)
