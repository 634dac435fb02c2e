"""The invoices a money form offers: a customer's documents that a payment, write-off,
waiver, dispute or hand-over can act on, and what a payment was allocated to.

A read model for the forms on the customer screen: one statement for the customer's
invoices that are open, in collection, in an open dispute or carry waived charges (plus any
invoice asked for by id), oldest due first. Nothing here changes the book.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cctui.domain.errors import NotFound
from cctui.domain.models import (
    CollectionAgency,
    CollectionState,
    Customer,
    Dispute,
    DisputeStatus,
    Invoice,
    InvoiceKind,
    PaymentAllocation,
)

MAX_CHOICES = 500
"""The most invoices one form lists (a form is no place to page through a whole book)."""


@dataclass(frozen=True)
class InvoiceChoice:
    """One invoice as a form shows it, with everything the form's rules look at."""

    id: int
    number: str
    issued_on: date
    due_on: date
    currency: str
    amount: Decimal
    open_amount: Decimal
    fee_amount: Decimal
    interest_amount: Decimal
    waived_fee_amount: Decimal
    waived_interest_amount: Decimal
    written_off_amount: Decimal
    collection_state: CollectionState
    agency_name: str | None
    dispute_id: int | None
    """The invoice's open dispute, if it has one."""
    dispute_reason: str | None

    @property
    def is_open(self) -> bool:
        """True when something is still owed on the invoice."""
        return self.open_amount > 0

    @property
    def unpaid_charges(self) -> Decimal:
        """Fees and interest that are charged and not yet paid (what a waiver can take off)."""
        return min(self.fee_amount + self.interest_amount, self.open_amount)

    @property
    def waived_charges(self) -> Decimal:
        """Fees and interest waived so far (what a reinstatement puts back)."""
        return self.waived_fee_amount + self.waived_interest_amount


@dataclass(frozen=True)
class CustomerInvoices:
    """A customer and the invoices a form on its screen may act on, oldest due first."""

    customer_id: int
    account: str
    name: str
    currency: str
    balance: Decimal
    invoices: tuple[InvoiceChoice, ...]
    truncated: bool
    """True when the customer has more such invoices than :data:`MAX_CHOICES`."""

    def by_id(self, invoice_id: int) -> InvoiceChoice | None:
        """The listed invoice with this id, or None."""
        return next((choice for choice in self.invoices if choice.id == invoice_id), None)


def customer_invoices(
    session: Session,
    customer_id: int,
    *,
    invoice_ids: Sequence[int] = (),
    limit: int = MAX_CHOICES,
) -> CustomerInvoices:
    """The customer's invoices that are open, in collection, in dispute or with waived
    charges (credit notes never), plus those in ``invoice_ids`` that belong to it.

    Raises NotFound when there is no such customer.
    """
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"There is no customer with id {customer_id}.")
    open_dispute = (
        select(Dispute.id, Dispute.invoice_id, Dispute.reason)
        .where(Dispute.status == DisputeStatus.OPEN)
        .subquery()
    )
    relevant = or_(
        Invoice.open_amount > 0,
        Invoice.collection_state != CollectionState.NONE,
        open_dispute.c.id.is_not(None),
        Invoice.waived_fee_amount > 0,
        Invoice.waived_interest_amount > 0,
    )
    if invoice_ids:
        relevant = or_(relevant, Invoice.id.in_(list(invoice_ids)))
    rows = session.execute(
        select(Invoice, CollectionAgency.name, open_dispute.c.id, open_dispute.c.reason)
        .outerjoin(CollectionAgency, CollectionAgency.id == Invoice.collection_agency_id)
        .outerjoin(open_dispute, open_dispute.c.invoice_id == Invoice.id)
        .where(
            Invoice.customer_id == customer.id,
            Invoice.kind == InvoiceKind.INVOICE,
            relevant,
        )
        .order_by(Invoice.due_on, Invoice.id)
        .limit(limit + 1)
    ).all()
    choices = tuple(
        InvoiceChoice(
            id=invoice.id,
            number=invoice.number,
            issued_on=invoice.issued_on,
            due_on=invoice.due_on,
            currency=invoice.currency,
            amount=invoice.amount,
            open_amount=invoice.open_amount,
            fee_amount=invoice.fee_amount,
            interest_amount=invoice.interest_amount,
            waived_fee_amount=invoice.waived_fee_amount,
            waived_interest_amount=invoice.waived_interest_amount,
            written_off_amount=invoice.written_off_amount,
            collection_state=invoice.collection_state,
            agency_name=agency_name,
            dispute_id=dispute_id,
            dispute_reason=dispute_reason,
        )
        for invoice, agency_name, dispute_id, dispute_reason in rows[:limit]
    )
    return CustomerInvoices(
        customer_id=customer.id,
        account=customer.account,
        name=customer.name,
        currency=customer.currency,
        balance=customer.balance,
        invoices=choices,
        truncated=len(rows) > limit,
    )


def allocated_invoice_numbers(session: Session, payment_id: int) -> tuple[str, ...]:
    """The numbers of the invoices a payment was allocated to, in the order it paid them."""
    return tuple(
        session.scalars(
            select(Invoice.number)
            .join(PaymentAllocation, PaymentAllocation.invoice_id == Invoice.id)
            .where(PaymentAllocation.payment_id == payment_id)
            .order_by(PaymentAllocation.id)
        )
    )


def written_off_amount(session: Session, invoice_id: int) -> Decimal:
    """How much of the invoice has been written off so far."""
    amount = session.scalar(select(Invoice.written_off_amount).where(Invoice.id == invoice_id))
    if amount is None:
        raise NotFound(f"There is no invoice with id {invoice_id}.")
    return amount
