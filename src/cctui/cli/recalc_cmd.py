"""``cctui recalc``: check the customers' maintained figures against the truth and fix them."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from cctui.cli.common import CliState, pass_state

if TYPE_CHECKING:
    from cctui.domain.recalc import FigureDifference, RecalcReport


@click.command("recalc")
@click.option(
    "--all",
    "all_customers",
    is_flag=True,
    help="Check every customer (supervisors), not only those with postings since the last run.",
)
@click.option(
    "--date",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The business day overdue figures are computed for (default: today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on one line.")
@pass_state
def recalc_command(
    state: CliState, all_customers: bool, as_of: datetime | None, as_json: bool
) -> None:
    """Recalculate changed customers' figures (or --all) and report any that were wrong."""
    from cctui.db.migrate import ensure_schema
    from cctui.domain.identity import identify
    from cctui.domain.recalc import recalculate_figures

    login = state.settings().user
    db = state.open_database()
    try:
        ensure_schema(db)
        with db.session() as session:
            actor = identify(session, login)
            report = recalculate_figures(
                session,
                actor,
                all_customers=all_customers,
                as_of=as_of.date() if as_of is not None else None,
            )
    finally:
        db.dispose()
    if as_json:
        click.echo(json_report(report))
    else:
        click.echo(text_report(report))


def _plain(value: Any) -> Any:
    """A figure as JSON: amounts as strings (exact), dates in ISO format."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def json_report(report: RecalcReport) -> str:
    """``{"checked": N, "corrected": [...]}`` on one line."""
    corrected = [
        {key: _plain(value) for key, value in item.as_dict().items()} for item in report.corrected
    ]
    return json.dumps({"checked": report.checked, "corrected": corrected}, separators=(",", ":"))


def _shown(value: Any) -> str:
    """A figure for the table: empty values as a dash."""
    if value is None:
        return "-"
    return str(_plain(value))


def text_report(report: RecalcReport) -> str:
    """One sentence when everything was right, else the sentence and a table of differences."""
    noun = "customer" if report.checked == 1 else "customers"
    if not report.corrected:
        return f"Checked {report.checked} {noun}; all maintained figures were right."
    figures = len(report.corrected)
    lines = [
        f"Checked {report.checked} {noun}; corrected {figures} "
        f"figure{'s' if figures != 1 else ''} of {report.corrected_customers} "
        f"customer{'s' if report.corrected_customers != 1 else ''}:"
    ]
    lines.extend(_table(report.corrected))
    return "\n".join(lines)


def _table(differences: tuple[FigureDifference, ...]) -> list[str]:
    """Aligned rows of account, column, maintained and truth, under a header."""
    rows = [("account", "column", "maintained", "truth")]
    rows.extend(
        (item.account, item.column, _shown(item.maintained), _shown(item.truth))
        for item in differences
    )
    widths = [max(len(row[index]) for row in rows) for index in range(4)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
