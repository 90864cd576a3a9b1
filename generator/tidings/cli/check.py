"""``tidings check``: validate everything and report every problem at once."""

from __future__ import annotations

from pathlib import Path

import click

from ..language import check_language
from ..pipeline import Build
from ..problems import Problem
from .options import (
    in_ci,
    in_github_actions,
    now_option,
    project_argument,
    repository_root,
    resolve_now,
)


@click.command()
@project_argument
@now_option
@click.option("--strict", is_flag=True,
              help="Treat warnings (overdue updates, plain words) as errors.")
@click.option("--cache/--no-cache", default=None,
              help="Keep what reading each incident folder gave, so that the next check reads "
                   "only the folders that changed (in the user's cache folder, or "
                   "$TIDINGS_CACHE_DIR). Default: on, but off in CI ($CI set), where every "
                   "run starts from a fresh checkout.")
def check(path: Path | None, now: str | None, strict: bool, cache: bool | None) -> None:
    """Check the content and configuration of the status page in PATH (default: the status
    repository holding the current folder)."""
    moment = resolve_now(now)
    keep = not in_ci() if cache is None else cache
    project = Build(repository_root(path), moment, cache=keep).checked()
    check_language(project.config, project.incidents, moment, project.problems)
    errors, warnings = project.problems.errors, project.problems.warnings
    if strict:
        errors, warnings = sorted(errors + warnings), []
    report(errors + warnings)
    click.echo(f"{len(errors)} error(s), {len(warnings)} warning(s) in "
               f"{len(project.incidents)} incident folder(s)", err=True)
    if errors:
        raise SystemExit(1)


def report(problems: list[Problem]) -> None:
    """Print ``path:line: message``; in GitHub Actions also as workflow annotations."""
    for problem in problems:
        click.echo(str(problem))
        if in_github_actions():
            click.echo(problem.annotation())
