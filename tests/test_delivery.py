"""Delivery under faults: every update reaches every webhook exactly once and in order,
across deploys, re-runs and outages; a bad webhook never holds up the others past the
budget; and email goes through a real SMTP server with STARTTLS, once per update."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from conftest import MINIMAL_CONFIG, run_cli, write_files
from smtp_server import PASSWORD, Mailbox, free_port, smtp_server
from test_notify import Recorder
from tidings.posting import PostError, _retry_after, post_json

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
INCIDENT = {"incidents/2026/2026-11-23-api/incident.md":
            "---\ntitle: Elevated API errors\nimpact: major\ncomponents: [api]\n---\n"}
STATUSES = ["investigating", "identified", "monitoring", "resolved"]


def update(n: int) -> dict[str, str]:
    """The n-th update (0-based), ten minutes apart."""
    at = T0 + timedelta(minutes=10 * n)
    name = f"incidents/2026/2026-11-23-api/{at:%Y-%m-%dT%H%M%SZ}-{STATUSES[n]}.md"
    return {name: f"---\nat: {at:%Y-%m-%dT%H:%M:%SZ}\nstatus: {STATUSES[n]}\n---\nStep {n}.\n"}


@contextmanager
def recorder(port: int = 0) -> Iterator[Recorder]:
    server = Recorder(port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def raw_server(behaviour: Callable[[socket.socket, threading.Event], None]) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that treats each connection with ``behaviour``; every
    thread it started has ended when it closes (later tests may fork)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    handlers: list[threading.Thread] = []

    def loop() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            handler = threading.Thread(target=_handle, args=(conn,), daemon=True)
            handlers.append(handler)
            handler.start()

    def _handle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                conn.recv(65536)
                behaviour(conn, stop)
            except OSError:
                pass

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    finally:
        stop.set()
        thread.join()
        for handler in handlers:
            handler.join()
        listener.close()
        time.sleep(1.2)  # notify's abandoned requests end at their socket timeout


def notify(root: Path, record: Path, now: datetime, env: dict[str, str], *extra: str):
    started = time.monotonic()
    result = run_cli("notify", "--record", str(record), "--now", now.isoformat(),
                     "--retry-delay", "0", "--tries", "2", *extra, cwd=root, env=env)
    assert result.exit_code == 0, result.output
    return result, time.monotonic() - started


def steps(server: Recorder, path: str) -> list[str]:
    return [body["message"] for body in server.bodies(path)]


def test_a_webhook_down_for_three_deploys_gets_every_update_once_in_order(project, tmp_path):
    root = project(INCIDENT, config=MINIMAL_CONFIG + """\
webhooks:
  - {type: json, url_env: T_DOWN, name: flaky}
  - {type: json, url_env: T_UP, name: steady}
""")
    record = tmp_path / "cache" / "delivery.json"
    port = free_port()  # nothing listens here for three deploys: connection refused
    down = f"http://127.0.0.1:{port}/down"
    with recorder() as steady:
        env = {"T_DOWN": down, "T_UP": steady.url("/up")}
        for n in range(3):
            write_files(root, update(n))
            result, _ = notify(root, record, T0 + timedelta(minutes=10 * n + 1), env)
            assert "warning: json (T_DOWN): failed to post" in result.output
            assert steps(steady, "/up") == [f"Step {k}." for k in range(n + 1)]  # never held up
        write_files(root, update(3))
        with recorder(port) as flaky:  # up again, on the same address
            deploy = T0 + timedelta(minutes=31)
            result, _ = notify(root, record, deploy, env)
            assert "warning" not in result.output
            assert steps(flaky, "/down") == ["Step 0.", "Step 1.", "Step 2.", "Step 3."]
            assert steps(steady, "/up") == ["Step 0.", "Step 1.", "Step 2.", "Step 3."]
            # A re-run of the same deploy (and a later scheduled run) posts nothing twice.
            notify(root, record, deploy, env)
            notify(root, record, deploy + timedelta(minutes=10), env)
            assert len(flaky.received) == 4 and len(steady.received) == 4
    saved = json.loads(record.read_text())
    assert sorted(saved["webhooks"]) == ["flaky", "steady"]  # by name, never by URL
    assert down not in record.read_text() and "127.0.0.1" not in record.read_text()


def test_one_hanging_webhook_never_delays_the_others_past_the_budget(project, tmp_path):
    root = project({**INCIDENT, **update(0), **update(1)}, config=MINIMAL_CONFIG + """\
webhooks:
  - {type: json, url_env: T_HANG, name: hang}
  - {type: json, url_env: T_TRICKLE, name: trickle}
  - {type: json, url_env: T_UP, name: up}
