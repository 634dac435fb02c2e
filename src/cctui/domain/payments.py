"""Undoing money movements in one step (seed 001): bounced payments, waived charges.

* **NSF reversal** — a payment that bounced is reversed at once: every invoice it paid gets
  back exactly what its allocation took off (and is no longer paid), the payment is marked
  reversed with the reason, and an optional NSF fee is charged onto the oldest reopened
  invoice. The allocations stay as history; the payment's ``reversed_at`` says they no
  longer count (promise evaluation ignores reversed payments).
* **Waive / reinstate** — fees and interest charged on an invoice are waived (moved to
  ``waived_fee_amount`` / ``waived_interest_amount``) or reinstated (moved back) in one step.

Recording and allocating payments (oldest first or to chosen invoices, partial payments) is
:func:`cctui.domain.ledger.record_payment`. Every service here locks the customer first,
keeps the customer's maintained balances exact and writes an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.editing import clean_reason, lock_customer, show_money, today
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.figures import refresh_balances
from cctui.domain.identity import StaffIdentity
from cctui.domain.ledger import lock_invoice
from cctui.domain.models import Invoice, InvoiceKind, Payment, PaymentAllocation, Role
from cctui.domain.money import to_money

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PaymentReversal:
    """What reversing a payment reopened, and where its NSF fee went."""

    payment_id: int
    customer_id: int
    reopened: tuple[tuple[int, Decimal], ...]
    """``(invoice_id, amount)`` for each invoice the payment had paid, oldest due first."""
    nsf_fee: Decimal
    fee_invoice_id: int | None
    """The invoice the NSF fee was charged onto (the oldest reopened), or None without fee."""


@dataclass(frozen=True)
class ChargesChange:
    """What a waiver or reinstatement moved on one invoice."""

    invoice_id: int
    fee: Decimal
    """Fees waived (or reinstated)."""
    interest: Decimal
    """Interest waived (or reinstated)."""
    open_amount: Decimal
    """What is open on the invoice afterwards."""


def reverse_payment(
    session: Session,
    actor: StaffIdentity,
    payment_id: int,
    *,
    reason: str,
    nsf_fee: Decimal | str | int = 0,
    as_of: date | None = None,
) -> PaymentReversal:
    """Reverse a bounced (NSF) payment in one step, with a reason and an optional fee.

    Each invoice the payment paid gets back exactly what the payment's allocation took off
    it and loses its ``paid_on``; the fee (if any) is charged onto the oldest of them
    (``fee_amount`` and ``open_amount`` both rise by it). A payment already reversed is
    refused. Controllers and above.
    """
    require_role(actor, Role.CONTROLLER, "reverse payments")
    why = clean_reason(reason, "payment reversal")
    fee = to_money(nsf_fee, what="NSF fee", allow_zero=True)
    customer_id = session.scalar(select(Payment.customer_id).where(Payment.id == payment_id))
    if customer_id is None:
        raise NotFound(f"There is no payment with id {payment_id}.")
    lock_customer(session, customer_id)
    payment = session.scalar(
        select(Payment)
        .where(Payment.id == payment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if payment is None:
        raise NotFound(f"There is no payment with id {payment_id}.")
    if payment.reversed_at is not None:
        raise ConflictError(
            f"The payment of {show_money(payment.amount, payment.currency)} received on "
            f"{payment.received_on.isoformat()} was already reversed."
        )
    rows = session.execute(
        select(PaymentAllocation.amount, Invoice)
        .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
        .where(PaymentAllocation.payment_id == payment.id)
        .order_by(Invoice.due_on, Invoice.id)
        .with_for_update(of=Invoice)
        .execution_options(populate_existing=True)
    ).all()
    if fee > 0 and not rows:
        raise ValidationError("This payment paid no invoice, so there is none to charge a fee to.")
    before = {
        str(invoice.id): {"open_amount": invoice.open_amount, "paid_on": invoice.paid_on}
        for _, invoice in rows
    }
    reopened: list[tuple[int, Decimal]] = []
    for part, invoice in rows:
        invoice.open_amount += part
        invoice.paid_on = None
        reopened.append((invoice.id, part))
    fee_invoice: Invoice | None = None
    if fee > 0:
        fee_invoice = rows[0][1]
        fee_invoice.fee_amount += fee
        fee_invoice.open_amount += fee
    payment.reversed_at = datetime.now(UTC)
    payment.reversal_reason = why
    payment.nsf_fee = fee
    refresh_balances(session, [customer_id], today(as_of))
    audit(
        session,
        actor,
        action="reverse_payment",
        entity="payment",
        entity_id=payment.id,
        customer_id=customer_id,
        before={"reversed": False, "invoices": before},
        after={
            "reversed": True,
            "reason": why,
            "nsf_fee": fee,
            "fee_invoice_id": None if fee_invoice is None else fee_invoice.id,
            "reopened": {str(invoice_id): part for invoice_id, part in reopened},
        },
    )
    return PaymentReversal(
        payment_id=payment.id,
        customer_id=customer_id,
        reopened=tuple(reopened),
        nsf_fee=fee,
        fee_invoice_id=None if fee_invoice is None else fee_invoice.id,
    )


def _charges_invoice(session: Session, invoice_id: int, doing: str) -> Invoice:
    """The invoice, locked after its customer; a credit note carries no charges."""
    invoice = lock_invoice(session, invoice_id)
    if invoice.kind != InvoiceKind.INVOICE:
        raise ConflictError(f"{invoice.number} is a credit note; there are no charges to {doing}.")
    return invoice


def _charges_state(invoice: Invoice) -> dict[str, object]:
    return {
        "fee_amount": invoice.fee_amount,
        "interest_amount": invoice.interest_amount,
        "waived_fee_amount": invoice.waived_fee_amount,
        "waived_interest_amount": invoice.waived_interest_amount,
        "open_amount": invoice.open_amount,
        "paid_on": invoice.paid_on,
    }


def _last_paid_on(session: Session, invoice_id: int, fallback: date) -> date:
    """When the customer last paid on the invoice (not reversed), or ``fallback``."""
    last = session.scalar(
        select(func.max(PaymentAllocation.allocated_on))
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .where(PaymentAllocation.invoice_id == invoice_id, Payment.reversed_at.is_(None))
    )
    return last if last is not None else fallback


def waive_charges(
    session: Session,
    actor: StaffIdentity,
    invoice_id: int,
    *,
    fees: bool = True,
    interest: bool = True,
    reason: str,
    as_of: date | None = None,
) -> ChargesChange:
    """Waive the unpaid fees and/or interest of an invoice in one step, with a reason.

    Only what is still unpaid can be waived: the open amount is taken to hold the charges
    before the invoice's own amount (payments pay the amount first), so the fee waived is
    ``min(fee_amount, open_amount)`` and the interest waived ``min(interest_amount, what is
    then left open)``; a charge already paid stays charged. What is waived moves from
    ``fee_amount`` / ``interest_amount`` to ``waived_fee_amount`` / ``waived_interest_amount``
    and the open amount falls by it (never below zero). An invoice settled by the waiver is
    dated paid on the customer's last payment to it (or today). Controllers and above.
    """
    require_role(actor, Role.CONTROLLER, "waive fees and interest")
    why = clean_reason(reason, "waiver")
    if not fees and not interest:
        raise ValidationError("Choose fees, interest or both to waive.")
    day = today(as_of)
    invoice = _charges_invoice(session, invoice_id, "waive")
    before = _charges_state(invoice)
    room = invoice.open_amount
    fee = min(invoice.fee_amount, room) if fees else ZERO
    room -= fee
    charged_interest = min(invoice.interest_amount, room) if interest else ZERO
    if fee + charged_interest <= 0:
        raise ConflictError(
            f"Invoice {invoice.number} has no unpaid {_what(fees, interest)} to waive."
        )
    invoice.fee_amount -= fee
    invoice.waived_fee_amount += fee
    invoice.interest_amount -= charged_interest
    invoice.waived_interest_amount += charged_interest
    invoice.open_amount -= fee + charged_interest
    if invoice.open_amount == 0:
        invoice.paid_on = _last_paid_on(session, invoice.id, day)
    refresh_balances(session, [invoice.customer_id], day)
    audit(
        session,
        actor,
        action="waive_charges",
        entity="invoice",
        entity_id=invoice.id,
        customer_id=invoice.customer_id,
        before=before,
        after={**_charges_state(invoice), "reason": why},
    )
    return ChargesChange(invoice.id, fee, charged_interest, invoice.open_amount)


def reinstate_charges(
    session: Session,
    actor: StaffIdentity,
    invoice_id: int,
    *,
    fees: bool = True,
    interest: bool = True,
    reason: str,
    as_of: date | None = None,
) -> ChargesChange:
    """Reinstate the waived fees and/or interest of an invoice in one step, with a reason.

    What was waived moves back to ``fee_amount`` / ``interest_amount`` and the open amount
    rises by it (the invoice is open, no longer paid). Controllers and above.
    """
    require_role(actor, Role.CONTROLLER, "reinstate fees and interest")
    why = clean_reason(reason, "reinstatement")
    if not fees and not interest:
        raise ValidationError("Choose fees, interest or both to reinstate.")
    invoice = _charges_invoice(session, invoice_id, "reinstate")
    before = _charges_state(invoice)
    fee = invoice.waived_fee_amount if fees else ZERO
    waived_interest = invoice.waived_interest_amount if interest else ZERO
    if fee + waived_interest <= 0:
        raise ConflictError(
            f"Invoice {invoice.number} has no waived {_what(fees, interest)} to reinstate."
        )
    invoice.waived_fee_amount -= fee
    invoice.fee_amount += fee
    invoice.waived_interest_amount -= waived_interest
    invoice.interest_amount += waived_interest
    invoice.open_amount += fee + waived_interest
    invoice.paid_on = None
    refresh_balances(session, [invoice.customer_id], today(as_of))
    audit(
        session,
        actor,
        action="reinstate_charges",
        entity="invoice",
        entity_id=invoice.id,
        customer_id=invoice.customer_id,
        before=before,
        after={**_charges_state(invoice), "reason": why},
    )
    return ChargesChange(invoice.id, fee, waived_interest, invoice.open_amount)


def _what(fees: bool, interest: bool) -> str:
    if fees and interest:
        return "fees or interest"
    return "fees" if fees else "interest"
