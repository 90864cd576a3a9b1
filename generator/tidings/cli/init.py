"""``tidings init`` starts a status repository; ``tidings pin`` pins the versions CI installs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import scaffold
from ..scaffold import Answers, ScaffoldError
from .options import resolve_now

DEFAULT_URL = "https://status.example.com/"


def _asking() -> bool:
    """Questions only on a terminal; in CI and scripts the flags and defaults decide."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _value(given: str | None, question: str, default: str) -> str:
    if given is not None:
        return given
    return str(click.prompt(question, default=default)) if _asking() else default


def _components(given: tuple[str, ...]) -> tuple[scaffold.Component, ...]:
    specs = list(given)
    if not specs and _asking():
        answer = click.prompt('Components, as id="Name" separated by commas',
                              default='website="Website"')
        specs = [part for part in (p.strip() for p in answer.split(",")) if part]
    return tuple(scaffold.parse_component(spec) for spec in specs or ['website="Website"'])


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".",
                required=False)
@click.option("--name", help='The page\'s name, e.g. "Globex Status".')
@click.option("--url", help=f"Where the page will be published; default: {DEFAULT_URL}")
@click.option("--timezone", help="The page's time zone (IANA name); default: UTC.")
@click.option("-c", "--component", "components", multiple=True, metavar='ID="NAME"',
              help='A component customers see, e.g. api="API"; repeat for more.')
@click.option("--ci", type=click.Choice(["github", "gitlab"]), default="github",
              show_default=True, help="Which CI publishes the page.")
@click.option("--now", metavar="TIMESTAMP", help="The current time (its year starts the feed "
              "authority); default: SOURCE_DATE_EPOCH, else the clock.")
def init(directory: Path, name: str | None, url: str | None, timezone: str | None,
         components: tuple[str, ...], ci: scaffold.CI, now: str | None) -> None:
    """Start a status repository in DIRECTORY (default: here); never overwrites a file."""
    folder = directory.resolve()
    try:
        answers = Answers(
            name=_value(name, "Name of the status page", f"{folder.name.title()} Status"),
            url=_value(url, "Address it will be published at", DEFAULT_URL),
            timezone=_value(timezone, "Time zone (IANA name)", "UTC"),
            components=_components(components), ci=ci, year=resolve_now(now).year)
        files = scaffold.repository_files(answers, scaffold.pinned_requirements())
        written = scaffold.write_repository(folder, files)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {len(written)} files into {folder}:")
    for path in written:
        click.echo(f"  {path.relative_to(folder).as_posix()}")
    _next_steps(directory, ci)


def _next_steps(directory: Path, ci: str) -> None:
    inside = "" if directory == Path(".") else f"cd {directory}\n  "
    publish = {"github": "In GitHub: Settings > Pages > Source: GitHub Actions, then push.",
               "gitlab": "Push to GitLab; add a pipeline schedule (see .gitlab-ci.yml)."}[ci]
    click.echo(f"\nNext:\n  {inside}tidings check && tidings build   # the page in site/\n"
               f"  git init && git add . && git commit -m 'Status page'\n  {publish}")


@click.command()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Where requirements.txt is written.")
def pin(root: Path) -> None:
    """Rewrite requirements.txt with the Tidings installed here and what it runs on."""
    path = root / scaffold.REQUIREMENTS_FILE
    text = scaffold.pinned_requirements()
    path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {path}: {text.splitlines()[3]} and its dependencies; review the diff, "
               "then `tidings check && tidings build` before the pull request.")