""")

    def hang(conn: socket.socket, stop: threading.Event) -> None:
        stop.wait(30)  # reads the request, never answers

    def trickle(conn: socket.socket, stop: threading.Event) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200:
            conn.sendall(bytes([byte]))
            if stop.wait(0.2):  # each read is quick: only a total deadline stops this
                return

    with recorder() as up, raw_server(hang) as hanging, raw_server(trickle) as slow:
        env = {"T_HANG": hanging, "T_TRICKLE": slow, "T_UP": up.url("/up")}
        result, took = notify(root, tmp_path / "record.json", T0 + timedelta(minutes=15), env,
                              "--timeout", "1", "--tries", "10", "--budget", "3")
        assert steps(up, "/up") == ["Step 0.", "Step 1."]
        assert took < 3 + 2, f"the run took {took:.1f} s with a budget of 3 s"
        assert "json (T_HANG): failed to post" in result.output
        assert "json (T_TRICKLE): failed to post" in result.output
        assert "budget" in result.output
        # What they missed is theirs on the next run; the healthy webhook gets nothing twice.
        notify(root, tmp_path / "record.json", T0 + timedelta(minutes=16), env,
               "--timeout", "1", "--budget", "3")
        assert len(up.received) == 2


def test_a_request_has_a_total_deadline_however_slowly_the_server_answers():
    def trickle(conn: socket.socket, stop: threading.Event) -> None:
        for byte in b"HTTP/1.1 200 OK\r\n" + b"X: " + b"a" * 100:
            conn.sendall(bytes([byte]))
            if stop.wait(0.1):
                return

    with raw_server(trickle) as url:
        started = time.monotonic()
        with pytest.raises(PostError, match="no complete answer within 1 s"):
            post_json(url, {"n": 1}, timeout=1)
        assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc",  # truncated
    b"HTTP/1.1 429 Too Many\r\nRetry-After: inf\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 429 Too Many\r\nRetry-After: -5\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 429 Too Many\r\nRetry-After: soon\r\nContent-Length: 0\r\n\r\n",
    b"garbage\r\n\r\n",
])
def test_a_broken_answer_is_a_failed_post_and_the_others_still_get_theirs(project, tmp_path,
                                                                         answer):
    root = project({**INCIDENT, **update(0)}, config=MINIMAL_CONFIG + """\
webhooks:
  - {type: json, url_env: T_BAD, name: bad}
  - {type: json, url_env: T_UP, name: up}
""")
    with recorder() as up, raw_server(lambda conn, _stop: conn.sendall(answer)) as bad:
        result, _ = notify(root, tmp_path / "r.json", T0 + timedelta(minutes=5),
                           {"T_BAD": bad, "T_UP": up.url("/up")})
    assert "json (T_BAD): failed to post" in result.output
    assert "Traceback" not in result.output
    assert steps(up, "/up") == ["Step 0."]


def test_retry_after_values_that_are_not_a_plain_delay_are_ignored():
    assert _retry_after("7") == 7.0
    assert [_retry_after(v) for v in ("inf", "nan", "-1", "Wed, 21 Oct 2026 07:28:00 GMT",
                                      "", None)] == [None] * 6


def test_malformed_secrets_give_one_line_and_never_print_the_secret(project, tmp_path):
    root = project({**INCIDENT, **update(0)}, config=MINIMAL_CONFIG + """\
webhooks:
  - {type: json, url_env: T_BAD}
  - {type: email, url_env: T_SMTP, to_env: T_LIST}
""")
    secret = "hunter2-secret-token"
    result, _ = notify(root, tmp_path / "r.json", T0 + timedelta(minutes=5),
                       {"T_BAD": f"ftp://{secret}@x", "T_SMTP": f"smtps://u:{secret}@x:99999",
                        "T_LIST": "list@example.test"})
    assert secret not in result.output
    assert "T_BAD does not hold an http(s) URL" in result.output
    assert "T_SMTP must be an SMTP URL such as smtp://user:password@host:587" in result.output


def test_a_damaged_delivery_record_is_a_one_line_error_and_nothing_is_posted(project,
                                                                              tmp_path):
    root = project({**INCIDENT, **update(0)}, config=MINIMAL_CONFIG
                   + "webhooks:\n  - {type: json, url_env: T_UP}\n")
    record = tmp_path / "record.json"
    record.write_text('{"webhooks": {"T_UP": ["not", "a", "map"]}}')
    with recorder() as up:
        result = run_cli("notify", "--record", str(record), "--now",
                         (T0 + timedelta(minutes=5)).isoformat(), cwd=root,
                         env={"T_UP": up.url("/up")})
        assert result.exit_code == 1
        assert "not a Tidings delivery record; delete it" in result.output
        assert up.received == []


# --- email ----------------------------------------------------------------------------------

EMAIL_CONFIG = MINIMAL_CONFIG + """\
subscribe_email: Write to status-join@lists.test.example to join.
webhooks:
  - {type: email, url_env: T_SMTP, to_env: T_LIST}
