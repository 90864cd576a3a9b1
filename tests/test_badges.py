"""Badges: the status in words and colour, an accessible name, readable contrast, and text that
fits its box when Chromium renders it with whatever font it has."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from browser import chromium
from conftest import DEMO_NOW, REPO
from tidings.badges import LABEL_COLOUR, badge, text_width
from tidings.outputs import generated_files
from tidings.pipeline import load_valid_project
from tidings.status import Snapshot
from tidings.vocabulary import COMPONENT_STATUS_LABELS, INDICATOR_FILLS, status_fill

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def demo() -> Snapshot:
    return load_valid_project(REPO, DEMO_NOW).snapshot(DEMO_NOW)


@pytest.fixture(scope="module")
def files(demo: Snapshot) -> dict[str, bytes]:
    return generated_files(demo)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def badge_paths(snapshot: Snapshot) -> list[str]:
    return ["badge.svg"] + [f"components/{c.id}/badge.svg" for c in snapshot.config.components]


def texts(svg: ET.Element) -> list[str]:
    return [t.text for t in svg.iter(f"{SVG}text")]


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_overall_badge_says_the_status_in_words_and_colour(demo, files):
    svg = ET.fromstring(files["badge.svg"])
    assert texts(svg) == ["status", demo.description]
    assert demo.description == "Partial System Outage"
    fills = [r.get("fill") for r in svg.iter(f"{SVG}rect")]
    # the site's banner colour for the indicator, as on the overview
    assert demo.indicator == "major"
    assert fills == [LABEL_COLOUR, INDICATOR_FILLS["major"]]


def test_component_badges_follow_component_status(demo, files):
    for component in demo.config.components:
        svg = ET.fromstring(files[f"components/{component.id}/badge.svg"])
        status = demo.component_status[component.id]
        assert texts(svg) == [component.name, COMPONENT_STATUS_LABELS[status]], component.id
        assert [r.get("fill") for r in svg.iter(f"{SVG}rect")][1] == status_fill(status)
    db = ET.fromstring(files["components/db/badge.svg"])
    assert texts(db) == ["Managed databases", "Partial outage"]


def test_badges_have_an_accessible_name(demo, files):
    for path in badge_paths(demo):
        svg = ET.fromstring(files[path])
        assert svg.tag == f"{SVG}svg" and svg.get("role") == "img", path
        title = svg.find(f"{SVG}title")
        assert svg[0] is title, "the title must be the first child to name the image"
        assert svg.get("aria-label") == title.text, path
        assert all(word in title.text for word in texts(svg)[1:]), path


def test_every_colour_keeps_white_text_readable():
    for level, colour in {**INDICATOR_FILLS, "label": LABEL_COLOUR}.items():
        assert contrast("#ffffff", colour) >= 4.5, level


def test_width_grows_with_the_words_and_markup_is_escaped():
    short = ET.fromstring(badge("status", "OK", "#1a7f37", "t"))
    long = ET.fromstring(badge("status", "Major System Outage", "#1a7f37", "t"))
    assert int(long.get("width")) > int(short.get("width"))
    assert text_width("WWW") > text_width("iii")
    tricky = badge("<script>", "a & b", "#1a7f37", "<b>x</b>")
    assert b"<script>" not in tricky and texts(ET.fromstring(tricky)) == ["<script>", "a & b"]


def test_built_site_publishes_every_badge(demo_site, demo, files):
    for path in badge_paths(demo):
        assert (demo_site / path).read_bytes() == files[path], path


def test_text_fits_its_box_in_chromium(demo, files, browser):
    """Rendered with the browser's own fonts, each text stays inside its rectangle, and the
    estimate is close to the natural width (so textLength barely stretches or squeezes)."""
    page = browser.new_page()
    try:
        for path in badge_paths(demo):
            page.set_content(files[path].decode())
            boxes = page.evaluate("""() => {
                const rects = [...document.querySelectorAll('rect')];
                return [...document.querySelectorAll('text')].map((t, i) => {
                    const box = t.getBBox();
                    const wanted = t.textLength.baseVal.value;
                    t.removeAttribute('textLength');
                    const natural = t.getComputedTextLength();
                    const r = rects[i];
                    return {left: box.x, right: box.x + box.width, natural, wanted,
                            x: r.x.baseVal.value, width: r.width.baseVal.value};
                });
            }""")
            for box in boxes:
                assert box["left"] >= box["x"] - 0.5, (path, box)
                assert box["right"] <= box["x"] + box["width"] + 0.5, (path, box)
                assert 0.9 <= box["natural"] / box["wanted"] <= 1.1, (path, box)
    finally:
        page.close()
