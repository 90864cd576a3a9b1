"""The package's shape that its readers rely on: one adapter to the site engine, no cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
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
    (tidings export, Zensical) touches only the adapter, the package ``tidings.plugin``."""
    importers = sorted(
        path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
        if any(m == "mkdocs" or m.startswith("mkdocs.") for m in imported_modules(path)))
    assert importers and all(name.startswith("plugin/") for name in importers), importers
    assert "plugin/__init__.py" in importers


def test_the_checks_never_import_the_pages():
    """`tidings check` runs the pipeline's first two stages: the modules it needs at import
    time hold no page rendering (pipeline imports the pages only in its later stages)."""
    for name in ("pipeline.py", "loader.py", "rules.py", "status.py", "frontmatter.py"):
        top_level = ast.parse((PACKAGE / name).read_text(encoding="utf-8")).body
        modules = {n.module for n in top_level if isinstance(n, ast.ImportFrom) and n.module}
        assert not modules & {"pages", "page_views", "page_html", "outputs", "feeds"}, name


def test_tidings_check_imports_only_what_checking_needs():
    """`tidings check` starts on every pull request and in editors: it imports no other
    command, no rendering stage and no uptime (the demo's content, with its time zone)."""
    script = ("import sys\nfrom tidings.cli import main\n"
              "try:\n    main(['check', sys.argv[1], '--now', '2026-11-23T15:00:00Z'])\n"
              "except SystemExit:\n    pass\nprint(' '.join(sorted(sys.modules)))")
    output = subprocess.run([sys.executable, "-c", script, str(PACKAGE.parents[1])],
                            capture_output=True, text=True, check=True).stdout
    found = output.splitlines()[-1].split()  # after what the check printed
    assert "tidings.language" in found  # the check did run
    others = {f"tidings.cli.{name}" for name in
              ("author", "importer", "init", "listing", "notify", "report", "site")}
    stages = {"tidings.pages", "tidings.outputs", "tidings.feeds", "tidings.uptime",
              "tidings.authoring", "tidings.plugin", "difflib"}
    assert not (others | stages) & set(found)