"""


def test_email_through_a_real_smtp_server_with_starttls_exactly_once(project, tmp_path):
    root = project({**INCIDENT, **update(0)}, config=EMAIL_CONFIG)
    record = tmp_path / "record.json"
    with smtp_server(tmp_path) as mailbox:
        env = {"T_SMTP": mailbox.url, "T_LIST": "status@lists.test.example",
               "SSL_CERT_FILE": str(mailbox.cert)}
        first, _ = notify(root, record, T0 + timedelta(minutes=5), env)
        assert "email (T_SMTP): posted 1 message(s)" in first.output
        notify(root, record, T0 + timedelta(minutes=6), env)  # a re-run
        write_files(root, update(1))
        notify(root, record, T0 + timedelta(minutes=15), env)  # the next deploy
        notify(root, record, T0 + timedelta(minutes=15), env)
        assert PASSWORD not in first.output
        assert [m["Subject"] for m in mailbox.messages] == [
            "[Investigating] Elevated API errors", "[Identified] Elevated API errors"]
        assert [tls for _from, _to, tls in mailbox.envelopes] == [True, True]
        assert {tuple(to) for _from, to, _tls in mailbox.envelopes} == {
            ("status@lists.test.example",)}
        message = mailbox.messages[1]
    assert message["To"] == "status@lists.test.example"
    assert message["Message-ID"] == \
        "<2026-11-23-api.2026-11-23T141000Z-identified@status.test.example>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    url = "https://status.test.example/incidents/2026-11-23-api/"
    for part in (text, html):
        assert "Elevated API errors" in part and "Step 1." in part and url in part
        assert "Identified" in part and "Major" in part
    assert f'<a href="{url}">' in html


def test_email_is_never_sent_to_a_server_whose_certificate_is_not_trusted(project, tmp_path):
    root = project({**INCIDENT, **update(0)}, config=EMAIL_CONFIG)
    with smtp_server(tmp_path) as mailbox:  # its self-signed certificate, not trusted here
        result, _ = notify(root, tmp_path / "r.json", T0 + timedelta(minutes=5),
                           {"T_SMTP": mailbox.url, "T_LIST": "l@x.test",
                            "SSL_CERT_FILE": str(tmp_path / "none.pem")})
        assert mailbox.messages == []
    assert "the SMTP server's certificate is not trusted" in result.output
    assert "after 1 try" in result.output  # not retried: it will not fix itself
    assert PASSWORD not in result.output


def test_email_is_never_sent_without_starttls(project, tmp_path):
    root = project({**INCIDENT, **update(0)}, config=EMAIL_CONFIG)
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)  # no TLS at all
    controller.start()
    try:
        result, _ = notify(root, tmp_path / "r.json", T0 + timedelta(minutes=5),
                           {"T_SMTP": f"smtp://u:p@127.0.0.1:{port}", "T_LIST": "l@x.test"})
    finally:
        controller.stop()
    assert "offers no STARTTLS; nothing is sent in clear text" in result.output
    assert mailbox.messages == []


def test_the_subscribe_page_tells_how_to_join_the_email_list(project, tmp_path):
    root = project({**INCIDENT, **update(0)}, config=EMAIL_CONFIG)
    write_files(root, {"mkdocs.yml": "site_name: T\nsite_url: https://status.test.example/\n"
                                     "theme:\n  name: material\n  font: false\n"
                                     "plugins:\n  - tidings\n"})
    (root / "docs").mkdir()
    result = run_cli("build", "--now", (T0 + timedelta(minutes=5)).isoformat(), cwd=root)
    assert result.exit_code == 0, result.output
    page = (root / "site/subscribe/index.html").read_text()
    assert "Write to status-join@lists.test.example to join." in page


def test_no_payload_pings_anyone_or_carries_an_injected_link(project, tmp_path):
    """Slack's fallback text is escaped like its blocks; Discord's content and Teams' card
    title are escaped Markdown, so a title or message never mentions or links."""
    title = "Errors <!channel> [click](https://evil.example) <https://evil.example|login>"
    root = project({"incidents/2026/2026-11-23-api/incident.md":
                    f"---\ntitle: '{title}'\nimpact: major\ncomponents: [api]\n---\n",
                    **update(0)}, config=MINIMAL_CONFIG + """\
webhooks:
  - {type: slack, url_env: T_SLACK}
  - {type: discord, url_env: T_DISCORD}
  - {type: teams, url_env: T_TEAMS}
""")
    with recorder() as server:
        notify(root, tmp_path / "r.json", T0 + timedelta(minutes=5),
               {"T_SLACK": server.url("/slack"), "T_DISCORD": server.url("/discord"),
                "T_TEAMS": server.url("/teams")})
    [slack] = server.bodies("/slack")
    assert "<!channel>" not in slack["text"] and "<https://evil" not in slack["text"]
    assert "&lt;!channel&gt;" in slack["text"]
    [discord] = server.bodies("/discord")
    assert "[click](" not in discord["content"] and "\\[click\\]" in discord["content"]
    [teams] = server.bodies("/teams")
    heading = teams["attachments"][0]["content"]["body"][0]["text"]
    assert "[click](" not in heading and "\\[click\\]" in heading


def test_no_thread_outlives_these_tests():
    """Forking code (the loader, the renderer) refuses to fork while threads run."""
    deadline = time.monotonic() + 15
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [t.name for t in threading.enumerate() if t is not threading.main_thread()] == []
