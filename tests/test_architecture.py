"""The package's shape that its readers rely on: one adapter to the site engine, no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import tidings

PACKAGE = Path(tidings.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_only_the_plugin_imports_mkdocs():
    """The core computes everything and knows no site engine, so a move to another engine
    (tidings export, Zensical) touches only the adapter."""
    importers = sorted(
        path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
        if any(m == "mkdocs" or m.startswith("mkdocs.") for m in imported_modules(path)))
    assert importers == ["plugin.py"]


def test_the_checks_never_import_the_pages():
    """`tidings check` runs the pipeline's first two stages: the modules it needs at import
    time hold no page rendering (pipeline imports the pages only in its later stages)."""
    for name in ("pipeline.py", "loader.py", "rules.py", "status.py", "frontmatter.py"):
        top_level = ast.parse((PACKAGE / name).read_text(encoding="utf-8")).body
        modules = {n.module for n in top_level if isinstance(n, ast.ImportFrom) and n.module}
        assert not modules & {"pages", "page_views", "page_html", "outputs", "feeds"}, name
