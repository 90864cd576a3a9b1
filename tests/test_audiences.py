"""Two audiences from one repository: what `check` accepts, what each build shows, and the
canary: no byte of internal content in any public output or public notification."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, epoch, run_cli, write_files
from smtp_server import PASSWORD, smtp_server
from test_notify import Recorder
from tidings.timestamps import parse_timestamp

NOW = "2026-11-23T15:00:00Z"
CANARY = "zqxcanary"  # every internal field of the fixture carries it, each with its own tail
INTERNAL_TEXTS = {  # field -> the exact canary it carries
    "component id": "zqxcanary-tool",
    "component name": "Zqxcanary Tool Name",
    "component description": "zqxcanary component description",
    "incident note": "zqxcanary incident note",
    "commander": "@zqxcanary-commander",
    "communications": "@zqxcanary-comms",
    "update note": "zqxcanary update note",
    "internal incident folder": "2026-11-23-zqxcanary-internal",
    "internal incident title": "Zqxcanary internal title",
    "internal incident summary": "zqxcanary internal summary",
    "internal incident update": "zqxcanary internal update message",
    "maintenance note": "zqxcanary maintenance note",
    "maintenance update note": "zqxcanary maintenance update note",
}
CONFIG = MINIMAL_CONFIG + """\
  - id: zqxcanary-tool
    name: Zqxcanary Tool Name
    description: zqxcanary component description
    group: Internal tools
    visibility: internal
subscribe_email_url: https://lists.test.example/status/join
webhooks:
  - {type: slack, url_env: T_SLACK}
  - {type: discord, url_env: T_DISCORD}
  - {type: teams, url_env: T_TEAMS}
  - {type: json, url_env: T_JSON}
  - {type: email, url_env: T_SMTP, to_env: T_LIST}
  - {type: json, url_env: T_ONCALL, audience: internal, name: oncall}
  - {type: json, url_env: T_EXECS, audience: internal, impact: [critical], name: executives}
"""
CONTENT = {
    "incidents/2026/2026-11-23-api/incident.md": """
        ---
        title: Elevated API errors
        impact: major
        components: [api]
        roles:
          commander: "@zqxcanary-commander"
          communications: "@zqxcanary-comms"
        internal: |
          zqxcanary incident note
        ---
        Some requests fail.
        """,
    "incidents/2026/2026-11-23-api/2026-11-23T141500Z-identified.md": """
        ---
        at: 2026-11-23T14:15:00Z
        status: identified
        components:
          api: partial_outage
        internal: |
          Support: zqxcanary update note
        ---
        A database failed; we are promoting a replica.
        """,
    "incidents/2026/2026-11-23-zqxcanary-internal/incident.md": """
        ---
        title: Zqxcanary internal title
        impact: minor
        components: [web, zqxcanary-tool]
        visibility: internal
        ---
        zqxcanary internal summary
        """,
    "incidents/2026/2026-11-23-zqxcanary-internal/2026-11-23T143000Z-investigating.md": """
        ---
        at: 2026-11-23T14:30:00Z
        status: investigating
        components:
          web: major_outage
        ---
        zqxcanary internal update message
        """,
    "incidents/2026/2026-11-24-upgrade/incident.md": """
        ---
        title: Database upgrade
        type: maintenance
        components: [db]
        scheduled_for: 2026-11-24T02:00:00Z
        scheduled_until: 2026-11-24T03:00:00Z
        internal: |
          zqxcanary maintenance note
        ---
        We upgrade the database.
        """,
    "incidents/2026/2026-11-24-upgrade/2026-11-23T120000Z-scheduled.md": """
        ---
        at: 2026-11-23T12:00:00Z
        status: scheduled
        internal: |
          zqxcanary maintenance update note
        ---
        Planned for tonight.
        """,
}
MKDOCS = ("site_name: Test Status\nsite_url: https://status.test.example/\n"
          "theme:\n  name: material\n  font: false\nplugins:\n  - tidings\n")


@pytest.fixture
def repo(project) -> Path:
    root = project(CONTENT, config=CONFIG)
    write_files(root, {"mkdocs.yml": MKDOCS})
    (root / "docs").mkdir()
    return root


def build(root: Path, audience: str) -> Path:
    result = run_cli("build", "--now", NOW, "--audience", audience, cwd=root)
    assert result.exit_code == 0, result.output
    return root / ("site" if audience == "public" else "site-internal")


def every_byte(site: Path) -> dict[str, bytes]:
    """Each file of a built site by path, gzip files (the sitemap) decompressed."""
    found = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found[path.relative_to(site).as_posix()] = (gzip.decompress(data)
                                                        if path.suffix == ".gz" else data)
    return found


def leaks(texts: dict[str, bytes | str]) -> list[str]:
    """Where the canary shows, in a name or in content (any case)."""
    found = []
    for name, data in texts.items():
        raw = data if isinstance(data, bytes) else data.encode()
        if CANARY in name.lower() or CANARY.encode() in raw.lower():
            found.append(name)
    return found


# --- check ------------------------------------------------------------------------------------

def test_check_validates_every_audience_key_with_its_line(project):
    root = project({
        "incidents/2026/2026-11-23-a/incident.md": """
            ---
            title: A
            components: [api, tool]
            visibility: secret
            roles:
              captain: "@ana"
              commander: ""
            internal: [not, text]
            ---
            """,
        "incidents/2026/2026-11-23-a/2026-11-23T140000Z-investigating.md": """
            ---
            at: 2026-11-23T14:00:00Z
            status: investigating
            internal: 5
            ---
            Looking.
            """,
    }, config=MINIMAL_CONFIG + """\
  - {id: tool, name: Tool, visibility: hidden}
  - {id: vpn, name: VPN, visibility: internal}
