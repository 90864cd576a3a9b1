"""Markdown from content to safe HTML: rendered once per text, then sanitised with nh3.

Raw HTML in content may format text but can never run script or inject markup.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterable

import markdown
import nh3

from . import parallel
from .model import Incident

_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "smarty"]
# Python-Markdown tries each inline pattern on every piece of text; most of a short message's
# rendering goes there. A pattern can only match where its characters are, so a text without
# them renders the same without it (tabs and CRs become the spaces and newline of a line
# break before inline parsing, hence their place among its triggers).
_INLINE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",), "escape": ("\\",), "entity": ("&",), "em_strong": ("*", "_"),
    "reference": ("[",), "link": ("[",), "short_reference": ("[",),
    "image_link": ("![",), "image_reference": ("![",), "short_image_ref": ("![",),
    "autolink": ("<",), "automail": ("<",), "html": ("<",),
    "linebreak": ("  \n", "\t", "\r"),
}
# smarty only ever changes quotes, "--" and "...": a text without them renders the same
# without its second inline pass, which costs as much as all the rest of the rendering.
_SMARTY_TRIGGERS = ("'", '"', "--", "...")
_ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"img"}  # no remote images: no tracking pixels, no layout
_SCHEMES = {"http", "https", "mailto"}
# Built once: nh3.clean() rebuilds its sanitiser from the options on every call.
_SANITISER = nh3.Cleaner(tags=_ALLOWED_TAGS, url_schemes=_SCHEMES,
                         link_rel="noopener noreferrer nofollow")
_TEXT_ONLY = nh3.Cleaner(tags=set())
# Every message of the history is rendered once per build: the cache must hold them all, or
# a build that walks the history twice (feeds, then pages) would render everything twice.
CACHE_SIZE = 1 << 18
# Texts per process below which rendering ahead on other cores costs more than it saves.
PARALLEL_TEXTS = 3000
_cache: dict[str, str] = {}
_local = threading.local()  # a Markdown instance is reusable (reset) but not thread-safe


def _renderer(text: str) -> markdown.Markdown:
    """This thread's Markdown instance for ``text``, without the inline patterns and smarty
    pass that cannot change it; building an instance costs more than converting a message,
    so each kind is built once."""
    smart = any(trigger in text for trigger in _SMARTY_TRIGGERS)
    unused = frozenset(name for name, triggers in _INLINE_TRIGGERS.items()
                       if not any(trigger in text for trigger in triggers))
    instances = _local.__dict__.setdefault("instances", {})
    md = instances.get((smart, unused))
    if md is None:
        extensions = _EXTENSIONS if smart else [e for e in _EXTENSIONS if e != "smarty"]
        md = instances[smart, unused] = markdown.Markdown(extensions=extensions,
                                                          output_format="html")
        for name in unused:
            md.inlinePatterns.deregister(name, strict=False)
    return md


def markdown_to_html(text: str) -> str:
    """Render Markdown and sanitise the result; cached because every output reuses it."""
    text = text or ""
    found = _cache.get(text)
    if found is None:
        if len(_cache) >= CACHE_SIZE:  # only a long `mkdocs serve` session gets here
            _cache.clear()
        found = _cache[text] = _render(text)
    return found


def prerender(texts: Iterable[str]) -> None:
    """Render many texts ahead on the other cores, when there are enough of them to gain,
    so that pages and feeds find each one in the cache; otherwise they render on demand."""
    todo = [text for text in dict.fromkeys(texts) if text and text not in _cache]
    chunks = parallel.split(todo, parallel.processes(len(todo), PARALLEL_TEXTS))
    if len(chunks) > 1:
        for chunk, rendered in zip(chunks, parallel.map_chunks(_render_all, chunks),
                                   strict=True):
            _cache.update(zip(chunk, rendered, strict=True))


def prerender_history(incidents: Iterable[Incident]) -> None:
    """``prerender`` every text pages and feeds show: summaries, updates and postmortems."""
    prerender(text for incident in incidents for text in (
        incident.summary, *(update.message for update in incident.updates),
        incident.postmortem.body if incident.postmortem else ""))


def _render_all(texts: list[str]) -> list[str]:
    return [_render(text) for text in texts]


def _render(text: str) -> str:
    return _SANITISER.clean(_renderer(text).reset().convert(text))


# A "<" that would open an HTML tag, comment or declaration (not "a < b", not an autolink
# such as <https://example.com>).
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])(?![A-Za-z][A-Za-z0-9+.-]*:)")


def without_html(text: str) -> str:
    """Markdown whose raw HTML shows as text: each tag's "<" becomes "&lt;", which Markdown
    renders as "<". For the API's ``body``, which other tools render as HTML."""
    return _TAG_OPEN.sub("&lt;", text)


def markdown_to_text(text: str) -> str:
    """Plain text of a message, for chat notifications and summaries."""
    return html.unescape(_TEXT_ONLY.clean(markdown_to_html(text))).strip()
