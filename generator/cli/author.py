"""Authoring commands (placeholder until implemented)."""

import click


@click.command()
def new() -> None:
    """Create an incident."""
    raise click.ClickException("not implemented yet")


update = click.command("update")(lambda: None)
resolve = click.command("resolve")(lambda: None)
maintenance = click.command("maintenance")(lambda: None)
postmortem = click.command("postmortem")(lambda: None)
templates = click.command("templates")(lambda: None)
