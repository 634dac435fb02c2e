"""One customer's charts: credit limit against balance over time (seed 002's credit review
chart), and payments with the average days to pay per month.

The limit and balance come from the customer's daily aging snapshots, which record the
limit in force that day (a temporary limit included). Every day the daily check wrote a
snapshot for the book is a point; a day without a row for this customer means nothing was
open (balance zero), its limit then being the one of the nearest snapshot before it, or the
customer's limit today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from cctui.domain.charts.periods import last_months, sql_month
from cctui.domain.editing import today
from cctui.domain.errors import NotFound
from cctui.domain.models import AgingSnapshot, AgingTotal, Customer, Invoice, Payment
from cctui.domain.prepared import ReadStatement, fetch

CREDIT_DAYS = 365
"""How far back the credit chart reaches."""
MONTHS = 12
"""How many months the payments chart shows."""
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class CreditPoint:
    """The customer's limit, balance and overdue balance on one snapshot day."""

    day: date
    credit_limit: Decimal
    balance: Decimal
    overdue: Decimal


@dataclass(frozen=True)
class PaymentMonth:
    """What the customer paid in one month, and how long the invoices paid then took."""

    month: date
    """The first day of the month."""
    paid: Decimal
    """Payments received (bounced ones left out)."""
    payments: int
    avg_days_to_pay: Decimal | None
    """Average days from issue to full payment of the invoices paid that month (None: none)."""


@dataclass(frozen=True)
class CustomerCharts:
    """The customer's two charts, in the customer's currency."""

    customer_id: int
    currency: str
    credit: tuple[CreditPoint, ...]
    """Oldest first; empty when the daily check never ran in the window."""
    months: tuple[PaymentMonth, ...]
    """Every month of the window, oldest first, zeros included."""


@cache
def _credit_statement() -> ReadStatement:
    """Every snapshot day of the book after ``window_start`` up to ``as_of``, with the
    customer's snapshot of that day if it has one."""
    book_days = (
        select(AgingTotal.snapshot_on)
        .where(
            AgingTotal.snapshot_on > bindparam("window_start"),
            AgingTotal.snapshot_on <= bindparam("as_of"),
        )
        .distinct()
        .subquery("book_day")
    )
    return (
        select(
            book_days.c.snapshot_on,
            AgingSnapshot.credit_limit,
            AgingSnapshot.balance,
            AgingSnapshot.overdue,
        )
        .select_from(book_days)
        .outerjoin(
            AgingSnapshot,
            and_(
                AgingSnapshot.snapshot_on == book_days.c.snapshot_on,
                AgingSnapshot.customer_id == bindparam("customer_id"),
            ),
        )
        .order_by(book_days.c.snapshot_on)
    )


def credit_history(
    session: Session, customer_id: int, current_limit: Decimal, as_of: date, days: int
) -> tuple[CreditPoint, ...]:
    """Limit, balance and overdue on every snapshot day of the window (see the module)."""
    rows = fetch(
        session,
        _credit_statement(),
        customer_id=customer_id,
        window_start=as_of - timedelta(days=days),
        as_of=as_of,
    )
    points: list[CreditPoint] = []
    limit: Decimal | None = None
    known = [row[1] for row in rows if row[1] is not None]
    first_known = Decimal(known[0]) if known else current_limit
    for day, day_limit, balance, overdue in rows:
        if day_limit is not None:
            limit = Decimal(day_limit)
        points.append(
            CreditPoint(
                day=day,
                credit_limit=limit if limit is not None else first_known,
                balance=Decimal(balance) if balance is not None else Decimal(0),
                overdue=Decimal(overdue) if overdue is not None else Decimal(0),
            )
        )
    return tuple(points)


@cache
def _months_statement() -> ReadStatement:
    """Per month from ``first`` to ``as_of``: the customer's payments (sum and count) and
    the average days to pay of its invoices paid that month; a month with either is a row."""
    received_month = sql_month(Payment.received_on)
    paid = (
        select(
            received_month.label("month"),
            func.sum(Payment.amount).label("paid"),
            func.count().label("payments"),
        )
        .where(
            Payment.customer_id == bindparam("customer_id"),
            Payment.reversed_at.is_(None),
            Payment.received_on >= bindparam("first"),
            Payment.received_on <= bindparam("as_of"),
        )
        .group_by(received_month)
        .subquery("paid")
    )
    paid_month = sql_month(Invoice.paid_on)
    took = (
        select(
            paid_month.label("month"),
            func.avg(Invoice.paid_on - Invoice.issued_on).label("avg_days"),
        )
        .where(
            Invoice.customer_id == bindparam("customer_id"),
            Invoice.paid_on.is_not(None),
            Invoice.paid_on >= bindparam("first"),
            Invoice.paid_on <= bindparam("as_of"),
        )
        .group_by(paid_month)
        .subquery("took")
    )
    return select(
        func.coalesce(paid.c.month, took.c.month).label("month"),
        paid.c.paid,
        paid.c.payments,
        took.c.avg_days,
    ).select_from(paid.outerjoin(took, took.c.month == paid.c.month, full=True))


def payment_months(
    session: Session, customer_id: int, as_of: date, months: int
) -> tuple[PaymentMonth, ...]:
    """Payments and average days to pay per month over the ``months`` months to ``as_of``."""
    firsts = last_months(as_of, months)
    rows = fetch(
        session, _months_statement(), customer_id=customer_id, first=firsts[0], as_of=as_of
    )
    paid = {
        row.month: (Decimal(row.paid), int(row.payments)) for row in rows if row.paid is not None
    }
    days = {
        row.month: Decimal(row.avg_days).quantize(ONE_DECIMAL)
        for row in rows
        if row.avg_days is not None
    }
    return tuple(
        PaymentMonth(
            month=first,
            paid=paid.get(first, (Decimal(0), 0))[0],
            payments=paid.get(first, (Decimal(0), 0))[1],
            avg_days_to_pay=days.get(first),
        )
        for first in firsts
    )


@cache
def _customer_statement() -> ReadStatement:
    return select(Customer.currency, Customer.credit_limit).where(
        Customer.id == bindparam("customer_id")
    )


def read_customer_charts(
    session: Session,
    customer_id: int,
    *,
    as_of: date | None = None,
    days: int = CREDIT_DAYS,
    months: int = MONTHS,
) -> CustomerCharts:
    """The customer's credit and payment charts on ``as_of`` (default today)."""
    day = today(as_of)
    customer = fetch(session, _customer_statement(), customer_id=customer_id)
    if not customer:
        raise NotFound(f"There is no customer with id {customer_id}.")
    currency, limit = customer[0]
    return CustomerCharts(
        customer_id=customer_id,
        currency=currency,
        credit=credit_history(session, customer_id, Decimal(limit), day, days),
        months=payment_months(session, customer_id, day, months),
    )
