"""The MkDocs plugin ``tidings``: a thin adapter from the core's pages and files to MkDocs.

The core computes everything (``project``, ``status``, ``pages``, ``outputs``); this package
only hands the results to MkDocs: pages and data files become ``File.generated`` (nothing is
written into docs/), invalid content aborts the build before the site folder is touched, and
``mkdocs serve`` watches incidents/ and tidings.yml, and renders again only what an edit under
incidents/ changed (``tidings/incremental.py`` decides what). Its modules are the only ones
importing MkDocs: here the plugin's hooks, in ``page_files`` the page list MkDocs keeps, in
``page_renderer`` the pages the plugin renders itself, in ``serving`` ``tidings serve``'s
watching and incremental rebuild.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .. import urls
from ..incremental import Built
from ..page_html import THEME_DIR, autoescape
from ..pages import Site, SitePage
from ..pipeline import Build, Project
from ..problems import ContentError
from ..render import Renderer
from ..timestamps import TimestampError, build_now
from ..vocabulary import AUDIENCES, Audience
from .page_files import PageFiles, hand_written, own_page, set_meta
from .page_renderer import PageRenderer, error_banner, register_theme
from .serving import ServeSession

# THEME_DIR: the shipped theme folder, which tests read through the plugin.
__all__ = ["THEME_DIR", "TidingsConfig", "TidingsPlugin"]

log = logging.getLogger("mkdocs.plugins.tidings")

# `tidings build|serve --audience` passes its choice to the MkDocs child through this variable.
AUDIENCE_ENV = "TIDINGS_AUDIENCE"
# `tidings serve` without --now sets this: the session's time may move on (see on_serve).
FOLLOW_CLOCK_ENV = "TIDINGS_SERVE_FOLLOW_CLOCK"
INTERNAL_SITE_DIR = "site-internal"


class TidingsConfig(base.Config):
    config = c.Type(str, default="tidings.yml")  # relative to mkdocs.yml
    audience = c.Choice(AUDIENCES, default="public")  # internal: the employees' site


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
        self.serving = False
        self.serve_errors: list[str] = []  # content errors while serving the last good site
        self.renderer = Renderer()
        self.built: Built | None = None  # the last good build, while serving
        self.nav: Navigation | None = None
        self.files: PageFiles | None = None
        self.page_renderer: PageRenderer | None = None  # the build under way
        self.rendered: PageRenderer | None = None  # the last full build that completed
        self.follow_clock = False
        self.session = ServeSession(self)  # tidings serve's watches and incremental rebuilds

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so that MkDocs keeps this plugin across ``serve``'s rebuilds."""
        self.serving = command == "serve"
        self.follow_clock = (os.environ.get(FOLLOW_CLOCK_ENV) == "1"
                             or not os.environ.get("SOURCE_DATE_EPOCH", "").strip())

    # --- load and validate before the site folder is touched ------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not config.use_directory_urls:
            raise PluginError("tidings: use_directory_urls must stay true in mkdocs.yml; "
                              "the site keeps Statuspage's URLs such as /incidents/<id>/")
        register_theme(config)
        if self.audience() == "internal":
            config.site_dir = internal_site_dir(config.site_dir)
        build = self.build(config)
        project = build.checked()
        self.incidents_path = project.config.incidents_path
        self.serve_errors = []
        self.rendered = self.page_renderer = None
        if project.problems.errors:
            self.keep_last_good_site(project)
        else:
            for warning in project.problems.warnings:  # an overdue update never stops the page
                log.info(str(warning))
            built = Built.of(build, project)
            self.outputs, self.site = built.outputs, built.site
            config.site_url = config.site_url or built.snapshot.config.base_url
            self.built = built if self.serving else None
        assert self.site is not None
        self.pages = {page.source_name: page for page in self.site.pages}
        self.own_nav = config.nav is None
        # The company's favicon, or a neutral one: never Material's book.
        favicon = project.config.favicon
        config.theme["favicon"] = urls.brand(favicon) if favicon else urls.DEFAULT_FAVICON
        return config

    def build(self, config: MkDocsConfig) -> Build:
        """This build of the site; a serve session keeps one renderer for all its rebuilds."""
        self.config_path = (Path(config.config_file_path).parent / self.config.config).resolve()
        self.root = self.config_path.parent
        try:
            now = build_now()
        except TimestampError as exc:
            raise PluginError(str(exc)) from None
        folders = [Path(config.docs_dir)] + ([Path(config.theme.custom_dir)]
                                             if config.theme.custom_dir else [])
        return Build(self.root, now, self.config_path, folders, self.audience(),
                     self.renderer)

    def keep_last_good_site(self, project: Project) -> None:
        """Stop the build on content errors; while serving, a half-typed update must not take
        the site away: the last good site is built again, with the problems on every page
        and in the terminal."""
        message = content_error_message(ContentError(project.problems.errors))
        if not (self.serving and self.site is not None):
            raise PluginError(message)
        log.error(message)
        self.serve_errors = [str(p) for p in project.problems.errors]

    def audience(self) -> Audience:
        """``tidings build --audience`` (through the environment), else the plugin option."""
        value = os.environ.get(AUDIENCE_ENV, "").strip() or self.config.audience
        if value not in AUDIENCES:
            raise PluginError(f"tidings: {AUDIENCE_ENV}={value!r} is not an audience; use "
                              "public or internal")
        return value

    # --- pages and files ------------------------------------------------------------------

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        docs_prefix = self.docs_prefix(config)
        for file in files.documentation_pages():
            if docs_prefix is not None:  # edit links are relative to the repository root
                file.edit_uri = docs_prefix + file.src_uri
        files = self.files = PageFiles(files)
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
            if not page.nav_title:  # rendered here, not by MkDocs' pipeline (PageRenderer)
                files.own[name] = own_page(file, page, config)
        if self.own_nav:  # a few fixed pages, never the incidents: no page grows with the history
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
        if site_page is not None:
            set_meta(page.meta, site_page)
        return markdown

    # MkDocs types the context as a TypedDict of its own keys; the templates read ours by name.
    def on_page_context(self, context: dict[str, Any], page: Page,  # type: ignore[override]
                        config: MkDocsConfig, nav: Any) -> dict[str, Any]:
        site_page = self.pages.get(page.file.src_uri)
        context["tidings_site"] = self.site.common if self.site else {}
        context["tidings_feeds"] = site_page.feeds if site_page else (
            self.site.pages[0].feeds if self.site else [])
        context["tidings"] = site_page.context() if site_page else {}
        context["tidings_title"] = site_page.title if site_page else page.title
        context["tidings_shared"] = self.shared_key(context, page, site_page)
        return context

    def on_template_context(self, context: dict[str, Any],  # type: ignore[override]
                            template_name: str, config: MkDocsConfig) -> dict[str, Any]:
        """Material's own pages (404.html) get the site's header, footer and links too; the
        sitemap lists every page, those MkDocs does not build too."""
        context["tidings_site"] = self.site.common if self.site else {}
        if template_name == "sitemap.xml" and self.files is not None:
            context["pages"] = self.files.every_page()
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

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav_sources = {p.file.src_uri for p in nav.pages}
        if self.files is not None:  # a page that mkdocs.yml's own nav lists is MkDocs' to build
            for name in self.nav_sources:
                self.files.own.pop(name, None)
        self.nav = nav
        return nav

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        env.autoescape = autoescape
        env.globals["tidings_memo"] = {}  # this build's shared blocks, by block and depth
        if self.files is not None and self.nav is not None:
            self.page_renderer = PageRenderer(config, env, self.nav, self.files)
        return env

    @event_priority(100)  # before any other plugin's post_build reads the site folder
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.page_renderer is not None:
            self.page_renderer.write_all()
        if self.serving:  # what tidings serve renders changed pages with, until the next
            self.rendered = self.page_renderer

    # --- mkdocs serve: rebuild when content changes -----------------------------------------

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if not self.serve_errors:
            return output
        return error_banner(output, self.serve_errors)

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig,
                 builder: Any) -> LiveReloadServer:
        """Watch our folders too, and rebuild only what an edit of incidents/ changed."""
        return self.session.serve(server, config, self.config_path, self.incidents_path)

    def on_shutdown(self) -> None:
        self.session.stop()


def internal_site_dir(site_dir: str) -> str:
    """Never over the public site: the internal one has its own folder by default."""
    path = Path(site_dir)
    return str(path.with_name(INTERNAL_SITE_DIR)) if path.name == "site" else site_dir


def content_error_message(error: ContentError) -> str:
    """Every problem as ``path:line: message``, the way ``tidings check`` prints them."""
    lines = [str(p) for p in error.problems]
    return (f"tidings: {len(lines)} problem(s) in the status page content; fix them and build "
            "again (`tidings check` lists the same):\n" + "\n".join(lines))
