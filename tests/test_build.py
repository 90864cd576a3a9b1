"""Building and serving the site: failures leave the old site, builds are reproducible,
``tidings build`` swaps a finished build in, ``mkdocs serve`` picks up new content."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import DEMO_NOW, build_site, copy_demo, epoch, run_cli, write_files

BROKEN = {
    "incidents/2026/2026-11-23-api-errors/incident.md": """\
        ---
        title: Elevated API error rates
        impact: majr
        components: [api, db]
        ---
        """,
    "incidents/2026/2026-11-23-api-errors/2026-11-23T141500Z-identified.md": """\
        ---
        at: 2026-11-23T14:15:00Z
        status: identified
        components:
          apii: partial_outage
        ---
        Broken.
        """,
}
EXPECTED_PROBLEMS = (
    'incidents/2026/2026-11-23-api-errors/incident.md:3: impact "majr" is not allowed',
    "incidents/2026/2026-11-23-api-errors/2026-11-23T141500Z-identified.md:5: unknown "
    'component "apii"',
)


def tree(root: Path) -> dict[str, str]:
    """Every file under root with the hash of its bytes."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def old_site(root: Path) -> Path:
    site = root / "site"
    write_files(site, {"index.html": "previous site\n", "marker.txt": "keep me\n"})
    return site


# --- failures ----------------------------------------------------------------------------------

def test_invalid_content_fails_mkdocs_build_with_every_problem(tmp_path: Path) -> None:
    root = copy_demo(tmp_path)
    write_files(root, BROKEN)
    site = old_site(root)
    before = tree(site)
    result = build_site(root, site)
    assert result.returncode == 1
    for problem in EXPECTED_PROBLEMS:
        assert problem in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(site) == before


def test_invalid_content_fails_tidings_build_and_keeps_the_site(tmp_path: Path) -> None:
    root = copy_demo(tmp_path)
    write_files(root, BROKEN)
    site = old_site(root)
    before = tree(site)
    result = run_cli("build", "--now", "2026-11-23T15:00:00Z", cwd=root)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    for problem in EXPECTED_PROBLEMS:
        assert any(line.startswith(problem) for line in lines), result.stdout
    assert "the previous site is unchanged" in result.stderr
    assert tree(site) == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def test_failing_mkdocs_build_keeps_the_site(tmp_path: Path) -> None:
    """Valid content, but a template error: MkDocs fails after our checks passed."""
    root = copy_demo(tmp_path)
    write_files(root, {"site_templates/tidings/about.html":
                       '{% extends "tidings/layout.html" %}{% block tidings_content %}'
                       "{{ no_such_thing.attribute }}{% endblock %}"})
    site = old_site(root)
    before = tree(site)
    result = run_cli("build", "--now", "2026-11-23T15:00:00Z", cwd=root)
    assert result.exit_code == 1
    assert "is unchanged" in result.stderr
    assert tree(site) == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == []


# --- success -------------------------------------------------------------------------------------

def test_tidings_build_swaps_the_new_site_in(tmp_path: Path) -> None:
    root = copy_demo(tmp_path)
    site = old_site(root)
    result = run_cli("build", "--now", "2026-11-28T02:30:00Z", cwd=root)
    assert result.exit_code == 0, result.output
    assert not (site / "marker.txt").exists()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Page built <time datetime=\"2026-11-28T02:30:00Z\"" in index
    assert "Maintenance in progress" in index  # the database upgrade window, 02:00-04:00 UTC
    maintenance = (site / "incidents/2026-11-28-database-upgrade/index.html").read_text(
        encoding="utf-8")
    assert "In progress" in maintenance
    assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == []


def test_tidings_build_options(tmp_path: Path) -> None:
    root = copy_demo(tmp_path)
    result = run_cli("build", "--now", "2026-11-23T15:00:00Z", "--no-strict", "-d", "public",
                     cwd=root)
    assert result.exit_code == 0, result.output
    assert (root / "public/index.html").is_file()
    assert not (root / "site").exists()
    assert "2026-11-23T15:00:00Z" in result.stderr
    bad = run_cli("build", "--now", "yesterday", cwd=root)
    assert bad.exit_code == 2 and "is not a timestamp" in bad.output


def test_overdue_update_is_reported_but_never_fails_the_build(tmp_path: Path) -> None:
    root = copy_demo(tmp_path)
    late = DEMO_NOW.replace(hour=17)  # the update promised for 15:10 UTC has not come
    result = build_site(root, root / "site", late)  # --strict
    assert result.returncode == 0, result.stderr
    # 17:00 UTC, the update was due at 15:10 UTC: the page says so truthfully.
    assert "An update was due <span data-tidings-ago=\"2026-11-23T15:10:00Z\">2 hours ago</span>" \
        in (root / "site/index.html").read_text(encoding="utf-8")
    cli = run_cli("build", "--now", late.isoformat(), cwd=root)
    assert cli.exit_code == 0, cli.output
    assert "warning: update overdue" in cli.stdout


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    root = copy_demo(tmp_path / "src")
    first, second = tmp_path / "one", tmp_path / "two"
    for dest in (first, second):
        result = build_site(root, dest)
        assert result.returncode == 0, result.stderr
        time.sleep(1.1)  # a clock leaking into the output would differ between the builds
    one, two = tree(first), tree(second)
    assert one == two
    assert "sitemap.xml.gz" in one and len(one) > 50


def test_build_time_comes_from_source_date_epoch(tmp_path: Path) -> None:
    root = copy_demo(tmp_path)
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch(DEMO_NOW), "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", "out"], cwd=root,
                   env=env, check=True, capture_output=True, timeout=600)
    assert '<time datetime="2026-11-23T15:00:00Z"' in (root / "out/index.html").read_text(
        encoding="utf-8")


# --- serve ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def wait_for(url: str, predicate, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, body = fetch(url)
        if status == 200 and predicate(body):
            return body
        time.sleep(0.5)
    pytest.fail(f"{url} did not show the change within {seconds} s")


@pytest.fixture
def served(tmp_path: Path):
    """``tidings serve --now …`` on a free port; yields (root, base URL)."""
    root = copy_demo(tmp_path)
    port = free_port()
    tidings = Path(sys.executable).parent / "tidings"
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [str(tidings), "serve", "--now", "2026-11-23T15:00:00Z", "-a", f"127.0.0.1:{port}"],
        cwd=root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_for(base, lambda body: "Elevated API error rates" in body)
        yield root, base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def test_serve_picks_up_new_and_changed_incidents(served) -> None:
    root, base = served
    write_files(root, {
        "incidents/2026/2026-11-23-new-one/incident.md": """\
            ---
            title: Webhooks delayed
            impact: minor
            components: [email]
            ---
            """,
        "incidents/2026/2026-11-23-new-one/2026-11-23T145500Z-investigating.md": """\
            ---
            at: 2026-11-23T14:55:00Z
            status: investigating
            ---
            Webhook deliveries are delayed.
            """,
    })
    body = wait_for(base + "incidents/2026-11-23-new-one/", lambda b: "Webhooks delayed" in b)
    assert "Webhook deliveries are delayed." in body
    wait_for(base, lambda b: "Webhooks delayed" in b)
    update = root / "incidents/2026/2026-11-23-api-errors/2026-11-23T144000Z-identified.md"
    update.write_text(update.read_text(encoding="utf-8").replace(
        "API errors are falling.", "API errors are back to normal."), encoding="utf-8")
    wait_for(base + "incidents/2026-11-23-api-errors/",
             lambda b: "API errors are back to normal." in b)
