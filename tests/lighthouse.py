"""Lighthouse (npm package lighthouse) on the built site: mobile scores and layout shift.

Debian's Chromium (CHROME_PATH, headless, never a downloaded browser) on a folder served on
127.0.0.1; Lighthouse's default mobile emulation and throttling. ``python tests/lighthouse.py``
builds the demo site twice, once as of its story's moment (read now, the out-of-date note
shows) and once as of now (no note), and prints the figures of the overview and an incident
page; tests/test_lighthouse.py asserts the layout-shift target.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CLS_TARGET = 0.05
PAGES = {"overview": "", "incident": "incidents/2026-11-23-api-errors/"}


@dataclass(frozen=True)
class Report:
    scores: dict[str, int]  # category -> 0..100
    cls: float


def lighthouse(url: str, chromium: str = "/usr/bin/chromium") -> Report:
    """One Lighthouse run of ``url``, mobile (its default form factor)."""
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "report.json"
        subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
             f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES)],
            env={**os.environ, "CHROME_PATH": chromium}, check=True, timeout=300,
            capture_output=True)
        report = json.loads(out.read_text())
    scores = {name: round(100 * (report["categories"][name]["score"] or 0))
              for name in CATEGORIES}
    return Report(scores, report["audits"]["cumulative-layout-shift"]["numericValue"])


def main() -> int:
    sys.path.insert(0, str(REPO / "tests"))
    from browser import serve
    from conftest import DEMO_NOW, build_site

    now = datetime.now(UTC).replace(microsecond=0)
    print("| page | built | note shown | " + " | ".join(CATEGORIES) + " | CLS |")
    print("|---|---|---|" + "---:|" * (len(CATEGORIES) + 1))
    for built, label in ((DEMO_NOW, "story moment"), (now, "now")):
        with tempfile.TemporaryDirectory() as work:
            site = Path(work) / "site"
            result = build_site(REPO, site, built)
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                return 1
            with serve(site) as base:
                for name, path in PAGES.items():
                    report = lighthouse(base + path)
                    cells = [str(report.scores[c]) for c in CATEGORIES]
                    note = "yes" if built == DEMO_NOW else "no"
                    print(f"| {name} | {label} | {note} | " + " | ".join(cells)
                          + f" | {report.cls:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
