"""The dashboard: the book's totals, its aged balance, and what is waiting for whom today.

Everything comes from a few aggregate queries: open and overdue amounts from the open
invoices (:func:`cctui.domain.overview.book_overview`), the aging bands from the last daily
check's aging snapshot (so a million invoices are not aged again on every look), and counts
of held documents, queued letters, promises due and the user's to-dos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cctui.domain.book_settings import aging_bands
from cctui.domain.editing import today
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    AgingTotal,
    DailyCheckRun,
    HeldDocument,
    HeldStatus,
    Letter,
    LetterStatus,
    OpenDone,
    Promise,
    PromiseStatus,
    RunStatus,
    Todo,
)
from cctui.domain.overview import BookOverview, book_overview


@dataclass(frozen=True)
class AgingTotals:
    """One currency's aged balance: the open amount in each aging band, in band order."""

    currency: str
    bands: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        """The whole open amount of the currency."""
        return sum(self.bands, Decimal(0))


@dataclass(frozen=True)
class LastRun:
    """The latest finished daily check."""

    run_on: date
    started_by: str | None
    changes: dict[str, int]


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows, read in one unit of work."""

    overview: BookOverview
    band_labels: tuple[str, ...]
    """The aging bands' labels ("Current", "1-30", …), in the order of ``aging`` bands."""
    aging: tuple[AgingTotals, ...]
    """Per currency (A to Z), from the snapshot of ``aging_as_of``; empty without one."""
    aging_as_of: date | None
    held_documents: int
    """Documents still held, waiting for a decision."""
    letters_queued: int
    """Letters waiting for the next printed batch."""
    promises_due_today: int
    """Open promises whose date is today."""
    my_open_todos: int
    """Open to-dos assigned to the user."""
    my_overdue_todos: int
    """Of those, the ones due before today."""
    last_run: LastRun | None


def _aging(session: Session, bands: int) -> tuple[date | None, tuple[AgingTotals, ...]]:
    """The latest aging snapshot summed per currency and band (``aging_total``, which the
    database keeps equal to the snapshots' sums)."""
    latest = session.scalar(select(func.max(AgingTotal.snapshot_on)))
    if latest is None:
        return None, ()
    rows = session.execute(
        select(AgingTotal.currency, AgingTotal.bands)
        .where(AgingTotal.snapshot_on == latest)
        .order_by(AgingTotal.currency)
    ).all()
    return latest, tuple(
        AgingTotals(
            currency,
            tuple(Decimal(amounts[n]) if n < len(amounts) else Decimal(0) for n in range(bands)),
        )
        for currency, amounts in rows
    )


def _last_run(session: Session) -> LastRun | None:
    row = session.execute(
        select(DailyCheckRun.run_on, DailyCheckRun.started_by_login, DailyCheckRun.changes)
        .where(DailyCheckRun.status == RunStatus.DONE)
        .order_by(DailyCheckRun.run_on.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    changes = {str(key): int(value) for key, value in (row[2] or {}).items()}
    return LastRun(run_on=row[0], started_by=row[1], changes=changes)


def read_dashboard(
    session: Session, actor: StaffIdentity, *, as_of: date | None = None
) -> Dashboard:
    """The dashboard for ``actor`` on ``as_of`` (default today). Every staff member may read it."""
    day = today(as_of)
    labels = tuple(band.label for band in aging_bands(session))
    aging_as_of, aging = _aging(session, len(labels))
    todo_due = Todo.due_on < day
    counts = session.execute(
        select(
            select(func.count())
            .select_from(HeldDocument)
            .where(HeldDocument.status == HeldStatus.HELD)
            .scalar_subquery(),
            select(func.count())
            .select_from(Letter)
            .where(Letter.status == LetterStatus.QUEUED)
            .scalar_subquery(),
            select(func.count())
            .select_from(Promise)
            .where(Promise.status == PromiseStatus.OPEN, Promise.promised_on == day)
            .scalar_subquery(),
            select(func.count())
            .select_from(Todo)
            .where(Todo.status == OpenDone.OPEN, Todo.assigned_to_id == actor.id)
            .scalar_subquery(),
            select(func.count())
            .select_from(Todo)
            .where(Todo.status == OpenDone.OPEN, Todo.assigned_to_id == actor.id, todo_due)
            .scalar_subquery(),
        )
    ).one()
    return Dashboard(
        overview=book_overview(session, as_of=day),
        band_labels=labels,
        aging=aging,
        aging_as_of=aging_as_of,
        held_documents=int(counts[0]),
        letters_queued=int(counts[1]),
        promises_due_today=int(counts[2]),
        my_open_todos=int(counts[3]),
        my_overdue_todos=int(counts[4]),
        last_run=_last_run(session),
    )
