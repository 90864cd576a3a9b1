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


@pytest.mark.parametrize("page", [p for p in PAGES if commands(p)], ids=lambda p: p.name)
def test_every_example_command_runs_as_written(page: Path, tmp_path: Path):
    root = copy_demo(tmp_path)
    tidings = Path(sys.executable).parent / "tidings"
    for number, command in enumerate(commands(page)):
        words = shlex.split(command, comments=True)
        assert words[0] == "tidings", f"{page.name}: {command}: only tidings commands here"
        if words[1] == "serve":
            words.append("--help")  # serves until stopped: its options must still parse
        # Each command a minute after the one before, as a responder types them.
        clock = int(DEMO_NOW.timestamp()) + 3600 + 60 * number
        result = subprocess.run([str(tidings), *words[1:]], cwd=root, capture_output=True,
                                text=True, timeout=300,
                                env={**os.environ, "SOURCE_DATE_EPOCH": str(clock)})
        assert result.returncode == 0, f"{page.name}: {command}\n{result.stdout}{result.stderr}"
    check = subprocess.run([str(tidings), "check"], cwd=root, capture_output=True, text=True,
                           env={**os.environ, "SOURCE_DATE_EPOCH": str(clock)}, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
