"""``cctui export``: the book's customers, invoices, debtor queue and agency lists, streamed.

Customers and invoices are read with a server-side cursor (``yield_per``), the queue and the
agency lists page through the same services as their screens, so exporting a million
invoices never holds them all in memory. Customers come out in the layout ``cctui import
customers`` reads, invoices in the invoice layout plus the columns the import ignores, so an
export imported again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cctui.domain.agency.lists import (
    MAX_PAGE_SIZE,
    AgencyInvoiceCursor,
    AgencyInvoiceRow,
    agency_invoices,
    agency_totals,
)
from cctui.domain.authz import require_role
from cctui.domain.book_settings import contacted_within_days
from cctui.domain.editing import today
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    CollectionState,
    CreditPolicy,
    Customer,
    Delivery,
    Invoice,
    InvoiceKind,
    Role,
    Staff,
)
from cctui.domain.queue import MAX_PAGE_SIZE as QUEUE_PAGE_SIZE
from cctui.domain.queue import QueueCursor, QueueQuery, QueueRow, queue_page

STREAM_ROWS = 2000
"""Rows fetched per round trip of the server-side cursor, and per page of a list."""


@dataclass(frozen=True)
class CustomerExport:
    """A customer in the columns of the customers import layout."""

    account: str
    name: str
    name2: str | None
    address_line1: str | None
    address_line2: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    phone: str | None
    email: str | None
    contact_person: str | None
    currency: str
    payment_terms_days: int
    credit_limit: Decimal
    delivery: Delivery
    credit_policy: str | None
    controller: str | None


@dataclass(frozen=True)
class InvoiceExport:
    """An invoice in the columns of the invoices import layout, and where it stands."""

    number: str
    account: str
    issued_on: date
    due_on: date
    amount: Decimal
    currency: str
    description: str | None
    open_amount: Decimal
    paid_on: date | None
    dunning_level: int
    collection_state: CollectionState


@dataclass(frozen=True)
class AgencyExport:
    """An invoice of an agency's list, with the agency's name (or the flagged bucket)."""

    agency: str
    invoice: AgencyInvoiceRow


FLAGGED = "Flagged, not handed over"
"""How the agency export names the invoices waiting to go to an agency."""


def export_customers(session: Session, actor: StaffIdentity) -> Iterator[CustomerExport]:
    """Every customer by account number. Controllers and above."""
    require_role(actor, Role.CONTROLLER, "export the customers")
    return _customers(session)


def _customers(session: Session) -> Iterator[CustomerExport]:
    statement = (
        select(
            Customer.account,
            Customer.name,
            Customer.name2,
            Customer.address_line1,
            Customer.address_line2,
            Customer.postal_code,
            Customer.city,
            Customer.country,
            Customer.phone,
            Customer.email,
            Customer.contact_person,
            Customer.currency,
            Customer.payment_terms_days,
            Customer.credit_limit,
            Customer.delivery,
            CreditPolicy.code.label("credit_policy"),
            Staff.login.label("controller"),
        )
        .outerjoin(CreditPolicy, CreditPolicy.id == Customer.credit_policy_id)
        .outerjoin(Staff, Staff.id == Customer.controller_id)
        .order_by(Customer.account)
        .execution_options(yield_per=STREAM_ROWS)
    )
    for row in session.execute(statement):
        yield CustomerExport(**row._asdict())


def export_invoices(session: Session, actor: StaffIdentity) -> Iterator[InvoiceExport]:
    """Every invoice (not credit notes) by number. Controllers and above."""
    require_role(actor, Role.CONTROLLER, "export the invoices")
    return _invoices(session)


def _invoices(session: Session) -> Iterator[InvoiceExport]:
    statement = (
        select(
            Invoice.number,
            Customer.account,
            Invoice.issued_on,
            Invoice.due_on,
            Invoice.amount,
            Invoice.currency,
            Invoice.description,
            Invoice.open_amount,
            Invoice.paid_on,
            Invoice.dunning_level,
            Invoice.collection_state,
        )
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.kind == InvoiceKind.INVOICE)
        .order_by(Invoice.number)
        .execution_options(yield_per=STREAM_ROWS)
    )
    for row in session.execute(statement):
        yield InvoiceExport(**row._asdict())


def export_queue(
    session: Session, actor: StaffIdentity, *, as_of: date | None = None
) -> Iterator[QueueRow]:
    """The whole debtor queue in its default order (biggest overdue balance first)."""
    day = today(as_of)
    within = contacted_within_days(session)
    query = QueueQuery()
    after: QueueCursor | None = None
    while True:
        page = queue_page(
            session,
            query=query,
            after=after,
            limit=min(STREAM_ROWS, QUEUE_PAGE_SIZE),
            as_of=day,
            within_days=within,
        )
        yield from page.rows
        if page.next_cursor is None or not page.rows:
            return
        after = page.next_cursor


def export_agency(
    session: Session, actor: StaffIdentity, *, as_of: date | None = None
) -> Iterator[AgencyExport]:
    """The invoices flagged for an agency, then each agency's, oldest due first.
    Controllers and above."""
    require_role(actor, Role.CONTROLLER, "export the collection agency lists")
    return _agency(session, today(as_of))


def _agency(session: Session, day: date) -> Iterator[AgencyExport]:
    size = min(STREAM_ROWS, MAX_PAGE_SIZE)
    for totals in agency_totals(session):
        name = FLAGGED if totals.agency_id is None else totals.name
        after: AgencyInvoiceCursor | None = None
        while True:
            page = agency_invoices(
                session, agency_id=totals.agency_id, limit=size, after=after, as_of=day
            )
            yield from (AgencyExport(name, row) for row in page.rows)
            if page.next_cursor is None or not page.rows:
                break
            after = page.next_cursor
