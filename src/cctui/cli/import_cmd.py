"""``cctui import customers|invoices|payments FILE``: bring the accounting system's data in."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from cctui.cli.common import CliState, ProgressBars, pass_state

KINDS = ("customers", "invoices", "payments")


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Say what would change, and change nothing.")
@click.option(
    "--skip-bad",
    is_flag=True,
    help="Import the good rows and write the bad ones to FILE.rejects.csv "
    "(default: a file with any bad value imports nothing).",
)
@click.option(
    "--date",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The business day overdue figures are computed for (default: today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@pass_state
def import_command(
    state: CliState,
    kind: str,
    file: Path,
    dry_run: bool,
    skip_bad: bool,
    as_of: datetime | None,
    as_json: bool,
) -> None:
    """Import KIND (customers, invoices or payments) from the CSV file FILE.

    The layouts are in the README ("Importing and exporting"): UTF-8, comma or semicolon,
    dates YYYY-MM-DD, amounts like 1234.50. Customers are matched by account number and
    invoices by invoice number, so importing the same file again changes nothing; payments
    are known by account and reference and allocated like payments entered by hand.
    Supervisors and admins.
    """
    from cctui.db.migrate import ensure_schema
    from cctui.domain.identity import identify
    from cctui.domain.importing import ImportRefused, run_import

    login = state.settings().user
    db = state.open_database()
    try:
        ensure_schema(db)
        with ProgressBars() as bars, db.session() as session:
            actor = identify(session, login)
            try:
                report = run_import(
                    session,
                    actor,
                    kind,
                    file,
                    dry_run=dry_run,
                    skip_bad=skip_bad,
                    as_of=as_of.date() if as_of is not None else None,
                    progress=bars,
                )
            except ImportRefused as refused:
                bars.close()
                for error in refused.errors:
                    click.echo(str(error), err=True)
                raise
    finally:
        db.dispose()
    for error in report.errors:
        click.echo(f"rejected: {error}", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), separators=(",", ":")))
    else:
        click.echo(report.message)
