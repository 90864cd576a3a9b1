"""`tidings build` cleans up after itself: ordinary permissions, no leftovers after a signal
or a `kill -9`, its MkDocs child stopped with it, a one-line error for an unwritable folder."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, REPO, write_files

NOW = "2026-11-23T15:00:00Z"
MKDOCS = """\
site_name: Test Status
site_url: https://status.test.example/
theme:
  name: material
  font: false
plugins:
  - tidings
"""


@pytest.fixture
def site_project(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    write_files(root, {
        "tidings.yml": MINIMAL_CONFIG, "mkdocs.yml": MKDOCS, "docs/.keep": "",
        "incidents/a/incident.md": "---\ntitle: API errors\ncomponents: [api]\n---\n",
        "incidents/a/u.md": "---\nat: 2026-11-23T14:00:00Z\nstatus: resolved\n---\nFixed.\n",
    })
    return root


def tidings(root: Path, *args: str, umask: int = 0o022, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [str(Path(sys.executable).with_name("tidings")), *args]
    return subprocess.Popen(command, cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: os.umask(umask), **kwargs)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".new-" in p.name or ".old-" in p.name)


def test_built_site_has_ordinary_permissions(site_project):
    for _ in range(2):  # the first build creates site/, the second replaces it
        result = tidings(site_project, "build", "--now", NOW)
        assert result.wait(timeout=300) == 0, result.stderr.read()
    site = site_project / "site"
    assert stat.S_IMODE(site.stat().st_mode) == 0o755
    for path in site.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path
    assert leftovers(site_project) == []


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                          if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_child_and_removes_the_staging_folder(site_project, signum):
    (site_project / "site").mkdir()
    (site_project / "site" / "index.html").write_text("previous site")
    build = tidings(site_project, "build", "--now", NOW)
    deadline = time.monotonic() + 120
    while not (children_of(build.pid) and leftovers(site_project)):
        assert build.poll() is None and time.monotonic() < deadline, "the build never started"
        time.sleep(0.05)
    child = children_of(build.pid)
    build.send_signal(signum)
    assert build.wait(timeout=60) != 0
    assert "Traceback" not in build.stderr.read()
    assert leftovers(site_project) == []
    assert (site_project / "site" / "index.html").read_text() == "previous site"
    for pid in child:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(
            f"/proc/{pid}/status").read_text(), f"MkDocs child {pid} still runs"


def test_leftovers_of_a_killed_build_are_removed_by_the_next(site_project):
    dead = subprocess.Popen(["true"])
    dead.wait()
    for name in (f".site.new-{dead.pid}-abc", f".site.old-{dead.pid}-def", ".site.new-legacy"):
        (site_project / name).mkdir()
        (site_project / name / "index.html").write_text("half")
    running = site_project / f".site.new-{os.getpid()}-busy"  # a build that still runs
    running.mkdir()
    result = tidings(site_project, "build", "--now", NOW)
    assert result.wait(timeout=300) == 0, result.stderr.read()
    assert leftovers(site_project) == [running.name]


def test_leftovers_are_ignored_by_git():
    for name in (".site.new-123-abc/index.html", ".site.old-123-abc/feed.xml"):
        result = subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", name])
        assert result.returncode == 0, name


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs a folder nobody may write")
def test_unwritable_parent_is_a_one_line_error(site_project):
    build = tidings(site_project, "build", "--now", NOW, "-d", "/sys/tidings-site")
    assert build.wait(timeout=120) == 1
    err = [line for line in build.stderr.read().splitlines()
           if not line.startswith("incidents/") and "warning" not in line]
    assert err == ["Error: cannot create the site next to /sys/tidings-site (Operation not "
                   "permitted); make its folder writable or choose another --site-dir"]
