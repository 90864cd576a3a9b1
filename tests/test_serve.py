"""A real `tidings serve` on 127.0.0.1 with a real HTTP client: a content error keeps the last
good site (errors in the terminal and on the page), no request hangs, site_templates/ is
watched, and stopping serve stops its MkDocs child."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, load_benchmark, write_files
from test_build_cleanup import children_of

TEMPLATE = """\
{% extends "tidings/main.html" %}
{% block styles %}{{ super() }}<meta name="marker" content="MARKER">{% endblock %}
"""
MKDOCS = """\
site_name: Test Status
site_url: https://status.test.example/
theme:
  name: material
  font: false
  custom_dir: site_templates
plugins:
  - tidings
"""
REPO = Path(__file__).resolve().parent.parent
UPDATE = "---\nat: 2026-11-23T14:00:00Z\nstatus: resolved\n---\nFixed.\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> str:
    """The page; every request must be answered within 10 s (MkDocs holds requests while a
    rebuild has failed, which this would catch as a timeout)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.read().decode()


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen, Path]]:
    root = write_files(tmp_path / "repo", {
        "tidings.yml": MINIMAL_CONFIG, "mkdocs.yml": MKDOCS, "docs/.keep": "",
        "site_templates/main.html": TEMPLATE.replace("MARKER", "first"),
        "incidents/a/incident.md": "---\ntitle: Queue backlog\ncomponents: [api]\n---\n",
        "incidents/a/u.md": UPDATE,
    })
    port = free_port()
    log = Path(tempfile.mkstemp(dir=tmp_path, suffix=".log")[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path),
           "SOURCE_DATE_EPOCH": str(int(time.time()))}
    with log.open("w") as out:
        serve = subprocess.Popen([str(Path(sys.executable).with_name("tidings")), "serve",
                                  "-a", f"127.0.0.1:{port}"], cwd=root, env=env, stdout=out,
                                 stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"

    def up() -> bool:
        try:
            return "Queue backlog" in get(url + "incidents/a/")
        except OSError:
            return serve.poll() is None and False
    try:
        wait_for(lambda: serve.poll() is not None or up(), "the first build")
        assert serve.poll() is None, log.read_text()
        yield root, url, serve, log
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


def test_content_error_keeps_the_last_good_site_with_the_errors(served):
    root, url, serve, log = served
    (root / "incidents/a/u.md").write_text(UPDATE.replace("resolved", "resolvd"))
    wait_for(lambda: "tidings-serve-errors" in get(url), "the error banner")
    page = get(url + "incidents/a/")
    assert "Queue backlog" in page and "Fixed." in page  # the last good site
    assert "incidents/a/u.md:3: status" in page
    assert "incidents/a/u.md:3: status" in log.read_text()
    assert "Traceback" not in log.read_text()
    (root / "incidents/a/u.md").write_text(UPDATE.replace("Fixed.", "Fixed for good."))
    wait_for(lambda: "tidings-serve-errors" not in get(url), "the banner to go")
    assert "Fixed for good." in get(url + "incidents/a/")


def test_site_templates_are_watched_and_a_broken_one_never_holds_requests(served):
    root, url, serve, log = served
    assert 'content="first"' in get(url)
    (root / "site_templates/main.html").write_text(TEMPLATE.replace("MARKER", "second"))
    wait_for(lambda: 'content="second"' in get(url), "the changed override")
    (root / "site_templates/main.html").write_text("{% extends %}")
    wait_for(lambda: "the rebuild failed" in log.read_text(), "the failed rebuild")
    get(url + "incidents/a/")  # answered (MkDocs had cleaned the folder), never held
    (root / "site_templates/main.html").write_text(TEMPLATE.replace("MARKER", "third"))
    wait_for(lambda: 'content="third"' in get(url), "the repaired override")


def test_stopping_serve_stops_its_children(served):
    root, url, serve, log = served
    children = children_of(serve.pid)
    assert children
    serve.send_signal(signal.SIGTERM)
    serve.wait(timeout=60)
    for pid in children:
        wait_for(lambda pid=pid: not Path(f"/proc/{pid}").exists()
                 or "zombie" in Path(f"/proc/{pid}/status").read_text(), f"child {pid}", 30)
    with pytest.raises(OSError):
        get(url)


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        yield load_benchmark("serve")
    finally:
        sys.path.remove(str(REPO / "benchmarks"))


@pytest.fixture
def history(bench, tmp_path: Path) -> Path:
    root = tmp_path / "site"
    bench.synthetic.write_site(root, 60)
    return root


def test_edits_under_incidents_render_only_what_changed_and_equal_a_full_build(bench, history):
    """Each edit is served by the incremental rebuild (the log says so), and the served folder
    is then byte for byte what `tidings build` writes for the same files and time."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    tidings = Path(sys.executable).with_name("tidings")
    (update, page), (other, other_page), (third, third_page) = bench.old_updates(history, 3)
    with bench.Session(history, tidings, env) as session:
        session.edit(update, update.read_text().rstrip() + "\n\nAdded in review.\n", page)
        folder = other.parent
        resolved = max(folder.glob("*-resolved.md"))
        at = re.search(r"at: '?([0-9TZ:-]+)", resolved.read_text())[1]
        session.edit(folder / "postmortem.md", f"---\npublished: {at}\n---\nWe are sorry; "
                     "a bad deploy. We now canary every deploy.\n", other_page + "postmortem/")
        copy = third.parent.with_name(third.parent.name + "-again")
        shutil.copytree(third.parent, copy)
        wait_for(lambda: "</html>" in get(f"{session.url}incidents/{copy.name}/")
                 and "404" not in get(f"{session.url}incidents/{copy.name}/")[:2000], "the copy")
        wait_for(lambda: session.incremental() == 3, "the third rebuild")
        done = session.rebuilds()
        shutil.rmtree(third.parent)
        wait_for(lambda: session.rebuilds() > done and session.incremental() == 4, "removal")
        session.settled()
        assert "Traceback" not in session.log.read_text()
        assert "building the whole site" not in session.log.read_text()
        full = history.parent / "full"
        result = subprocess.run([str(tidings), "build", "--now", bench.NOW, "-d", str(full)],
                                cwd=history, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert bench.same_folders(session.site, full) == []
        assert not (session.site / third_page).exists()


def test_an_update_written_during_the_session_moves_its_time_on(bench, history):
    """Without --now the site is as of the session's start; an update written later (dated
    now, as `tidings update` writes it) is shown, not refused as dated in the future."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    (update, page), = bench.old_updates(history, 1)
    with bench.Session(history, Path(sys.executable).with_name("tidings"), env,
                       now=None) as session:
        time.sleep(2)  # the update is dated after the session's start
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        session.edit(update.with_name(at.replace(":", "").replace("-", "")[:15] + "Z-note.md"),
                     f"---\nat: {at}\nstatus: resolved\n---\nA note written just now.\n", page)
        assert "tidings-serve-errors" not in get(session.url + page)
        assert "dated after the session's time" in session.log.read_text()
