"""Tidings: a git repository becomes a company's status page.

The core (every module but ``plugin``) imports nothing from MkDocs, so the site
engine can change without touching content loading, validation or status.
"""

__version__ = "0.1.0"
