"""The Statuspage-compatible API as consumers use it: JSON schemas written from Statuspage's
documented fields (and checked against real Statuspage responses), the shapes and vocabulary
of each endpoint, and a real third-party consumer, statuspage-prometheus-exporter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from browser import serve
from conftest import DEMO_NOW, REPO, copy_demo, write_files
from jsonschema import Draft202012Validator
from prometheus_client.parser import text_string_to_metric_families
from referencing import Registry, Resource
from tidings.api import LIST_LIMIT
from tidings.outputs import generated_files
from tidings.pipeline import load_valid_project
from tidings.status import Snapshot

SCHEMAS = Path(__file__).parent / "schemas"
FIXTURES = REPO / "tests" / "fixtures" / "statuspage-fixtures"
ENDPOINTS = {  # file -> the schema it follows
    "summary.json": "summary.json",
    "status.json": "status.json",
    "components.json": "components.json",
    "incidents.json": "incidents.json",
    "incidents/unresolved.json": "incidents.json",
    "scheduled-maintenances.json": "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json": "scheduled-maintenances.json",
    "scheduled-maintenances/active.json": "scheduled-maintenances.json",
}
OPEN = "2026-11-23-api-errors"
MAINTENANCE = "2026-11-28-database-upgrade"
DURING_MAINTENANCE = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
RESOLVED_AT = "2026-11-23T15:30:00Z"


def snapshot_at(now: datetime, root: Path = REPO) -> Snapshot:
    return load_valid_project(root, now).snapshot(now)


def api(files: dict[str, bytes], name: str) -> dict:
    return json.loads(files[f"api/v2/{name}"])


@pytest.fixture(scope="module")
def demo() -> Snapshot:
    return snapshot_at(DEMO_NOW)


@pytest.fixture(scope="module")
def files(demo: Snapshot) -> dict[str, bytes]:
    return generated_files(demo)


@pytest.fixture(scope="module")
def after_resolution(tmp_path_factory) -> Snapshot:
    """The demo with its open incident resolved, during the database maintenance window."""
    root = copy_demo(tmp_path_factory.mktemp("resolved"))
    write_files(root / "incidents/2026" / OPEN, {"2026-11-23T153000Z-resolved.md": f"""\
        ---
        at: {RESOLVED_AT}
        status: resolved
        ---
        Error rates are back to normal.
        """})
    return snapshot_at(DURING_MAINTENANCE, root)


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    resources = {}
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        resources[schema["$id"]] = Resource.from_contents(schema)
    registry = Registry().with_resources(resources.items())
    return {path.name: Draft202012Validator(json.loads(path.read_text()), registry=registry)
            for path in SCHEMAS.glob("*.json")}


def errors(validator: Draft202012Validator, document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(document)]


# -- schemas -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["cloudamqp_maintenance.json", "twilio_incident.json"])
def test_schemas_accept_real_statuspage_responses(validators, fixture):
    """The schemas describe Statuspage itself, not only what Tidings happens to write."""
    assert FIXTURES.is_dir(), f"{FIXTURES} missing from tests/fixtures/"
    document = json.loads((FIXTURES / fixture).read_text())
    assert errors(validators["summary.json"], document) == []


def test_schemas_reject_wrong_vocabulary_and_missing_fields(validators, files):
    summary = api(files, "summary.json")
    summary["components"][0]["status"] = "down"
    del summary["incidents"][0]["incident_updates"][0]["display_at"]
    summary["incidents"][0]["created_at"] = "2026-11-23 13:50"  # no zone
    found = errors(validators["summary.json"], summary)
    assert len(found) == 3, found


@pytest.mark.parametrize("moment", ["incident", "maintenance"])
def test_every_endpoint_follows_its_schema(validators, demo, after_resolution, moment):
    files = generated_files(demo if moment == "incident" else after_resolution)
    for name, schema in ENDPOINTS.items():
        assert errors(validators[schema], api(files, name)) == [], name
    assert sorted(p for p in files if p.startswith("api/")) == sorted(
        f"api/v2/{name}" for name in ENDPOINTS)


# -- what each endpoint says -------------------------------------------------------------------


def test_summary_states_the_engines_status(demo, files):
    summary = api(files, "summary.json")
    assert summary["status"] == {"indicator": demo.indicator, "description": demo.description}
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    assert summary["page"] == {"id": "status.acme.example", "name": "Acme Cloud Status",
                               "url": "http://127.0.0.1:8000", "time_zone": "Europe/Berlin",
                               "updated_at": "2026-11-23T14:40:00Z"}
    statuses = {c["id"]: c["status"] for c in summary["components"] if not c["group"]}
    assert statuses == demo.component_status
    assert [i["id"] for i in summary["incidents"]] == [OPEN]
    assert [m["id"] for m in summary["scheduled_maintenances"]] == [MAINTENANCE]
    assert api(files, "status.json") == {"page": summary["page"], "status": summary["status"]}
    assert api(files, "components.json")["components"] == summary["components"]


def test_groups_are_components_listing_their_members(demo, files):
    components = api(files, "components.json")["components"]
    groups = {c["id"]: c for c in components if c["group"]}
    assert {g["name"]: g["components"] for g in groups.values()} == {
        "Platform": ["api", "web", "auth"], "Data": ["db", "storage"]}
    for component in (c for c in components if not c["group"]):
        configured = demo.config.component(component["id"])
        if configured.group is None:
            assert component["group_id"] is None
        else:
            assert groups[component["group_id"]]["name"] == configured.group
    assert groups["group-platform"]["status"] == "partial_outage"  # its worst member's
    top_level = [c for c in components if c["group_id"] is None]
    assert [c["position"] for c in top_level] == [1, 2, 3]
    assert [c["name"] for c in top_level] == ["Platform", "Data", "Email notifications"]


def test_open_incident_has_statuspage_updates_newest_first(demo, files):
    incident = next(i for i in api(files, "incidents/unresolved.json")["incidents"])
    assert incident["id"] == OPEN
    assert (incident["status"], incident["impact"]) == ("identified", "major")
    assert incident["shortlink"] == f"http://127.0.0.1:8000/incidents/{OPEN}/"
    assert incident["resolved_at"] is None and incident["monitoring_at"] is None
    assert incident["started_at"] == incident["created_at"] == "2026-11-23T13:50:00Z"
    assert incident["updated_at"] == "2026-11-23T14:40:00Z"
    assert [c["id"] for c in incident["components"]] == ["api", "db"]
    updates = incident["incident_updates"]
    assert [u["created_at"] for u in updates] == [
        "2026-11-23T14:40:00Z", "2026-11-23T14:15:00Z", "2026-11-23T13:50:00Z"]
    assert updates[0]["id"] == f"{OPEN}.2026-11-23T144000Z-identified"
    assert all(u["incident_id"] == OPEN for u in updates)
    assert updates[0]["affected_components"] == [
        {"code": "db", "name": "Managed databases", "old_status": "major_outage",
         "new_status": "partial_outage"}]
    assert updates[1]["affected_components"] == [
        {"code": "api", "name": "API", "old_status": "degraded_performance",
         "new_status": "partial_outage"},
        {"code": "db", "name": "Managed databases", "old_status": "partial_outage",
         "new_status": "major_outage"}]
    assert "[our retry guide](https://docs.acme.example/retries)" in updates[1]["body"]


def test_postmortem_status_and_monitoring_time(files):
    incidents = {i["id"]: i for i in api(files, "incidents.json")["incidents"]}
    login = incidents["2026-10-14-login-failures"]
    assert login["status"] == "postmortem"
    assert login["postmortem_published_at"] == "2026-10-16T15:00:00Z"
    assert login["postmortem_body"].startswith("## We are sorry")
    assert login["resolved_at"] == "2026-10-14T10:30:00Z"
    assert login["monitoring_at"] == "2026-10-14T10:05:00Z"
    monitoring = login["incident_updates"][1]
    assert {(c["code"], c["new_status"]) for c in monitoring["affected_components"]} == {
        ("auth", "operational"), ("web", "operational")}
    assert incidents[OPEN]["postmortem_body"] is None
    assert MAINTENANCE not in incidents  # maintenance has its own endpoints


def test_resolving_returns_every_component_to_operational(after_resolution):
    files = generated_files(after_resolution)
    incident = next(i for i in api(files, "incidents.json")["incidents"] if i["id"] == OPEN)
    assert incident["status"] == "resolved" and incident["resolved_at"] == RESOLVED_AT
    assert incident["incident_updates"][0]["affected_components"] == [
        {"code": "api", "name": "API", "old_status": "partial_outage",
         "new_status": "operational"},
        {"code": "db", "name": "Managed databases", "old_status": "partial_outage",
         "new_status": "operational"}]
    assert api(files, "incidents/unresolved.json")["incidents"] == []


def test_maintenance_endpoints_follow_the_window(files, after_resolution):
    upcoming = api(files, "scheduled-maintenances/upcoming.json")["scheduled_maintenances"]
    assert [m["id"] for m in upcoming] == [MAINTENANCE]
    assert (upcoming[0]["scheduled_for"], upcoming[0]["scheduled_until"]) == (
        "2026-11-28T02:00:00Z", "2026-11-28T04:00:00Z")
    assert (upcoming[0]["status"], upcoming[0]["impact"]) == ("scheduled", "maintenance")
    assert api(files, "scheduled-maintenances/active.json")["scheduled_maintenances"] == []
    every = api(files, "scheduled-maintenances.json")["scheduled_maintenances"]
    assert [m["id"] for m in every] == [MAINTENANCE, "2026-11-08-storage-migration"]
    assert every[1]["status"] == "completed"
    assert every[1]["resolved_at"] == "2026-11-08T02:45:00Z"

    during = generated_files(after_resolution)
    active = api(during, "scheduled-maintenances/active.json")["scheduled_maintenances"]
    assert [(m["id"], m["status"]) for m in active] == [(MAINTENANCE, "in_progress")]
    assert api(during, "scheduled-maintenances/upcoming.json")["scheduled_maintenances"] == []
    summary = api(during, "summary.json")
    assert summary["status"] == {"indicator": "maintenance",
                                 "description": "Service Under Maintenance"}
    db = next(c for c in summary["components"] if c["id"] == "db")
    assert db["status"] == "under_maintenance"
    assert db["updated_at"] == "2026-11-28T02:00:00Z"  # the window's start changed it
    assert summary["page"]["updated_at"] == "2026-11-28T02:00:00Z"


def test_incident_lists_are_capped_at_fifty_most_recent(project):
    files = {}
    for n in range(LIST_LIMIT + 5):
        at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n)
        folder = f"incidents/i{n:02d}"
        files[f"{folder}/incident.md"] = "---\ntitle: Slow API\nimpact: minor\n" \
                                         "components: [api]\n---\n"
        files[f"{folder}/a.md"] = f"---\nat: {at:%Y-%m-%dT%H:%M:%SZ}\nstatus: resolved\n" \
                                  "---\nFixed.\n"
    root = project(files)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    out = generated_files(snapshot_at(now, root))
    ids = [i["id"] for i in api(out, "incidents.json")["incidents"]]
    assert len(ids) == LIST_LIMIT
    assert ids[0] == "i54" and ids[-1] == "i05"


def test_json_is_byte_identical_for_the_same_snapshot_and_sorted(files):
    again = generated_files(snapshot_at(DEMO_NOW))
    for name in ENDPOINTS:
        path = f"api/v2/{name}"
        assert again[path] == files[path], path
        text = files[path].decode()
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True,
                                  ensure_ascii=False) + "\n"


def test_ids_survive_a_new_site_url(tmp_path, files):
    root = copy_demo(tmp_path)
    config = root / "tidings.yml"
    config.write_text(config.read_text().replace("url: http://127.0.0.1:8000/",
                                                 "url: https://status.acme.example/"))
    moved = api(generated_files(snapshot_at(DEMO_NOW, root)), "summary.json")
    before = api(files, "summary.json")
    assert moved["page"]["id"] == before["page"]["id"]
    assert [c["id"] for c in moved["components"]] == [c["id"] for c in before["components"]]
    assert moved["incidents"][0]["shortlink"] == f"https://status.acme.example/incidents/{OPEN}/"


# -- a real consumer -----------------------------------------------------------------------------


def run_exporter(site: Path, work: Path) -> dict[str, list]:
    """statuspage-prometheus-exporter once against the served site; its metrics by name."""
    with serve(site) as url:
        services = work / "services.json"
        services.write_text(json.dumps({"acme": {"name": "Acme Cloud",
                                                 "url": f"{url}api/v2/summary.json"}}))
        metrics = work / "metrics" / "statuspage.prom"
        env = {**os.environ, "RUN_MODE": "once", "SERVICES_JSON_PATH": str(services),
               "METRICS_TEXTFILE_PATH": str(metrics), "NO_PROXY": "127.0.0.1",
               "no_proxy": "127.0.0.1"}
        exporter = Path(sys.executable).parent / "statuspage-prometheus-exporter"
        result = subprocess.run([str(exporter)], cwd=work, env=env, capture_output=True,
                                text=True, timeout=300)
    assert metrics.is_file(), result.stderr[-2000:]
    return {family.name: family.samples
            for family in text_string_to_metric_families(metrics.read_text())}


def write_site(files: dict[str, bytes], folder: Path) -> Path:
    for path, content in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return folder


def test_prometheus_exporter_reads_components_statuses_and_open_incident(demo, demo_site,
                                                                         tmp_path):
    metrics = run_exporter(demo_site, tmp_path)  # the real MkDocs build, served
    components = {s.labels["component_name"]: s.value
                  for s in metrics["statuspage_component_status"]}
    for component in demo.config.components:
        healthy = demo.component_status[component.id] == "operational"
        assert components[component.name] == (1.0 if healthy else 0.0), component.name
    assert components["API"] == 0.0 and components["Dashboard"] == 1.0
    (service,) = metrics["statuspage_service_status"]
    assert service.value == 0.0  # not operational: an incident is open
    (incident,) = [s for s in metrics["statuspage_incident_info"] if s.value == 1.0]
    assert incident.labels["incident_id"] == OPEN
    assert incident.labels["incident_name"] == "Elevated API error rates"
    assert incident.labels["impact"] == "major"
    assert incident.labels["affected_components"] == "API, Managed databases"
    assert incident.labels["started_at"] == "2026-11-23T13:50:00Z"
    (probe,) = metrics["statuspage_probe_check"]
    assert probe.value == 1.0  # every query succeeded: the JSON was understood


def test_prometheus_exporter_sees_maintenance_in_progress(after_resolution, tmp_path):
    site = write_site(generated_files(after_resolution), tmp_path / "site")
    metrics = run_exporter(site, tmp_path)
    (maintenance,) = [s for s in metrics["statuspage_maintenance_info"] if s.value == 1.0]
    assert maintenance.labels["maintenance_id"] == MAINTENANCE
    assert maintenance.labels["scheduled_start"] == "2026-11-28T02:00:00Z"
    assert maintenance.labels["affected_components"] == "Managed databases"
    components = {s.labels["component_name"]: s.value
                  for s in metrics["statuspage_component_status"]}
    assert components["Managed databases"] == 0.0 and components["API"] == 1.0
    assert [s.labels["incident_id"] for s in metrics["statuspage_incident_info"]] == ["none"]
    (service,) = metrics["statuspage_service_status"]
    assert service.value == 0.0  # under maintenance is not "operational" to the exporter


# -- the built site -----------------------------------------------------------------------------


def test_built_site_publishes_the_api_unchanged_and_links_resolve(demo_site, files):
    for name in ENDPOINTS:
        path = f"api/v2/{name}"
        assert (demo_site / path).read_bytes() == files[path], path
    summary = api(files, "incidents.json")["incidents"] + api(
        files, "scheduled-maintenances.json")["scheduled_maintenances"]
    for incident in summary:
        page = incident["shortlink"].removeprefix("http://127.0.0.1:8000/")
        assert (demo_site / page / "index.html").is_file(), incident["shortlink"]


def test_body_carries_no_raw_html_tags(tmp_path):
    root = copy_demo(tmp_path)
    folder = root / "incidents/2026" / OPEN
    write_files(folder, {"2026-11-23T145000Z-identified.md": """\
        ---
        at: 2026-11-23T14:50:00Z
        status: identified
        ---
        <script>alert(1)</script> <b onclick="x()">bold</b> <!-- note --> <img src=x>
        Latency < 100 ms, see <https://docs.acme.example/retries> and **the guide**.
        """})
    write_files(root / "incidents/2026/2026-10-14-login-failures",
                {"postmortem.md": "---\npublished: 2026-10-16T15:00:00Z\n---\n## Sorry\n"
                                  "<iframe src=x></iframe> text\n"})
    files = generated_files(load_valid_project(root, DEMO_NOW).snapshot(DEMO_NOW))
    incidents = {i["id"]: i for i in api(files, "incidents.json")["incidents"]}
    body = incidents[OPEN]["incident_updates"][0]["body"]
    for tag in ("<script", "<b ", "</b>", "<!--", "<img"):
        assert tag not in body, tag
    assert "&lt;script>alert(1)&lt;/script>" in body  # shown as text wherever it is rendered
    assert "Latency < 100 ms" in body and "<https://docs.acme.example/retries>" in body
    assert "**the guide**" in body  # still Markdown, as before
    postmortem = incidents["2026-10-14-login-failures"]["postmortem_body"]
    assert "<iframe" not in postmortem and "&lt;iframe src=x>&lt;/iframe> text" in postmortem
