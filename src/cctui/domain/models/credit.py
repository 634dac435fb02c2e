"""Held documents, credit-limit changes and the approvals a supervisor gives (seed 001)."""

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
    false,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from cctui.domain.base import MONEY, Base, str_enum
from cctui.domain.models._columns import created_at_column
from cctui.domain.models.enums import (
    ApprovalKind,
    ApprovalStatus,
    CreditAction,
    DocumentKind,
    HeldStatus,
)


class HeldDocument(Base):
    """A transaction stopped by a credit action, waiting to be released or rejected."""

    __tablename__ = "held_document"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_code"),
        CheckConstraint("cardinality(reasons) > 0", name="has_reasons"),
        CheckConstraint("(status = 'held') = (decided_at IS NULL)", name="decided_when_not_held"),
        Index("ix_held_document_customer_id", "customer_id"),
        Index("ix_held_document_open", "created_at", postgresql_where=text("status = 'held'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    document_kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    reference: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    credit_action: Mapped[CreditAction] = mapped_column(str_enum(CreditAction, "credit_action"))
    reasons: Mapped[list[str]] = mapped_column(ARRAY(Text))
    needs_supervisor: Mapped[bool] = mapped_column(Boolean, server_default=false())
    status: Mapped[HeldStatus] = mapped_column(
        str_enum(HeldStatus, "status"), server_default=HeldStatus.HELD.value
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = created_at_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)


class CreditLimitChange(Base):
    """A credit-limit adjustment: old, new, who, why, when (seeds 001, 002)."""

    __tablename__ = "credit_limit_change"
    __table_args__ = (
        CheckConstraint("new_limit >= 0", name="new_limit"),
        CheckConstraint("NOT temporary OR expires_on IS NOT NULL", name="temporary_expires"),
        CheckConstraint("length(reason) > 0", name="reason_not_empty"),
        Index("ix_credit_limit_change_customer_id", "customer_id", "requested_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    old_limit: Mapped[Decimal | None] = mapped_column(MONEY)
    new_limit: Mapped[Decimal] = mapped_column(MONEY)
    temporary: Mapped[bool] = mapped_column(Boolean, server_default=false())
    expires_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ApprovalStatus] = mapped_column(
        str_enum(ApprovalStatus, "status"), server_default=ApprovalStatus.APPROVED.value
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    requested_at: Mapped[datetime] = created_at_column()
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApprovalRequest(Base):
    """Something waiting for a supervisor: a limit change above authority, a held release."""

    __tablename__ = "approval_request"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'credit_limit') = (credit_limit_change_id IS NOT NULL)"
            " AND (kind = 'held_release') = (held_document_id IS NOT NULL)",
            name="subject_matches_kind",
        ),
        CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)", name="decided_when_not_pending"
        ),
        Index(
            "ix_approval_request_pending",
            "requested_at",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_approval_request_customer_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[ApprovalKind] = mapped_column(str_enum(ApprovalKind, "kind"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    credit_limit_change_id: Mapped[int | None] = mapped_column(ForeignKey("credit_limit_change.id"))
    held_document_id: Mapped[int | None] = mapped_column(ForeignKey("held_document.id"))
    status: Mapped[ApprovalStatus] = mapped_column(
        str_enum(ApprovalStatus, "status"), server_default=ApprovalStatus.PENDING.value
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    requested_at: Mapped[datetime] = created_at_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
