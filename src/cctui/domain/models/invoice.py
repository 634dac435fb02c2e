"""Invoices, payments and their allocations, and disputes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from cctui.domain.base import MONEY, Base, str_enum
from cctui.domain.models._columns import created_at_column
from cctui.domain.models.enums import CollectionState, DisputeStatus, InvoiceKind


class Invoice(Base):
    """An invoice or credit note, what is still open on it, and where it is in collection.

    ``open_amount`` is what the customer still owes on this document: the amount plus fees
    and interest charged (``fee_amount``/``interest_amount``, which exclude what was waived),
    less payments, credits and write-offs. It is never negative.
    """

    __tablename__ = "invoice"
    __table_args__ = (
        CheckConstraint("length(number) > 0", name="number_not_empty"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_code"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("due_on >= issued_on", name="due_after_issue"),
        CheckConstraint(
            "fee_amount >= 0 AND interest_amount >= 0 AND written_off_amount >= 0",
            name="charges_not_negative",
        ),
        CheckConstraint(
            "open_amount >= 0 AND open_amount <= amount + fee_amount + interest_amount",
            name="open_amount_range",
        ),
        CheckConstraint(
            "kind = 'invoice' OR (open_amount = 0 AND dunning_level = 0)",
            name="credit_note_closed",
        ),
        CheckConstraint("dunning_level >= 0", name="dunning_level"),
        CheckConstraint(
            "waived_fee_amount >= 0 AND waived_interest_amount >= 0", name="waived_not_negative"
        ),
        CheckConstraint(
            "(collection_state = 'handed_over') = (collection_agency_id IS NOT NULL)",
            name="handed_over_has_agency",
        ),
        CheckConstraint(
            "(written_off_amount > 0) = (written_off_at IS NOT NULL)", name="write_off_dated"
        ),
        Index("ix_invoice_customer_id", "customer_id"),
        Index(
            "ix_invoice_open_by_customer",
            "customer_id",
            "due_on",
            postgresql_include=["open_amount"],
            postgresql_where=text("open_amount > 0"),
        ),
        Index("ix_invoice_open_due_on", "due_on", postgresql_where=text("open_amount > 0")),
        Index(
            "ix_invoice_due_on_amounts",
            "due_on",
            postgresql_include=["currency", "amount"],
            postgresql_where=text("kind = 'invoice'"),
        ),
        Index(
            "ix_invoice_collection",
            "collection_state",
            "collection_agency_id",
            postgresql_where=text("collection_state <> 'none'"),
        ),
        Index(
            "ix_invoice_mail_unprinted",
            "customer_id",
            postgresql_where=text("delivery_by_mail AND printed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[InvoiceKind] = mapped_column(
        str_enum(InvoiceKind, "kind"), server_default=InvoiceKind.INVOICE.value
    )
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    fee_amount: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    interest_amount: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    written_off_amount: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    waived_fee_amount: Mapped[Decimal] = mapped_column(
        MONEY, server_default="0", doc="Fees waived (no longer owed); reinstating moves them back."
    )
    waived_interest_amount: Mapped[Decimal] = mapped_column(
        MONEY, server_default="0", doc="Interest waived; reinstating moves it back."
    )
    open_amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date | None] = mapped_column(Date, doc="When the open amount reached zero.")
    description: Mapped[str | None] = mapped_column(Text)
    delivery_by_mail: Mapped[bool] = mapped_column(Boolean, server_default=false())
    printed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dunning_level: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    last_dunned_on: Mapped[date | None] = mapped_column(Date)
    collection_state: Mapped[CollectionState] = mapped_column(
        str_enum(CollectionState, "collection_state"),
        server_default=CollectionState.NONE.value,
    )
    collection_agency_id: Mapped[int | None] = mapped_column(ForeignKey("collection_agency.id"))
    written_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    write_off_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()


class Payment(Base):
    """Money received from a customer; reversed in one step when it bounces (NSF)."""

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_code"),
        CheckConstraint("nsf_fee >= 0", name="nsf_fee"),
        CheckConstraint(
            "(reversed_at IS NULL) OR (reversal_reason IS NOT NULL)", name="reversal_reason"
        ),
        Index("ix_payment_customer_id", "customer_id", "received_on"),
        Index(
            "ix_payment_received_on_amounts",
            "received_on",
            postgresql_include=["currency", "amount"],
            postgresql_where=text("reversed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    received_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(100))
    method: Mapped[str | None] = mapped_column(String(30))
    reversed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reversal_reason: Mapped[str | None] = mapped_column(Text)
    nsf_fee: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = created_at_column()


class PaymentAllocation(Base):
    """The part of a payment applied to one invoice; feeds days-to-pay statistics."""

    __tablename__ = "payment_allocation"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("payment_id", "invoice_id"),
        Index("ix_payment_allocation_invoice_id", "invoice_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    allocated_on: Mapped[date] = mapped_column(Date)


class Dispute(Base):
    """A customer's dispute of an invoice; an open dispute pauses dunning."""

    __tablename__ = "dispute"
    __table_args__ = (
        CheckConstraint("length(reason) > 0", name="reason_not_empty"),
        CheckConstraint("(status = 'resolved') = (resolved_at IS NOT NULL)", name="resolved_dated"),
        Index(
            "uq_dispute_open_invoice",
            "invoice_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[DisputeStatus] = mapped_column(
        str_enum(DisputeStatus, "status"), server_default=DisputeStatus.OPEN.value
    )
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    opened_at: Mapped[datetime] = created_at_column()
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(Text)
