"""Static SVG charts of the communication figures: no JavaScript, drawn with ElementTree.

Each chart has a <title> and a <desc>; the page puts a text table with the same figures
beside it, so nothing is only in the picture. Over-limit marks differ in shape, not only
in colour.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .vocabulary import INDICATOR_FILLS
from .wording import format_minutes, format_number

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 640
ROW = 28  # height of one incident's row
LABEL = 210  # width of the row labels
MARGIN = 24
LABEL_CHARS = 30
# In the picture itself, so the charts need no change to the site's style sheet; the site's
# palette: within the cadence is "operational" green, over it "critical" red.
GOOD, BAD, NEUTRAL = (INDICATOR_FILLS[level] for level in ("none", "critical", "maintenance"))
STYLE = (".tidings-chart{font:12px sans-serif;fill:currentColor}"
         ".tidings-chart__axis{stroke:currentColor}"
         f".tidings-chart__limit{{stroke:{BAD}}}"
         f".tidings-chart__within{{fill:{GOOD}}}"
         f".tidings-chart__over{{fill:{BAD}}}"
         f".tidings-chart__bar{{fill:{NEUTRAL}}}"
         ".tidings-chart__tick{opacity:.8}")


@dataclass(frozen=True)
class GapRow:
    label: str
    gaps: list[tuple[float, bool]]  # (minutes, over the allowed time)


@dataclass(frozen=True)
class MonthBar:
    label: str  # "Nov 2026"
    minutes: float | None  # median minutes to first update; None without detected_at


def _svg(height: int, title: str, desc: str, chart_id: str) -> ET.Element:
    svg = ET.Element("svg", {"xmlns": SVG_NS, "viewBox": f"0 0 {WIDTH} {height}",
                             "width": str(WIDTH), "height": str(height), "role": "img",
                             "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
                             "class": "tidings-chart"})
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = desc
    ET.SubElement(svg, "style").text = STYLE
    return svg


def _text(parent: ET.Element, x: float, y: float, content: str, **attrs: str) -> None:
    ET.SubElement(parent, "text", {"x": _n(x), "y": _n(y), **attrs}).text = content


def _n(value: float) -> str:
    """A coordinate without float noise, so the same data gives the same bytes."""
    return format_number(value)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1].rstrip() + "…"


def _scale_max(values: list[float]) -> float:
    """A round upper bound for the axis: 60, 120, 180 ... minutes."""
    return max(60.0, math.ceil(max(values, default=0) / 60) * 60)


def gap_chart(rows: list[GapRow], cadence_minutes: float, chart_id: str = "gaps") -> str:
    """Every wait for the next update, per incident, against the cadence."""
    height = MARGIN * 2 + ROW * max(len(rows), 1) + 20
    svg = _svg(height, "Time between updates, per incident",
               "Each mark is the wait from one update to the next while the incident was open; "
               f"the dashed line is the update cadence of {format_number(cadence_minutes)} "
               "minutes. Squares mark waits longer than the cadence or the promised next update.",
               chart_id)
    top = MARGIN
    span = _scale_max([m for r in rows for m, _ in r.gaps] + [cadence_minutes])
    plot = WIDTH - LABEL - MARGIN

    def x(minutes: float) -> float:
        return LABEL + plot * minutes / span

    axis = top + ROW * max(len(rows), 1)
    ET.SubElement(svg, "line", {"x1": _n(LABEL), "y1": _n(axis), "x2": _n(WIDTH - MARGIN),
                                "y2": _n(axis), "class": "tidings-chart__axis"})
    for tick in range(0, int(span) + 1, int(span // 4) or 60):
        _text(svg, x(tick), axis + 16, format_minutes(tick), **{"text-anchor": "middle",
                                                         "class": "tidings-chart__tick"})
    ET.SubElement(svg, "line", {"x1": _n(x(cadence_minutes)), "y1": _n(top - 8),
                                "x2": _n(x(cadence_minutes)), "y2": _n(axis),
                                "class": "tidings-chart__limit", "stroke-dasharray": "4 3"})
    _text(svg, x(cadence_minutes) + 4, top - 10, f"cadence {format_minutes(cadence_minutes)}",
          **{"class": "tidings-chart__tick"})
    if not rows:
        _text(svg, LABEL, top + ROW / 2, "No incidents in this period.")
    for index, row in enumerate(rows):
        middle = top + ROW * index + ROW / 2
        _text(svg, LABEL - 8, middle + 4, _short(row.label), **{"text-anchor": "end"})
        for minutes, over in row.gaps:
            if over:
                ET.SubElement(svg, "rect", {"x": _n(x(minutes) - 5), "y": _n(middle - 5),
                                            "width": "10", "height": "10",
                                            "class": "tidings-chart__over"})
            else:
                ET.SubElement(svg, "circle", {"cx": _n(x(minutes)), "cy": _n(middle), "r": "5",
                                              "class": "tidings-chart__within"})
    return ET.tostring(svg, encoding="unicode")


def first_update_chart(months: list[MonthBar], chart_id: str = "first-update") -> str:
    """The median minutes from detection to the first update, per month."""
    height = 220
    svg = _svg(height, "Minutes from detection to the first update, per month",
               "One bar per month: the median minutes from detected_at to the first update of "
               "that month's incidents. Months whose incidents have no detected_at show no bar.",
               chart_id)
    bottom, top = height - 40, MARGIN
    span = _scale_max([m.minutes for m in months if m.minutes is not None])
    slot = (WIDTH - 2 * MARGIN) / max(len(months), 1)
    ET.SubElement(svg, "line", {"x1": _n(MARGIN), "y1": _n(bottom), "x2": _n(WIDTH - MARGIN),
                                "y2": _n(bottom), "class": "tidings-chart__axis"})
    if not months:
        _text(svg, MARGIN, bottom - 20, "No incidents in this period.")
    for index, month in enumerate(months):
        centre = MARGIN + slot * index + slot / 2
        _text(svg, centre, bottom + 18, month.label, **{"text-anchor": "middle"})
        if month.minutes is None:
            _text(svg, centre, bottom - 8, "no data", **{"text-anchor": "middle",
                                                         "class": "tidings-chart__tick"})
            continue
        bar = (bottom - top) * month.minutes / span
        ET.SubElement(svg, "rect", {"x": _n(centre - min(slot * 0.3, 40)), "y": _n(bottom - bar),
                                    "width": _n(min(slot * 0.6, 80)), "height": _n(bar),
                                    "class": "tidings-chart__bar"})
        _text(svg, centre, bottom - bar - 6, format_minutes(month.minutes),
              **{"text-anchor": "middle"})
    return ET.tostring(svg, encoding="unicode")
