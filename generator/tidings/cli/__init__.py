"""The ``tidings`` command line: one click group, each family of commands in its own module.

A command's module is imported when the command runs (or ``--help`` lists it), so that
``tidings check`` does not first import the authoring, import and notification code.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

# command name -> (module in this package, attribute)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "init"),
    "pin": ("init", "pin"),
    "check": ("check", "check"),
    "list": ("listing", "list_"),
    "new": ("author", "new"),
    "update": ("author", "update"),
    "resolve": ("author", "resolve"),
    "maintenance": ("author", "maintenance"),
    "postmortem": ("author", "postmortem"),
    "templates": ("author", "templates"),
    "build": ("site", "build"),
    "serve": ("site", "serve"),
    "export": ("site", "export"),
    "notify": ("notify", "notify"),
    "import": ("importer", "import_"),
    "report": ("report", "report"),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            module, attribute = COMMANDS[name]
            command = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
            self.add_command(command, name)
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tidings")
def main() -> None:
    """Tidings: a git repository becomes your status page."""
