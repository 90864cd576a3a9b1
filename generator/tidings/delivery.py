"""Delivery: every new update to every webhook that wants it, exactly once and in order.

A delivery record (a small JSON file; see documentation/notify.md for where CI keeps it)
lists, per webhook name, the updates it has received. What a webhook still lacks is sent on
the next run, so an outage of any length within ``--max-age`` loses nothing, and a re-run
sends nothing twice. Webhooks are served side by side within one time budget: a dead one
never delays the others, and the page's deploy never waits for chat.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from .config import SiteConfig, Webhook
from .mail import email_message, send_email
from .notices import Notice, NotifyError
from .payloads import PAYLOADS, wants
from .posting import PostError, Retry, check_url, post_json, send_with_retries
from .timestamps import TimestampError, iso, parse_timestamp

RECORD_VERSION = 1
# An entry is kept this long past its update: longer than any sensible --max-age, so an
# update is never sent again because its entry was dropped.
KEEP = timedelta(days=30)


@dataclass
class DeliveryRecord:
    """Per webhook name: update id -> when that update was posted (its ``at``)."""

    path: Path | None = None
    webhooks: dict[str, dict[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, path: Path | None) -> DeliveryRecord:
        """The record at ``path``; none yet is an empty record, a damaged one an error."""
        record = cls(path)
        if path is None or not path.exists():
            return record
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise NotifyError(f"{path}: the delivery record cannot be read ({exc}); restore "
                              "it or delete it (then --previous decides what is new)") from None
        hooks = data.get("webhooks") if isinstance(data, dict) else None
        if not isinstance(hooks, dict) or not all(
                isinstance(v, dict) and all(isinstance(t, str) for t in v.values())
                for v in hooks.values()):
            raise NotifyError(f"{path}: not a Tidings delivery record; delete it (then "
                              "--previous decides what is new)")
        record.webhooks = {str(k): dict(v) for k, v in hooks.items()}
        return record

    def knows(self, webhook: Webhook) -> bool:
        return webhook.key in self.webhooks

    def has(self, webhook: Webhook, notice: Notice) -> bool:
        return notice.update_id in self.webhooks.get(webhook.key, {})

    def start(self, webhook: Webhook) -> None:
        """From now on this webhook's deliveries are recorded (an empty entry counts)."""
        with self.lock:
            self.webhooks.setdefault(webhook.key, {})

    def add(self, webhook: Webhook, notice: Notice) -> None:
        """Record one delivery and save at once: a run killed later sends it no second time."""
        with self.lock:
            self.webhooks.setdefault(webhook.key, {})[notice.update_id] = iso(notice.at)
            self.save()

    def prune(self, now: datetime) -> None:
        with self.lock:
            for delivered in self.webhooks.values():
                for update_id, at in list(delivered.items()):
                    try:
                        if parse_timestamp(at) < now - KEEP:
                            del delivered[update_id]
                    except TimestampError:
                        del delivered[update_id]

    def save(self) -> None:
        """Write atomically (a temporary file renamed over the old one)."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {"version": RECORD_VERSION,
                "webhooks": {k: dict(sorted(v.items())) for k, v in sorted(self.webhooks.items())}}
        fd, name = tempfile.mkstemp(prefix=".delivery-", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps(body, indent=1, sort_keys=True) + "\n")
        os.replace(name, self.path)


@dataclass
class Outcome:
    """What happened to one webhook."""

    webhook: Webhook
    sent: int = 0
    skipped: str = ""  # why nothing was tried (no URL in the environment)
    failures: list[str] = field(default_factory=list)
    deferred: int = 0  # updates left for the next run, to keep them in order


def pending(webhook: Webhook, notices: list[Notice], record: DeliveryRecord,
            baseline: set[str] | None) -> list[Notice]:
    """What this webhook still lacks, oldest first.

    A webhook the record knows: everything it has not received. A new one (or no record):
    what the previous deploy had not published (``baseline``), when there is one.
    """
    wanted = [n for n in notices if wants(webhook, n)]
    if record.knows(webhook):
        return [n for n in wanted if not record.has(webhook, n)]
    if baseline is not None:
        return [n for n in wanted if n.update_id not in baseline]
    return wanted


def deliver(config: SiteConfig, notices: Mapping[str, list[Notice]],
            environ: Mapping[str, str], retry: Retry | None = None,
            record: DeliveryRecord | None = None, baseline: set[str] | None = None,
            budget: float = 120.0) -> list[Outcome]:
    """Send each webhook what it lacks (``notices`` by audience), all webhooks side by side,
    the whole run within ``budget`` seconds."""
    retry = retry or Retry()
    record = record if record is not None else DeliveryRecord()
    deadline = time.monotonic() + budget
    outcomes = [Outcome(w) for w in config.webhooks]
    workers = []
    for outcome in outcomes:
        todo = pending(outcome.webhook, notices.get(outcome.webhook.audience, []), record,
                       baseline)
        worker = threading.Thread(target=_serve, daemon=True, name=outcome.webhook.key,
                                  args=(config, outcome, todo, environ, retry, record, deadline))
        worker.start()
        workers.append(worker)
    for worker in workers:
        worker.join(max(deadline - time.monotonic(), 0) + 1)
    return outcomes


def _serve(config: SiteConfig, outcome: Outcome, todo: list[Notice],
           environ: Mapping[str, str], retry: Retry, record: DeliveryRecord,
           deadline: float) -> None:
    """One webhook's updates in order; the first that fails stops it until the next run."""
    webhook = outcome.webhook
    url = environ.get(webhook.url_env, "").strip()
    if todo and not url:
        outcome.skipped = f"{webhook.url_env} is not set; {len(todo)} message(s) not posted"
        return
    record.start(webhook)
    for index, notice in enumerate(todo):
        ok, error, tries = send_with_retries(_sender(config, webhook, notice, url, environ),
                                             retry, deadline)
        if ok:
            record.add(webhook, notice)
            outcome.sent += 1
            continue
        outcome.failures.append(f"{notice.update_id}: {error} after {tries} "
                                f"{'try' if tries == 1 else 'tries'}")
        outcome.deferred = len(todo) - index - 1
        return


def _sender(config: SiteConfig, webhook: Webhook, notice: Notice, url: str,
            environ: Mapping[str, str]) -> Callable[[float], None]:
    """``send(timeout)`` for this webhook's kind; a malformed secret fails without retries."""
    if webhook.type == "email":
        to = environ.get(webhook.to_env, "").strip()

        def send_mail(timeout: float) -> None:
            if "@" not in to:
                raise PostError(f"{webhook.to_env} does not hold an email address", False)
            send_email(url, webhook.url_env, email_message(config, notice, to), timeout)

        return send_mail
    payload = PAYLOADS[webhook.type](config, notice)

    def send_json(timeout: float) -> None:
        check_url(url, webhook.url_env)
        post_json(url, payload, timeout)

    return send_json
