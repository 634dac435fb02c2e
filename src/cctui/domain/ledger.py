"""Postings that move what customers owe: invoices, credit notes, payments, write-offs.

Each posting locks the customer, changes the invoices and refreshes the customer's
maintained figures in the same transaction, so the queue's balances are always exact. A new
invoice also checks the limit events of the customer's policy (seed 003).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.credit.limit_events import ActionChange, raise_action_for_limit
from cctui.domain.credit.position import credit_position
from cctui.domain.editing import lock_customer, today
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.figures import refresh_balances
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    Customer,
    Delivery,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentAllocation,
    Role,
)
from cctui.domain.money import to_money


@dataclass(frozen=True)
class Posted:
    """What a posting created, and the credit action it raised, if any."""

    id: int
    action_change: ActionChange | None = None


def _clean_number(number: str, what: str) -> str:
    cleaned = number.strip()
    if not cleaned or len(cleaned) > 32:
        raise ValidationError(f"The {what} number must have 1 to 32 characters.")
    return cleaned


def _number_free(session: Session, number: str) -> None:
    if session.scalar(select(Invoice.id).where(Invoice.number == number)) is not None:
        raise ConflictError(f"A document numbered {number!r} already exists.")


def post_invoice(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    number: str,
    amount: Decimal | str,
    issued_on: date,
    due_on: date | None = None,
    description: str | None = None,
    as_of: date | None = None,
) -> Posted:
    """Post an invoice to the customer (due after its payment terms unless ``due_on``).

    The invoice goes by mail when the customer takes paper. Raises the customer's credit
    action when the new balance sets off a limit event of its policy.
    """
    require_role(actor, Role.CONTROLLER, "post invoices")
    day = today(as_of)
    value = to_money(amount)
    number = _clean_number(number, "invoice")
    customer = lock_customer(session, customer_id)
    due = due_on if due_on is not None else issued_on + timedelta(days=customer.payment_terms_days)
    if due < issued_on:
        raise ValidationError("An invoice cannot fall due before it is issued.")
    _number_free(session, number)
    invoice = Invoice(
        customer_id=customer.id,
        number=number,
        kind=InvoiceKind.INVOICE,
        issued_on=issued_on,
        due_on=due,
        currency=customer.currency,
        amount=value,
        open_amount=value,
        description=description,
        delivery_by_mail=customer.delivery == Delivery.MAIL,
    )
    session.add(invoice)
    session.flush()
    refresh_balances(session, [customer.id], day)
    position = credit_position(session, customer, day)
    change = raise_action_for_limit(session, actor, customer, position.exposure, position.limit)
    audit(
        session,
        actor,
        action="post_invoice",
        entity="invoice",
        entity_id=invoice.id,
        after={
            "customer_id": customer.id,
            "number": number,
            "amount": value,
            "issued_on": issued_on,
            "due_on": due,
        },
    )
    return Posted(invoice.id, change)


def _open_invoices(
    session: Session, customer: Customer, invoice_ids: Sequence[int] | None
) -> list[Invoice]:
    """The customer's open invoices, oldest due first, locked; or exactly those chosen."""
    query = (
        select(Invoice)
        .where(Invoice.customer_id == customer.id, Invoice.open_amount > 0)
        .order_by(Invoice.due_on, Invoice.id)
        .with_for_update()
    )
    if invoice_ids is None:
        return list(session.scalars(query))
    wanted = list(dict.fromkeys(invoice_ids))
    found = {
        invoice.id: invoice for invoice in session.scalars(query.where(Invoice.id.in_(wanted)))
    }
    missing = [str(invoice_id) for invoice_id in wanted if invoice_id not in found]
    if missing:
        raise NotFound(
            f"These invoices are not open invoices of {customer.account}: {', '.join(missing)}."
        )
    return [found[invoice_id] for invoice_id in wanted]


def _spread(
    value: Decimal, invoices: list[Invoice], what: str, paid_on: date
) -> list[tuple[Invoice, Decimal]]:
    """Take ``value`` off the invoices in order; refuse more than they hold open."""
    total_open = sum((invoice.open_amount for invoice in invoices), Decimal(0))
    if value > total_open:
        raise ValidationError(
            f"The {what} of {value} is more than the {total_open} open on those invoices."
        )
    parts: list[tuple[Invoice, Decimal]] = []
    rest = value
    for invoice in invoices:
        if rest <= 0:
            break
        part = min(rest, invoice.open_amount)
        invoice.open_amount -= part
        if invoice.open_amount == 0:
            invoice.paid_on = paid_on
        parts.append((invoice, part))
        rest -= part
    return parts


