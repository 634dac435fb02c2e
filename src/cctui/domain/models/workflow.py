"""The collections workflow: notes and actions, to-dos, calls, promises, and call leases."""

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
    String,
    Text,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from cctui.domain.base import MONEY, Base, str_enum
from cctui.domain.models._columns import created_at_column
from cctui.domain.models.enums import CallOutcome, NoteKind, OpenDone, PromiseStatus


class ActionType(Base):
    """A predefined customer-visible action (seed 000); admins extend the list."""

    __tablename__ = "action_type"
    __table_args__ = (CheckConstraint("length(code) > 0", name="code_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())


class Note(Base):
    """A private note, or an action the customer must take (shown as a red bar while open)."""

    __tablename__ = "note"
    __table_args__ = (
        CheckConstraint("length(body) > 0", name="body_not_empty"),
        CheckConstraint("(kind = 'action') = (action_type_id IS NOT NULL)", name="action_has_type"),
        CheckConstraint("(status = 'done') = (done_at IS NOT NULL)", name="done_dated"),
        Index("ix_note_customer_id", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[NoteKind] = mapped_column(
        str_enum(NoteKind, "kind"), server_default=NoteKind.NOTE.value
    )
    action_type_id: Mapped[int | None] = mapped_column(ForeignKey("action_type.id"))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[OpenDone] = mapped_column(
        str_enum(OpenDone, "status"), server_default=OpenDone.OPEN.value
    )
    created_at: Mapped[datetime] = created_at_column()
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class Todo(Base):
    """A credit to-do with a due date, often created from an interaction (seed 002)."""

    __tablename__ = "todo"
    __table_args__ = (
        CheckConstraint("length(description) > 0", name="description_not_empty"),
        CheckConstraint("(status = 'done') = (done_at IS NOT NULL)", name="done_dated"),
        Index("ix_todo_customer_id", "customer_id"),
        Index("ix_todo_open", "assigned_to_id", "due_on", postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    note_id: Mapped[int | None] = mapped_column(ForeignKey("note.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[OpenDone] = mapped_column(
        str_enum(OpenDone, "status"), server_default=OpenDone.OPEN.value
    )
    created_at: Mapped[datetime] = created_at_column()
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Contact(Base):
    """A call to a customer: who called, when it started and ended, and how (seed 004)."""

    __tablename__ = "contact"
    __table_args__ = (
        CheckConstraint("(ended_at IS NULL) = (outcome IS NULL)", name="ended_has_outcome"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        Index("ix_contact_customer_id", "customer_id", "started_at"),
        Index("ix_contact_staff_id", "staff_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[CallOutcome | None] = mapped_column(str_enum(CallOutcome, "outcome"))
    note: Mapped[str | None] = mapped_column(Text)
    next_call_on: Mapped[date | None] = mapped_column(Date)


class Promise(Base):
    """A promise to pay an amount by a date; kept or broken (seed 004)."""

    __tablename__ = "promise"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_code"),
        CheckConstraint("(status = 'open') = (evaluated_on IS NULL)", name="evaluated_when_closed"),
        Index("ix_promise_customer_id", "customer_id"),
        Index("ix_promise_open_due", "promised_on", postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    promised_on: Mapped[date] = mapped_column(Date)
    status: Mapped[PromiseStatus] = mapped_column(
        str_enum(PromiseStatus, "status"), server_default=PromiseStatus.OPEN.value
    )
    evaluated_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at_column()


class PromiseInvoice(Base):
    """An invoice covered by a promise; a live promise pauses its dunning."""

    __tablename__ = "promise_invoice"
    __table_args__ = (Index("ix_promise_invoice_invoice_id", "invoice_id"),)

    promise_id: Mapped[int] = mapped_column(
        ForeignKey("promise.id", ondelete="CASCADE"), primary_key=True
    )
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), primary_key=True)


class DebtorLease(Base):
    """An agent's claim on a debtor while calling it; expires if the agent walks away."""

    __tablename__ = "debtor_lease"
    __table_args__ = (
        CheckConstraint("expires_at > leased_at", name="expires_after_lease"),
        Index("ix_debtor_lease_staff_id", "staff_id"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    leased_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
