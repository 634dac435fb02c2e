"""Credit policies and credit groups (seeds 001 and 003)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from cctui.domain.base import MONEY, PERCENT, Base, str_enum
from cctui.domain.models._columns import created_at_column
from cctui.domain.models.enums import CreditAction


def _action_column(name: str) -> Mapped[CreditAction]:
    return mapped_column(
        str_enum(CreditAction, name), server_default=CreditAction.OK.value, nullable=False
    )


class CreditPolicy(Base):
    """Terms and the credit action each event sets, shared by many customers (seed 003)."""

    __tablename__ = "credit_policy"
    __table_args__ = (
        CheckConstraint("payment_terms_days BETWEEN 0 AND 365", name="payment_terms_days"),
        CheckConstraint("default_credit_limit >= 0", name="default_credit_limit"),
        CheckConstraint("discount_percent BETWEEN 0 AND 100", name="discount_percent"),
        CheckConstraint("discount_days BETWEEN 0 AND 365", name="discount_days"),
        CheckConstraint("overdue_interest_percent BETWEEN 0 AND 100", name="interest"),
        CheckConstraint("limit_exceeded_percent > 0", name="limit_exceeded_percent"),
        CheckConstraint(
            "aged_once_days > 0 AND aged_twice_days > aged_once_days"
            " AND aged_thrice_days > aged_twice_days",
            name="aging_thresholds",
        ),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    payment_terms_days: Mapped[int] = mapped_column(SmallInteger)
    default_credit_limit: Mapped[Decimal] = mapped_column(MONEY)
    discount_percent: Mapped[Decimal] = mapped_column(PERCENT, server_default="0")
    discount_days: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    overdue_interest_percent: Mapped[Decimal] = mapped_column(PERCENT, server_default="0")
    limit_exceeded_percent: Mapped[Decimal] = mapped_column(PERCENT, server_default="10")
    aged_once_days: Mapped[int] = mapped_column(SmallInteger, server_default="30")
    aged_twice_days: Mapped[int] = mapped_column(SmallInteger, server_default="60")
    aged_thrice_days: Mapped[int] = mapped_column(SmallInteger, server_default="90")
    action_limit_exceeded: Mapped[CreditAction] = _action_column("action_limit_exceeded")
    action_limit_exceeded_percent: Mapped[CreditAction] = _action_column(
        "action_limit_exceeded_percent"
    )
    action_aged_once: Mapped[CreditAction] = _action_column("action_aged_once")
    action_aged_twice: Mapped[CreditAction] = _action_column("action_aged_twice")
    action_aged_thrice: Mapped[CreditAction] = _action_column("action_aged_thrice")
    created_at: Mapped[datetime] = created_at_column()


class CreditGroup(Base):
    """Customers linked so that they share a single credit limit (seed 001)."""

    __tablename__ = "credit_group"
    __table_args__ = (
        CheckConstraint("credit_limit >= 0", name="credit_limit"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    credit_limit: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = created_at_column()
