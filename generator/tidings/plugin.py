"""The MkDocs plugin ``tidings``: a thin adapter from the core's pages and files to MkDocs.

The core computes everything (``project``, ``status``, ``pages``, ``outputs``); this module
only hands the results to MkDocs: pages and data files become ``File.generated`` (nothing is
written into docs/), invalid content aborts the build before the site folder is touched, and
``mkdocs serve`` watches incidents/ and tidings.yml, and renders again only what an edit under
incidents/ changed (``tidings/incremental.py`` decides what). It is the only module importing
MkDocs.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import escape
from mkdocs import utils
from mkdocs.commands.build import (
    _build_page,
    _build_theme_template,
    _populate_page,
    get_context,
)
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
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from . import urls
from .frames import Frames
from .incremental import Built, Changes, FullRebuild, rebuild
from .page_html import THEME_DIR, autoescape
from .pages import Site, SitePage
from .pipeline import Build, Project
from .problems import ContentError
from .render import Renderer
from .timestamps import TimestampError, build_now
from .vocabulary import AUDIENCES, Audience

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
        self.changed = _ChangedPaths()
        self.observers: list[Any] = []  # watching incidents/ (see watch_natively)
        self.writing_outputs: threading.Thread | None = None  # after an incremental rebuild
        self.follow_clock = False

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
        ours = [str(p) for p in (self.config_path,) if p is not None and p.exists()] + (
            [config.theme.custom_dir] if config.theme.custom_dir else [])
        incidents = self.incidents_path
        if (incidents is not None and incidents.is_dir()
                and not self.watch_natively(server, str(incidents))):
            ours.append(str(incidents))
        for path in ours:  # site_templates/ too, which MkDocs watches only when asked
            server.watch(path)
        # Which paths changed, from the events of the same watches (MkDocs' own handler only
        # says that something did): docs/, mkdocs.yml, `watch:` entries and ours.
        watched = {*ours, config.docs_dir, *([config.config_file_path]
                                             if config.config_file_path else []),
                   *config.watch}
        for path in watched:
            server.observer.schedule(self.changed, os.path.abspath(path), recursive=True)
        server.builder = self.serve_builder(_never_stuck(server.builder))
        return server

    def watch_natively(self, server: LiveReloadServer, path: str) -> bool:
        """Watch incidents/ through the system's file events (inotify) rather than MkDocs'
        polling, which reads the whole tree twice a second: at 10,000 incidents that is most
        of a core and a second before a change is even seen. False where the system cannot
        (no such events, too few watches): then MkDocs' polling it is."""
        if not all(hasattr(server, name) for name in ("_rebuild_cond", "_want_rebuild")):
            return False  # not MkDocs 1.6's server: no way to ask it for a rebuild
        observer = Observer()
        try:  # changes only: every build reads every file, which must not count as one
            observer.schedule(_Rebuilding(self.changed, server), path, recursive=True,
                              event_filter=list(_CHANGES))
            observer.start()
        except OSError as exc:
            log.info(f"tidings: polling {path} ({exc})")
            return False
        self.observers.append(observer)
        logging.getLogger("watchdog.observers.inotify_c").addHandler(_Overflow(self.changed))
        log.info(f"tidings: watching '{path}' for changes")
        return True

    def on_shutdown(self) -> None:
        for observer in self.observers:
            observer.stop()
        self.outputs_written()

    def serve_builder(self, full: Any) -> Any:
        """Render only what changed when every changed path is under incidents/; else, or
        when that cannot account for the change, build everything as before."""
        def build() -> None:
            self.outputs_written()  # the last rebuild's, before anything else is written
            paths = self.changed.take()
            if not self.rebuild_incidents(paths):
                full()
        return build

    def outputs_written(self) -> None:
        if self.writing_outputs is not None:
            self.writing_outputs.join()
            self.writing_outputs = None

    def rebuild_incidents(self, paths: list[str]) -> bool:
        """The incremental rebuild into the served folder; False: the full build is needed."""
        if not paths or self.built is None or self.rendered is None or self.serve_errors:
            return False
        if LOST in paths:
            log.info("tidings: building the whole site: file events were lost")
            return False
        start, cpu = time.monotonic(), time.process_time()
        try:
            changes = rebuild(self.built, [Path(p) for p in paths], self.follow_clock)
        except FullRebuild as why:
            log.info(f"tidings: building the whole site: {why}")
            if why.advance_clock:  # the full build's time, and the session's from now on
                os.environ["SOURCE_DATE_EPOCH"] = str(int(time.time()))
            return False
        decided = time.monotonic()
        try:
            self.write(changes)
        except Exception as exc:  # noqa: BLE001 - the full build repairs the site
            log.error(f"tidings: the incremental rebuild failed ({exc}); building the whole "
                      "site")
            self.rendered = None
            return False
        for warning in changes.warnings:
            log.info(str(warning))
        log.info(f"tidings: {len(changes.render)} page(s) written again in "
                 f"{time.monotonic() - start:.2f} s ({decided - start:.2f} s deciding what "
                 f"changed; {time.process_time() - cpu:.2f} s of CPU)")
        # The pages are served (MkDocs answers once this returns); the files no browser
        # shows follow at once, and the next rebuild waits for them.
        self.writing_outputs = threading.Thread(target=self.write_outputs, args=(changes,))
        self.writing_outputs.start()
        return True

    def write_outputs(self, changes: Changes) -> None:
        """The feeds, API, calendars and badges of an incremental rebuild, into the site."""
        assert self.rendered is not None
        config, files = self.rendered.config, self.rendered.files
        start = time.monotonic()
        try:
            outputs, removed = changes.outputs()
            for path in removed:
                _remove(files, path, config.site_dir)
            for path, content in outputs.items():
                if (existing := files.get_file_from_path(path)) is not None:
                    files.remove(existing)
                file = File.generated(config, path, content=content)
                files.append(file)
                utils.write_file(content, file.abs_dest_path)
        except Exception as exc:  # noqa: BLE001 - reported; the next change builds everything
            log.error(f"tidings: writing the feeds, API, calendars and badges failed ({exc}); "
                      "the next change rebuilds the whole site")
            self.rendered = None
            return
        self.outputs = changes.built.outputs
        log.info(f"tidings: {len(outputs)} other file(s) (feeds, API, calendars, badges) "
                 f"written again in {time.monotonic() - start:.2f} s")

    def write(self, changes: Changes) -> None:
        """Put an incremental rebuild's pages into the served site folder."""
        assert self.rendered is not None
        config, files = self.rendered.config, self.rendered.files
        old = {id(page): name for name, page in self.pages.items()}
        self.built, self.site = changes.built, changes.built.site
        self.pages = {(intro.src_uri if (intro := hand_written(files, page)) else
                       page.source_name): page for page in self.site.pages}
        for page in changes.removed:
            _remove(files, old[id(page)], config.site_dir)
        self.render_pages(changes.render)
        if changes.pages_listed:  # the sitemap lists every page, in the full build's order
            for name in self.pages:
                page_file = files.get_file_from_path(name)
                if page_file is not None and page_file.abs_src_path is None:
                    files.remove(page_file)
                    files.append(page_file)
            for template in config.theme.static_templates:
                _build_theme_template(template, self.rendered.env, files, config,
                                      self.rendered.nav)

    def render_pages(self, pages: list[SitePage]) -> None:
        """Render ``pages`` into the site folder the way the full build does, with the files,
        navigation and theme of the last full build: the pages outside the navigation by the
        plugin's PageRenderer, the few others by MkDocs' own page machinery."""
        assert self.rendered is not None
        renderer, config = self.rendered, self.rendered.config
        files = renderer.files
        names = {id(page): name for name, page in self.pages.items()}
        theirs: list[Page] = []
        for site_page in pages:
            name = names[id(site_page)]
            file = files.get_file_from_path(name)
            new = file is None
            if file is None:  # a new page; those in the navigation always exist
                file = File.generated(config, name, content=site_page.markdown,
                                      inclusion=InclusionLevel.NOT_IN_NAV)
                files.append(file)
            elif file.abs_src_path is None and file.content_string != site_page.markdown:
                file.content_string = site_page.markdown
            if file.abs_src_path is None:
                file.edit_uri = site_page.edit_path
            if new or name in files.own:  # the full build's choice of who renders a page
                files.own[name] = own_page(file, site_page, config)  # its title may be new
                renderer.write(files.own[name])
            else:
                theirs.append(file.page or Page(None, file, config))
        for page in theirs:
            _populate_page(page, config, files)
        shown = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
        for page in theirs:
            _build_page(page, config, shown, renderer.nav, renderer.env)


