"""What the letters screen reads besides the queue: queued letters per kind, printed batches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cctui.domain.errors import ValidationError
from cctui.domain.models import Delivery, Letter, LetterBatch, LetterKind, LetterStatus, Staff

EMAILED_KINDS = frozenset({LetterKind.STATEMENT})
"""The kinds ``cctui letters email`` sends to customers who take e-mail. Letters of the other
kinds are printed whatever the customer's delivery, so that none waits for a sender that
does not exist."""


def printed_delivery(kind: LetterKind, delivery: Delivery) -> Delivery:
    """How a queued letter of ``kind`` for a customer with ``delivery`` actually goes out."""
    return delivery if kind in EMAILED_KINDS else Delivery.MAIL


MAX_BATCHES = 500
"""The most batches one call lists."""


@dataclass(frozen=True)
class PrintedBatch:
    """A batch of letters written to one PDF: when, which kind, how many, by whom."""

    id: int
    kind: LetterKind
    created_at: datetime
    created_by: str | None
    """Login of who printed it (None when that staff member is gone)."""
    letter_count: int
    page_count: int
    file_path: str


def queued_letter_counts(session: Session) -> dict[LetterKind, int]:
    """How many letters of each kind wait to be printed; every kind is present (0 if none)."""
    counts = dict.fromkeys(LetterKind, 0)
    rows = session.execute(
        select(Letter.kind, func.count())
        .where(Letter.status == LetterStatus.QUEUED)
        .group_by(Letter.kind)
    )
    for kind, count in rows:
        counts[LetterKind(kind)] = int(count)
    return counts


def printed_batches(
    session: Session, *, kind: LetterKind | None = None, limit: int = 50
) -> list[PrintedBatch]:
    """The latest printed batches (all kinds, or one), newest first."""
    if not 1 <= limit <= MAX_BATCHES:
        raise ValidationError(f"Between 1 and {MAX_BATCHES} batches can be listed at once.")
    query = (
        select(LetterBatch, Staff.login)
        .outerjoin(Staff, Staff.id == LetterBatch.created_by_id)
        .order_by(LetterBatch.created_at.desc(), LetterBatch.id.desc())
        .limit(limit)
    )
    if kind is not None:
        query = query.where(LetterBatch.kind == kind)
    return [
        PrintedBatch(
            id=batch.id,
            kind=batch.kind,
            created_at=batch.created_at,
            created_by=login,
            letter_count=batch.letter_count,
            page_count=batch.page_count,
            file_path=batch.file_path,
        )
        for batch, login in session.execute(query)
    ]
