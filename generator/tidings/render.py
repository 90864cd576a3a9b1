"""Markdown from content to safe HTML: GitHub Flavored Markdown, rendered by cmark-gfm
(GitHub's own renderer, called through ``tidings.cmark``), then sanitised with nh3; a build's
``Renderer`` renders each text once.

The dialect is documented in documentation/content-dialect.md: what a reviewer sees in
GitHub's preview is what customers read, except that a line break in a message (a summary or
an update) is a line break on the page, as in a GitHub comment; a postmortem is a document
and reads as GitHub shows a Markdown file. Raw HTML in content may format text but can
never run script or inject markup; angle-bracket text that is not allowed HTML (``<Say>``)
is shown as text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import nh3
from cmarkgfm.cmark import Options  # type: ignore[import-untyped]

from . import cmark, parallel
from .model import Incident

# GitHub's extensions (as cmarkgfm.github_flavored_markdown_to_html enables them). Raw HTML
# passes cmark (UNSAFE) because nh3, not cmark, decides what stays.
EXTENSIONS = ("table", "autolink", "strikethrough", "tasklist", "tagfilter")
DOCUMENT = Options.CMARK_OPT_UNSAFE
# A message's newline inside a paragraph is a line break: a status update is not a document.
MESSAGE = DOCUMENT | Options.CMARK_OPT_HARDBREAKS
_ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"img"}  # no remote images: no tracking pixels, no layout
_SCHEMES = {"http", "https", "mailto"}
# A task list item's checkbox, exactly as cmark-gfm writes it; any other <input> is text.
_CHECKBOX = re.compile(r'<input type="checkbox" (?:checked="" )?disabled="" />')
# A tag cmark passed through from the source: kept for nh3 when it is allowed HTML or an
# image (which nh3 then removes, as it removes Markdown images), otherwise shown as text.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_KEPT_TAGS = _ALLOWED_TAGS | {"img"}
# The checkbox as the sanitiser writes it, for plain text.
_SANITISED_CHECKBOX = re.compile(r'<input type="checkbox"( checked="")? disabled="">')
# Built once: nh3.clean() rebuilds its sanitiser from the options on every call.
_SANITISER = nh3.Cleaner(
    tags=_ALLOWED_TAGS | {"input"}, url_schemes=_SCHEMES,
    attributes={**nh3.ALLOWED_ATTRIBUTES, "input": {"checked"}},
    tag_attribute_values={"input": {"type": {"checkbox"}, "disabled": {""}}},
    link_rel="noopener noreferrer nofollow")
_TEXT_ONLY = nh3.Cleaner(tags=set())
# Every message of the history is rendered once per build: the cache must hold them all, or
# a build that walks the history twice (feeds, then pages) would render everything twice.
CACHE_SIZE = 1 << 18
# Texts per process below which rendering ahead on other cores costs more than it saves
# (starting workers and sending the HTML back): about a second of cmark-gfm and nh3.
PARALLEL_TEXTS = 20000
Key = tuple[str, bool]  # a text, and whether it is a document (a postmortem) or a message


def gfm(text: str, options: int = MESSAGE) -> str:
    """cmark-gfm's HTML for ``text``, before sanitising."""
    return cmark.to_html(text, options, EXTENSIONS)


def show_as_text(markup: str) -> str:
    """Escape the opening ``<`` of every tag that is not allowed HTML, so that nh3 keeps
    ``<Say>`` as the words it is instead of dropping it as an unknown element. cmark escapes
    every ``<`` of text, so a literal ``<`` in its output opens a tag cmark wrote or passed."""
    def tag(match: re.Match[str]) -> str:
        name = match[2].lower()
        if name in _KEPT_TAGS or (name == "input" and _CHECKBOX.match(markup, match.start())):
            return match[0]
        return "&lt;" + match[1] + match[2]
    return _TAG.sub(tag, markup)


def markdown_to_html(text: str, document: bool = False) -> str:
    """Render a message (or with ``document`` a postmortem) and sanitise the result."""
    return _render((text or "", document))


class Renderer:
    """The Markdown of one build, each text rendered once: pages, feeds, the API and the
    calendar show the same texts, and a serve session keeps its renderer between rebuilds."""

    def __init__(self) -> None:
        self._cache: dict[Key, str] = {}

    def html(self, text: str, document: bool = False) -> str:
        """``markdown_to_html``, from the cache when this build has rendered the text."""
        key = (text or "", document)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= CACHE_SIZE:  # only a long `mkdocs serve` session gets here
                self._cache.clear()
            found = self._cache[key] = _render(key)
        return found

    def text(self, text: str, document: bool = False) -> str:
        """``markdown_to_text``, from the cached HTML."""
        return _plain(self.html(text, document))

    def prerender(self, texts: Iterable[Key]) -> None:
        """Render many (text, document) pairs ahead on the other cores, when there are enough
        of them to gain, so that pages and feeds find each one in the cache; otherwise they
        render on demand."""
        todo = [key for key in dict.fromkeys(texts) if key[0] and key not in self._cache]
        chunks = parallel.split(todo, parallel.processes(len(todo), PARALLEL_TEXTS))
        if len(chunks) > 1:
            for chunk, rendered in zip(chunks, parallel.map_chunks(_render_all, chunks),
                                       strict=True):
                self._cache.update(zip(chunk, rendered, strict=True))

    def prerender_history(self, incidents: Iterable[Incident]) -> None:
        """``prerender`` every text pages and feeds show: summaries, updates, postmortems."""
        self.prerender(key for incident in incidents for key in (
            (incident.summary, False),
            *((update.message, False) for update in incident.updates),
            (incident.postmortem.body if incident.postmortem else "", True)))

    def cached(self) -> set[Key]:
        """The texts rendered so far (for tests of the ahead-of-time rendering)."""
        return set(self._cache)


def _render_all(keys: list[Key]) -> list[str]:
    return [_render(key) for key in keys]


def _render(key: Key) -> str:
    text, document = key
    return _SANITISER.clean(show_as_text(gfm(text, DOCUMENT if document else MESSAGE)))


# A "<" that would open an HTML tag, comment or declaration (not "a < b", not an autolink
# such as <https://example.com>).
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])(?![A-Za-z][A-Za-z0-9+.-]*:)")


def without_html(text: str) -> str:
    """Markdown whose raw HTML shows as text: each tag's "<" becomes "&lt;", which Markdown
    renders as "<". For the API's ``body``, which other tools render as HTML."""
    return _TAG_OPEN.sub("&lt;", text)


def markdown_to_text(text: str, document: bool = False) -> str:
    """Plain text of a message or document, for chat notifications and summaries; a task
    list item keeps its state as ``[x]`` or ``[ ]``."""
    return _plain(markdown_to_html(text, document))


def _plain(rendered: str) -> str:
    marked = _SANITISED_CHECKBOX.sub(lambda m: "[x]" if m[1] else "[ ]", rendered)
    return html.unescape(_TEXT_ONLY.clean(marked)).strip()
