"""Build and serve commands (placeholder until implemented)."""

import click


@click.command()
def build() -> None:
    """Build the site."""
    raise click.ClickException("not implemented yet")


@click.command()
def serve() -> None:
    """Serve the site."""
    raise click.ClickException("not implemented yet")
