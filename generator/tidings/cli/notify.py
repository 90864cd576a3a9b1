"""``tidings notify``: after a deploy, post the updates it published for the first time."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import click

from .. import delivery, mail
from ..config import SiteConfig, load_config
from ..notices import (
    LISTS,
    Notice,
    NotifyError,
    current_lists,
    read_lists,
    read_previous,
    recent_notices,
)
from ..payloads import PAYLOADS, summary_line
from ..pipeline import Build
from ..posting import Retry
from ..problems import ContentError, Problems
from ..timestamps import TimestampError, parse_duration
from .options import in_github_actions, now_option, repository_root, resolve_now, root_option


@click.command()
@click.option("--previous", "previous", multiple=True, metavar="FILE|URL",
              help="The previously deployed api/v2/incidents.json (and, to announce "
                   "maintenance, scheduled-maintenances.json), saved before deploying or "
                   "fetched by URL; repeat for both. With --record, it only decides what a "
                   "webhook the record does not know yet is sent.")
@click.option("--current", "current", multiple=True, metavar="FILE|URL",
              help="This deploy's public api/v2/incidents.json (and "
                   "scheduled-maintenances.json) as deployed; default: built from the "
                   "content as of --now. Internal webhooks always read the content.")
@click.option("--record", "record_path", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="The delivery record: which update each webhook has "
                                   "received, so each gets every update exactly once across "
                                   "runs (kept in a CI cache, see documentation/notify.md).")
@click.option("--budget", type=click.FloatRange(1, 3600), default=120.0, show_default=True,
              metavar="SECONDS", help="Time for the whole run; what is not sent by then "
                                      "is sent by the next run (with --record).")
@click.option("--dry-run", is_flag=True, help="Print what would be posted; post nothing.")
@click.option("--max-age", default="24h", show_default=True, metavar="DURATION",
              help="Never post updates older than this (stale news, e.g. on a first deploy).")
@click.option("--tries", type=click.IntRange(1, 10), default=3, show_default=True,
              help="Attempts per message before a webhook is reported as failing.")
@click.option("--retry-delay", type=click.FloatRange(0, 60), default=2.0, show_default=True,
              metavar="SECONDS", help="Wait before the second try; doubles after each failure.")
@click.option("--timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True,
              metavar="SECONDS", help="Total time one request may take, answer included.")
@now_option
@root_option
def notify(previous: tuple[str, ...], current: tuple[str, ...], record_path: Path | None,
           budget: float, dry_run: bool, max_age: str, tries: int, retry_delay: float,
           timeout: float, now: str | None, root: Path | None) -> None:
    """Post updates that this deploy published for the first time to the webhooks.

    Posts each update not yet delivered to every webhook in tidings.yml whose URL variable is
    set: chat, JSON and email, public or internal, filtered by components and impact. A
    failing webhook is retried, then reported as a warning (the exit status stays 0) and
    gets the update on a later run.
    """
    try:
        age = parse_duration(max_age)
    except TimestampError as exc:
        raise click.BadParameter(str(exc), param_hint="'--max-age'") from None
    if not previous and record_path is None:
        raise click.UsageError("pass --record FILE (the delivery record) or --previous "
                               "(what the last deploy published), or both")
    moment = resolve_now(now)
    try:
        config, notices = _current(repository_root(root), moment, current, timeout, age)
        seen = read_previous(previous, timeout) if previous else None
        record = delivery.DeliveryRecord.load(record_path)
    except ContentError as exc:
        raise click.ClickException(f"fix the content first (tidings check):\n{exc}") from None
    except NotifyError as exc:
        raise click.ClickException(f"{exc}; nothing was posted") from None
    if record_path is None:  # stateless: what this deploy published that the last did not
        assert seen is not None
        notices = {"public": [n for n in notices["public"] if n.list_key in seen
                              and n.update_id not in seen[n.list_key]], "internal": []}
        if any(w.audience == "internal" for w in config.webhooks):
            warn("internal webhooks need the delivery record (--record): the previous "
                 "public deploy cannot tell what they have received; nothing sent to them")
        click.echo(f"{len(notices['public'])} new update(s) since the previous deploy"
                   f" (compared: {', '.join(LISTS[k] for k in sorted(seen))}).")
    else:
        click.echo(f"{len(notices['public'])} public and {len(notices['internal'])} internal "
                   f"update(s) from the last {max_age}; the delivery record {record_path} "
                   "tells what each webhook still lacks.")
    baseline = set().union(*seen.values()) if seen and record_path is not None else None
    if dry_run:
        show(config, notices, record, baseline)
        return
    retry = Retry(tries=tries, delay=retry_delay, timeout=timeout)
    record.prune(moment)
    report(delivery.deliver(config, notices, os.environ, retry, record, baseline, budget))
    record.save()


def _current(root: Path, moment: datetime, sources: tuple[str, ...], timeout: float,
             max_age: timedelta) -> tuple[SiteConfig, dict[str, list[Notice]]]:
    """The configuration, and the recent updates each audience's site published: the public
    ones as deployed (``sources``) when given, else built from the content."""
    problems = Problems(root=root)
    config = load_config(root, problems)
    if problems.errors:
        raise ContentError(problems.errors)
    build, project = Build(root, moment), None
    if not sources or any(w.audience == "internal" for w in config.webhooks):
        project = build.valid()  # only then is the content needed
        config = project.config
    found = {}
    for audience in ("public", "internal"):
        if audience == "public" and sources:
            lists = read_lists(sources, timeout)
        elif project is not None:
            lists = current_lists(build.snapshot(project, audience))
        else:
            lists = {}
        found[audience] = recent_notices(config, lists, moment, max_age)
    return config, found


def show(config: SiteConfig, notices: dict[str, list[Notice]],
         record: delivery.DeliveryRecord, baseline: set[str] | None) -> None:
    """The messages and payloads each webhook would get, without URLs (they are secrets)."""
    for webhook in config.webhooks:
        todo = delivery.pending(webhook, notices.get(webhook.audience, []), record, baseline)
        state = "set" if os.environ.get(webhook.url_env) else "not set"
        click.echo(f"\n{webhook.key}: {webhook.type}, {webhook.audience} ({webhook.url_env}, "
                   f"{state}): {len(todo)} message(s)")
        for notice in todo:
            click.echo(f"  {summary_line(notice)}  {notice.url}  ({notice.update_id})")
            if webhook.type == "email":
                plain = mail.email_message(config, notice, "list@example.invalid").get_body(
                    ("plain",))
                text = plain.get_content() if plain is not None else ""
            else:
                payload = PAYLOADS[webhook.type](config, notice)
                text = json.dumps(payload, indent=2, ensure_ascii=False)
            click.echo("    " + text.replace("\n", "\n    "))


def report(outcomes: list[delivery.Outcome]) -> None:
    """One line per webhook; failures and unset URLs are warnings, never a failed deploy."""
    for outcome in outcomes:
        name = f"{outcome.webhook.type} ({outcome.webhook.url_env})"
        if outcome.skipped:
            warn(f"{name}: skipped, {outcome.skipped}")
            continue
        click.echo(f"{name}: posted {outcome.sent} message(s)")
        for failure in outcome.failures:
            later = (f"; {outcome.deferred} later one(s) wait for the next run, to stay in "
                     "order" if outcome.deferred else "")
            warn(f"{name}: failed to post {failure}{later}")


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)
    if in_github_actions():
        click.echo(f"::warning title=tidings notify::{message}")
