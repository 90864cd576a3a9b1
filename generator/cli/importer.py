"""Import commands (placeholder until implemented)."""

import click


@click.group("import")
def import_() -> None:
    """Import history from Statuspage or cState."""
