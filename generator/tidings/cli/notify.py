"""``tidings notify``: after a deploy, post the updates it published for the first time."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import click

from .. import notify as core
from ..config import SiteConfig, load_config
from ..problems import ContentError, Problems
from ..project import load_valid_project
from ..timestamps import TimestampError, parse_duration
from .options import in_github_actions, now_option, repository_root, resolve_now, root_option


@click.command()
@click.option("--previous", "previous", multiple=True, required=True, metavar="FILE|URL",
              help="The previously deployed api/v2/incidents.json (and, to announce "
                   "maintenance, scheduled-maintenances.json), saved before deploying or "
                   "fetched by URL; repeat for both.")
@click.option("--current", "current", multiple=True, metavar="FILE|URL",
              help="This deploy's api/v2/incidents.json (and scheduled-maintenances.json) "
                   "as deployed; default: built from the content as of --now.")
@click.option("--dry-run", is_flag=True, help="Print what would be posted; post nothing.")
@click.option("--max-age", default="24h", show_default=True, metavar="DURATION",
              help="Never post updates older than this (stale news, e.g. on a first deploy).")
@click.option("--tries", type=click.IntRange(1, 10), default=3, show_default=True,
              help="Attempts per message before a webhook is reported as failing.")
@click.option("--retry-delay", type=click.FloatRange(0, 60), default=2.0, show_default=True,
              metavar="SECONDS", help="Wait before the second try; doubles after each failure.")
@click.option("--timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True,
              metavar="SECONDS", help="Timeout of each HTTP request.")
@now_option
@root_option
def notify(previous: tuple[str, ...], current: tuple[str, ...], dry_run: bool, max_age: str,
           tries: int, retry_delay: float, timeout: float, now: str | None,
           root: Path | None) -> None:
    """Post updates that this deploy published for the first time to the chat webhooks.

    Compares the site as of now with what the previous deploy published, and posts each new
    update to every webhook in tidings.yml whose URL variable is set. A failing webhook is
    retried, then reported as a warning: the exit status stays 0.
    """
    try:
        age = parse_duration(max_age)
    except TimestampError as exc:
        raise click.BadParameter(str(exc), param_hint="'--max-age'") from None
    moment = resolve_now(now)
    try:
        config, published = _current(repository_root(root), moment, current, timeout)
        seen = core.read_previous(previous, timeout)
    except ContentError as exc:
        raise click.ClickException(f"fix the content first (tidings check):\n{exc}") from None
    except core.NotifyError as exc:
        raise click.ClickException(f"{exc}; nothing was posted") from None
    notices = core.new_notices(config, published, seen, moment, age)
    click.echo(f"{len(notices)} new update(s) since the previous deploy"
               f" (compared: {', '.join(core.LISTS[k] for k in sorted(seen))}).")
    if dry_run:
        show(config, notices)
        return
    retry = core.Retry(tries=tries, delay=retry_delay, timeout=timeout)
    report(core.deliver(config, notices, os.environ, retry))


def _current(root: Path, moment: datetime, sources: tuple[str, ...], timeout: float
             ) -> tuple[SiteConfig, dict[str, list[core.Json]]]:
    """The configuration, and what this deploy published: as given, else built from content."""
    if not sources:
        project = load_valid_project(root, moment)
        return project.config, core.current_lists(project.snapshot(moment))
    problems = Problems(root=root)
    config = load_config(root, problems)
    if problems.errors:
        raise ContentError(problems.errors)
    return config, core.read_lists(sources, timeout)


def show(config: SiteConfig, notices: list[core.Notice]) -> None:
    """The messages and payloads, without URLs (they are secrets)."""
    for notice in notices:
        click.echo(f"\n{core.summary_line(notice)}  {notice.url}  ({notice.update_id})")
        for webhook in config.webhooks:
            if not core.wants(webhook, notice):
                continue
            state = "set" if os.environ.get(webhook.url_env) else "not set"
            click.echo(f"  would post to {webhook.type} ({webhook.url_env}, {state}):")
            payload = core.PAYLOADS[webhook.type](config, notice)
            text = json.dumps(payload, indent=2, ensure_ascii=False)
            click.echo("    " + text.replace("\n", "\n    "))


def report(outcomes: list[core.Outcome]) -> None:
    """One line per webhook; failures and unset URLs are warnings, never a failed deploy."""
    for outcome in outcomes:
        name = f"{outcome.webhook.type} ({outcome.webhook.url_env})"
        if outcome.skipped:
            warn(f"{name}: skipped, {outcome.skipped}")
            continue
        click.echo(f"{name}: posted {outcome.sent} message(s)")
        for failure in outcome.failures:
            warn(f"{name}: failed to post {failure}")


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)
    if in_github_actions():
        click.echo(f"::warning title=tidings notify::{message}")
