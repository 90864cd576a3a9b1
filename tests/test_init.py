"""A company's path: `tidings init` writes a status repository that checks and builds at once,
every command finds it from any subfolder, and the wheel carries everything it needs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_cli, write_files

INIT = ("init", "--name", "Globex Status", "--url", "https://status.globex.example/",
        "--component", 'api="API"', "--component", "web=Dashboard", "--now",
        "2026-12-01T09:00:00Z")
NOW = "2026-12-01T10:00:00Z"
LATER = "2026-12-01T10:20:00Z"


@pytest.fixture
def company(tmp_path: Path) -> Path:
    """A new status repository written by `tidings init` with flags."""
    result = run_cli(*INIT, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    return tmp_path


def build(root: Path, now: str = NOW) -> Path:
    result = run_cli("build", "--now", now, cwd=root)
    assert result.exit_code == 0, result.output
    return root / "site"


class _Text(HTMLParser):
    """The words a reader sees: text outside script and style elements."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.words += data.split()


def page_text(site: Path, path: str = "index.html") -> str:
    parser = _Text()
    parser.feed((site / path).read_text(encoding="utf-8"))
    return " ".join(parser.words)


# -- what init writes ---------------------------------------------------------------------------


def test_init_writes_a_complete_minimal_repository(company: Path):
    files = sorted(p.relative_to(company).as_posix() for p in company.rglob("*") if p.is_file())
    assert files == [
        ".github/actions/check/action.yml", ".github/actions/check/check.sh",
        ".github/actions/setup/action.yml", ".github/dependabot.yml",
        ".github/workflows/build-and-deploy.yml", ".github/workflows/internal-site.yml",
        ".github/workflows/notify.yml", ".github/workflows/publish.yml",
        ".github/workflows/pull-request.yml", ".github/workflows/scheduled.yml",
        ".github/zizmor.yml", ".gitignore", "README.md", "docs/about.md",
        "incidents/_templates/degraded-performance.md", "incidents/_templates/outage.md",
        "incidents/_templates/security.md", "incidents/_templates/third-party-outage.md",
        "mkdocs.yml", "requirements.txt", "site_templates/main.html", "tidings.yml"]
    assert os.access(company / ".github/actions/check/check.sh", os.X_OK)
    config = yaml.safe_load((company / "tidings.yml").read_text())
    assert config["name"] == "Globex Status" and config["url"] == "https://status.globex.example/"
    assert config["feed"] == {"authority": "status.globex.example,2026", "author": "Globex Status",
                              "email": "status@globex.example"}
    assert config["components"] == [{"id": "api", "name": "API"},
                                    {"id": "web", "name": "Dashboard"}]
    assert config["timezone"] == "UTC"
    assert yaml.safe_load((company / "mkdocs.yml").read_text())["site_name"] == "Globex Status"
    assert "tidings==" in (company / "requirements.txt").read_text()


def test_a_new_repository_checks_builds_and_is_all_operational(company: Path):
    result = run_cli("check", "--now", NOW, cwd=company)
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output
    site = build(company)
    assert "All Systems Operational" in page_text(site)
    assert "Dashboard" in page_text(site)


def test_names_that_need_yaml_quoting_stay_one_value(tmp_path: Path):
    result = run_cli("init", "--name", 'Yes: "Globex" # status', "-c", "on=On", "--now", NOW,
                     cwd=tmp_path)
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / "tidings.yml").read_text())
    assert config["name"] == 'Yes: "Globex" # status'
    assert config["components"] == [{"id": "on", "name": "On"}]
    assert run_cli("check", "--now", NOW, cwd=tmp_path).exit_code == 0


def test_init_never_overwrites_and_writes_nothing_then(company: Path):
    (company / "docs" / "about.md").write_text("Our own words.\n")
    before = {p: p.read_bytes() for p in company.rglob("*") if p.is_file()}
    (company / "tidings.yml").unlink()
    result = run_cli(*INIT, cwd=company)
    assert result.exit_code == 1
    assert "already has" in result.output and "docs/about.md" in result.output
    assert "nothing was written" in result.output
    assert not (company / "tidings.yml").exists()
    assert {p: p.read_bytes() for p in company.rglob("*") if p.is_file()} == {
        p: b for p, b in before.items() if p.name != "tidings.yml"}


