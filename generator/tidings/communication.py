"""The internal site's Communication page: the report's figures for the last 90 days, with
charts and the text tables that say the same."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from markupsafe import Markup

from . import urls
from .charts import GapRow, MonthBar, first_update_chart, gap_chart
from .report import Gap, IncidentFigures, Report, Totals, communication_report, median_of
from .status import Snapshot
from .vocabulary import IMPACT_LABELS, lookup
from .wording import format_duration, format_minutes, format_month, format_number, format_share

PERIOD_DAYS = 90


def communication_context(snapshot: Snapshot) -> dict[str, Any]:
    """What communication.html shows; only an internal build has the page."""
    config, now = snapshot.config, snapshot.now
    found = communication_report(config, snapshot.incidents, now,
                                 since=now - timedelta(days=PERIOD_DAYS), audience="internal")
    cadence = config.update_cadence / timedelta(minutes=1)
    gap_rows = [GapRow(f.title or f.id, [(g.minutes, g.over) for g in found.gaps[f.id]])
                for f in found.incidents]
    months = monthly_first_update(snapshot, found)
    return {
        "period_days": PERIOD_DAYS,
        "cadence": format_duration(config.update_cadence),
        "totals": found.totals,
        "totals_words": totals_words(found.totals),
        "incidents": [(f, urls.incident(f.id), figures_words(f, found.gaps[f.id]))
                      for f in found.incidents],
        "gap_chart": Markup(gap_chart(gap_rows, cadence)),
        "months": [(label, count, known, format_minutes(median))
                   for label, count, known, median in months],
        "first_update_chart": Markup(first_update_chart(
            [MonthBar(label, median) for label, _count, _known, median in months])),
    }


def totals_words(totals: Totals) -> dict[str, str]:
    """The totals as the page words them."""
    return {
        "share_within_cadence": format_share(totals.share_within_cadence),
        "median_minutes_to_first_update": format_minutes(totals.median_minutes_to_first_update),
        "median_longest_gap_minutes": format_minutes(totals.median_longest_gap_minutes),
        "share_major_critical_with_postmortem":
            format_share(totals.share_major_critical_with_postmortem),
    }


def figures_words(figures: IncidentFigures, gaps: list[Gap]) -> dict[str, str]:
    """One incident's row as the page words it; a dash where there is no figure."""
    days = figures.postmortem_days
    return {
        "impact": lookup(IMPACT_LABELS, figures.impact) or figures.impact,
        "gaps": ", ".join(format_number(g.minutes) for g in gaps) or "–",
        "longest_gap_minutes": format_minutes(figures.longest_gap_minutes),
        "minutes_to_first_update": format_minutes(figures.minutes_to_first_update),
        "minutes_to_resolve": format_minutes(figures.minutes_to_resolve),
        "postmortem_days": "–" if days is None else format_number(days),
    }


def monthly_first_update(snapshot: Snapshot, found: Report
                         ) -> list[tuple[str, int, int, float | None]]:
    """(month, incidents, incidents with detected_at, median minutes), oldest month first,
    months in the site's time zone."""
    by_month: dict[tuple[int, int], list[IncidentFigures]] = {}
    for figures in found.incidents:
        local = found.first_update_times[figures.id].astimezone(snapshot.config.timezone)
        by_month.setdefault((local.year, local.month), []).append(figures)
    rows = []
    for (year, month), items in sorted(by_month.items()):
        known = [f.minutes_to_first_update for f in items]
        rows.append((format_month(year, month, short=True), len(items),
                     sum(m is not None for m in known), median_of(known)))
    return rows
