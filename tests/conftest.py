"""Shared fixtures: small projects written into tmp folders, the CLI, and the built demo site."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from tidings.cli import main

REPO = Path(__file__).resolve().parent.parent


def load_benchmark(name: str) -> Any:
    """A module of benchmarks/ (not a package), imported under its own name so that the
    modules it imports from the same folder (``synthetic``) resolve to the same one."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec and spec.loader
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
DEMO_NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # the demo's example history moment

MINIMAL_CONFIG = """\
name: Test Status
url: https://status.test.example/
feed:
  authority: status.test.example,2026
  author: Test Ops
  email: ops@test.example
components:
  - id: api
    name: API
    group: Platform
  - id: web
    name: Website
    group: Platform
  - id: db
    name: Database
"""


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: text or bytes}``; text is dedented so tests read naturally."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture(autouse=True, scope="session")
def _cache_folder(tmp_path_factory) -> None:
    """`tidings check` keeps its cache in the session's temporary folder, never the user's
    (the variable reaches the commands the tests start, too)."""
    os.environ["TIDINGS_CACHE_DIR"] = str(tmp_path_factory.mktemp("tidings-cache"))


@pytest.fixture
def project(tmp_path: Path):
    """A factory: ``project({path: text})`` makes a project with MINIMAL_CONFIG unless given."""

    def make(files: dict[str, str | bytes] | None = None, config: str = MINIMAL_CONFIG) -> Path:
        (tmp_path / "incidents").mkdir(exist_ok=True)
        write_files(tmp_path, {"tidings.yml": config, **(files or {})})
        return tmp_path

    return make


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            input: str | None = None) -> Result:
    """Run ``tidings ARGS`` in-process, from ``cwd``."""
    runner = CliRunner()
    old = Path.cwd()
    try:
        if cwd:
            os.chdir(cwd)
        return runner.invoke(main, list(args), env=env, input=input, catch_exceptions=False)
    finally:
        os.chdir(old)


def epoch(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def build_site(root: Path, dest: Path, now: datetime = DEMO_NOW, strict: bool = True,
               ) -> subprocess.CompletedProcess:
    """Build the MkDocs site of ``root`` into ``dest`` as of ``now`` (a real mkdocs build)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch(now)}
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml"),
           "-d", str(dest)]
    if strict:
        cmd.append("--strict")
    return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=600)


def copy_demo(dest: Path) -> Path:
    """A copy of this repository's site sources (config, content, templates) to change freely."""
    for name in ("mkdocs.yml", "tidings.yml"):
        shutil.copy(REPO / name, dest / name)
    for name in ("incidents", "site_templates", "docs"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, dest / name)
    return dest


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo site built once per test session at DEMO_NOW."""
    dest = tmp_path_factory.mktemp("demo") / "site"
    result = build_site(REPO, dest)
    assert result.returncode == 0, result.stderr
    return dest
