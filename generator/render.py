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
# smarty only ever changes quotes, "--" and "...": a text without them renders the same
# without its second inline pass, which costs as much as all the rest of the rendering.
_SMARTY_TRIGGERS = ("'", '"', "--", "...")
_ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"img"}  # no remote images: no tracking pixels, no layout
_SCHEMES = {"http", "https", "mailto"}
# Every message of the history is rendered once per build: the cache must hold them all, or
# a build that walks the history twice (feeds, then pages) would render everything twice.
CACHE_SIZE = 1 << 18
_local = threading.local()  # a Markdown instance is reusable (reset) but not thread-safe


def _renderer(text: str) -> markdown.Markdown:
    """This thread's Markdown instance for ``text``: building one costs more than converting a
    message; the one without smarty when smarty would change nothing."""
    if not hasattr(_local, "smart"):
        _local.smart = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")
        _local.plain = markdown.Markdown(extensions=[e for e in _EXTENSIONS if e != "smarty"],
                                         output_format="html")
    if any(trigger in text for trigger in _SMARTY_TRIGGERS):
        return _local.smart
    return _local.plain


@lru_cache(maxsize=CACHE_SIZE)
def markdown_to_html(text: str) -> str:
    """Render Markdown and sanitise the result; cached because every output reuses it."""
    text = text or ""
    rendered = _renderer(text).reset().convert(text)
    return nh3.clean(rendered, tags=_ALLOWED_TAGS, url_schemes=_SCHEMES,
                     link_rel="noopener noreferrer nofollow")


def markdown_to_text(text: str) -> str:
    """Plain text of a message, for chat notifications and summaries."""
    return html.unescape(nh3.clean(markdown_to_html(text), tags=set())).strip()
