"""Notify command (placeholder until implemented)."""

import click


@click.command()
def notify() -> None:
    """Post new updates to chat webhooks."""
    raise click.ClickException("not implemented yet")
