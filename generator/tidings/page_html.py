"""Every generated page's body as HTML, rendered by the core from the theme's page templates.

The page templates (``theme/tidings/*.html``) fill the ``content`` block of the engine's
``main.html``. Here ``main.html`` is a stub holding only that block, and Material's edit
buttons (``partials/actions.html``) are empty, so rendering a page template gives exactly its
body: the same templates and the same HTML the MkDocs build puts in the page, without the
engine's frame. ``tidings export`` hands these bodies to any Material-like engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader
from markupsafe import Markup

from .pages import Site, SitePage

# The page templates, partials and assets that ship inside the package.
THEME_DIR = Path(__file__).parent / "theme"
# Our page templates are written for autoescaping; Material's are not, so only ours get it.
# tidings/main.html also wraps Material's own pages (404.html), so it escapes by hand.
ESCAPED_TEMPLATES = ("tidings/", "partials/tidings/")
UNESCAPED_LAYOUT = "tidings/main.html"
# What the engine draws around a body: left out here, put back by the engine.
_ENGINE_FRAME = {"main.html": "{% block content %}{% endblock %}",
                 "partials/actions.html": ""}
# Where a hand-written intro (docs/<same URL>.md) goes: the engine renders its Markdown.
INTRO_MARK = "<!-- tidings: the hand-written intro -->"


def autoescape(template_name: str | None) -> bool:
    return (template_name is not None and template_name.startswith(ESCAPED_TEMPLATES)
            and template_name != UNESCAPED_LAYOUT)


def environment(override_dirs: Iterable[Path] = ()) -> Environment:
    """The core's Jinja environment: a repository's overrides first, then the theme's."""
    dirs = [str(d) for d in override_dirs] + [str(THEME_DIR)]
    return Environment(loader=ChoiceLoader([DictLoader(_ENGINE_FRAME), FileSystemLoader(dirs)]),
                       autoescape=autoescape, keep_trailing_newline=True)


def base_url(url: str) -> str:
    """The way from a page at ``url`` (directory URLs) to the site root, as MkDocs says it."""
    return "/".join([".."] * url.count("/")) or "."


@dataclass(frozen=True)
class _Page:
    content: Markup  # what the page templates read of the engine's page


def render_body(env: Environment, site: Site, page: SitePage, intro: bool = False) -> str:
    """The body of ``page``; with ``intro`` it holds INTRO_MARK where the intro goes."""
    template = env.get_template(page.template)
    return template.render(
        base_url=base_url(page.url), page=_Page(Markup(INTRO_MARK if intro else "")),
        tidings_site=site.common, tidings=page.context(), tidings_title=page.title)
