"""``cctui report overdue``: every overdue invoice, oldest due first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from cctui.cli.common import CliState, pass_state
from cctui.cli.reports.format import Column
from cctui.cli.reports.running import (
    controller_filter,
    make_output,
    output_options,
    paged,
    print_report,
)
from cctui.domain.models import CollectionState
from cctui.domain.overdue import OverdueCursor, OverdueQuery, OverdueRow, OverdueSort

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cctui.domain.identity import StaffIdentity

COLUMNS = (
    Column("number", "Invoice", lambda r: r.number),
    Column("account", "Account", lambda r: r.account),
    Column("customer_name", "Customer", lambda r: r.customer_name),
    Column("issued_on", "Issued", lambda r: r.issued_on, wide_only=True),
    Column("due_on", "Due", lambda r: r.due_on),
    Column("days_past_due", "Days", lambda r: r.days_past_due, numeric=True),
    Column("amount", "Amount", lambda r: r.amount, numeric=True, wide_only=True),
    Column("open_amount", "Open", lambda r: r.open_amount, numeric=True),
    Column("fee_amount", "Fees", lambda r: r.fee_amount, numeric=True, wide_only=True),
    Column(
        "interest_amount", "Interest", lambda r: r.interest_amount, numeric=True, wide_only=True
    ),
    Column("currency", "Cur", lambda r: r.currency),
    Column("dunning_level", "Level", lambda r: r.dunning_level, numeric=True),
    Column("last_dunned_on", "Last dunned", lambda r: r.last_dunned_on, wide_only=True),
    Column("collection_state", "Agency", lambda r: r.collection_state),
    Column("in_dispute", "Disputed", lambda r: r.in_dispute),
    Column("promised", "Promised", lambda r: r.promised),
)
"""The overdue list's columns; the table shows the narrow set unless --wide."""


@click.command("overdue")
@click.option(
    "--sort",
    type=click.Choice([sort.value for sort in OverdueSort]),
    default=OverdueSort.DUE_ON.value,
    show_default=True,
    help="Order of the list.",
)
@click.option(
    "--asc/--desc",
    "ascending",
    default=None,
    help="Direction (default: due dates oldest first, amounts and days largest first).",
)
@click.option("--search", metavar="TEXT", help="Part of the invoice number, name or account.")
@click.option("--customer", metavar="ACCOUNT", help="Only this customer's invoices.")
@click.option("--mine", is_flag=True, help="Only the invoices of customers you control.")
@click.option("--controller", metavar="LOGIN", help="Only this controller's customers.")
@click.option("--currency", metavar="CODE", help="Only invoices in this currency.")
@click.option(
    "--min-days", type=click.IntRange(min=1), metavar="N", help="At least N days past due."
)
@click.option(
    "--level", type=click.IntRange(min=0), metavar="N", help="Only at this dunning level."
)
@click.option(
    "--agency-state",
    type=click.Choice([state.value for state in CollectionState]),
    help="Only invoices in this collection-agency state.",
)
@click.option(
    "--disputed/--undisputed",
    "in_dispute",
    default=None,
    help="Only invoices in an open dispute, or only those not.",
)
@output_options
@pass_state
def overdue_report(
    state: CliState,
    sort: str,
    ascending: bool | None,
    search: str | None,
    customer: str | None,
    mine: bool,
    controller: str | None,
    currency: str | None,
    min_days: int | None,
    level: int | None,
    agency_state: str | None,
    in_dispute: bool | None,
    fmt: str,
    limit: int,
    every_row: bool,
    as_of: datetime | None,
    wide: bool,
) -> None:
    """Every open invoice past its due date, oldest due first."""
    if mine and controller:
        raise click.UsageError("Give --mine or --controller, not both.")

    def fetch(
        session: Session, actor: StaffIdentity, day: date, limit: int | None
    ) -> Iterator[OverdueRow]:
        from cctui.domain.lookup import customer_id_by_account
        from cctui.domain.overdue import overdue_invoices

        controller_id = controller_filter(session, actor, mine, controller)
        query = OverdueQuery(
            sort=OverdueSort(sort),
            descending=None if ascending is None else not ascending,
            customer_id=customer_id_by_account(session, customer) if customer else None,
            controller_id=controller_id,
            currency=currency.strip().upper() if currency else None,
            min_days_past_due=min_days,
            dunning_level=level,
            collection_state=CollectionState(agency_state) if agency_state else None,
            in_dispute=in_dispute,
            search=search,
        )

        def page(
            after: OverdueCursor | None, size: int
        ) -> tuple[tuple[OverdueRow, ...], OverdueCursor | None]:
            found = overdue_invoices(session, query=query, after=after, limit=size, as_of=day)
            return found.rows, found.next_cursor

        return paged(page, limit)

    print_report(state, COLUMNS, fetch, make_output(fmt, limit, every_row, as_of, wide))
