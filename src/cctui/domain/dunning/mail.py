"""Invoices by mail (seed 000): paper invoices waiting for the next printed batch.

An invoice posted for a customer who takes paper has ``delivery_by_mail``; until a batch
prints it (``printed_at``) it is listed here. The daily step queues one letter of kind
``invoice`` per such invoice that is not already on a letter of that kind (other than a
cancelled one); Step 5 prints the queued letters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger

from cctui.domain.daily_check_steps import StepContext
from cctui.domain.errors import ValidationError
from cctui.domain.models import Customer, Invoice, Letter, LetterInvoice, LetterKind, LetterStatus

MAX_PAGE = 1000
"""The most rows one call lists."""

_WAITING = """
i.delivery_by_mail AND i.printed_at IS NULL
AND NOT EXISTS (
    SELECT 1 FROM letter_invoice AS li JOIN letter AS l ON l.id = li.letter_id
    WHERE li.invoice_id = i.id AND l.kind = 'invoice' AND l.status <> 'cancelled')
"""
"""An invoice to mail that no (live) invoice letter holds yet."""

_LOCK_WAITING = """
SELECT coalesce(array_agg(locked.id), '{{}}') FROM (
    SELECT i.id FROM invoice AS i
    WHERE {waiting}
    ORDER BY i.id
    FOR UPDATE OF i
) AS locked
"""
LOCK_WAITING = text(_LOCK_WAITING.format(waiting=_WAITING))
"""Lock, in id order, the invoices to queue: a second run at the same moment waits, then
finds them queued."""

_QUEUE_MAIL = """
WITH todo AS MATERIALIZED (
    SELECT i.id AS invoice_id, i.customer_id, i.open_amount,
           nextval(pg_get_serial_sequence('letter', 'id')) AS letter_id
    FROM invoice AS i
    WHERE i.id = ANY(:ids) AND {waiting}
), letters AS (
    INSERT INTO letter (id, customer_id, kind, delivery, status, fee, queued_on, queued_by_id)
    SELECT letter_id, customer_id, 'invoice', 'mail', 'queued', 0, :d, :staff_id FROM todo
), lines AS (
    INSERT INTO letter_invoice (letter_id, invoice_id, dunning_step_id, open_amount)
    SELECT letter_id, invoice_id, NULL, open_amount FROM todo
), audit AS (
    INSERT INTO audit_log (actor, staff_id, action, entity, entity_id, after)
    SELECT :actor, :staff_id, 'queue_mail_invoice', 'letter', letter_id::text,
           jsonb_build_object('customer_id', customer_id, 'invoice_id', invoice_id,
                              'kind', 'invoice',
                              'queued_on', to_char(CAST(:d AS date), 'YYYY-MM-DD'))
    FROM todo
)
SELECT count(*) FROM todo
"""
QUEUE_MAIL = text(_QUEUE_MAIL.format(waiting=_WAITING)).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger()))
)
"""One queued letter of kind invoice per invoice to mail, with its line and audit row."""


def queue_mail_invoices(session: Session, context: StepContext) -> Mapping[str, int]:
    """Daily step: queue a letter for every unprinted paper invoice not queued yet.

    One letter per invoice (delivery by mail, no fee). Repeating it changes nothing.
    """
    session.flush()
    ids = session.execute(LOCK_WAITING, context.params).scalar_one()
    if not ids:
        return {"mail_invoices_queued": 0}
    queued = session.execute(QUEUE_MAIL, {**context.params, "ids": list(ids)}).scalar_one()
    return {"mail_invoices_queued": int(queued)}


@dataclass(frozen=True)
class MailInvoice:
    """An invoice waiting to be printed and mailed, as the "Invoices by mail" view lists it."""

    id: int
    number: str
    customer_id: int
    account: str
    name: str
    issued_on: date
    due_on: date
    amount: Decimal
    open_amount: Decimal
    currency: str
    letter_id: int | None
    """The queued letter that will print it, or None until the daily run queues one."""


def invoices_for_mail(
    session: Session, *, limit: int = 100, after_id: int | None = None
) -> list[MailInvoice]:
    """Unprinted invoices to mail, by id; pass the last id seen as ``after_id`` for the next
    page. Every staff member may read them."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"Between 1 and {MAX_PAGE} invoices can be listed at once.")
    live_letter = (
        select(LetterInvoice.letter_id)
        .join(Letter, Letter.id == LetterInvoice.letter_id)
        .where(
            LetterInvoice.invoice_id == Invoice.id,
            Letter.kind == LetterKind.INVOICE,
            Letter.status != LetterStatus.CANCELLED,
        )
        .order_by(LetterInvoice.letter_id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
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
            Invoice.currency,
            live_letter.label("letter_id"),
        )
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(and_(Invoice.delivery_by_mail, Invoice.printed_at.is_(None)))
        .order_by(Invoice.id)
        .limit(limit)
    )
    if after_id is not None:
        query = query.where(Invoice.id > after_id)
    return [
        MailInvoice(
            id=row.id,
            number=row.number,
            customer_id=row.customer_id,
            account=row.account,
            name=row.name,
            issued_on=row.issued_on,
            due_on=row.due_on,
            amount=row.amount,
            open_amount=row.open_amount,
            currency=row.currency,
            letter_id=row.letter_id,
        )
        for row in session.execute(query)
    ]
