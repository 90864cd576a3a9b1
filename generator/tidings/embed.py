"""embed.js as the site serves it: the shipped script with the vocabulary it needs.

The script's statuses, impact order, words and colours are written into it from
``vocabulary.py`` at build time, so the in-app banner takes the site's palette and can never
disagree with the page about what is closed or under way.
"""

from __future__ import annotations

import json
from importlib import resources

from .vocabulary import (
    ACTIVE_MAINTENANCE_STATUSES,
    API_CLOSED_STATUSES,
    IMPACTS,
    INDICATOR_FILLS,
    STATUS_LABELS,
)

MARKER = "  /* tidings:vocabulary */\n"


def vocabulary_lines() -> str:
    """The script's ``var`` lines, one table each, as JSON."""
    tables: dict[str, object] = {
        "IMPACT_RANK": {impact: rank for rank, impact in enumerate(IMPACTS)},
        "CLOSED": dict.fromkeys(API_CLOSED_STATUSES, True),
        "ACTIVE_MAINTENANCE": dict.fromkeys(ACTIVE_MAINTENANCE_STATUSES, True),
        "COLOURS": INDICATOR_FILLS,
        "STATUS_WORDS": STATUS_LABELS,
    }
    return "".join(f"  var {name} = {json.dumps(value)};\n" for name, value in tables.items())


def embed_script() -> bytes:
    """The in-app banner script, shipped as package data, with its vocabulary."""
    source = resources.files("tidings").joinpath("embed.js").read_text(encoding="utf-8")
    if source.count(MARKER) != 1:
        raise RuntimeError("embed.js must hold the vocabulary marker exactly once")
    return source.replace(MARKER, vocabulary_lines()).encode("utf-8")
