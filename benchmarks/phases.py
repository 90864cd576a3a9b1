"""Where a site build's CPU time goes: one ``mkdocs build`` in this process, its phases timed.

    cd SITE && SOURCE_DATE_EPOCH=... taskset -c 0 python benchmarks/phases.py [SITE_DIR]

SITE is a repository that ``benchmarks/run.py --keep DIR`` left (``DIR/tidings-bench-N-*/site``).
Each phase is the CPU time (user + system, ``time.process_time``) spent inside one function of
MkDocs or Tidings, summed over its calls; nested phases are also counted in their parents
(page data is computed while the pages render). No profiler: the figures are the build's own.
"""

from __future__ import annotations

import functools
import sys
import time
from collections import defaultdict
from typing import Any

from mkdocs.commands import build
from mkdocs.config import load_config
from mkdocs.structure import files
from tidings import outputs, pages, pipeline, plugin, render
from tidings.plugin import page_renderer

SECONDS: defaultdict[str, float] = defaultdict(float)


def timed(owner: Any, name: str, label: str) -> None:
    """Count the CPU time of ``owner.name`` under ``label``."""
    function = getattr(owner, name)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SECONDS[label] += time.process_time() - start
    setattr(owner, name, wrapper)


PHASES = [
    (pipeline.Build, "load", "reading and validating the content"),
    (render.Renderer, "prerender_history", "content Markdown ahead, on other cores"),
    (outputs, "generated_files", "feeds, API, calendars, badges"),
    (pages, "build_site", "the page list"),
    (pages.SitePage, "context", "page data (views, content Markdown), inside the pages"),
    (build, "get_navigation", "MkDocs: navigation"),
    (build, "_populate_page", "MkDocs: reading and Markdown of its pages"),
    (build, "_build_page", "MkDocs: building its pages (templates, writing)"),
    (build, "_build_theme_template", "MkDocs: sitemap.xml, 404.html"),
    (files.Files, "copy_static_files", "MkDocs: static files"),
    (plugin, "own_page", "plugin: MkDocs page objects of its pages"),
    (page_renderer.PageRenderer, "render", "plugin: rendering its pages"),
    (page_renderer, "write_file", "plugin: writing its pages"),
]


def main(argv: list[str]) -> None:
    config = load_config(config_file="mkdocs.yml", site_dir=argv[0] if argv else "site",
                         strict=True)
    for owner, name, label in PHASES:
        timed(owner, name, label)
    start = time.process_time()
    build.build(config)
    total = time.process_time() - start
    for label, seconds in SECONDS.items():
        print(f"{seconds:7.2f}  {label}")
    print(f"{total:7.2f}  the whole build (imports and start-up not included)")


if __name__ == "__main__":
    main(sys.argv[1:])
