"""`tidings notify` against real HTTP endpoints on 127.0.0.1 that record what they receive."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import DEMO_NOW, MINIMAL_CONFIG, copy_demo, run_cli, write_files
from tidings import api, urls
from tidings.chat_markup import chat_markdown, slack_mrkdwn
from tidings.notices import lists_in, published_update_ids
from tidings.pipeline import load_project
from tidings.posting import Retry, post_with_retries
from tidings.vocabulary import INDICATOR_FILLS

T1 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # the previous deploy
T2 = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)  # this deploy
T3 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # the next one

HOOKS = """\
webhooks:
  - {type: slack, url_env: T_SLACK}
  - {type: discord, url_env: T_DISCORD}
  - {type: teams, url_env: T_TEAMS}
  - {type: json, url_env: T_JSON}
  - {type: json, url_env: T_DB_ONLY, components: [db]}
  - {type: json, url_env: T_FAIL}
"""
CONTENT = {
    "incidents/2026/2026-11-23-api/incident.md": """
        ---
        title: Elevated API errors
        impact: major
        components: [api]
        ---
        """,
    "incidents/2026/2026-11-23-api/2026-11-23T135000Z-investigating.md": """
        ---
        at: 2026-11-23T13:50:00Z
        status: investigating
        components:
          api: degraded_performance
        ---
        We see errors.
        """,
    "incidents/2026/2026-11-23-api/2026-11-23T141500Z-identified.md": """
        ---
        at: 2026-11-23T14:15:00Z
        status: identified
        components:
          api: partial_outage
        ---
        A **database** failed <!channel>. See [the guide](https://docs.example/retry?a=1&b=2).
        """,
    "incidents/2026/2026-11-23-db/incident.md": """
        ---
        title: Slow databases
        impact: minor
        components: [db]
        ---
        """,
    "incidents/2026/2026-11-23-db/2026-11-23T142000Z-investigating.md": """
        ---
        at: 2026-11-23T14:20:00Z
        status: investigating
        ---
        Queries are slow.
        """,
    "incidents/2026/2026-11-20-old/incident.md": """
        ---
        title: Old incident
        impact: minor
        components: [web]
        ---
        """,
    "incidents/2026/2026-11-20-old/2026-11-20T100000Z-resolved.md": """
        ---
        at: 2026-11-20T10:00:00Z
        status: resolved
        ---
        Long over.
        """,
}


RESOLVED = {  # posted after T2; written when a test moves on to T3
    "incidents/2026/2026-11-23-api/2026-11-23T145000Z-resolved.md": """
        ---
        at: 2026-11-23T14:50:00Z
        status: resolved
        components:
          api: operational
        ---
        Fixed.
        """,
}


class Recorder(ThreadingHTTPServer):
    """Webhook endpoints: records every POST; answers by path; serves GET documents."""

    def __init__(self, port: int = 0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.received: list[tuple[str, dict]] = []
        self.documents: dict[str, bytes] = {}
        self.answers = {"/slack": 200, "/discord": 204, "/teams": 202, "/json": 200,
                        "/db": 200, "/fail": 500, "/gone": 404, "/busy": 429}
        self.flaky: dict[str, int] = {}  # path -> failures left before it answers 200
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def bodies(self, path: str) -> list[dict]:
        return [body for where, body in self.received if where == path]


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        assert self.headers.get("Content-Type", "").startswith("application/json")
        body = json.loads(self.rfile.read(length))
        with self.server.lock:
            self.server.received.append((self.path, body))
            left = self.server.flaky.get(self.path, 0)
            if left:
                self.server.flaky[self.path] = left - 1
            code = 500 if left else self.server.answers.get(self.path, 200)
        self.send_response(code)
        if code == 429:
            self.send_header("Retry-After", "7")
        self.end_headers()
        if code == 200:
            self.wfile.write(b"ok")

    def do_GET(self) -> None:  # noqa: N802
        document = self.server.documents.get(self.path)
        failing = self.server.answers.get(self.path, 0) >= 500
        self.send_response(200 if document else 500 if failing else 404)
        self.end_headers()
        self.wfile.write(document or b"not found")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Recorder]:
    recorder = Recorder()
    thread = threading.Thread(target=recorder.serve_forever, daemon=True)
    thread.start()
    yield recorder
    recorder.shutdown()
    recorder.server_close()


@pytest.fixture
def site(project) -> Path:
    return project(CONTENT, config=MINIMAL_CONFIG + HOOKS)


def env_for(server: Recorder) -> dict[str, str]:
    return {"T_SLACK": server.url("/slack"), "T_DISCORD": server.url("/discord"),
            "T_TEAMS": server.url("/teams"), "T_JSON": server.url("/json"),
            "T_DB_ONLY": server.url("/db"), "T_FAIL": server.url("/fail")}


def deployed(root: Path, now: datetime, name: str = "incidents.json") -> Path:
    """What a deploy at ``now`` published: the API file, saved as the workflow saves it."""
    files = api.api_files(load_project(root, now).snapshot(now))
    path = root.parent / f"deployed-{now:%H%M}-{name}"
    path.write_bytes(files[urls.API + name])
    return path


def notify(root: Path, server: Recorder, now: datetime, *previous: Path | str,
           extra: tuple[str, ...] = ()):
    args = [a for p in previous for a in ("--previous", str(p))]
    return run_cli("notify", *args, "--now", now.isoformat(), "--retry-delay", "0", *extra,
                   cwd=root, env=env_for(server))


def test_posts_each_new_update_to_every_webhook_in_its_format(site, server):
    result = notify(site, server, T2, deployed(site, T1))
    assert result.exit_code == 0, result.output
    assert "2 new update(s)" in result.output
    # New since 14:00: the api incident's identified update, the db incident's first one.
    slack = server.bodies("/slack")
    assert [b["text"].split(":")[0] for b in slack] == ["[Identified] Elevated API errors",
                                                        "[Investigating] Slow databases"]
    url = "https://status.test.example/incidents/2026-11-23-api/"
    heading, message, context = slack[0]["blocks"]
    assert heading["text"] == {"type": "mrkdwn", "text": f"*<{url}|Elevated API errors>*"}
    assert message["text"]["text"] == ("A *database* failed &lt;!channel&gt;. See "
                                       "<https://docs.example/retry?a=1&amp;b=2|the guide>.")
    assert "*Status:* Identified" in context["elements"][0]["text"]
    assert "API: partial outage" in context["elements"][0]["text"]
    assert url in slack[0]["text"]

    discord = server.bodies("/discord")[0]
    assert discord["content"] == "**Identified**: Elevated API errors"
    [embed] = discord["embeds"]
    assert (embed["title"], embed["url"], embed["timestamp"]) == (
        "Elevated API errors", url, "2026-11-23T14:15:00Z")
    assert "**database**" in embed["description"]
    assert "[the guide](https://docs.example/retry?a=1&b=2)" in embed["description"]
    assert discord["allowed_mentions"] == {"parse": []}
    # the side colour is the site's fill for the incident's impact, as on its banner
    [impact] = [b["impact"] for b in server.bodies("/json") if b["title"] == embed["title"]]
    assert embed["color"] == int(INDICATOR_FILLS[impact].removeprefix("#"), 16)

    teams = server.bodies("/teams")[0]
    assert teams["type"] == "message"
    [attachment] = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["body"][0]["text"] == "Elevated API errors"
    assert {"title": "Status", "value": "Identified"} in card["body"][1]["facts"]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "View on the status page",
                                "url": url}]

    generic = server.bodies("/json")[0]
    assert {k: generic[k] for k in ("id", "title", "status", "message", "url")} == {
        "id": "2026-11-23-api", "title": "Elevated API errors", "status": "identified",
        "message": "A database failed <!channel>. See the guide.", "url": url}
    assert generic["update_id"] == "2026-11-23-api.2026-11-23T141500Z-identified"
    assert generic["components"] == [{"id": "api", "name": "API", "status": "partial_outage"}]


def test_a_webhook_limited_to_components_gets_only_their_incidents(site, server):
    notify(site, server, T2, deployed(site, T1))
    assert [b["title"] for b in server.bodies("/db")] == ["Slow databases"]
    assert len(server.bodies("/json")) == 2


def test_a_rerun_posts_nothing_twice_and_a_skipped_deploy_loses_nothing(site, server):
    first = notify(site, server, T2, deployed(site, T1))
    assert first.exit_code == 0
    posted = len(server.received)
    again = notify(site, server, T2, deployed(site, T2))  # the first run's published state
    assert again.exit_code == 0 and "0 new update(s)" in again.output
    assert len(server.received) == posted
    # Next deploy: only the update published since.
    write_files(site, RESOLVED)
    notify(site, server, T3, deployed(site, T2))
    assert [b["status"] for b in server.bodies("/json")] == [
        "identified", "investigating", "resolved"]
    # Had the T2 deploy been skipped, the T3 one sends both batches, in order.
    server.received.clear()
    notify(site, server, T3, deployed(site, T1))
    assert [b["status"] for b in server.bodies("/json")] == [
        "identified", "investigating", "resolved"]


def test_a_failing_webhook_is_retried_reported_and_stops_nothing(site, server):
    server.flaky["/teams"] = 1  # one 500, then it works
    result = notify(site, server, T2, deployed(site, T1))
    assert result.exit_code == 0
    # Three tries of the first message; the second waits for the next run, to stay in order.
    assert len(server.bodies("/fail")) == 3
    assert "warning: json (T_FAIL): failed to post 2026-11-23-api.2026-11-23T141500Z-" \
           "identified: HTTP 500 Internal Server Error after 3 tries; 1 later one(s) wait " \
           "for the next run" in result.output
    assert len(server.bodies("/teams")) == 3  # the failed try, then both messages
    assert len(server.bodies("/slack")) == len(server.bodies("/json")) == 2
    assert server.url("/fail") not in result.output  # URLs are secrets


def test_retries_back_off_and_honour_retry_after(server):
    waits: list[float] = []
    retry = Retry(tries=3, delay=0.5, sleep=waits.append)
    assert post_with_retries(server.url("/fail"), {"n": 1}, retry) == (
        False, "HTTP 500 Internal Server Error", 3)
    assert waits == [0.5, 1.0]
    waits.clear()
    assert post_with_retries(server.url("/busy"), {"n": 2}, retry)[0] is False
    assert waits == [7.0, 7.0]  # the service's Retry-After, not the backoff
    waits.clear()
    server.flaky["/json"] = 2
    assert post_with_retries(server.url("/json"), {"n": 3}, retry) == (True, "", 3)
    assert len(server.bodies("/json")) == 3
    closed = Retry(tries=2, delay=0, timeout=2)  # nothing listens on the closed port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ok, error, tries = post_with_retries(f"http://127.0.0.1:{port}/x", {}, closed)
    assert (ok, tries) == (False, 2) and error.startswith("no answer")


def test_a_client_error_is_not_retried(site, server):
    env = {**env_for(server), "T_FAIL": server.url("/gone")}
    args = ["notify", "--previous", str(deployed(site, T1)), "--now", T2.isoformat(),
            "--retry-delay", "0"]
    result = run_cli(*args, cwd=site, env=env)
    assert result.exit_code == 0
    assert len(server.bodies("/gone")) == 1  # once; the later message keeps its place in line
    assert "HTTP 404 Not Found after 1 try; 1 later one(s) wait" in result.output


def test_unset_webhook_urls_are_skipped_with_a_warning(site, server):
    env = {"T_SLACK": server.url("/slack")}
    result = run_cli("notify", "--previous", str(deployed(site, T1)), "--now", T2.isoformat(),
                     cwd=site, env={**{k: "" for k in env_for(server)}, **env})
    assert result.exit_code == 0
    assert "warning: discord (T_DISCORD): skipped, T_DISCORD is not set; 2 message(s) not " \
           "posted" in result.output
    assert len(server.bodies("/slack")) == 2 and len(server.received) == 2


def test_dry_run_prints_payloads_and_posts_nothing(site, server):
    result = notify(site, server, T2, deployed(site, T1), extra=("--dry-run",))
    assert result.exit_code == 0, result.output
    assert server.received == []
    assert "[Identified] Elevated API errors" in result.output
    assert "T_SLACK: slack, public (T_SLACK, set): 2 message(s)" in result.output
    assert '"event": "update_published"' in result.output
    assert "127.0.0.1" not in result.output  # no webhook URL


def test_previous_state_by_url_and_a_never_deployed_site(site, server):
    server.documents["/api/v2/incidents.json"] = deployed(site, T2).read_bytes()
    write_files(site, RESOLVED)
    result = notify(site, server, T3, server.url("/api/v2/incidents.json"))
    assert result.exit_code == 0, result.output
    assert [b["status"] for b in server.bodies("/json")] == ["resolved"]
    # 404: nothing was deployed before; everything from the last 24 hours is new.
    server.received.clear()
    first = notify(site, server, T3, server.url("/nothing/api/v2/incidents.json"))
    assert first.exit_code == 0, first.output
    assert [b["id"][11:] for b in server.bodies("/json")] == ["api", "api", "db", "api"]


def test_updates_older_than_max_age_are_never_posted(site, server, tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text('{"incidents": []}')
    write_files(site, RESOLVED)
    notify(site, server, T3, empty, extra=("--max-age", "100d"))
    assert "Long over." in [b["message"] for b in server.bodies("/json")]
    server.received.clear()
    notify(site, server, T3, empty, extra=("--max-age", "1h"))
    assert [b["at"] for b in server.bodies("/json")] == [
        "2026-11-23T14:15:00Z", "2026-11-23T14:20:00Z", "2026-11-23T14:50:00Z"]


def test_maintenance_is_announced_when_its_list_is_compared(project, server):
    files = {**CONTENT, "incidents/2026/2026-11-28-upgrade/incident.md": """
        ---
        title: Database upgrade
        type: maintenance
        components: [db]
        scheduled_for: 2026-11-28T02:00:00Z
        scheduled_until: 2026-11-28T04:00:00Z
        ---
        """, "incidents/2026/2026-11-28-upgrade/2026-11-23T142500Z-scheduled.md": """
        ---
        at: 2026-11-23T14:25:00Z
        status: scheduled
        ---
        Each database restarts once.
        """}
    root = project(files, config=MINIMAL_CONFIG + HOOKS)
    only_incidents = notify(root, server, T2, deployed(root, T1))
    assert "Database upgrade" not in [b["title"] for b in server.bodies("/json")]
    assert "compared: incidents.json)" in only_incidents.output
    server.received.clear()
    notify(root, server, T2, deployed(root, T1),
           deployed(root, T1, "scheduled-maintenances.json"))
    [announcement] = [b for b in server.bodies("/json") if b["kind"] == "maintenance"]
    assert (announcement["title"], announcement["status"]) == ("Database upgrade", "scheduled")
    assert announcement["scheduled_for"] == "2026-11-28T02:00:00Z"
    [discord] = [b for b in server.bodies("/discord") if "upgrade" in b["content"]]
    assert {"name": "Window", "value": "28 Nov 2026, 02:00 – 04:00 UTC",
            "inline": True} in discord["embeds"][0]["fields"]


def test_unreadable_previous_state_posts_nothing_and_fails(site, server, tmp_path):
    (tmp_path / "html.json").write_text("<html>Service unavailable</html>")
    (tmp_path / "other.json").write_text('{"page": {}}')
    for source, expected in ((tmp_path / "missing.json", "cannot read it"),
                             (tmp_path / "html.json", "not JSON"),
                             (tmp_path / "other.json", 'no "incidents" or'),
                             (server.url("/fail"), "HTTP 500")):
        result = notify(site, server, T2, source)
        assert result.exit_code == 1, result.output
        assert expected in result.output and "nothing was posted" in result.output
    assert server.received == []


def test_the_built_site_and_notify_agree_on_update_ids(demo_site, tmp_path, server):
    """The deployed demo's API files as the previous state: nothing new; then one update."""
    (tmp_path / "repo").mkdir()
    root = copy_demo(tmp_path / "repo")
    write_files(root, {"tidings.yml": (root / "tidings.yml").read_text().split("webhooks:")[0]
                       + "webhooks:\n  - {type: json, url_env: T_JSON}\n"})
    previous = [demo_site / "api/v2/incidents.json",
                demo_site / "api/v2/scheduled-maintenances.json"]
    nothing = notify(root, server, DEMO_NOW, *previous)
    assert nothing.exit_code == 0 and "0 new update(s)" in nothing.output
    later = "2026-11-23T15:05:00Z"
    run_cli("update", "2026-11-23-api-errors", "--status", "monitoring", "-m", "Recovering.",
            "--now", later, cwd=root)
    result = notify(root, server, datetime(2026, 11, 23, 15, 5, tzinfo=UTC), *previous)
    assert result.exit_code == 0, result.output
    [posted] = server.bodies("/json")
    assert (posted["id"], posted["status"], posted["message"]) == (
        "2026-11-23-api-errors", "monitoring", "Recovering.")


def test_current_state_as_deployed_leaves_out_what_the_deploy_did_not_publish(site, server):
    # Posted a few minutes ahead of the build's clock: check allows it, the build leaves it out.
    write_files(site, {"incidents/2026/2026-11-23-db/2026-11-23T143300Z-identified.md": """
        ---
        at: 2026-11-23T14:33:00Z
        status: identified
        ---
        Found it.
        """})
    later = datetime(2026, 11, 23, 14, 34, tzinfo=UTC)  # notify runs after the deploy
    exact = notify(site, server, later, deployed(site, T1),
                   extra=("--current", str(deployed(site, T2))))
    assert exact.exit_code == 0, exact.output
    assert [b["status"] for b in server.bodies("/json")] == ["identified", "investigating"]
    server.received.clear()
    notify(site, server, later, deployed(site, T1))  # as of notify's own clock
    assert [b["status"] for b in server.bodies("/json")] == [
        "identified", "investigating", "identified"]
    missing = notify(site, server, later, deployed(site, T1),
                     extra=("--current", server.url("/none/incidents.json")))
    assert missing.exit_code == 1 and "HTTP 404" in missing.output


def test_published_ids_are_read_robustly():
    document = {"incidents": [
        {"id": "a", "incident_updates": [{"id": "a.1"}, {"id": 7}, {"no": "id"}, "junk"]},
        {"id": "b"}, "junk", {"id": "c", "incident_updates": None}]}
    assert published_update_ids(lists_in(document)["incidents"]) == {"a.1", "7"}
    assert lists_in([1, 2]) == {} and lists_in({"incidents": "x"}) == {}


def test_chat_markup_escapes_what_each_service_would_interpret():
    text = "Use `x<y>` & **bold** <!here>\n\n- one\n- [two](https://e.x/?a=1&b=2)\n\n> quoted"
    assert slack_mrkdwn(text) == ("Use `x&lt;y&gt;` &amp; *bold* &lt;!here&gt;\n\n• one\n"
                                  "• <https://e.x/?a=1&amp;b=2|two>\n\n> quoted")
    assert chat_markdown(text) == ("Use `x<y>` & **bold** \\<!here\\>\n\n- one\n"
                                   "- [two](https://e.x/?a=1&b=2)\n\n> quoted")
    # Not allowed HTML is text, escaped for Slack as every other "<".
    assert slack_mrkdwn("<script>alert(1)</script>Hi") == (
        "&lt;script&gt;alert(1)&lt;/script&gt;Hi")
