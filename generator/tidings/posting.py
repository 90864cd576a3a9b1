"""Posting over HTTP: a JSON payload to a webhook URL with retries, backoff and a total deadline
that a slow or trickling server cannot stretch."""

from __future__ import annotations

import http.client
import json
import math
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import __version__

Json = dict[str, Any]
USER_AGENT = f"tidings/{__version__}"


@dataclass
class Retry:
    tries: int = 3
    delay: float = 2.0  # seconds before the second try; doubles after each failure
    timeout: float = 10.0  # total time one request may take, answer included
    max_wait: float = 30.0  # cap on a Retry-After the service asks for
    sleep: Callable[[float], None] = time.sleep


class PostError(Exception):
    """A post failed; ``retry`` says whether trying again may help."""

    def __init__(self, message: str, retry: bool, wait: float | None = None):
        super().__init__(message)
        self.retry = retry
        self.wait = wait


def within(seconds: float, work: Callable[[], None]) -> None:
    """Run ``work`` with a total deadline, however slowly a server answers.

    A socket timeout bounds each read, not the request: a server sending a byte every few
    seconds would hold it for ever. The work runs in a daemon thread that is abandoned
    (and ends at its own socket timeout) when the deadline passes.
    """
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            failure.append(exc)

    worker = threading.Thread(target=run, daemon=True, name="tidings-post")
    worker.start()
    worker.join(max(seconds, 0.0))
    if worker.is_alive():
        raise PostError(f"no complete answer within {seconds:g} s", True)
    if failure:
        raise failure[0]


def check_url(url: str, env: str) -> None:
    """A webhook URL must be http(s); the message names the variable, never its value."""
    if not re.match(r"https?://[^\s/]+", url):
        raise PostError(f"{env} does not hold an http(s) URL; set the secret to the "
                        "webhook URL the service gave you", False)


def post_json(url: str, payload: Json, timeout: float) -> None:
    """POST ``payload`` within ``timeout`` seconds in all; any answer but 2xx raises PostError
    (never quoting the secret URL)."""
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT})

    def send() -> None:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            wait = _retry_after(exc.headers.get("Retry-After")) if exc.code == 429 else None
            raise PostError(f"HTTP {exc.code} {exc.reason}", exc.code == 429 or exc.code >= 500,
                            wait) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise PostError(f"no answer ({reason})", True) from None

    within(timeout, send)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header; anything else (a date, garbage, NaN) is None."""
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None


def post_with_retries(url: str, payload: Json, retry: Retry,
                      deadline: float = math.inf) -> tuple[bool, str, int]:
    """Try up to ``retry.tries`` times with backoff, never past ``deadline`` (a
    ``time.monotonic()`` value); (ok, last error, tries made)."""
    return send_with_retries(lambda timeout: post_json(url, payload, timeout), retry, deadline)


def send_with_retries(send: Callable[[float], None], retry: Retry,
                      deadline: float = math.inf) -> tuple[bool, str, int]:
    """``send(timeout)`` with retries and backoff, within ``deadline``."""
    delay = retry.delay
    for attempt in range(1, retry.tries + 1):
        left = deadline - time.monotonic()
        if left <= 0:
            return False, "the run's time budget is spent", attempt - 1
        try:
            send(min(retry.timeout, left))
            return True, "", attempt
        except PostError as exc:
            if not exc.retry or attempt == retry.tries:
                return False, str(exc), attempt
            wait = min(exc.wait if exc.wait is not None else delay, retry.max_wait)
            if time.monotonic() + wait >= deadline:
                return False, f"{exc}; no time left in the run's budget to retry", attempt
            retry.sleep(wait)
            delay *= 2
    return False, "no tries", 0
