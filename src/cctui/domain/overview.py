"""The book overview: a handful of figures about the whole book, for the start screen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from sqlalchemy import ColumnElement, Date, and_, func, literal, select
from sqlalchemy.orm import Session

from cctui.domain.models import Customer, DailyCheckRun, Invoice, RunStatus, Staff


@dataclass(frozen=True)
class BookOverview:
    """Figures about the whole book, read in one go.

    Amounts are per currency (ISO code -> amount), sorted by code, and only list
    currencies with something open; an empty mapping means nothing is open.
    """

    customers: int
    """Customer accounts in the book."""
    open_invoices: int
    """Invoices with an open amount."""
    open_amount: Mapping[str, Decimal]
    """What customers owe in total, per currency."""
    overdue_amount: Mapping[str, Decimal]
    """The part of the open amount that is past its due date, per currency."""
    overdue_debtors: int
    """Customers with at least one overdue open invoice."""
    staff: int
    """Active staff members."""
    last_daily_check: date | None
    """Business day of the last completed daily check, or None if it never ran."""
    as_of: date
    """The day the overdue figures were computed for."""


def _frozen(amounts: Mapping[str, Decimal]) -> Mapping[str, Decimal]:
    """A read-only copy of ``amounts`` sorted by currency code."""
    return MappingProxyType(dict(sorted(amounts.items())))


def book_overview(session: Session, *, as_of: date | None = None) -> BookOverview:
    """Read the book overview with two aggregate queries.

    An invoice is open when its open amount is above zero, and overdue when it is open
    and its due date is before ``as_of`` (default: the database's ``CURRENT_DATE``).
    """
    today: ColumnElement[date] = literal(as_of, Date) if as_of is not None else func.current_date()
    is_overdue = and_(Invoice.open_amount > 0, Invoice.due_on < today)

    customers = select(func.count()).select_from(Customer).scalar_subquery()
    staff = select(func.count()).select_from(Staff).where(Staff.active).scalar_subquery()
    open_invoices = (
        select(func.count()).select_from(Invoice).where(Invoice.open_amount > 0).scalar_subquery()
    )
    overdue_debtors = (
        select(func.count(func.distinct(Invoice.customer_id))).where(is_overdue).scalar_subquery()
    )
    last_check = (
        select(func.max(DailyCheckRun.run_on))
        .where(DailyCheckRun.status == RunStatus.DONE)
        .scalar_subquery()
    )
    counts = session.execute(
        select(customers, staff, open_invoices, overdue_debtors, last_check, today)
    ).one()

    per_currency = session.execute(
        select(
            Invoice.currency,
            func.sum(Invoice.open_amount),
            func.coalesce(func.sum(Invoice.open_amount).filter(Invoice.due_on < today), 0),
        )
        .where(Invoice.open_amount > 0)
        .group_by(Invoice.currency)
    ).all()

    open_amount: dict[str, Decimal] = {}
    overdue_amount: dict[str, Decimal] = {}
    for currency, open_total, overdue_total in per_currency:
        open_amount[currency] = Decimal(open_total)
        if overdue_total:
            overdue_amount[currency] = Decimal(overdue_total)

    return BookOverview(
        customers=int(counts[0]),
        open_invoices=int(counts[2]),
        open_amount=_frozen(open_amount),
        overdue_amount=_frozen(overdue_amount),
        overdue_debtors=int(counts[3]),
        staff=int(counts[1]),
        last_daily_check=counts[4],
        as_of=counts[5],
    )
