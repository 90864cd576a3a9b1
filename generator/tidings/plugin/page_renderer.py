"""The pages the plugin renders itself (incidents, postmortems, components, later history
pages), through the theme's Jinja environment, and the theme folder that environment reads;
``tidings serve``'s banner of content errors on every page."""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import escape
from mkdocs.commands.build import get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import write_file

from ..frames import Frames
from ..page_html import THEME_DIR
from .page_files import PageFiles

log = logging.getLogger("mkdocs.plugins.tidings")


class PageRenderer:
    """Renders the generated pages outside the navigation (incidents, postmortems, components,
    later history pages) through the theme's Jinja environment with the context MkDocs would
    give them, without MkDocs' per-page pipeline (no Markdown, no reading)."""

    def __init__(self, config: MkDocsConfig, env: Environment, nav: Navigation,
                 files: PageFiles) -> None:
        self.config, self.env, self.nav, self.files = config, env, nav, files
        self.doc_files = files.documentation_pages()  # the ``pages`` of MkDocs' context
        custom = config.theme.custom_dir
        self.frames = Frames((Path(custom),) if custom else ())

    def context(self, page: Page) -> dict[str, Any]:
        """What MkDocs' ``_build_page`` gives the page's template, plugin events included."""
        context = get_context(self.nav, self.doc_files, self.config, page)
        return self.config.plugins.on_page_context(  # type: ignore[return-value]
            context, page=page, config=self.config, nav=self.nav)

    def render(self, page: Page) -> str:
        """The page's HTML, as MkDocs' ``_build_page`` renders it (plugin events included)."""
        config = self.config
        config._current_page = page
        page.active = True
        try:
            template = self.env.get_template(page.meta["template"])
            context = self.context(page)
            output = self.frames.render((template.name, context["base_url"]), template, context)
            return config.plugins.on_post_page(output, page=page, config=config) or ""
        except Exception as exc:
            log.error(f"Error building page '{page.file.src_uri}': {exc}")
            raise
        finally:
            page.active = False
            config._current_page = None

    def write(self, page: Page) -> None:
        output = self.render(page)
        write_file(output.encode("utf-8", errors="xmlcharrefreplace"), page.file.abs_dest_path)

    def write_all(self) -> None:
        # The model and its views live until the end of the build: the cyclic collector need
        # not walk them again and again while thousands of pages are rendered.
        gc.freeze()
        try:
            for page in self.files.own.values():
                self.write(page)
        finally:
            gc.unfreeze()


def register_theme(config: MkDocsConfig) -> None:
    """Put the shipped theme folder after the repository's own overrides (``custom_dir``) and
    before Material's, so a status repository needs no copy of any template and can still
    override each one."""
    dirs = config.theme.dirs
    if str(THEME_DIR) not in dirs:
        dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))


def error_banner(html: str, errors: list[str]) -> str:
    """The page with the content errors at the top of its body (``tidings serve`` only)."""
    items = "".join(f"<li><code>{escape(e)}</code></li>" for e in errors)
    banner = ('<div role="alert" class="tidings-serve-errors" style="background:#b00020;'
              'color:#fff;padding:1em;font:14px/1.4 monospace"><strong>The content has '
              f"{len(errors)} error(s); this is the last good site.</strong><ul>{items}</ul></div>")
    at = html.find(">", html.find("<body")) + 1
    return html[:at] + banner + html[at:] if at > 0 else banner + html
