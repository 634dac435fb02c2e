"""The letters queue: letters waiting for the batch that prints them (Step 5 prints them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from cctui.domain.errors import ValidationError
from cctui.domain.letter_batches import printed_delivery
from cctui.domain.models import (
    Customer,
    Delivery,
    DunningStep,
    Letter,
    LetterInvoice,
    LetterKind,
    LetterStatus,
    Staff,
)

MAX_PAGE = 1000
"""The most letters one call lists."""


@dataclass(frozen=True)
class QueuedLetter:
    """A queued letter with its customer, dunning step and the invoices it lists."""

    id: int
    kind: LetterKind
    customer_id: int
    account: str
    name: str
    currency: str
    delivery: Delivery
    dunning_step_id: int | None
    step_no: int | None
    """The dunning step that queued it; None for a reminder sent by hand or an invoice."""
    step_name: str | None
    template_id: int | None
    fee: Decimal
    """Fees charged by this letter (the step's fee on each invoice it lists)."""
    queued_on: date
    queued_by: str | None
    invoice_count: int
    total_open: Decimal
    """What was open on its invoices when it was queued (fees included)."""


def queued_letters(
    session: Session,
    *,
    kind: LetterKind | None = None,
    limit: int = 100,
    after_id: int | None = None,
) -> list[QueuedLetter]:
    """Letters waiting to be printed (all kinds, or one), by id; pass the last id seen as
    ``after_id`` for the next page. Every staff member may read them."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"Between 1 and {MAX_PAGE} letters can be listed at once.")
    page = select(Letter).where(Letter.status == LetterStatus.QUEUED)
    if kind is not None:
        page = page.where(Letter.kind == kind)
    if after_id is not None:
        page = page.where(Letter.id > after_id)
    chosen = page.order_by(Letter.id).limit(limit).subquery("chosen")
    lines = (
        select(
            func.count().label("invoice_count"),
            func.coalesce(func.sum(LetterInvoice.open_amount), 0).label("total_open"),
        )
        .where(LetterInvoice.letter_id == chosen.c.id)
        .lateral("lines")
    )
    query = (
        select(
            chosen,
            Customer.account,
            Customer.name,
            Customer.currency,
            DunningStep.step_no,
            DunningStep.name.label("step_name"),
            Staff.login,
            lines.c.invoice_count,
            lines.c.total_open,
        )
        .join(Customer, Customer.id == chosen.c.customer_id)
        .outerjoin(DunningStep, DunningStep.id == chosen.c.dunning_step_id)
        .outerjoin(Staff, Staff.id == chosen.c.queued_by_id)
        .join(lines, true())
        .order_by(chosen.c.id)
    )
    return [
        QueuedLetter(
            id=row.id,
            kind=LetterKind(row.kind),
            customer_id=row.customer_id,
            account=row.account,
            name=row.name,
            currency=row.currency,
            delivery=printed_delivery(LetterKind(row.kind), Delivery(row.delivery)),
            dunning_step_id=row.dunning_step_id,
            step_no=row.step_no,
            step_name=row.step_name,
            template_id=row.template_id,
            fee=row.fee,
            queued_on=row.queued_on,
            queued_by=row.login,
            invoice_count=int(row.invoice_count),
            total_open=Decimal(row.total_open),
        )
        for row in session.execute(query)
    ]