webhooks:
  - {type: json, url_env: A, audience: staff}
  - {type: json, url_env: B, impact: [huge]}
  - {type: email, url_env: C}
  - {type: json, url_env: D, name: same}
  - {type: json, url_env: E, name: same}
""")
    result = run_cli("check", "--now", NOW, str(root))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "10 error(s)" in result.output
    expected = [
        'tidings.yml:16: visibility "hidden" is not allowed; use "public", "internal"',
        'tidings.yml:19: webhook audience "staff" is not allowed; use "public", "internal"',
        'tidings.yml:20: unknown impact "huge"; use a list of "none", "minor", "major", '
        '"critical", "maintenance", e.g. impact: [major, critical]',
        "tidings.yml:21: an email webhook needs to_env: the environment variable holding the "
        "list address",
        'tidings.yml:22: two webhooks are both called "same"; give each a unique name',
        'incidents/2026/2026-11-23-a/incident.md:4: visibility "secret" is not allowed',
        'incidents/2026/2026-11-23-a/incident.md:6: unknown role "captain"; use "commander", '
        '"communications"',
        'incidents/2026/2026-11-23-a/incident.md:7: role "commander" needs a name',
        "incidents/2026/2026-11-23-a/incident.md:8: internal must be Markdown text",
        "incidents/2026/2026-11-23-a/2026-11-23T140000Z-investigating.md:4: internal must be "
        "Markdown text",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, result.output)


def test_a_public_incident_may_not_name_an_internal_component(project):
    root = project({
        "incidents/2026/2026-11-23-a/incident.md": "---\ntitle: A\ncomponents: [api, vpn]\n---\n",
        "incidents/2026/2026-11-23-a/2026-11-23T140000Z-investigating.md":
            "---\nat: 2026-11-23T14:00:00Z\nstatus: investigating\ncomponents:\n"
            "  api: degraded_performance\n  vpn: major_outage\n---\nLooking.\n",
        "incidents/2026/2026-11-23-b/incident.md":
            "---\ntitle: B\ncomponents: [api, vpn]\nvisibility: internal\n---\n",
        "incidents/2026/2026-11-23-b/2026-11-23T140000Z-investigating.md":
            "---\nat: 2026-11-23T14:00:00Z\nstatus: investigating\n---\nLooking.\n",
    }, config=MINIMAL_CONFIG + "  - {id: vpn, name: VPN, visibility: internal}\n")
    result = run_cli("check", "--now", NOW, str(root))
    assert result.exit_code == 1
    assert ('incidents/2026/2026-11-23-a/incident.md:3: the component "vpn" is internal, but '
            'this incident is public; add "visibility: internal"') in result.output
    assert ('incidents/2026/2026-11-23-a/2026-11-23T140000Z-investigating.md:6: the component '
            '"vpn" is internal, but this incident is public') in result.output
    assert "2026-11-23-b" not in result.output  # an internal incident may name both


# --- the canary ---------------------------------------------------------------------------------

def test_no_byte_of_internal_content_reaches_any_public_output(repo):
    public = every_byte(build(repo, "public"))
    internal = every_byte(build(repo, "internal"))
    # The fixture is honest: the internal site carries every canary, in pages, feeds and API.
    everything = b"\n".join(internal.values())
    missing = [field for field, text in INTERNAL_TEXTS.items()
               if text.encode() not in everything]
    assert missing == []
    for path in ("history.atom", "updates.rss", "api/v2/incidents.json", "index.html",
                 "incidents/2026-11-23-api/index.html", "maintenance.ics"):
        assert leaks({path: internal[path]}), f"the internal {path} lacks internal content"
    # Every kind of public output exists, and none carries a byte of it.
    for path in ("index.html", "history.atom", "history.rss", "updates.atom", "updates.rss",
                 "api/v2/summary.json", "api/v2/incidents.json", "maintenance.ics",
                 "badge.svg", "embed.js", "sitemap.xml", "sitemap.xml.gz",
                 "components/api/history.atom", "components/api/badge.svg",
                 "incidents/2026-11-23-api/index.html", "subscribe/index.html"):
        assert path in public, path
    assert leaks(public) == []
    # Nor through status: the internal incident's major outage of a public component.
    summary = json.loads(public["api/v2/summary.json"])
    assert {c["id"]: c["status"] for c in summary["components"]}["web"] == "operational"
    assert summary["status"]["indicator"] == "major"  # the public incident alone


def test_no_public_notification_carries_internal_content(repo, tmp_path):
    server = Recorder()
    import threading
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with smtp_server(tmp_path) as mailbox:
            env = {"T_SLACK": server.url("/slack"), "T_DISCORD": server.url("/discord"),
                   "T_TEAMS": server.url("/teams"), "T_JSON": server.url("/json"),
                   "T_ONCALL": server.url("/oncall"), "T_EXECS": server.url("/execs"),
                   "T_SMTP": mailbox.url, "T_LIST": "status-list@lists.test.example",
                   "SSL_CERT_FILE": str(mailbox.cert)}
            result = run_cli("notify", "--record", str(tmp_path / "record.json"), "--now", NOW,
                             "--retry-delay", "0", cwd=repo, env=env)
            assert result.exit_code == 0, result.output
            assert PASSWORD not in result.output
            emails = {f"email {n}": m.as_bytes() for n, m in enumerate(mailbox.messages)}
    finally:
        server.shutdown()
        server.server_close()
    public = {f"{path} {n}": json.dumps(body) for n, (path, body) in enumerate(server.received)
              if path not in ("/oncall", "/execs")}
    # Every public channel got the two public updates (the incident's, the maintenance's) ...
    for path in ("/slack", "/discord", "/teams", "/json"):
        assert len(server.bodies(path)) == 2, path
    assert len(emails) == 2
    # ... and not a byte of internal content; the internal channel got all of it.
    assert leaks({**public, **emails}) == []
    oncall = json.dumps(server.bodies("/oncall"))
    assert [b["title"] for b in server.bodies("/oncall")] == [
        "Database upgrade", "Elevated API errors", "Zqxcanary internal title"]
    for field in ("update note", "internal incident update", "maintenance update note"):
        assert INTERNAL_TEXTS[field] in oncall, field


# --- routing ------------------------------------------------------------------------------------

def test_a_webhook_for_critical_incidents_gets_nothing_for_a_minor_one(repo, tmp_path):
    server = Recorder()
    import threading
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {name: server.url("/" + name.lower()) for name in
           ("T_SLACK", "T_DISCORD", "T_TEAMS", "T_JSON", "T_ONCALL", "T_EXECS")}
    record = str(tmp_path / "record.json")
    try:
        run_cli("notify", "--record", record, "--now", NOW, cwd=repo, env=env)
        assert server.bodies("/t_execs") == []  # a major and a minor incident, no critical one
        assert len(server.bodies("/t_oncall")) == 3
        # A critical update now reaches the executives, once, and the on-call channel too.
        write_files(repo, {
            "incidents/2026/2026-11-23-down/incident.md":
                "---\ntitle: Everything is down\nimpact: critical\ncomponents: [api]\n---\n",
            "incidents/2026/2026-11-23-down/2026-11-23T145500Z-investigating.md":
                "---\nat: 2026-11-23T14:55:00Z\nstatus: investigating\n---\nAll down.\n"})
        run_cli("notify", "--record", record, "--now", NOW, cwd=repo, env=env)
        run_cli("notify", "--record", record, "--now", NOW, cwd=repo, env=env)
        assert [b["title"] for b in server.bodies("/t_execs")] == ["Everything is down"]
        assert len(server.bodies("/t_oncall")) == 4
    finally:
        server.shutdown()
        server.server_close()


def test_the_subscribe_page_says_how_to_subscribe_by_email(repo):
    page = (build(repo, "public") / "subscribe/index.html").read_text()
    assert 'id="email"' in page
    assert 'href="https://lists.test.example/status/join"' in page


def test_the_internal_site_goes_to_its_own_folder_and_says_it_is_internal(repo):
    internal = build(repo, "internal")
    public = build(repo, "public")
    assert internal.name == "site-internal" and public.name == "site"
    for page in ("index.html", "history/index.html", "incidents/2026-11-23-api/index.html",
                 "components/zqxcanary-tool/index.html", "subscribe/index.html"):
        html = (internal / page).read_text()
        assert 'class="tidings-internal-banner"' in html, page
        assert "tidings-internal-banner" not in (public / page).read_text() if (
            public / page).exists() else True
    incident = (internal / "incidents/2026-11-23-api/index.html").read_text()
    assert "Incident commander</dt><dd>@zqxcanary-commander" in incident
    assert "Communications lead</dt><dd>@zqxcanary-comms" in incident
    api = json.loads((internal / "api/v2/incidents.json").read_text())
    by_id = {i["id"]: i for i in api["incidents"]}
    assert by_id["2026-11-23-api"]["roles"] == {"commander": "@zqxcanary-commander",
                                                "communications": "@zqxcanary-comms"}
    assert by_id["2026-11-23-zqxcanary-internal"]["visibility"] == "internal"
    assert not (public / "components/zqxcanary-tool").exists()


def test_the_plugin_option_builds_the_internal_site(repo):
    """`mkdocs build` with `audience: internal` in mkdocs.yml, no Tidings CLI involved."""
    import subprocess
    import sys
    write_files(repo, {"mkdocs.yml": MKDOCS.replace("  - tidings\n",
                                                    "  - tidings:\n      audience: internal\n")})
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch(parse_timestamp(NOW))}
    env.pop("TIDINGS_AUDIENCE", None)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert not (repo / "site").exists()  # never over the public site
    assert "tidings-internal-banner" in (repo / "site-internal/index.html").read_text()


def test_serve_takes_the_audience_too(repo):
    """`tidings serve --audience internal` serves the internal site on 127.0.0.1."""
    import subprocess
    import sys
    import time
    import urllib.request

    from smtp_server import free_port
    port = free_port()
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch(parse_timestamp(NOW))}
    tidings = str(Path(sys.executable).parent / "tidings")
    child = subprocess.Popen([tidings, "serve", "--audience",
                              "internal", "-a", f"127.0.0.1:{port}"], cwd=repo, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                    page = answer.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "tidings serve did not answer in 60 s"
                assert child.poll() is None, "tidings serve stopped"
                time.sleep(0.3)
        assert "tidings-internal-banner" in page and "Zqxcanary internal title" in page
    finally:
        os.killpg(child.pid, 15)
        child.wait(timeout=30)


def test_an_email_webhook_needs_a_way_to_subscribe_on_the_page(project):
    hooks = "webhooks:\n  - {type: email, url_env: SMTP_URL, to_env: LIST}\n"
    root = project(config=MINIMAL_CONFIG + hooks)
    result = run_cli("check", "--now", NOW, str(root))
    assert result.exit_code == 0  # a warning, never a failed check
    assert ("tidings.yml:16: warning: an email webhook is configured but the Subscribe page "
            "cannot say how to join the list; add subscribe_email_url") in result.output
    root = project(config=MINIMAL_CONFIG + hooks + "subscribe_email_url: javascript:alert(1)\n")
    result = run_cli("check", "--now", NOW, str(root))
    assert result.exit_code == 1
    assert "tidings.yml:18: subscribe_email_url must be an https:// or mailto: address" \
        in result.output
