"""The documentation's command examples run as written, in a copy of the demo repository."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO_NOW, REPO, copy_demo

PAGES = sorted((REPO / "documentation").glob("*.md"))
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)


def commands(page: Path) -> list[str]:
    """Each command of the page's ```sh blocks, continuation lines joined."""
    found = []
    for block in SH_BLOCK.findall(page.read_text(encoding="utf-8")):
        found += [c.strip() for c in block.replace("\\\n", " ").splitlines() if c.strip()]
    return found


def executable(name: str) -> Path:
    """The programs the examples use: ours from this environment, Zensical from its own."""
    if name == "zensical":
        from test_export import zensical

        return zensical()
    assert name in ("tidings", "mkdocs"), f"{name}: only tidings, mkdocs and zensical here"
    return Path(sys.executable).parent / name


@pytest.mark.parametrize("page", [p for p in PAGES if commands(p)], ids=lambda p: p.name)
def test_every_example_command_runs_as_written(page: Path, tmp_path: Path):
    root = copy_demo(tmp_path)
    cwd = root
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # as a user's shell
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    clock = int(DEMO_NOW.timestamp()) + 3600
    for number, command in enumerate(commands(page)):
        words = shlex.split(command, comments=True)
        if not words:
            continue
        if words[0] == "cd":
            cwd = cwd / words[1]
            continue
        if words[:2] == ["tidings", "serve"]:
            words.append("--help")  # serves until stopped: its options must still parse
        # Each command a minute after the one before, as a responder types them.
        env["SOURCE_DATE_EPOCH"] = str(clock + 60 * number)
        if words[0] == "tidings" and "PYTHONPATH" in os.environ:
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]  # this checkout's package, in a worktree
        result = subprocess.run([str(executable(words[0])), *words[1:]], cwd=cwd, env=env,
                                capture_output=True, text=True, timeout=300)
        env.pop("PYTHONPATH", None)
        assert result.returncode == 0, f"{page.name}: {command}\n{result.stdout}{result.stderr}"
    check = subprocess.run([str(executable("tidings")), "check"], cwd=root, capture_output=True,
                           text=True, env={**os.environ, "SOURCE_DATE_EPOCH": str(clock)},
                           timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
