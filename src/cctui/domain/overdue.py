"""The overdue invoices (seed 000): every open invoice past its due date, filtered and paged.

An invoice is overdue on ``as_of`` when it is open (``open_amount > 0``) and fell due before
that day; its days past due are ``as_of - due_on``. The list reads the open invoices through
``ix_invoice_open_due_on`` and pages with keyset pagination: each order is a key and the
invoice id, both in one direction, and the page after a row holds the rows strictly after
``(key, id)``, so the five-hundredth page costs what the first does and an invoice paid
meanwhile never shifts a row onto the wrong page. Whether an invoice is in dispute or under a
live promise is looked up for the rows of the page only.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from cctui.domain.editing import today
from cctui.domain.errors import ValidationError
from cctui.domain.models import (
    CollectionState,
    Customer,
    Dispute,
    DisputeStatus,
    Invoice,
    Promise,
    PromiseInvoice,
    PromiseStatus,
)

MAX_PAGE_SIZE = 1000
"""The most rows one page may hold."""

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_STATES = {state.value: state for state in CollectionState}


class OverdueSort(enum.StrEnum):
    """The orders of the overdue list; each value is the column's snake_case name."""

    DUE_ON = "due_on"
    """By due date; ascending by default (oldest first)."""
    OPEN_AMOUNT = "open_amount"
    """By what is still open; descending by default (largest first)."""
    DAYS_PAST_DUE = "days_past_due"
    """By days past due; descending by default (most days first, as ``due_on`` ascending)."""

    @property
    def default_descending(self) -> bool:
        """True for the orders that start from the largest value."""
        return self is not OverdueSort.DUE_ON


@dataclass(frozen=True)
class OverdueQuery:
    """Which overdue invoices to list and in which order.

    Filters combine with AND: ``customer_id``; ``controller_id`` (the customer's
    controller; pass the actor's id for "my customers"); ``currency``; ``min_days_past_due``
    (at least that many days past due); ``dunning_level`` (exactly that level);
    ``collection_state``; ``in_dispute`` (True: only invoices in an open dispute, False: only
    those not); ``search`` (part of the invoice number, or of the customer's name or
    account, case ignored). ``descending`` None means the sort's default direction.
    """

    sort: OverdueSort = OverdueSort.DUE_ON
    descending: bool | None = None
    customer_id: int | None = None
    controller_id: int | None = None
    currency: str | None = None
    min_days_past_due: int | None = None
    dunning_level: int | None = None
    collection_state: CollectionState | None = None
    in_dispute: bool | None = None
    search: str | None = None

    @property
    def effective_descending(self) -> bool:
        """The direction applied."""
        return self.sort.default_descending if self.descending is None else self.descending

    @property
    def search_text(self) -> str | None:
        """The search text without surrounding or repeated blanks; None when empty."""
        cleaned = " ".join((self.search or "").split())
        return cleaned or None


@dataclass(frozen=True)
class OverdueCursor:
    """A position in the list: the sort key of a row (its due date or open amount) and its
    invoice id; it only fits the sort and direction it came from."""

    sort: OverdueSort
    descending: bool
    key: date | Decimal
    id: int


@dataclass(frozen=True)
class OverdueRow:
    """One overdue invoice as the list shows it (a read model)."""

    invoice_id: int
    number: str
    customer_id: int
    account: str
    customer_name: str
    issued_on: date
    due_on: date
    days_past_due: int
    amount: Decimal
    open_amount: Decimal
    fee_amount: Decimal
    interest_amount: Decimal
    currency: str
    dunning_level: int
    last_dunned_on: date | None
    collection_state: CollectionState
    collection_agency_id: int | None
    in_dispute: bool
    """True while the invoice has an open dispute."""
    promised: bool
    """True while a live (open) promise covers it: one naming this invoice, or one of the
    customer's naming no invoice at all."""


