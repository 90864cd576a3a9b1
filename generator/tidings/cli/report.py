"""``tidings report``: how well each incident of a period was communicated."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, fields
from datetime import date, datetime, time
from pathlib import Path

import click

from ..pipeline import load_valid_project
from ..problems import ContentError
from ..report import IncidentFigures, Report, Totals, communication_report
from ..timestamps import TimestampError, parse_timestamp
from ..vocabulary import AUDIENCES
from ..wording import format_number, format_share
from .check import report as print_problems
from .options import now_option, project_argument, resolve_now

# Table columns: (JSON key, heading).
_COLUMNS = (
    ("id", "incident"), ("impact", "impact"), ("minutes_to_first_update", "to 1st"),
    ("updates", "updates"), ("longest_gap_minutes", "longest gap"),
    ("gaps_over_cadence", "gaps over"), ("promises_kept", "kept"),
    ("promises_missed", "missed"), ("minutes_to_resolve", "to resolve"),
    ("postmortem_days", "pm days"),
)


def _moment(value: str | None, end_of_day: bool, option: str) -> datetime | None:
    """A DATE (a whole day in UTC) or a TIMESTAMP."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        try:
            return parse_timestamp(value)
        except TimestampError as exc:
            raise click.BadParameter(f"{exc}, or a date such as 2026-11-01",
                                     param_hint=option) from None
    moment = datetime.combine(day, time.max if end_of_day else time.min)
    return parse_timestamp(moment.isoformat() + "Z")


@click.command()
@project_argument
@click.option("--since", metavar="DATE", help="First day (or timestamp) of the period, UTC.")
@click.option("--until", metavar="DATE", help="Last day (or timestamp) of the period, UTC.")
@click.option("--format", "output", type=click.Choice(("table", "json", "csv")),
              default="table", show_default=True)
@click.option("--audience", type=click.Choice(AUDIENCES), default="public", show_default=True,
              help="public leaves out incidents with visibility: internal.")
@now_option
def report(path: Path, since: str | None, until: str | None, output: str, audience: str,
           now: str | None) -> None:
    """Report how well each incident in PATH (default: .) was communicated."""
    moment = resolve_now(now)
    start, end = _moment(since, False, "--since"), _moment(until, True, "--until")
    if start and end and end < start:
        raise click.BadParameter("--until is before --since", param_hint="--until")
    try:
        project = load_valid_project(path, moment)
    except ContentError as exc:
        print_problems(exc.problems)
        raise click.ClickException(f"{len(exc.problems)} problem(s) in the content; fix them "
                                   "first (tidings check lists the same)") from None
    found = communication_report(project.config, project.incidents, moment, since=start,
                                 until=end, audience=audience)
    click.echo({"table": as_table, "json": as_json, "csv": as_csv}[output](found), nl=False)


def as_json(found: Report) -> str:
    return json.dumps(found.as_dict(), indent=2, ensure_ascii=False) + "\n"


def as_csv(found: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, [f.name for f in fields(IncidentFigures)], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(asdict(f) for f in found.incidents)
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def as_table(found: Report) -> str:
    rows = [[heading for _key, heading in _COLUMNS]]
    rows += [[_cell(getattr(f, key)) for key, _heading in _COLUMNS] for f in found.incidents]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += ["", "Totals", *_totals_lines(found.totals),
              "", "Minutes: to 1st = detected to first update; gaps over = gaps longer than "
              "the cadence or the promised next update."]
    return "\n".join(lines) + "\n"


def _totals_lines(totals: Totals) -> list[str]:
    def share(value: float | None) -> str:
        return "-" if value is None else format_share(value)

    return [
        f"  incidents:                               {totals.incidents}",
        f"  every gap within the cadence:            {share(totals.share_within_cadence)}",
        f"  median minutes to first update:          "
        f"{_cell(totals.median_minutes_to_first_update)}",
        f"  median longest gap (minutes):            {_cell(totals.median_longest_gap_minutes)}",
        f"  promises kept / made:                    {totals.promises_kept} / "
        f"{totals.promises_made}",
        f"  major and critical with a postmortem:    "
        f"{share(totals.share_major_critical_with_postmortem)}",
    ]