@pytest.mark.parametrize(("args", "message"), [
    (("--url", "status.globex.example"), "is not the page's address"),
    (("-c", "API=Upper"), "a component is ID=NAME"),
    (("-c", "api", "-c", "api=Again"), "must be unique"),
])
def test_bad_answers_are_one_clear_error(tmp_path: Path, args: tuple[str, ...], message: str):
    result = run_cli("init", *args, cwd=tmp_path)
    assert result.exit_code == 1 and message in result.output, result.output
    assert list(tmp_path.iterdir()) == []


def test_gitlab_ci_instead_of_github(tmp_path: Path):
    result = run_cli("init", "--ci", "gitlab", "--now", NOW, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".gitlab-ci.yml").is_file() and not (tmp_path / ".github").exists()
    assert "GitLab Pages" in (tmp_path / "README.md").read_text()
    assert run_cli("check", "--now", NOW, cwd=tmp_path).exit_code == 0


def test_missing_incidents_and_docs_folders_build_an_operational_page(company: Path):
    """git keeps no empty folder: a clone of a repository without incidents still builds."""
    shutil.rmtree(company / "incidents")
    shutil.rmtree(company / "docs")
    assert "All Systems Operational" in page_text(build(company))


def test_a_module_in_the_repository_never_shadows_the_installed_one(company: Path):
    """Content is data: a stray yaml.py beside mkdocs.yml is never imported by the build."""
    (company / "yaml.py").write_text("raise SystemExit('the repository folder was imported')\n")
    assert "All Systems Operational" in page_text(build(company))


# -- a responder at 3 a.m. ----------------------------------------------------------------------


def test_commands_find_the_repository_from_a_subfolder(company: Path):
    deep = company / "incidents" / "_templates"
    made = run_cli("new", "Login errors", "-c", "api=partial_outage", "-m", "Investigating.",
                   "--now", NOW, cwd=deep)
    assert made.exit_code == 0, made.output
    assert f"using the status repository in {company.resolve()}" in made.stderr
    incident = next((company / "incidents" / "2026").iterdir()).name
    listed = run_cli("list", "--open", "--now", NOW, cwd=deep)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.split() [:4] == [incident, "investigating", "major", "Login"]
    assert "(last update 2026-12-01T10:00:00Z)" in listed.stdout
    updated = run_cli("update", incident, "--status", "identified", "-m", "Found it.",
                      "--now", LATER, cwd=deep)
    assert updated.exit_code == 0, updated.output
    assert run_cli("check", "--now", LATER, cwd=deep).exit_code == 0
    assert "Login errors" in page_text(build(company, LATER))


def test_outside_a_repository_says_where_it_looked(tmp_path: Path):
    result = run_cli("check", cwd=tmp_path)
    assert result.exit_code == 1
    assert f"no tidings.yml in {tmp_path}" in result.output
    assert "tidings init" in result.output


def test_an_unknown_id_suggests_the_open_incidents(company: Path):
    run_cli("new", "Login errors", "-c", "api", "-m", "Investigating.", "--now", NOW,
            cwd=company)
    result = run_cli("update", "2026-12-01-login", "-m", "x", "--now", LATER, cwd=company)
    assert result.exit_code == 0, result.output  # a unique start of an id is enough
    result = run_cli("resolve", "login-errors", "-m", "Fixed.", "--now", NOW, cwd=company)
    assert result.exit_code == 1
    assert "open now: 2026-12-01-login-errors-" in result.output
    assert "(Login errors)" in result.output and "e.g." not in result.output


def test_list_shows_closed_ones_unless_open_is_asked(company: Path):
    made = run_cli("new", "Slow dashboard", "-c", "web", "-m", "Looking.", "--now", NOW,
                   cwd=company)
    incident = made.stdout.split("incidents/2026/")[1].split("/")[0]
    resolved = run_cli("resolve", incident, "-m", "Fast again.", "--now", LATER, cwd=company)
    assert resolved.exit_code == 0, resolved.output
    everything = run_cli("list", "--now", LATER, cwd=company)
    assert incident in everything.stdout and "resolved" in everything.stdout
    only_open = run_cli("list", "--open", "--now", LATER, cwd=company)
    assert only_open.stdout == "" and "No open incidents" in only_open.stderr


