"""The MkDocs plugin ``tidings``: a thin adapter from the core's pages and files to MkDocs.

The core computes everything (``project``, ``status``, ``pages``, ``outputs``); this module
only hands the results to MkDocs: pages and data files become ``File.generated`` (nothing is
written into docs/), invalid content aborts the build before the site folder is touched, and
``mkdocs serve`` watches incidents/ and tidings.yml. It is the only module importing MkDocs.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import escape
from mkdocs.commands.build import get_context
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import write_file

from . import urls
from .config import Audience
from .frames import Frames
from .outputs import generated_files
from .page_html import THEME_DIR, autoescape
from .pages import Site, SitePage, build_site
from .problems import ContentError
from .project import load_project
from .render import prerender_history
from .timestamps import TimestampError, build_now

log = logging.getLogger("mkdocs.plugins.tidings")


# `tidings build|serve --audience` passes its choice to the MkDocs child through this variable.
AUDIENCE_ENV = "TIDINGS_AUDIENCE"
AUDIENCES = ("public", "internal")
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
        self.files: PageFiles | None = None
        self.nav: Navigation | None = None
        self.renderer: PageRenderer | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so that MkDocs keeps this plugin across ``serve``'s rebuilds."""
        self.serving = command == "serve"

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
        folders = [Path(config.docs_dir)] + ([Path(config.theme.custom_dir)]
                                             if config.theme.custom_dir else [])
        audience = self.audience()
        if audience == "internal" and Path(config.site_dir).name == "site":
            # Never over the public site: the internal one has its own folder by default.
            config.site_dir = str(Path(config.site_dir).with_name(INTERNAL_SITE_DIR))
        project = load_project(self.root, now, self.config_path, folders, audience)
        self.incidents_path = project.config.incidents_path
        self.serve_errors = []
        if project.problems.errors:
            message = content_error_message(ContentError(project.problems.errors))
            if not (self.serving and self.site is not None):
                raise PluginError(message)
            # While serving, a half-typed update must not take the site away: the last good
            # site is built again, with the problems on every page and in the terminal.
            log.error(message)
            self.serve_errors = [str(p) for p in project.problems.errors]
        else:
            for warning in project.problems.warnings:  # an overdue update never stops the page
                log.info(str(warning))
            snapshot = project.snapshot(now)
            prerender_history(snapshot.incidents)  # on the other cores, for large histories
            self.outputs = generated_files(snapshot)
            self.site = build_site(snapshot, self.outputs)
            config.site_url = config.site_url or snapshot.config.base_url
        assert self.site is not None
        self.pages = {page.source_name: page for page in self.site.pages}
        self.own_nav = config.nav is None
        # The company's favicon, or a neutral one: never Material's book.
        favicon = project.config.favicon
        config.theme["favicon"] = urls.brand(favicon) if favicon else urls.DEFAULT_FAVICON
        return config

    def audience(self) -> Audience:
        """``tidings build --audience`` (through the environment), else the plugin option."""
        value = os.environ.get(AUDIENCE_ENV, "").strip() or self.config.audience
        if value not in AUDIENCES:
            raise PluginError(f"tidings: {AUDIENCE_ENV}={value!r} is not an audience; use "
                              "public or internal")
        return value  # type: ignore[return-value]

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
            self.renderer = PageRenderer(config, env, self.nav, self.files)
        return env

    @event_priority(100)  # before any other plugin's post_build reads the site folder
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.renderer is not None:
            self.renderer.write_all()

    # --- mkdocs serve: rebuild when content changes -----------------------------------------

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if not self.serve_errors:
            return output
        return error_banner(output, self.serve_errors)

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig,
                 builder: Any) -> LiveReloadServer:
        if self.config_path is not None:
            server.watch(str(self.config_path))
        if self.incidents_path is not None and self.incidents_path.is_dir():
            server.watch(str(self.incidents_path))
        if config.theme.custom_dir:  # site_templates/, which MkDocs watches only when asked
            server.watch(config.theme.custom_dir)
        server.builder = _never_stuck(server.builder)
        return server


class PageFiles(Files):
    """MkDocs' files, where the pages in ``own`` are known (links to them resolve, the sitemap
    lists them) but left out of the pages MkDocs reads and builds: PageRenderer renders them."""

    def __init__(self, files: Files) -> None:
        super().__init__(files)
        self.own: dict[str, Page] = {}  # by source name, in the site's order

    def documentation_pages(self, *, inclusion: Any = InclusionLevel.is_included) -> list[File]:
        return [f for f in super().documentation_pages(inclusion=inclusion)
                if f.src_uri not in self.own]

    def every_page(self) -> list[File]:
        """Every page of the site, in the order MkDocs would list them."""
        return list(super().documentation_pages())


def own_page(file: File, site_page: SitePage, config: MkDocsConfig) -> Page:
    """The MkDocs page of a generated page, as MkDocs' reading would leave it: no Markdown,
    the page's template, title and description in its meta, no table of contents."""
    page = Page(None, file, config)
    page.markdown, page.content, page.toc = "", "", get_toc([])
    set_meta(page.meta, site_page)
    return page


def set_meta(meta: MutableMapping[str, Any], site_page: SitePage) -> None:
    """The page's template, and its title and description unless its front matter has them.
    Material prints meta title and description unescaped: content must not add markup."""
    meta["template"] = site_page.template
    if site_page.url:  # the home page's <title> is the site name alone
        meta.setdefault("title", escape(site_page.title))
    meta.setdefault("description", escape(site_page.description))
    meta["hide"] = ["toc"]  # the page's own headings need no second table


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


def _never_stuck(builder: Any) -> Any:
    """MkDocs' server holds every request while a rebuild has failed ("the server will appear
    stuck"); any failure but content errors (a broken override in site_templates/) is reported
    instead, and requests are answered from what the failed build left until the next one."""
    def build() -> None:
        try:
            builder()
        except Exception as exc:  # noqa: BLE001 - everything is reported, nothing is lost
            log.error(f"the rebuild failed, still serving the previous site: {exc}")
    return build


def error_banner(html: str, errors: list[str]) -> str:
    """The page with the content errors at the top of its body (``tidings serve`` only)."""
    items = "".join(f"<li><code>{escape(e)}</code></li>" for e in errors)
    banner = ('<div role="alert" class="tidings-serve-errors" style="background:#b00020;'
              'color:#fff;padding:1em;font:14px/1.4 monospace"><strong>The content has '
              f"{len(errors)} error(s); this is the last good site.</strong><ul>{items}</ul></div>")
    at = html.find(">", html.find("<body")) + 1
    return html[:at] + banner + html[at:] if at > 0 else banner + html


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
