"""The page list MkDocs keeps: which files are the plugin's own pages, their MkDocs page
objects and meta, and taking a page or file out of the build (``tidings serve``)."""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from markupsafe import escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from ..pages import SitePage


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


def hand_written(files: Files, page: SitePage) -> File | None:
    """A page in docs/ at the generated page's URL: about.md or about/index.md for about/.
    The names are URIs already, so they are looked up as they are (``get_file_from_path``
    parses each as a path first: a fortieth of a 10,000-incident build)."""
    names = [page.source_name]
    if page.url:
        names.append(page.url.rstrip("/") + ".md")
    return next((f for n in names if (f := files.src_uris.get(n)) is not None), None)


def remove(files: Files, name: str, site_dir: str) -> None:
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