def test_maintenance_warns_when_its_window_is_over(company: Path):
    past = run_cli("maintenance", "Database upgrade", "--start", "2026-11-30T02:00:00Z",
                   "--end", "2h", "-c", "api", "-m", "Upgrading.", "--now", NOW, cwd=company)
    assert past.exit_code == 0
    assert "warning: this window ended at 2026-11-30T04:00:00Z" in past.stderr
    coming = run_cli("maintenance", "Network work", "--start", "2026-12-05T02:00:00Z",
                     "--end", "2h", "-c", "api", "-m", "Planned.", "--now", NOW, cwd=company)
    assert coming.exit_code == 0 and "warning" not in coming.stderr


# -- the package --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(dest), str(REPO)], check=True, timeout=600)
    (found,) = dest.glob("tidings-*.whl")
    return found


def test_the_wheel_carries_the_theme_and_no_top_level_generator(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"tidings", next(t for t in tops if t.endswith(".dist-info"))}
    for needed in ("tidings/py.typed", "tidings/embed.js", "tidings/theme/main.html",
                   "tidings/theme/tidings/main.html", "tidings/theme/tidings/overview.html",
                   "tidings/theme/partials/tidings/macros.html",
                   "tidings/theme/assets/tidings/tidings.css",
                   "tidings/templates/incidents/outage.md",
                   "tidings/templates/repository/tidings.yml.jinja",
                   "tidings/templates/repository/dot-github/workflows/publish.yml",
                   "tidings/templates/repository/dot-gitlab-ci.yml"):
        assert needed in names, needed


def readme_block(heading: str) -> str:
    """The shell block under ``## heading`` of README.md, as a reader copies it."""
    section = (REPO / "README.md").read_text(encoding="utf-8").split(f"\n## {heading}\n")[1]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


def test_the_readme_path_in_an_empty_folder_with_the_wheel(wheel: Path, tmp_path: Path):
    """A company's first hour as README.md tells it, run as written in an empty folder (only
    `pip install tidings` takes the wheel built from this checkout instead of PyPI): a fresh
    venv, init, check, build, an incident's whole life, an upgrade; nothing from this
    checkout's source tree."""
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(script: str, cwd: Path) -> str:
        script = script.replace("pip install tidings", f"pip install --quiet {wheel}")
        script = script.replace("pip install --upgrade tidings",
                                f"pip install --quiet --upgrade {wheel}")
        result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c",
                                 f". {tmp_path}/.venv/bin/activate 2>/dev/null || true\n{script}"],
                                cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"{script}\n{result.stdout}{result.stderr}"
        return result.stdout + result.stderr

    run(readme_block("Start a status page"), tmp_path)
    company = tmp_path / "status"
    assert "All Systems Operational" in page_text(company / "site")
    post = readme_block("Post an update").splitlines()
    run(post[0], company / "incidents")  # from a subfolder
    incident = run("tidings list --open", company).split()[0]
    for line in post[1:]:
        run(line.replace("<id>", incident), company)
        time.sleep(1.1)  # each update is a new second, as a responder's would be
    run("tidings check && tidings build", company)
    assert "All Systems Operational" in page_text(company / "site")
    assert "Login errors" in page_text(company / "site", "history/index.html")
    assert "Logins work again." in page_text(company / "site", f"incidents/{incident}/index.html")
    run(readme_block("Upgrade"), company)
    assert "tidings==" in (company / "requirements.txt").read_text()
    python = tmp_path / ".venv" / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import generator"], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert probe.returncode == 1 and "No module named 'generator'" in probe.stderr
    print(f"README round trip in an empty folder: {time.monotonic() - started:.1f} s")


def test_written_files_run_as_documented(company: Path):
    """The status repository's README names only commands that exist."""
    readme = (company / "README.md").read_text()
    for command in ("new", "update", "resolve", "list", "maintenance", "postmortem", "serve",
                    "build", "pin", "check"):
        assert f"tidings {command}" in readme
        assert run_cli(command, "--help").exit_code == 0


def test_pin_rewrites_requirements_from_the_environment(company: Path):
    write_files(company, {"requirements.txt": "tidings==0.0.1\n"})
    result = run_cli("pin", "--root", str(company))
    assert result.exit_code == 0, result.output
    pins = dict(line.split("==") for line in (company / "requirements.txt").read_text()
                .splitlines() if line and not line.startswith("#"))
    from importlib.metadata import version
    assert pins["tidings"] == version("tidings")
    assert pins["mkdocs"] == version("mkdocs") and pins["mkdocs-material"] == version(
        "mkdocs-material")
