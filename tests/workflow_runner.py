"""Runs jobs of this repository's workflows on this machine, to test their wiring end to end.

`run:` steps run in bash as on a GitHub runner (`bash -e -o pipefail`), local composite actions
are expanded, and the few remote actions the workflows use are played by copying files:
artifacts into a folder per name, caches into a folder per key (restored newest first, as
GitHub's cache does), a Pages deployment into the folder a local server serves.
Each job starts from a fresh copy of the sources, as a fresh checkout would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class Runner:
    """Plays workflow jobs against ``checkout`` (a function filling a fresh folder)."""

    checkout: Callable[[Path], None]
    work: Path
    live: Path
    live_url: str
    secrets: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    runs: int = 0
    workflows: Path = REPO / ".github" / "workflows"

    def workflow_run(self, workflow: str, jobs: list[str]) -> dict[str, JobRun]:
        """Run jobs of one workflow in order, as one workflow run does."""
        return self.run([(workflow, name) for name in jobs])

    def run(self, jobs: list[tuple[str, str]]) -> dict[str, JobRun]:
        """Run (workflow file, job) pairs in order, sharing artifacts among them only, as one
        run of workflows calling reusable workflows does."""
        shutil.rmtree(self.work / "artifacts", ignore_errors=True)
        return {name: self.job(workflow, name) for workflow, name in jobs}

    def job(self, workflow: str, name: str) -> JobRun:
        """Run one job; returns its workspace, summary and printed output."""
        self.runs += 1
        workspace = self.work / f"{self.runs}-{name}"
        workspace.mkdir(parents=True)
        self.checkout(workspace)
        run = JobRun(self, workspace)
        spec = yaml.safe_load((self.workflows / workflow).read_text())
        for step in spec["jobs"][name]["steps"]:
            run.step(step, REPO)
        return run


@dataclass
class JobRun:
    runner: Runner
    workspace: Path
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    log: str = ""

    @property
    def summary(self) -> str:
        path = self.workspace / ".summary.md"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def step(self, step: dict[str, Any], action_dir: Path) -> None:
        assert step.get("if", "always()") == "always()", "conditional steps are not played"
        uses = step.get("uses", "")
        if uses.startswith("./"):
            self.composite(REPO / uses)
        elif uses:
            self.remote(uses.split("@")[0], step)
        elif step["run"].startswith("python -m pip install"):
            pass  # Tidings is installed in the test environment; never change that environment.
        else:
            self.shell(step, action_dir)

    def composite(self, folder: Path) -> None:
        spec = yaml.safe_load((folder / "action.yml").read_text())
        for step in spec["runs"]["steps"]:
            self.step(step, folder)

    def shell(self, step: dict[str, Any], action_dir: Path) -> None:
        output = self.workspace / ".output"
        output.write_text("")
        env = {**os.environ, **self.runner.env,
               **{k: self.expand(str(v)) for k, v in step.get("env", {}).items()},
               "GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": str(self.runner.runs),
               "GITHUB_RUN_ATTEMPT": "1", "GITHUB_OUTPUT": str(output),
               "GITHUB_STEP_SUMMARY": str(self.workspace / ".summary.md"),
               "GITHUB_ACTION_PATH": str(action_dir),
               "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
        result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]],
                                cwd=self.workspace, env=env, capture_output=True, text=True,
                                timeout=300)
        self.log += result.stdout + result.stderr
        assert result.returncode == 0, f"step {step.get('name')} failed:\n{self.log}"
        if "id" in step:
            pairs = (line.split("=", 1) for line in output.read_text().splitlines() if line)
            self.outputs[step["id"]] = dict(pairs)

    def expand(self, text: str) -> str:
        """The expressions these workflows use: step outputs and secrets (unset: empty)."""
        def value(match: re.Match[str]) -> str:
            parts = match[1].split(".")
            if parts[0] == "secrets":
                return self.runner.secrets.get(parts[1], "")
            if match[1] == "github.run_id":
                return str(self.runner.runs)
            if match[1] == "github.run_attempt":
                return "1"
            if parts[0] == "steps" and parts[2] == "outputs":
                return self.outputs[parts[1]][parts[3]]
            raise AssertionError(f"expression not played: {match[0]}")
        return EXPRESSION.sub(value, text)

    def remote(self, action: str, step: dict[str, Any]) -> None:
        """Remote actions, played by copying files."""
        given = step.get("with", {})
        artifacts = self.runner.work / "artifacts"
        if action in ("actions/checkout", "actions/setup-python"):
            return  # the workspace is a checkout; Python is this one
        if action == "actions/upload-artifact":
            copy_paths(self.workspace, given["path"].split(), artifacts / given["name"])
        elif action == "actions/upload-pages-artifact":
            copy_paths(self.workspace, [given["path"]], artifacts / "github-pages")
        elif action == "actions/download-artifact":
            shutil.copytree(artifacts / given["name"], self.workspace / given.get("path", "."),
                            dirs_exist_ok=True)
        elif action == "actions/cache/save":
            key = self.expand(given["key"])
            caches = self.runner.work / "caches"
            if not (caches / key).exists() and (self.workspace / given["path"]).exists():
                # A key is written once; nothing to save is a warning on GitHub, not a failure.
                copy_paths(self.workspace, [given["path"]], caches / key / given["path"])
        elif action == "actions/cache/restore":
            self.restore_cache(given)
        elif action == "actions/deploy-pages":
            shutil.rmtree(self.runner.live)
            shutil.copytree(artifacts / "github-pages", self.runner.live)
        else:
            raise AssertionError(f"{action} is not played")


    def restore_cache(self, given: dict[str, Any]) -> None:
        """The exact key, else the newest cache whose key starts with a restore key."""
        caches = self.runner.work / "caches"
        saved = sorted(caches.iterdir(), key=lambda p: p.stat().st_mtime_ns) \
            if caches.is_dir() else []
        key = self.expand(given["key"])
        prefixes = given.get("restore-keys", "").split()
        found = next((p for p in saved if p.name == key), None) or next(
            (p for prefix in prefixes for p in reversed(saved) if p.name.startswith(prefix)),
            None)
        if found is not None:
            shutil.copytree(found, self.workspace, dirs_exist_ok=True)


def copy_paths(root: Path, paths: list[str], dest: Path) -> None:
    """Copy like upload-artifact: a folder's contents, files relative to their common parent."""
    sources = [root / p for p in paths]
    if len(sources) == 1 and sources[0].is_dir():
        shutil.copytree(sources[0], dest, dirs_exist_ok=True)
        return
    base = Path(os.path.commonpath([s.parent for s in sources]))
    for source in sources:
        target = dest / source.relative_to(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
