"""The MkDocs plugin ``tidings``: a thin adapter from the core's pages and files to MkDocs.

The core computes everything (``project``, ``status``, ``pages``, ``outputs``); this module
only hands the results to MkDocs: pages and data files become ``File.generated`` (nothing is
written into docs/), invalid content aborts the build before the site folder is touched, and
``mkdocs serve`` watches incidents/ and tidings.yml. It is the only module importing MkDocs.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import escape
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from .outputs import generated_files
from .page_html import THEME_DIR, autoescape
from .pages import Site, SitePage, build_site
from .problems import ContentError
from .project import load_project
from .render import prerender_history
from .timestamps import TimestampError, build_now

log = logging.getLogger("mkdocs.plugins.tidings")


class TidingsConfig(base.Config):
    config = c.Type(str, default="tidings.yml")  # relative to mkdocs.yml


class TidingsPlugin(BasePlugin[TidingsConfig]):
    def __init__(self) -> None:
        self.site: Site | None = None
        self.pages: dict[str, SitePage] = {}
        self.outputs: dict[str, bytes] = {}
        self.config_path: Path | None = None
        self.root: Path | None = None
        self.incidents_path: Path | None = None
        self.own_nav = False
        self.nav_sources: set[str] = set()

    # --- load and validate before the site folder is touched ------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not config.use_directory_urls:
            raise PluginError("tidings: use_directory_urls must stay true in mkdocs.yml; "
                              "the site keeps Statuspage's URLs such as /incidents/<id>/")
        register_theme(config)
        self.config_path = (Path(config.config_file_path).parent / self.config.config).resolve()
        self.root = self.config_path.parent
        try:
            now = build_now()
        except TimestampError as exc:
            raise PluginError(str(exc)) from None
        project = load_project(self.root, now, self.config_path)
        self.incidents_path = project.config.incidents_path
        if project.problems.errors:
            raise PluginError(content_error_message(ContentError(project.problems.errors)))
        for warning in project.problems.warnings:  # decision 5: reported, never failing
            log.info(str(warning))
        snapshot = project.snapshot(now)
        prerender_history(snapshot.incidents)  # on the other cores, for large histories
        self.outputs = generated_files(snapshot)
        self.site = build_site(snapshot, self.outputs)
        self.pages = {page.source_name: page for page in self.site.pages}
        self.own_nav = config.nav is None
        if not config.site_url:
            config.site_url = snapshot.config.base_url
        return config

    # --- pages and files ------------------------------------------------------------------

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        docs_prefix = self.docs_prefix(config)
        for file in files.documentation_pages():
            if docs_prefix is not None:  # edit links are relative to the repository root
                file.edit_uri = docs_prefix + file.src_uri
        for name, page in list(self.pages.items()):
            intro = hand_written(files, page)
            if intro is not None:  # docs/<same URL>.md is kept: its Markdown is the intro
                del self.pages[name]
                self.pages[intro.src_uri] = page
                continue
            inclusion = InclusionLevel.INCLUDED if page.nav_title else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, name, content=page.markdown, inclusion=inclusion)
            file.edit_uri = page.edit_path
            files.append(file)
        if self.own_nav:  # the few pages of decision "small navigation", never the incidents
            name_of = {id(page): name for name, page in self.pages.items()}
            config.nav = [{page.nav_title: name_of[id(page)]} for page in self.site.pages
                          if page.nav_title] if self.site else None
        for path, content in self.outputs.items():
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, path, content=content))
        return files

    def docs_prefix(self, config: MkDocsConfig) -> str | None:
        """docs/ relative to the repository root, which edit_uri points into."""
        try:
            relative = Path(config.docs_dir).resolve().relative_to(self.root or Path.cwd())
        except ValueError:
            return None
        return "" if relative == Path(".") else relative.as_posix() + "/"

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        site_page = self.pages.get(page.file.src_uri)
        if site_page is None:
            return markdown
        # Material prints meta title and description unescaped: content must not add markup.
        page.meta["template"] = site_page.template
        if site_page.url:  # the home page's <title> is the site name alone
            page.meta.setdefault("title", escape(site_page.title))
        page.meta.setdefault("description", escape(site_page.description))
        page.meta["hide"] = ["toc"]  # the page's own headings need no second table
        return markdown

    def on_page_context(self, context: dict[str, Any], page: Page, config: MkDocsConfig,
                        nav: Any) -> dict[str, Any]:
        site_page = self.pages.get(page.file.src_uri)
        context["tidings_site"] = self.site.common if self.site else {}
        context["tidings_feeds"] = site_page.feeds if site_page else (
            self.site.pages[0].feeds if self.site else [])
        context["tidings"] = site_page.context() if site_page else {}
        context["tidings_title"] = site_page.title if site_page else page.title
        context["tidings_shared"] = self.shared_key(context, page, site_page)
        return context

    def shared_key(self, context: dict[str, Any], page: Page,
                   site_page: SitePage | None) -> str | None:
        """For a generated page outside the navigation (incidents, components, later history
        pages), Material's sidebars, footer and config script depend only on the way to the
        site root: main.html renders them once per depth and reuses them (see there)."""
        if (site_page is None or page.file.src_uri in self.nav_sources or page.toc.items
                or page.previous_page is not None or page.next_page is not None):
            return None
        return str(context.get("base_url", ""))

    def on_nav(self, nav: Any, config: MkDocsConfig, files: Files) -> Any:
        self.nav_sources = {p.file.src_uri for p in nav.pages}
        return nav

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        env.autoescape = autoescape
        env.globals["tidings_memo"] = {}  # this build's shared blocks, by block and depth
        return env

    # --- mkdocs serve: rebuild when content changes -----------------------------------------

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig,
                 builder: Any) -> LiveReloadServer:
        if self.config_path is not None:
            server.watch(str(self.config_path))
        if self.incidents_path is not None and self.incidents_path.is_dir():
            server.watch(str(self.incidents_path))
        return server


def register_theme(config: MkDocsConfig) -> None:
    """Put the shipped theme folder after the repository's own overrides (``custom_dir``) and
    before Material's, so a status repository needs no copy of any template and can still
    override each one."""
    dirs = config.theme.dirs
    if str(THEME_DIR) not in dirs:
        dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))


def hand_written(files: Files, page: SitePage) -> File | None:
    """A page in docs/ at the generated page's URL: about.md or about/index.md for about/."""
    names = [page.source_name]
    if page.url:
        names.append(page.url.rstrip("/") + ".md")
    return next((f for n in names if (f := files.get_file_from_path(n)) is not None), None)


def content_error_message(error: ContentError) -> str:
    """Every problem as ``path:line: message``, the way ``tidings check`` prints them."""
    lines = [str(p) for p in error.problems]
    return (f"tidings: {len(lines)} problem(s) in the status page content; fix them and build "
            "again (`tidings check` lists the same):\n" + "\n".join(lines))
