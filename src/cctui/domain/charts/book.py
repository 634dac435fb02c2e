"""The dashboard's charts: the book's overdue by aging band and over time, money collected
against money newly overdue per week, and held documents by reason.

The aged figures come from ``aging_total`` (the daily aging snapshots added up per day and
currency by the database itself), so ninety days of a 100,000-customer book are ninety rows
per currency. The weekly figures are index-only scans of the weeks shown
(``ix_payment_received_on_amounts``, ``ix_invoice_due_on_amounts``). Amounts are never added
across currencies: every money figure is per currency.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cctui.domain.book_settings import aging_bands
from cctui.domain.charts.periods import last_weeks, sql_week_from
from cctui.domain.editing import today
from cctui.domain.models import (
    AgingTotal,
    HeldDocument,
    HeldStatus,
    Invoice,
    InvoiceKind,
    Payment,
)

TREND_DAYS = 90
"""How many days back the overdue trend reaches."""
WEEKS = 13
"""How many weeks the collected / new overdue chart shows (a quarter)."""
ZERO = Decimal(0)


@dataclass(frozen=True)
class CurrencyBands:
    """One currency's overdue amount in each overdue aging band, in band order."""

    currency: str
    amounts: tuple[Decimal, ...]


@dataclass(frozen=True)
class OverdueByBand:
    """The overdue aging bands of the latest snapshot day, per currency."""

    as_of: date | None
    """The snapshot day read; None when the daily check never wrote one."""
    labels: tuple[str, ...]
    """The overdue bands' labels ("1-30", "31-60", ...): the not-yet-due band is left out."""
    currencies: tuple[CurrencyBands, ...]


@dataclass(frozen=True)
class DayAmount:
    """An amount on one day."""

    day: date
    amount: Decimal


@dataclass(frozen=True)
class CurrencyTrend:
    """One currency's total overdue on each snapshot day, oldest first."""

    currency: str
    points: tuple[DayAmount, ...]


@dataclass(frozen=True)
class WeekFigures:
    """Money received in a week against money that fell overdue in it (invoices due then)."""

    week: date
    """The Monday the week starts on."""
    collected: Decimal
    new_overdue: Decimal


@dataclass(frozen=True)
class CurrencyWeeks:
    """One currency's weekly figures: every week of the window, zeros included."""

    currency: str
    weeks: tuple[WeekFigures, ...]


@dataclass(frozen=True)
class ReasonCount:
    """How many documents are held for one reason (a document may have several)."""

    reason: str
    documents: int


@dataclass(frozen=True)
class BookCharts:
    """Everything the dashboard's charts show, read in one unit of work."""

    as_of: date
    currencies: tuple[str, ...]
    """Every currency with figures, the one with most customers first."""
    bands: OverdueByBand
    trend: tuple[CurrencyTrend, ...]
    weekly: tuple[CurrencyWeeks, ...]
    held: tuple[ReasonCount, ...]
    """Held documents by reason, most frequent first."""


def overdue_by_band(session: Session) -> tuple[OverdueByBand, dict[str, int]]:
    """The latest snapshot day's overdue bands per currency, and each currency's customers."""
    bands = aging_bands(session)
    overdue = [n for n, band in enumerate(bands, start=1) if band.first_day is not None]
    latest = session.scalar(select(func.max(AgingTotal.snapshot_on)))
    labels = tuple(bands[n - 1].label for n in overdue)
    if latest is None:
        return OverdueByBand(None, labels, ()), {}
    rows = session.execute(
        select(AgingTotal.currency, AgingTotal.customers, AgingTotal.bands)
        .where(AgingTotal.snapshot_on == latest)
        .order_by(AgingTotal.currency)
    ).all()
    currencies = tuple(
        CurrencyBands(
            currency,
            tuple(Decimal(amounts[n - 1]) if n <= len(amounts) else ZERO for n in overdue),
        )
        for currency, _, amounts in rows
    )
    return OverdueByBand(latest, labels, currencies), {row[0]: int(row[1]) for row in rows}


def overdue_trend(
    session: Session, as_of: date, days: int = TREND_DAYS
) -> tuple[CurrencyTrend, ...]:
    """Total overdue per currency on every snapshot day of the ``days`` days up to ``as_of``."""
    rows = session.execute(
        select(AgingTotal.currency, AgingTotal.snapshot_on, AgingTotal.overdue)
        .where(
            AgingTotal.snapshot_on > as_of - timedelta(days=days),
            AgingTotal.snapshot_on <= as_of,
        )
        .order_by(AgingTotal.currency, AgingTotal.snapshot_on)
    ).all()
    points: dict[str, list[DayAmount]] = defaultdict(list)
    for currency, day, amount in rows:
        points[currency].append(DayAmount(day, Decimal(amount)))
    return tuple(CurrencyTrend(currency, tuple(days_)) for currency, days_ in points.items())


def weekly_figures(session: Session, as_of: date, weeks: int = WEEKS) -> tuple[CurrencyWeeks, ...]:
    """Per currency and week: payments received (not reversed) and invoices that fell due."""
    mondays = last_weeks(as_of, weeks)
    first = mondays[0]
    received_week = sql_week_from(Payment.received_on, first)
    collected = session.execute(
        select(Payment.currency, received_week, func.sum(Payment.amount))
        .where(
            Payment.reversed_at.is_(None),
            Payment.received_on >= first,
            Payment.received_on <= as_of,
        )
        .group_by(Payment.currency, received_week)
    ).all()
    due_week = sql_week_from(Invoice.due_on, first)
    fell_due = session.execute(
        select(Invoice.currency, due_week, func.sum(Invoice.amount))
        .where(
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.due_on >= first,
            Invoice.due_on < as_of,
        )
        .group_by(Invoice.currency, due_week)
    ).all()
    received: dict[tuple[str, date], Decimal] = {(c, w): Decimal(a) for c, w, a in collected}
    due: dict[tuple[str, date], Decimal] = {(c, w): Decimal(a) for c, w, a in fell_due}
    currencies = sorted({key[0] for key in received} | {key[0] for key in due})
    return tuple(
        CurrencyWeeks(
            currency,
            tuple(
                WeekFigures(
                    monday,
                    received.get((currency, monday), ZERO),
                    due.get((currency, monday), ZERO),
                )
                for monday in mondays
            ),
        )
        for currency in currencies
    )


def held_by_reason(session: Session) -> tuple[ReasonCount, ...]:
    """Documents still held, counted per reason, most frequent first."""
    reason = func.unnest(HeldDocument.reasons).label("reason")
    held = select(reason).where(HeldDocument.status == HeldStatus.HELD).subquery("held_reason")
    rows = session.execute(
        select(held.c.reason, func.count())
        .group_by(held.c.reason)
        .order_by(func.count().desc(), held.c.reason)
    ).all()
    return tuple(ReasonCount(str(text), int(count)) for text, count in rows)


def read_book_charts(session: Session, *, as_of: date | None = None) -> BookCharts:
    """The dashboard's four charts on ``as_of`` (default today); every staff member may."""
    day = today(as_of)
    bands, customers = overdue_by_band(session)
    trend = overdue_trend(session, day)
    weekly = weekly_figures(session, day)
    seen = {band.currency for band in bands.currencies}
    seen |= {series.currency for series in trend} | {series.currency for series in weekly}
    currencies = tuple(sorted(seen, key=lambda code: (-customers.get(code, 0), code)))
    return BookCharts(
        as_of=day,
        currencies=currencies,
        bands=bands,
        trend=trend,
        weekly=weekly,
        held=held_by_reason(session),
    )
