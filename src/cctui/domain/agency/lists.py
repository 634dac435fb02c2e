"""What is with each collection agency, and what waits to go to one (seed 000).

An agency's list holds the invoices handed over to it and not recalled (paid ones too: they
stay with the agency until recalled). The "for collection" list holds the invoices flagged
and not yet handed over. Lists are read in pages ordered by due date, oldest first, with
keyset pagination: the page after a row holds the rows strictly after it, whatever was added
or removed elsewhere meanwhile.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import Session

from cctui.domain.editing import today
from cctui.domain.errors import NotFound, ValidationError
from cctui.domain.models import (
    AgencyHandover,
    CollectionAgency,
    CollectionState,
    Customer,
    Invoice,
)

MAX_PAGE_SIZE = 1000
"""The most rows one page may hold."""

FLAGGED_BUCKET = "Flagged, not handed over"
"""The name the totals give to the invoices waiting for an agency."""


@dataclass(frozen=True)
class AgencyInvoiceCursor:
    """A position in one agency's list (or the flagged list when ``agency_id`` is None)."""

    agency_id: int | None
    due_on: date
    id: int


@dataclass(frozen=True)
class AgencyInvoiceRow:
    """An invoice with an agency, or waiting for one (a read model)."""

    invoice_id: int
    number: str
    customer_id: int
    account: str
    customer_name: str
    due_on: date
    days_past_due: int
    """Days since the due date on the day asked; 0 when not yet due."""
    amount: Decimal
    open_amount: Decimal
    currency: str
    agency_id: int | None
    handed_on: date | None
    """When it went to the agency; None in the flagged list."""
    handover_id: int | None


@dataclass(frozen=True)
class AgencyInvoicePage:
    """A page of an agency's list; ``next_cursor`` is None on the last page."""

    rows: tuple[AgencyInvoiceRow, ...]
    next_cursor: AgencyInvoiceCursor | None
    agency_id: int | None
    as_of: date


@dataclass(frozen=True)
class CurrencyTotal:
    """How many invoices in one currency, and what is open on them."""

    currency: str
    invoice_count: int
    open_total: Decimal


@dataclass(frozen=True)
class AgencyTotals:
    """One agency's invoices (or, with ``agency_id`` None, those flagged and not handed over),
    counted and totalled per currency (currencies A to Z)."""

    agency_id: int | None
    name: str
    active: bool
    invoice_count: int
    by_currency: tuple[CurrencyTotal, ...]


def _rows_query(agency_id: int | None) -> Select[*tuple[Any, ...]]:
    """The list's rows: its invoices with their customer and open hand-over, if any."""
    if agency_id is None:
        bucket = Invoice.collection_state == CollectionState.FLAGGED
    else:
        bucket = (Invoice.collection_state == CollectionState.HANDED_OVER) & (
            Invoice.collection_agency_id == agency_id
        )
    return (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.customer_id,
            Customer.account,
            Customer.name,
            Invoice.due_on,
            Invoice.amount,
            Invoice.open_amount,
            Invoice.currency,
            Invoice.collection_agency_id,
            AgencyHandover.handed_on,
            AgencyHandover.id,
        )
        .join(Customer, Customer.id == Invoice.customer_id)
        .outerjoin(
            AgencyHandover,
            (AgencyHandover.invoice_id == Invoice.id) & AgencyHandover.recalled_on.is_(None),
        )
        .where(bucket)
    )


def agency_invoices(
    session: Session,
    *,
    agency_id: int | None = None,
    limit: int = 100,
    after: AgencyInvoiceCursor | None = None,
    as_of: date | None = None,
) -> AgencyInvoicePage:
    """A page of the invoices with agency ``agency_id`` (None: flagged, not yet handed over),
    oldest due first, after the ``after`` row."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(f"A page holds 1 to {MAX_PAGE_SIZE} rows, not {limit}.")
    if after is not None and after.agency_id != agency_id:
        raise ValidationError("That position belongs to another list; start from the first page.")
    if agency_id is not None and session.get(CollectionAgency, agency_id) is None:
        raise NotFound(f"There is no collection agency with id {agency_id}.")
    day = today(as_of)
    query = _rows_query(agency_id)
    if after is not None:
        query = query.where(tuple_(Invoice.due_on, Invoice.id) > tuple_(after.due_on, after.id))
    found = session.execute(query.order_by(Invoice.due_on, Invoice.id).limit(limit + 1)).all()
    more = len(found) > limit
    rows = tuple(
        AgencyInvoiceRow(
            invoice_id=row[0],
            number=row[1],
            customer_id=row[2],
            account=row[3],
            customer_name=row[4],
            due_on=row[5],
            days_past_due=max(0, (day - row[5]).days),
            amount=row[6],
            open_amount=row[7],
            currency=row[8],
            agency_id=row[9],
            handed_on=row[10],
            handover_id=row[11],
        )
        for row in found[:limit]
    )
    last = rows[-1] if rows else None
    return AgencyInvoicePage(
        rows=rows,
        next_cursor=(
            AgencyInvoiceCursor(agency_id, last.due_on, last.invoice_id)
            if more and last is not None
            else None
        ),
        agency_id=agency_id,
        as_of=day,
    )


def agency_totals(session: Session) -> list[AgencyTotals]:
    """Per agency (every agency, by name) and for the flagged bucket first: how many
    invoices and the open total per currency."""
    counted = session.execute(
        select(
            Invoice.collection_agency_id,
            Invoice.currency,
            func.count(),
            func.coalesce(func.sum(Invoice.open_amount), 0),
        )
        .where(Invoice.collection_state != CollectionState.NONE)
        .group_by(Invoice.collection_agency_id, Invoice.currency)
        .order_by(Invoice.collection_agency_id, Invoice.currency)
    ).all()
    per_agency: dict[int | None, list[CurrencyTotal]] = defaultdict(list)
    for agency_id, currency, count, total in counted:
        per_agency[agency_id].append(CurrencyTotal(currency, int(count), Decimal(total)))
    agencies = session.execute(
        select(CollectionAgency.id, CollectionAgency.name, CollectionAgency.active).order_by(
            func.lower(CollectionAgency.name), CollectionAgency.id
        )
    ).all()
    buckets: list[tuple[int | None, str, bool]] = [(None, FLAGGED_BUCKET, True)]
    buckets.extend((agency_id, name, active) for agency_id, name, active in agencies)
    return [
        AgencyTotals(
            agency_id=agency_id,
            name=name,
            active=active,
            invoice_count=sum(total.invoice_count for total in per_agency[agency_id]),
            by_currency=tuple(per_agency[agency_id]),
        )
        for agency_id, name, active in buckets
    ]
