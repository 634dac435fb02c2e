"""``cctui report agency`` and ``cctui report agencies``: the collection agency's lists."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import click

from cctui.cli.common import CliState, pass_state
from cctui.cli.reports.format import Column
from cctui.cli.reports.running import make_output, output_options, paged, print_report
from cctui.domain.agency.lists import AgencyInvoiceCursor, AgencyInvoiceRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cctui.domain.identity import StaffIdentity

INVOICE_COLUMNS = (
    Column("number", "Invoice", lambda r: r.number),
    Column("account", "Account", lambda r: r.account),
    Column("customer_name", "Customer", lambda r: r.customer_name),
    Column("due_on", "Due", lambda r: r.due_on),
    Column("days_past_due", "Days", lambda r: r.days_past_due, numeric=True),
    Column("amount", "Amount", lambda r: r.amount, numeric=True, wide_only=True),
    Column("open_amount", "Open", lambda r: r.open_amount, numeric=True),
    Column("currency", "Cur", lambda r: r.currency),
    Column("handed_on", "Handed over", lambda r: r.handed_on),
)
"""An agency list's columns."""


@dataclass(frozen=True)
class AgencyTotalRow:
    """One line of ``report agencies``: an agency (or the flagged bucket) in one currency."""

    agency: str
    active: bool
    currency: str | None
    invoice_count: int
    open_total: Decimal | None


TOTAL_COLUMNS = (
    Column("agency", "Agency", lambda r: r.agency),
    Column("active", "Active", lambda r: r.active),
    Column("currency", "Cur", lambda r: r.currency),
    Column("invoice_count", "Invoices", lambda r: r.invoice_count, numeric=True),
    Column("open_total", "Open", lambda r: r.open_total, numeric=True),
)
"""The agency totals' columns."""

FLAGGED = "Flagged, not handed over"
"""How the totals name the invoices waiting to go to an agency."""


@click.command("agency")
@click.option(
    "--agency",
    "agency_name",
    metavar="NAME",
    help="This agency's invoices (default: those flagged and waiting to be handed over).",
)
@output_options
@pass_state
def agency_report(
    state: CliState,
    agency_name: str | None,
    fmt: str,
    limit: int,
    every_row: bool,
    as_of: datetime | None,
    wide: bool,
) -> None:
    """Invoices with a collection agency, or flagged for one, oldest due first."""

    def fetch(
        session: Session, actor: StaffIdentity, day: date, limit: int | None
    ) -> Iterator[AgencyInvoiceRow]:
        from cctui.domain.agency.lists import agency_invoices
        from cctui.domain.lookup import agency_id_by_name

        agency_id = agency_id_by_name(session, agency_name) if agency_name else None

        def page(
            after: AgencyInvoiceCursor | None, size: int
        ) -> tuple[tuple[AgencyInvoiceRow, ...], AgencyInvoiceCursor | None]:
            found = agency_invoices(
                session, agency_id=agency_id, limit=size, after=after, as_of=day
            )
            return found.rows, found.next_cursor

        return paged(page, limit)

    print_report(state, INVOICE_COLUMNS, fetch, make_output(fmt, limit, every_row, as_of, wide))


@click.command("agencies")
@output_options
@pass_state
def agencies_report(
    state: CliState,
    fmt: str,
    limit: int,
    every_row: bool,
    as_of: datetime | None,
    wide: bool,
) -> None:
    """Every collection agency with its invoices counted and totalled per currency."""

    def fetch(
        session: Session, actor: StaffIdentity, day: date, limit: int | None
    ) -> Iterator[AgencyTotalRow]:
        from cctui.domain.agency.lists import agency_totals

        for totals in agency_totals(session):
            name = FLAGGED if totals.agency_id is None else totals.name
            if not totals.by_currency:
                yield AgencyTotalRow(name, totals.active, None, 0, None)
            for per_currency in totals.by_currency:
                yield AgencyTotalRow(
                    name,
                    totals.active,
                    per_currency.currency,
                    per_currency.invoice_count,
                    per_currency.open_total,
                )

    print_report(state, TOTAL_COLUMNS, fetch, make_output(fmt, limit, every_row, as_of, wide))