def record_payment(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    amount: Decimal | str,
    received_on: date,
    reference: str | None = None,
    method: str | None = None,
    invoice_ids: Sequence[int] | None = None,
    as_of: date | None = None,
) -> Posted:
    """Record a payment and allocate it: to the oldest open invoices, or to those chosen.

    A payment larger than what is open on the invoices it pays is refused. An invoice paid
    in full gets ``paid_on`` (which feeds the days-to-pay statistics).
    """
    require_role(actor, Role.CONTROLLER, "record payments")
    value = to_money(amount)
    customer = lock_customer(session, customer_id)
    invoices = _open_invoices(session, customer, invoice_ids)
    parts = _spread(value, invoices, "payment", received_on)
    payment = Payment(
        customer_id=customer.id,
        amount=value,
        currency=customer.currency,
        received_on=received_on,
        reference=reference,
        method=method,
        created_by_id=actor.id,
    )
    session.add(payment)
    session.flush()
    for invoice, part in parts:
        session.add(
            PaymentAllocation(
                payment_id=payment.id, invoice_id=invoice.id, amount=part, allocated_on=received_on
            )
        )
    refresh_balances(session, [customer.id], today(as_of))
    audit(
        session,
        actor,
        action="record_payment",
        entity="payment",
        entity_id=payment.id,
        after={
            "customer_id": customer.id,
            "amount": value,
            "received_on": received_on,
            "allocations": {str(invoice.id): part for invoice, part in parts},
        },
    )
    return Posted(payment.id)


def post_credit_note(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    number: str,
    amount: Decimal | str,
    issued_on: date,
    invoice_ids: Sequence[int] | None = None,
    reason: str | None = None,
    as_of: date | None = None,
) -> Posted:
    """Post a credit note and apply it to the oldest open invoices, or to those chosen.

    A credit note is closed the moment it is posted (its whole amount lowers the invoices it
    credits), so it is refused when it is larger than what is open on them.
    """
    require_role(actor, Role.CONTROLLER, "post credit notes")
    value = to_money(amount)
    number = _clean_number(number, "credit note")
    customer = lock_customer(session, customer_id)
    _number_free(session, number)
    invoices = _open_invoices(session, customer, invoice_ids)
    parts = _spread(value, invoices, "credit note", issued_on)
    note = Invoice(
        customer_id=customer.id,
        number=number,
        kind=InvoiceKind.CREDIT_NOTE,
        issued_on=issued_on,
        due_on=issued_on,
        currency=customer.currency,
        amount=value,
        open_amount=Decimal(0),
        paid_on=issued_on,
        description=reason,
    )
    session.add(note)
    session.flush()
    refresh_balances(session, [customer.id], today(as_of))
    audit(
        session,
        actor,
        action="post_credit_note",
        entity="invoice",
        entity_id=note.id,
        after={
            "customer_id": customer.id,
            "number": number,
            "amount": value,
            "applied": {str(invoice.id): part for invoice, part in parts},
        },
    )
    return Posted(note.id)


def lock_invoice(session: Session, invoice_id: int) -> Invoice:
    """The invoice, row-locked and re-read, after locking its customer (in that order).

    Every service changing one invoice's open amount takes the customer lock first, like the
    postings, so it runs after any posting to the same customer and never deadlocks with one.
    """
    customer_id = session.scalar(select(Invoice.customer_id).where(Invoice.id == invoice_id))
    if customer_id is None:
        raise NotFound(f"There is no invoice with id {invoice_id}.")
    lock_customer(session, customer_id)
    invoice = session.scalar(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if invoice is None:
        raise NotFound(f"There is no invoice with id {invoice_id}.")
    return invoice


def write_off_invoice(
    session: Session,
    actor: StaffIdentity,
    *,
    invoice_id: int,
    reason: str,
    as_of: date | None = None,
) -> Posted:
    """Write off an invoice's whole open amount in one step, with a reason (seed 001)."""
    require_role(actor, Role.CONTROLLER, "write off invoices")
    why = reason.strip()
    if not why:
        raise ValidationError("A write-off needs a reason.")
    invoice = lock_invoice(session, invoice_id)
    customer_id = invoice.customer_id
    if invoice.open_amount <= 0:
        raise ConflictError(f"Invoice {invoice.number} has nothing open to write off.")
    before = {"open_amount": invoice.open_amount, "written_off_amount": invoice.written_off_amount}
    amount = invoice.open_amount
    invoice.written_off_amount += amount
    invoice.open_amount = Decimal(0)
    invoice.written_off_at = datetime.now(UTC)
    invoice.write_off_reason = why
    refresh_balances(session, [customer_id], today(as_of))
    audit(
        session,
        actor,
        action="write_off_invoice",
        entity="invoice",
        entity_id=invoice.id,
        customer_id=customer_id,
        before=before,
        after={
            "open_amount": Decimal(0),
            "written_off_amount": invoice.written_off_amount,
            "reason": why,
        },
    )
    return Posted(invoice.id)