@dataclass(frozen=True)
class OverduePage:
    """A page of the list; ``next_cursor`` is None on the last page."""

    rows: tuple[OverdueRow, ...]
    next_cursor: OverdueCursor | None
    sort: OverdueSort
    descending: bool
    as_of: date


def _sort_column(sort: OverdueSort) -> Any:
    return Invoice.open_amount if sort is OverdueSort.OPEN_AMOUNT else Invoice.due_on


def _ascending(sort: OverdueSort, descending: bool) -> bool:
    """Whether the key column is read ascending (days past due run against the due date)."""
    return descending if sort is OverdueSort.DAYS_PAST_DUE else not descending


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def in_dispute_clause(invoice_id: Any) -> ColumnElement[bool]:
    """SQL true while the invoice ``invoice_id`` (a column) has an open dispute."""
    return (
        exists()
        .where(Dispute.invoice_id == invoice_id, Dispute.status == DisputeStatus.OPEN)
        .correlate_except(Dispute)
    )


def promised_clause(invoice_id: Any, customer_id: Any) -> ColumnElement[bool]:
    """SQL true while a live promise covers the invoice: an open promise of its customer
    that names it, or that names no invoice (covering all of the customer's invoices)."""
    names_it = (
        exists()
        .where(PromiseInvoice.promise_id == Promise.id, PromiseInvoice.invoice_id == invoice_id)
        .correlate_except(PromiseInvoice)
    )
    names_none = ~exists().where(PromiseInvoice.promise_id == Promise.id).correlate_except(
        PromiseInvoice
    )
    return exists(
        select(Promise.id)
        .where(
            Promise.customer_id == customer_id,
            Promise.status == PromiseStatus.OPEN,
            or_(names_it, names_none),
        )
        .correlate_except(Promise)
    )


def _filters(query: OverdueQuery, day: date) -> list[ColumnElement[bool]]:
    """The query's filters on ``invoice`` joined to ``customer``."""
    where: list[ColumnElement[bool]] = [Invoice.open_amount > 0, Invoice.due_on < day]
    if query.min_days_past_due is not None:
        if query.min_days_past_due < 0:
            raise ValidationError("The minimum days past due cannot be negative.")
        where.append(Invoice.due_on <= day - timedelta(days=query.min_days_past_due))
    if query.customer_id is not None:
        where.append(Invoice.customer_id == query.customer_id)
    if query.controller_id is not None:
        where.append(Customer.controller_id == query.controller_id)
    if query.currency is not None:
        currency = query.currency.strip().upper()
        if not _CURRENCY.match(currency):
            raise ValidationError(f"{query.currency!r} is not a currency code such as EUR.")
        where.append(Invoice.currency == currency)
    if query.dunning_level is not None:
        if query.dunning_level < 0:
            raise ValidationError("A dunning level cannot be negative.")
        where.append(Invoice.dunning_level == query.dunning_level)
    if query.collection_state is not None:
        where.append(Invoice.collection_state == query.collection_state)
    if query.in_dispute is not None:
        disputed = in_dispute_clause(Invoice.id)
        where.append(disputed if query.in_dispute else ~disputed)
    search = query.search_text
    if search is not None:
        pattern = _like_pattern(search)
        where.append(
            or_(
                Invoice.number.ilike(pattern, escape="\\"),
                Customer.name.ilike(pattern, escape="\\"),
                Customer.account.ilike(pattern, escape="\\"),
            )
        )
    return where


def _check_cursor(cursor: OverdueCursor, sort: OverdueSort, descending: bool) -> None:
    if cursor.sort is not sort or cursor.descending != descending:
        raise ValidationError(
            "That position belongs to another order of the list; start from the first page."
        )
    wanted = Decimal if sort is OverdueSort.OPEN_AMOUNT else date
    if not isinstance(cursor.key, wanted):
        raise ValidationError("That list position is malformed; start from the first page.")


