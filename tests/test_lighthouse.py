"""Lighthouse's mobile run (real Chromium, real throttling) on the overview and an incident
page, read days after the build so the out-of-date note shows: layout shift stays <= 0.05."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import CHROMIUM, require, serve
from lighthouse import CLS_TARGET, LIGHTHOUSE, PAGES, lighthouse


@pytest.mark.parametrize("name", list(PAGES))
def test_mobile_layout_shift_with_the_out_of_date_note(demo_site: Path, name: str) -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} (Debian package chromium)")
    require(LIGHTHOUSE.exists(), "node_modules/.bin/lighthouse (npm package lighthouse)")
    with serve(demo_site) as base:  # built as of DEMO_NOW, read at the machine's real clock
        report = lighthouse(base + PAGES[name])
    assert report.cls <= CLS_TARGET, report
    assert report.scores["accessibility"] >= 90, report
