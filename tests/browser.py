"""Helpers for checking the built site in a real browser and with real checkers.

Debian's Chromium driven by Playwright (never a downloaded browser), a folder served on
127.0.0.1 on a free port, axe-core injected from node_modules, and a rule for missing tools:
skip loudly on a developer's machine, fail in CI where scripts/install-test-tools installs them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL_HINT = "run scripts/install-test-tools (apt chromium/jing/java, npm ci)"
PHONE = {"width": 375, "height": 812}
SEVERE_IMPACTS = frozenset({"serious", "critical"})
ALL_IMPACTS = frozenset({"minor", "moderate", "serious", "critical"})


def in_ci() -> bool:
    """CI providers set CI=true; there every test tool must be installed."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require(present: bool, what: str) -> None:
    """Skip with a loud reason when ``what`` is missing locally; fail in CI, where it must exist."""
    if present:
        return
    message = f"TEST TOOL MISSING: {what}; {INSTALL_HINT}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 on a free port in a thread; yields the base URL."""
    handler = partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def chromium() -> Iterator[Any]:
    """One headless Debian Chromium for a test module (Playwright's sync API)."""
    require(CHROMIUM.exists(), f"{CHROMIUM} (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Any, impacts: frozenset[str] = SEVERE_IMPACTS) -> list[dict]:
    """Run axe-core on the loaded page; the violations whose impact is in ``impacts``."""
    require(AXE.exists(), f"{AXE.relative_to(REPO)} (npm package axe-core)")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    """One line per failing node: rule, impact, help text and the node's selector."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} "
                         f"at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)