_CHANGES = (FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent,
            DirCreatedEvent, DirDeletedEvent, DirMovedEvent)
LOST = ""  # recorded when events were lost: no path, so the whole site is built


class _ChangedPaths(FileSystemEventHandler):
    """The paths the watched folders' events name, until the next rebuild takes them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.paths: list[str] = []

    def lost(self) -> None:
        with self.lock:
            self.paths.append(LOST)

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.record(event)

    def record(self, event: FileSystemEvent) -> bool:
        """Keep the event's paths; False for an event that changes nothing (a file read,
        which every build does, or a folder whose entries' own events name them)."""
        if event.is_directory and event.event_type == "modified":
            return False
        if event.event_type in ("opened", "closed", "closed_no_write"):
            return False
        with self.lock:
            self.paths += [os.fsdecode(p) for p in (event.src_path, event.dest_path) if p]
        return True

    def take(self) -> list[str]:
        with self.lock:
            taken, self.paths = self.paths, []
        return taken


class _Overflow(logging.Handler):
    """When the system's queue of events overflowed (thousands of files changed at once, as
    a ``git checkout`` does), watchdog only says so in its log."""

    def __init__(self, changed: _ChangedPaths) -> None:
        super().__init__(logging.WARNING)
        self.changed = changed

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage():
            self.changed.lost()


class _Rebuilding(FileSystemEventHandler):
    """Record a change and ask MkDocs' server for a rebuild, as its own watches do."""

    def __init__(self, changed: _ChangedPaths, server: LiveReloadServer) -> None:
        self.changed, self.server = changed, server

    def on_any_event(self, event: FileSystemEvent) -> None:
        if self.changed.record(event):
            with self.server._rebuild_cond:
                self.server._want_rebuild = True
                self.server._rebuild_cond.notify_all()


def _remove(files: Files, name: str, site_dir: str) -> None:
    """Take a page or file out of the build and its output out of the site folder, with the
    folders that leaves empty."""
    file = files.get_file_from_path(name)
    if file is None:
        return
    files.remove(file)
    if isinstance(files, PageFiles):
        files.own.pop(name, None)
    path = Path(file.abs_dest_path)
    path.unlink(missing_ok=True)
    for folder in path.parents:
        if folder == Path(site_dir) or Path(site_dir) not in folder.parents or any(
                folder.iterdir()):
            break
        folder.rmdir()


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


def internal_site_dir(site_dir: str) -> str:
    """Never over the public site: the internal one has its own folder by default."""
    path = Path(site_dir)
    return str(path.with_name(INTERNAL_SITE_DIR)) if path.name == "site" else site_dir


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
