"""Markdown from content to safe HTML: rendered once per text, then sanitised with nh3.

Raw HTML in content may format text but can never run script or inject markup.
"""

from __future__ import annotations

import html
import threading
from functools import lru_cache

import markdown
import nh3

_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "smarty"]
_ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"img"}  # no remote images: no tracking pixels, no layout
_SCHEMES = {"http", "https", "mailto"}
# Every message of the history is rendered once per build: the cache must hold them all, or
# a build that walks the history twice (feeds, then pages) would render everything twice.
CACHE_SIZE = 1 << 18
_local = threading.local()  # a Markdown instance is reusable (reset) but not thread-safe


def _renderer() -> markdown.Markdown:
    """This thread's Markdown instance: building one costs more than converting a message."""
    if not hasattr(_local, "md"):
        _local.md = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")
    return _local.md


@lru_cache(maxsize=CACHE_SIZE)
def markdown_to_html(text: str) -> str:
    """Render Markdown and sanitise the result; cached because every output reuses it."""
    rendered = _renderer().reset().convert(text or "")
    return nh3.clean(rendered, tags=_ALLOWED_TAGS, url_schemes=_SCHEMES,
                     link_rel="noopener noreferrer nofollow")


def markdown_to_text(text: str) -> str:
    """Plain text of a message, for chat notifications and summaries."""
    return html.unescape(nh3.clean(markdown_to_html(text), tags=set())).strip()
