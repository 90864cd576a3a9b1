"""Status badges as SVG, built with ElementTree: the status in words and colour, accessible.

Text widths are estimated from Verdana's advance widths at 11px; ``textLength`` then makes
any fallback font fit the same box, so the words never overflow whatever font renders them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from . import urls
from .config import Component
from .status import Snapshot
from .vocabulary import COMPONENT_STATUS_LABELS, INDICATOR_FILLS, status_fill

HEIGHT = 20
PADDING = 6  # each side of a text
FONT = "Verdana,DejaVu Sans,Geneva,sans-serif"
FONT_SIZE = 11
LABEL_COLOUR = "#555555"

# Verdana 11px advance widths in pixels; other characters count as a full em (generous).
_WIDTHS: dict[str, float] = {
    **dict(zip("abcdefghijklmnopqrstuvwxyz",
               (6.6, 6.8, 5.7, 6.8, 6.6, 3.8, 6.8, 6.9, 3.0, 3.7, 6.4, 3.0, 10.6, 6.9, 6.6,
                6.8, 6.8, 4.7, 5.7, 4.3, 6.9, 6.4, 8.9, 6.4, 6.4, 5.7), strict=True)),
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
               (7.5, 7.6, 7.7, 8.5, 7.0, 6.3, 8.5, 8.3, 4.6, 5.0, 7.6, 6.2, 9.3, 8.2, 8.7,
                6.6, 8.7, 7.7, 7.5, 6.8, 8.0, 7.5, 10.9, 7.5, 6.8, 7.5), strict=True)),
    **dict.fromkeys("0123456789", 7.0),
    " ": 3.9, ".": 3.9, ",": 3.9, ":": 4.6, ";": 4.6, "-": 4.6, "_": 7.0, "'": 3.0,
    "(": 4.5, ")": 4.5, "/": 4.6, "&": 7.8, "!": 4.6, "?": 5.9,
}


def badge_files(snapshot: Snapshot) -> dict[str, bytes]:
    """The overall badge and one per component."""
    config = snapshot.config
    files = {urls.BADGE: badge("status", snapshot.description,
                               INDICATOR_FILLS[snapshot.indicator],
                               f"{config.name}: {snapshot.description}")}
    for component in config.components:
        files[urls.component_file(component.id, urls.BADGE)] = component_badge(snapshot,
                                                                               component)
    return files


def component_badge(snapshot: Snapshot, component: Component) -> bytes:
    status = snapshot.component_status.get(component.id, "operational")
    words = COMPONENT_STATUS_LABELS[status]
    return badge(component.name, words, status_fill(status), f"{component.name}: {words}")


def text_width(text: str) -> float:
    """Estimated rendered width of ``text`` in Verdana 11px."""
    return sum(_WIDTHS.get(ch, float(FONT_SIZE)) for ch in text)


def badge(label: str, value: str, colour: str, title: str) -> bytes:
    """A two-part badge: grey label, coloured value; its title is its accessible name."""
    label_width = round(text_width(label)) + 2 * PADDING
    value_width = round(text_width(value)) + 2 * PADDING
    width = label_width + value_width
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "width": str(width), "height": str(HEIGHT),
        "viewBox": f"0 0 {width} {HEIGHT}", "role": "img", "aria-label": title,
    })
    ET.SubElement(svg, "title").text = title
    shapes = ET.SubElement(svg, "g", {"shape-rendering": "crispEdges"})
    ET.SubElement(shapes, "rect", {"width": str(label_width), "height": str(HEIGHT),
                                   "fill": LABEL_COLOUR})
    ET.SubElement(shapes, "rect", {"x": str(label_width), "width": str(value_width),
                                   "height": str(HEIGHT), "fill": colour})
    texts = ET.SubElement(svg, "g", {"fill": "#ffffff", "text-anchor": "middle",
                                     "font-family": FONT, "font-size": str(FONT_SIZE)})
    for x, box, words in ((0, label_width, label), (label_width, value_width, value)):
        ET.SubElement(texts, "text", {
            "x": _number(x + box / 2), "y": "14", "textLength": str(box - 2 * PADDING),
            "lengthAdjust": "spacingAndGlyphs",
        }).text = words
    svg_bytes: bytes = ET.tostring(svg, encoding="utf-8", xml_declaration=False)
    return svg_bytes + b"\n"


def _number(value: float) -> str:
    return f"{value:g}"
