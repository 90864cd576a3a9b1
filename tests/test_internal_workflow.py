"""CI for audiences and delivery: the internal site's workflow that `tidings init` writes
(linted, audited, schema-valid, least privilege, played end to end), and the delivery record
that the notify job keeps in the CI cache between runs."""

from __future__ import annotations

import functools
import socket
from datetime import timedelta
from pathlib import Path

import test_workflows
import yaml
from conftest import DEMO_NOW, REPO, epoch
from test_workflows import (
    GITHUB,
    NOTIFY,
    PINNED,
    REUSABLE,
    USES_LINE,
    VERSION_COMMENT,
    actionlint,
    check_schema,
    checkout_demo,
    describe,
    triggers,
    zizmor,
)
from workflow_runner import Runner

TEMPLATE = REPO / "generator/tidings/templates/repository/dot-github/workflows"
INTERNAL = TEMPLATE / "internal-site.yml"
live_site, webhook = test_workflows.live_site, test_workflows.webhook  # fixtures


def spec() -> dict:
    return yaml.safe_load(INTERNAL.read_text(encoding="utf-8"))


def test_the_internal_workflow_passes_actionlint_zizmor_and_the_schema():
    assert actionlint(INTERNAL) == []
    findings = zizmor(INTERNAL)
    assert findings == [], describe(findings)
    result = check_schema("vendor.github-workflows", INTERNAL)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_internal_workflow_has_least_privilege_and_pinned_actions():
    workflow = spec()
    assert workflow["permissions"] == {}
    on = triggers(workflow)
    assert set(on) == {"push", "schedule", "workflow_dispatch"}  # never pull_request_target
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    known = {m["ref"] for path in [*GITHUB.glob("workflows/*.yml"), *GITHUB.glob("actions/*/*.yml")]
             for line in path.read_text().splitlines() if (m := USES_LINE.match(line))}
    for line in INTERNAL.read_text().splitlines():
        if (match := USES_LINE.match(line)) is None or match["ref"].startswith("./"):
            continue
        assert PINNED.match(match["ref"]) and VERSION_COMMENT.match(match["comment"]), line
        assert match["ref"] in known, f"{match['ref']} is not the SHA this repository pins"
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    runs = [s.get("run", "") for s in job["steps"]]
    # Installed as pinned, by the setup action every workflow shares.
    assert {"name": "Set up Tidings", "uses": "./.github/actions/setup"} in job["steps"]
    assert "tidings build --audience internal --strict" in runs
    upload = next(s for s in job["steps"]
                  if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "site-internal/"
    assert all("${{" not in r for r in runs)  # no expression expanded into a script


def test_the_internal_site_job_end_to_end(tmp_path: Path):
    runner = Runner(checkout_demo, tmp_path / "work", tmp_path / "live", "http://127.0.0.1:9",
                    env={"SOURCE_DATE_EPOCH": epoch(DEMO_NOW)}, workflows=TEMPLATE)
    runner.workflow_run(INTERNAL.name, ["build"])
    artifact = tmp_path / "work" / "artifacts" / "internal-site"
    overview = (artifact / "index.html").read_text()
    assert 'class="tidings-internal-banner"' in overview
    assert 'id="executive-summary"' in overview and "Office VPN drops connections" in overview
    assert not (tmp_path / "live").exists()  # nothing goes to the public Pages site


def test_the_delivery_record_survives_between_runs_in_the_ci_cache(live_site, webhook,
                                                                    tmp_path: Path):
    """A webhook down during one deploy gets its updates from the next run, once."""
    live, url = live_site
    hook, received = webhook
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    # The page is published at the live server's address, as tidings.yml says.
    runner = Runner(functools.partial(checkout_demo, url=url), tmp_path / "work", live, url,
                    secrets={"TIDINGS_JSON_WEBHOOK_URL": closed})

    def publish(moment) -> dict:
        runner.env["SOURCE_DATE_EPOCH"] = epoch(moment)
        return runner.run([(REUSABLE, "build"), (REUSABLE, "deploy"), (NOTIFY, "notify")])

    first = publish(DEMO_NOW)
    assert "json (TIDINGS_JSON_WEBHOOK_URL): failed to post" in first["notify"].log
    runner.secrets["TIDINGS_JSON_WEBHOOK_URL"] = hook  # the service is back
    publish(DEMO_NOW + timedelta(minutes=10))  # a scheduled run: nothing newly deployed
    delivered = [post["update_id"] for post in received]
    assert delivered and len(delivered) == len(set(delivered))
    assert delivered == sorted(delivered, key=lambda u: u.split(".")[1])  # in order
    received.clear()
    runner.job(NOTIFY, "notify")  # "Re-run jobs"
    publish(DEMO_NOW + timedelta(minutes=20))
    assert received == []
