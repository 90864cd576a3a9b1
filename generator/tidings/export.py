"""``tidings export``: the status site as a plain Material project, with no plugin.

The export holds ``mkdocs.yml`` without the ``tidings`` plugin, ``docs/`` with every
generated page (its body already HTML, rendered by the core from the theme's templates) and
every feed, API file, calendar, badge and ``embed.js`` as static files, and ``overrides/``
with the theme's frame (stylesheet, script, feed discovery) and the repository's own
overrides. ``mkdocs build`` and ``zensical build`` both build it into the same URLs.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from . import page_html
from .pages import Site, SitePage
from .pipeline import Build

MKDOCS_FILE = "mkdocs.yml"
MARK = "# Written by `tidings export`: a plain Material project (mkdocs build, zensical build).\n"
# What the engine needs of the theme to wrap a body: the frame templates and the assets.
_FRAME = ("main.html", "tidings/main.html", "assets")
_FRONT_MATTER_END = "\n---\n"
_EDIT_FEATURES = ("content.action.edit", "content.action.view")
# Link targets in Markdown: inline `[text](target)` and reference `[name]: target`.
_INLINE_LINK = re.compile(r"(\]\(\s*)([^)\s]+)")
_REFERENCE = re.compile(r"^( {0,3}\[[^\]]+\]:\s*)(\S+)", re.MULTILINE)
_NOT_RELATIVE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|/|#")


class ExportError(Exception):
    """The export cannot be written: ``str()`` says why and what to do."""


@dataclass
class MkDocsProject:
    """What the export reads of the repository's mkdocs.yml."""

    path: Path
    data: dict[str, Any]

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def docs_dir(self) -> Path:
        return self.root / str(self.data.get("docs_dir") or "docs")

    @property
    def custom_dir(self) -> Path | None:
        theme = self.data.get("theme")
        custom = theme.get("custom_dir") if isinstance(theme, dict) else None
        return self.root / str(custom) if custom else None

    @property
    def tidings_config(self) -> Path:
        """The plugin's ``config`` option (relative to mkdocs.yml), tidings.yml by default."""
        for entry in self.data.get("plugins") or []:
            if isinstance(entry, dict) and isinstance(entry.get("tidings"), dict):
                return self.root / str(entry["tidings"].get("config") or "tidings.yml")
        return self.root / "tidings.yml"


@dataclass(frozen=True)
class Tagged:
    """A value with a tag the engines resolve (``!ENV``, ``!!python/name:…``), kept as is."""

    tag: str
    node: yaml.Node


class _Loader(yaml.SafeLoader):
    """mkdocs.yml as data, each engine-specific tag kept for the engine to resolve."""


class _Dumper(yaml.SafeDumper):
    pass


_Loader.add_multi_constructor("!", lambda loader, suffix, node: Tagged(node.tag, node))
_Loader.add_multi_constructor("tag:yaml.org,2002:python/",
                              lambda loader, suffix, node: Tagged(node.tag, node))
_Dumper.add_representer(Tagged, lambda dumper, value: value.node)


def read_mkdocs(path: Path) -> MkDocsProject:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError:
        raise ExportError(f"{path} not found; run from the repository root or pass -f "
                          "path/to/mkdocs.yml") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise ExportError(f"{path}:{line}: {exc.problem}; fix the YAML") from None
    if not isinstance(data, dict):
        raise ExportError(f"{path}:1: expected a mapping of MkDocs settings")
    return MkDocsProject(path, data)


def export(mkdocs_file: Path, dest: Path, now: datetime) -> list[str]:
    """Write the export into ``dest`` as of ``now``; return the warnings of the content.

    Raises ContentError (every problem) before anything is written, ExportError when
    ``dest`` is a folder that is not an earlier export.
    """
    project_file = read_mkdocs(mkdocs_file)
    build = Build(project_file.root, now, project_file.tidings_config)
    project = build.valid()
    _check_destination(dest, project_file.docs_dir)
    built = build.site(project)
    outputs, site = built.outputs, built.site
    with _staging(dest) as staging:
        _copy_tree(project_file.docs_dir, staging / "docs")
        _copy_overrides(project_file.custom_dir, staging / "overrides")
        for path, content in outputs.items():
            _write(staging / "docs" / path, content)
        env = page_html.environment([project_file.custom_dir] if project_file.custom_dir else [])
        for page in site.pages:
            _write_page(env, site, page, staging / "docs")
        base_url = built.snapshot.config.base_url
        _write(staging / MKDOCS_FILE, _mkdocs_text(project_file, site, base_url))
    return [str(w) for w in project.problems.warnings]


def _check_destination(dest: Path, docs_dir: Path) -> None:
    if dest.resolve().is_relative_to(docs_dir.resolve()):
        raise ExportError(f"{dest} is inside {docs_dir}, which the export copies; choose a "
                          "folder outside it")
    if dest.exists() and not dest.is_dir():
        raise ExportError(f"{dest} exists and is not a folder; choose another DIR")
    if dest.is_dir() and any(dest.iterdir()):
        config = dest / MKDOCS_FILE
        if not (config.is_file() and config.read_text(encoding="utf-8").startswith(MARK)):
            raise ExportError(f"{dest} is not empty and is not an earlier export; choose a new "
                              "or empty folder (an earlier export is replaced)")


