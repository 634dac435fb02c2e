"""``cctui daily-check``: the daily aged-balance check, for cron or by hand."""

from __future__ import annotations

import json
from datetime import date, datetime

import click

from cctui.cli.common import CliState, ProgressBars, pass_state


@click.command("daily-check")
@click.option(
    "--date",
    "run_on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The business day to check (default: today).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print one JSON object on one line: {"run_date", "ran", "changed"}.',
)
@pass_state
def daily_check_command(state: CliState, run_on: datetime | None, as_json: bool) -> None:
    """Run the day's aged-balance check unless it already ran.

    Expires temporary limits, moves overdue figures to the day, sets every policy
    customer's credit action, writes the day's aging snapshots, marks promises kept or
    broken, runs dunning (one letter per customer per step) and queues paper invoices to
    mail. It runs at most once per day, however many start it; a second call reports the
    run that did it and changes nothing.
    """
    from cctui.db.migrate import ensure_schema
    from cctui.domain.daily_check import run_daily_check
    from cctui.domain.identity import identify

    settings = state.settings()
    day = run_on.date() if run_on is not None else date.today()
    db = state.open_database()
    try:
        ensure_schema(db)
        with db.session() as session:
            user = identify(session, settings.user)
        with ProgressBars() as bars, db.session() as session:
            result = run_daily_check(session, user, run_on=day, progress=None if as_json else bars)
    finally:
        db.dispose()
    if as_json:
        click.echo(json.dumps(result.as_json(), separators=(",", ":")))
    else:
        click.echo(result.describe())
