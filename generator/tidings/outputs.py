"""Every machine-readable output of the site, from one snapshot, in one pass.

The MkDocs plugin adds each entry to the build as a generated file; nothing here knows MkDocs.
"""

from __future__ import annotations

from collections.abc import Callable

from . import urls
from .api import api_files
from .badges import badge_files
from .embed import embed_script
from .feeds import feed_files
from .maintenance_calendar import calendar_files
from .render import Renderer
from .status import Snapshot


def brand_files(snapshot: Snapshot) -> dict[str, bytes]:
    """The logo and favicon tidings.yml names (checked to be inside the repository)."""
    config = snapshot.config
    return {urls.brand(path): (config.root / path).read_bytes()
            for path in dict.fromkeys(p for p in (config.logo, config.favicon) if p)}


class DuplicateOutput(RuntimeError):
    """Two outputs claimed the same path: a bug, never silently overwritten."""


def generated_files(snapshot: Snapshot, renderer: Renderer | None = None) -> dict[str, bytes]:
    """Site-relative path -> content: feeds, API, calendars, badges and embed.js.

    The same snapshot always gives the same bytes; paths are sorted. A build passes its own
    renderer, so that its pages find the feeds' texts rendered already.
    """
    renderer = renderer or Renderer()
    files: dict[str, bytes] = {urls.EMBED: embed_script()}
    builders: dict[str, Callable[[], dict[str, bytes]]] = {
        "feeds": lambda: feed_files(snapshot, renderer), "the API": lambda: api_files(snapshot),
        "calendars": lambda: calendar_files(snapshot), "badges": lambda: badge_files(snapshot),
        "branding": lambda: brand_files(snapshot)}
    for name, build in builders.items():
        for path, content in build().items():
            if path in files:
                raise DuplicateOutput(f"{path} is generated twice (by {name})")
            files[path] = content
    return dict(sorted(files.items()))
