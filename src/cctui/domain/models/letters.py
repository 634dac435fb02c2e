"""Dunning steps, letter templates, queued letters and the PDF batches that print them."""

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
    Integer,
    SmallInteger,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from cctui.domain.base import MONEY, Base, str_enum
from cctui.domain.models._columns import created_at_column
from cctui.domain.models.enums import Delivery, LetterKind, LetterStatus


class LetterTemplate(Base):
    """A letter layout with named placeholders, edited by admins (seed 000)."""

    __tablename__ = "letter_template"
    __table_args__ = (CheckConstraint("length(code) > 0", name="code_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[LetterKind] = mapped_column(str_enum(LetterKind, "kind"))
    name: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class DunningStep(Base):
    """A step of the dunning ladder: days after due, its letter, fee and agency hand-over."""

    __tablename__ = "dunning_step"
    __table_args__ = (
        CheckConstraint("step_no >= 1", name="step_no_positive"),
        CheckConstraint("days_after_due >= 0", name="days_after_due"),
        CheckConstraint("fee >= 0", name="fee_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    step_no: Mapped[int] = mapped_column(SmallInteger, unique=True)
    name: Mapped[str] = mapped_column(String(100))
    days_after_due: Mapped[int] = mapped_column(SmallInteger, unique=True)
    letter_template_id: Mapped[int | None] = mapped_column(ForeignKey("letter_template.id"))
    fee: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    hands_to_agency: Mapped[bool] = mapped_column(Boolean, server_default=false())


class LetterBatch(Base):
    """One PDF holding many letters: who made it, when, the file and its checksum."""

    __tablename__ = "letter_batch"
    __table_args__ = (
        CheckConstraint("page_count >= 0 AND letter_count >= 0", name="counts"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LetterKind] = mapped_column(str_enum(LetterKind, "kind"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = created_at_column()
    file_path: Mapped[str] = mapped_column(Text)
    page_count: Mapped[int] = mapped_column(Integer)
    letter_count: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class Letter(Base):
    """A letter to one customer, queued until the batch that prints it is safely written."""

    __tablename__ = "letter"
    __table_args__ = (
        CheckConstraint(
            "(status = 'printed') = (batch_id IS NOT NULL AND printed_at IS NOT NULL)",
            name="printed_has_batch",
        ),
        CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_dated"),
        Index("ix_letter_queued", "kind", "id", postgresql_where=text("status = 'queued'")),
        Index("ix_letter_customer_id", "customer_id"),
        Index("ix_letter_batch_id", "batch_id"),
        Index(
            "uq_letter_queued_statement",
            "customer_id",
            unique=True,
            postgresql_where=text("kind = 'statement' AND status = 'queued'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    kind: Mapped[LetterKind] = mapped_column(str_enum(LetterKind, "kind"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("letter_template.id"))
    dunning_step_id: Mapped[int | None] = mapped_column(ForeignKey("dunning_step.id"))
    delivery: Mapped[Delivery] = mapped_column(
        str_enum(Delivery, "delivery"), server_default=Delivery.MAIL.value
    )
    status: Mapped[LetterStatus] = mapped_column(
        str_enum(LetterStatus, "status"), server_default=LetterStatus.QUEUED.value
    )
    fee: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    queued_on: Mapped[date] = mapped_column(Date, server_default=func.current_date())
    queued_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = created_at_column()
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("letter_batch.id"))
    printed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    send_attempts: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)


class LetterInvoice(Base):
    """An invoice listed on a letter; an invoice is on at most one letter per dunning step."""

    __tablename__ = "letter_invoice"
    __table_args__ = (
        CheckConstraint("open_amount >= 0", name="open_amount"),
        Index("ix_letter_invoice_invoice_id", "invoice_id"),
        Index(
            "uq_letter_invoice_step",
            "invoice_id",
            "dunning_step_id",
            unique=True,
            postgresql_where=text("dunning_step_id IS NOT NULL"),
        ),
    )

    letter_id: Mapped[int] = mapped_column(
        ForeignKey("letter.id", ondelete="CASCADE"), primary_key=True
    )
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), primary_key=True)
    dunning_step_id: Mapped[int | None] = mapped_column(ForeignKey("dunning_step.id"))
    open_amount: Mapped[Decimal] = mapped_column(
        MONEY, doc="What was open on the invoice when the letter was queued."
    )


class LetterSend(Base):
    """One attempt to send a letter by e-mail: when, to whom, and how it went.

    A failed attempt keeps its reason; a sent one the Message-ID the mail carried.
    """

    __tablename__ = "letter_send"
    __table_args__ = (
        CheckConstraint("outcome IN ('sent', 'failed')", name="outcome"),
        CheckConstraint("outcome <> 'failed' OR error IS NOT NULL", name="failed_has_error"),
        Index("ix_letter_send_letter_id", "letter_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"))
    attempted_at: Mapped[datetime] = created_at_column()
    outcome: Mapped[str] = mapped_column(String(6))
    error: Mapped[str | None] = mapped_column(Text)
    recipient: Mapped[str] = mapped_column(String(320))
    message_id: Mapped[str | None] = mapped_column(Text)
