"""``tidings serve``: watching incidents/, tidings.yml and site_templates/, and rendering
again only what an edit under incidents/ changed (``tidings/incremental.py`` decides what),
into the site folder of the last full build."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from mkdocs import utils
from mkdocs.commands.build import _build_page, _build_theme_template, _populate_page
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.pages import Page
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

from ..incremental import Built, Changes, FullRebuild, rebuild
from ..pages import Site, SitePage
from .page_files import hand_written, own_page, remove
from .page_renderer import PageRenderer

log = logging.getLogger("mkdocs.plugins.tidings")


class ServedSite(Protocol):
    """The plugin's state that an incremental rebuild reads and replaces: its hooks render
    the next pages from it."""

    built: Built | None  # the last good build
    rendered: PageRenderer | None  # the last full build that completed
    serve_errors: list[str]
    follow_clock: bool
    site: Site | None
    pages: dict[str, SitePage]
    outputs: dict[str, bytes]


class ServeSession:
    """One ``tidings serve``: its watches, the paths they saw change, and the files of the
    last incremental rebuild still being written."""

    def __init__(self, plugin: ServedSite) -> None:
        self.plugin = plugin
        self.changed = _ChangedPaths()
        self.observers: list[Any] = []  # watching incidents/ (see watch_natively)
        self.writing_outputs: threading.Thread | None = None  # after an incremental rebuild

    def serve(self, server: LiveReloadServer, config: MkDocsConfig, config_path: Path | None,
              incidents: Path | None) -> LiveReloadServer:
        """Watch tidings.yml, site_templates/ and incidents/ too; rebuild through builder."""
        ours = [str(p) for p in (config_path,) if p is not None and p.exists()] + (
            [config.theme.custom_dir] if config.theme.custom_dir else [])
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
        server.builder = self.builder(_never_stuck(server.builder))
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

    def stop(self) -> None:
        for observer in self.observers:
            observer.stop()
        self.outputs_written()

    def builder(self, full: Any) -> Any:
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
        plugin = self.plugin
        if not paths or plugin.built is None or plugin.rendered is None or plugin.serve_errors:
            return False
        if LOST in paths:
            log.info("tidings: building the whole site: file events were lost")
            return False
        start, cpu = time.monotonic(), time.process_time()
        try:
            changes = rebuild(plugin.built, [Path(p) for p in paths], plugin.follow_clock)
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
            plugin.rendered = None
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
        assert self.plugin.rendered is not None
        config, files = self.plugin.rendered.config, self.plugin.rendered.files
        start = time.monotonic()
        try:
            outputs, removed = changes.outputs()
            for path in removed:
                remove(files, path, config.site_dir)
            for path, content in outputs.items():
                if (existing := files.get_file_from_path(path)) is not None:
                    files.remove(existing)
                file = File.generated(config, path, content=content)
                files.append(file)
                utils.write_file(content, file.abs_dest_path)
        except Exception as exc:  # noqa: BLE001 - reported; the next change builds everything
            log.error(f"tidings: writing the feeds, API, calendars and badges failed ({exc}); "
                      "the next change rebuilds the whole site")
            self.plugin.rendered = None
            return
        self.plugin.outputs = changes.built.outputs
        log.info(f"tidings: {len(outputs)} other file(s) (feeds, API, calendars, badges) "
                 f"written again in {time.monotonic() - start:.2f} s")

    def write(self, changes: Changes) -> None:
        """Put an incremental rebuild's pages into the served site folder."""
        plugin = self.plugin
        assert plugin.rendered is not None
        config, files = plugin.rendered.config, plugin.rendered.files
        old = {id(page): name for name, page in plugin.pages.items()}
        plugin.built, plugin.site = changes.built, changes.built.site
        plugin.pages = {(intro.src_uri if (intro := hand_written(files, page)) else
                         page.source_name): page for page in plugin.site.pages}
        for page in changes.removed:
            remove(files, old[id(page)], config.site_dir)
        self.render_pages(changes.render)
        if changes.pages_listed:  # the sitemap lists every page, in the full build's order
            for name in plugin.pages:
                page_file = files.get_file_from_path(name)
                if page_file is not None and page_file.abs_src_path is None:
                    files.remove(page_file)
                    files.append(page_file)
            for template in config.theme.static_templates:
                _build_theme_template(template, plugin.rendered.env, files, config,
                                      plugin.rendered.nav)

    def render_pages(self, pages: list[SitePage]) -> None:
        """Render ``pages`` into the site folder the way the full build does, with the files,
        navigation and theme of the last full build: the pages outside the navigation by the
        plugin's PageRenderer, the few others by MkDocs' own page machinery."""
        assert self.plugin.rendered is not None
        renderer, config = self.plugin.rendered, self.plugin.rendered.config
        files = renderer.files
        names = {id(page): name for name, page in self.plugin.pages.items()}
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