@contextmanager
def _staging(dest: Path) -> Iterator[Path]:
    """A folder beside ``dest`` that replaces it only when everything was written."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.new-", dir=dest.parent))
    try:
        yield staging
        old = dest.parent / f".{dest.name}.old"
        if dest.exists():
            shutil.rmtree(old, ignore_errors=True)
            dest.rename(old)
        staging.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _copy_tree(source: Path, target: Path) -> None:
    """Copy a folder of the repository; a link out of it is refused, never followed."""
    target.mkdir(parents=True, exist_ok=True)
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if path.is_symlink():
            raise ExportError(f"{path}: a symbolic link; tidings export copies files only "
                              "(replace the link by the file)")
        if path.is_file():
            _write(target / path.relative_to(source), path.read_bytes())


def _copy_overrides(custom_dir: Path | None, target: Path) -> None:
    """The theme's frame, then the repository's overrides on top (they win, as in MkDocs)."""
    for name in _FRAME:
        source = page_html.THEME_DIR / name
        if source.is_dir():
            _copy_tree(source, target / name)
        else:
            _write(target / name, source.read_bytes())
    if custom_dir is not None:
        _copy_tree(custom_dir, target)


def _write(path: Path, content: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def _write_page(env: Any, site: Site, page: SitePage, docs: Path) -> None:
    """The page's file, always ``<URL>/index.md`` (an engine may rewrite relative links of
    another file's HTML, Zensical does): front matter, then its body as one raw HTML block;
    a hand-written intro at the page's URL keeps its place as Markdown between two."""
    target = docs / page.source_name
    intro_file = _hand_written(docs, page)
    meta: dict[str, Any] = {"title": page.title, "description": page.description,
                            "hide": ["toc"],
                            "tidings_feeds": [vars(feed) for feed in page.feeds]}
    intro = ""
    if intro_file is not None:
        extra, intro = _split_front_matter(intro_file.read_text(encoding="utf-8"))
        meta.update(extra)
        intro = _moved_links(intro, intro_file.parent, target.parent)
        if intro_file != target:
            intro_file.unlink()
    body = page_html.render_body(env, site, page, intro=intro_file is not None)
    before, _, after = body.partition(page_html.INTRO_MARK)
    parts = [_raw_block(before), intro.strip("\n"), _raw_block(after)]
    # Not the content format's writer (content_format.markdown_file): this is a page's meta
    # for MkDocs or Zensical (their keys, read by their YAML loader, never by Tidings'), and
    # a generated page, not a file people edit and Tidings reads back.
    text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"
    _write(target, text + "\n\n".join(part for part in parts if part) + "\n")


def _moved_links(markdown: str, old: Path, new: Path) -> str:
    """The relative link targets of Markdown moved from folder ``old`` to ``new``."""
    if old == new:
        return markdown
    prefix = Path(os.path.relpath(old, new)).as_posix() + "/"

    def moved(match: re.Match[str]) -> str:
        target = match[2]
        return match[0] if _NOT_RELATIVE.match(target) else match[1] + prefix + target
    return _REFERENCE.sub(moved, _INLINE_LINK.sub(moved, markdown))


def _hand_written(docs: Path, page: SitePage) -> Path | None:
    """docs/about.md or docs/about/index.md for about/, as the plugin finds it."""
    names = [page.source_name] + ([page.url.rstrip("/") + ".md"] if page.url else [])
    return next((docs / n for n in names if (docs / n).is_file()), None)


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    if text.startswith("---\n") and _FRONT_MATTER_END in text[3:]:
        head, _, body = text[4:].partition(_FRONT_MATTER_END)
        data = yaml.safe_load(head)
        return (data if isinstance(data, dict) else {}), body
    return {}, text


def _raw_block(html: str) -> str:
    """HTML that Markdown (MkDocs' and Zensical's) passes through untouched: one element
    starting at the line's start (an indented line would become a code block). The wrapper
    takes no box, so the page looks as if the body stood in the article itself."""
    html = html.strip()
    return f'<div class="tidings-body" style="display: contents">\n{html}\n</div>' if html else ""


def _mkdocs_text(project: MkDocsProject, site: Site, base_url: str) -> str:
    """The repository's mkdocs.yml without the tidings plugin, pointing at the export."""
    data = dict(project.data)
    plugins = [p for p in data.get("plugins") or []
               if p != "tidings" and not (isinstance(p, dict) and "tidings" in p)]
    if not any(p == "search" or (isinstance(p, dict) and "search" in p) for p in plugins):
        # Both engines add a search index of every page (every incident) unless told not to.
        plugins.append({"search": {"enabled": False}})
    data["plugins"] = plugins
    data["docs_dir"] = "docs"
    data.pop("site_dir", None)
    theme = dict(data.get("theme") or {"name": "material"})
    theme["custom_dir"] = "overrides"
    theme.setdefault("variant", "classic")  # Zensical's look of Material (MkDocs ignores it)
    # The pages are generated: there is no file to edit or view (Zensical ignores an empty
    # edit_uri, so the buttons go).
    if isinstance(theme.get("features"), list):
        theme["features"] = [f for f in theme["features"] if f not in _EDIT_FEATURES]
    data["theme"] = theme
    data.setdefault("site_url", base_url)
    data["edit_uri"] = ""
    if data.get("nav") is None:
        data["nav"] = [{title: name} for title, name in _nav(site)]
    return MARK + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def _nav(site: Site) -> list[tuple[str, str]]:
    """The plugin's small navigation."""
    return [(page.nav_title, page.source_name) for page in site.pages if page.nav_title]

