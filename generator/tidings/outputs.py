"""Every machine-readable output of the site, from one snapshot, in one pass.

The MkDocs plugin adds each entry to the build as a generated file; nothing here knows MkDocs.
"""

from __future__ import annotations

from importlib import resources

from . import urls
from .api import api_files
from .badges import badge_files
from .feeds import feed_files
from .maintenance_calendar import calendar_files
from .status import Snapshot


def brand_files(snapshot: Snapshot) -> dict[str, bytes]:
    """The logo and favicon tidings.yml names (checked to be inside the repository)."""
    config = snapshot.config
    return {urls.brand(path): (config.root / path).read_bytes()
            for path in dict.fromkeys(p for p in (config.logo, config.favicon) if p)}


_BUILDERS = (feed_files, api_files, calendar_files, badge_files, brand_files)


class DuplicateOutput(RuntimeError):
    """Two outputs claimed the same path: a bug, never silently overwritten."""


def generated_files(snapshot: Snapshot, calendars: dict[str, bytes] | None = None
                    ) -> dict[str, bytes]:
    """Site-relative path -> content: feeds, API, calendars, badges and embed.js.

    The same snapshot always gives the same bytes; paths are sorted. ``calendars``: the
    calendar files of an earlier snapshot whose maintenance is the same (calendars show
    nothing else), which ``tidings serve`` reuses rather than compute them again.
    """
    files: dict[str, bytes] = {urls.EMBED: embed_script()}
    for build in _BUILDERS:
        made = calendars if build is calendar_files and calendars is not None else build(snapshot)
        for path, content in made.items():
            if path in files:
                raise DuplicateOutput(f"{path} is generated twice (by {build.__name__})")
            files[path] = content
    return dict(sorted(files.items()))


def embed_script() -> bytes:
    """The in-app banner script, shipped as package data."""
    return resources.files("tidings").joinpath("embed.js").read_bytes()