def _page_statement(
    query: OverdueQuery, day: date, after: OverdueCursor | None, fetch: int
) -> Select[Any]:
    """The page rows in a materialized CTE, then the flags looked up for those rows only."""
    sort, descending = query.sort, query.effective_descending
    column = _sort_column(sort)
    ascending = _ascending(sort, descending)
    where = _filters(query, day)
    if after is not None:
        position = tuple_(column, Invoice.id)
        where.append(
            position > tuple_(after.key, after.id)
            if ascending
            else position < tuple_(after.key, after.id)
        )
    order = (column.asc(), Invoice.id.asc()) if ascending else (column.desc(), Invoice.id.desc())
    page = (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.customer_id,
            Customer.account,
            Customer.name,
            Invoice.issued_on,
            Invoice.due_on,
            Invoice.amount,
            Invoice.open_amount,
            Invoice.fee_amount,
            Invoice.interest_amount,
            Invoice.currency,
            Invoice.dunning_level,
            Invoice.last_dunned_on,
            Invoice.collection_state,
            Invoice.collection_agency_id,
        )
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(and_(*where))
        .order_by(*order)
        .limit(fetch)
        .cte("overdue_page")
        .prefix_with("MATERIALIZED")
    )
    page_key = page.c.open_amount if sort is OverdueSort.OPEN_AMOUNT else page.c.due_on
    outer_order = (
        (page_key.asc(), page.c.id.asc()) if ascending else (page_key.desc(), page.c.id.desc())
    )
    return select(
        page,
        in_dispute_clause(page.c.id).label("in_dispute"),
        promised_clause(page.c.id, page.c.customer_id).label("promised"),
    ).order_by(*outer_order)


def overdue_invoices(
    session: Session,
    *,
    query: OverdueQuery,
    after: OverdueCursor | None = None,
    limit: int = 100,
    as_of: date | None = None,
) -> OverduePage:
    """One page of the overdue invoices: the first, or the one after ``after``."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(f"A page holds 1 to {MAX_PAGE_SIZE} rows, not {limit}.")
    day = today(as_of)
    sort, descending = query.sort, query.effective_descending
    if after is not None:
        _check_cursor(after, sort, descending)
    found = session.execute(_page_statement(query, day, after, limit + 1)).all()
    more = len(found) > limit
    rows = tuple(_row(item, day) for item in found[:limit])
    next_cursor = None
    if more and rows:
        last = rows[-1]
        key: date | Decimal = last.open_amount if sort is OverdueSort.OPEN_AMOUNT else last.due_on
        next_cursor = OverdueCursor(sort, descending, key, last.invoice_id)
    return OverduePage(
        rows=rows, next_cursor=next_cursor, sort=sort, descending=descending, as_of=day
    )


def overdue_count(session: Session, *, query: OverdueQuery, as_of: date | None = None) -> int:
    """How many invoices ``query`` lists (exact: it counts them, so ask only when shown)."""
    day = today(as_of)
    statement = (
        select(func.count())
        .select_from(Invoice)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(and_(*_filters(query, day)))
    )
    return int(session.execute(statement).scalar_one())


def _row(item: Any, day: date) -> OverdueRow:
    state = item.collection_state
    return OverdueRow(
        invoice_id=item.id,
        number=item.number,
        customer_id=item.customer_id,
        account=item.account,
        customer_name=item.name,
        issued_on=item.issued_on,
        due_on=item.due_on,
        days_past_due=(day - item.due_on).days,
        amount=item.amount,
        open_amount=item.open_amount,
        fee_amount=item.fee_amount,
        interest_amount=item.interest_amount,
        currency=item.currency,
        dunning_level=item.dunning_level,
        last_dunned_on=item.last_dunned_on,
        collection_state=state if isinstance(state, CollectionState) else _STATES[str(state)],
        collection_agency_id=item.collection_agency_id,
        in_dispute=bool(item.in_dispute),
        promised=bool(item.promised),
    )
