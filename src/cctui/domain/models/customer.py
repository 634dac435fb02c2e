"""The customer (debtor) with its terms, credit settings and maintained figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
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
from cctui.domain.models.enums import CallOutcome, CreditAction, CreditEvent, Delivery


class Customer(Base):
    """A customer account: contact details, credit settings and maintained balances.

    ``balance``, ``overdue_balance``, ``oldest_due_on`` and the call/promise figures are
    maintained by the domain services in the same transaction as the change that moves
    them, so the debtor queue reads them without aggregating the invoices.
    ``version`` is the optimistic lock: a stale save is refused, never silently applied.
    """

    __tablename__ = "customer"
    __table_args__ = (
        CheckConstraint("length(account) > 0", name="account_not_empty"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_code"),
        CheckConstraint("country IS NULL OR country ~ '^[A-Z]{2}$'", name="country_code"),
        CheckConstraint("email IS NULL OR position('@' in email) > 1", name="email_format"),
        CheckConstraint("payment_terms_days BETWEEN 0 AND 365", name="payment_terms_days"),
        CheckConstraint("credit_limit >= 0", name="credit_limit"),
        CheckConstraint(
            "(temp_credit_limit IS NULL) = (temp_limit_expires_on IS NULL)",
            name="temp_limit_has_expiry",
        ),
        CheckConstraint(
            "temp_credit_limit IS NULL OR temp_credit_limit >= 0", name="temp_credit_limit"
        ),
        CheckConstraint("manual_settings OR credit_policy_id IS NOT NULL", name="policy_or_manual"),
        CheckConstraint("risk_score IS NULL OR risk_score BETWEEN 0 AND 100", name="risk_score"),
        CheckConstraint("insurance_amount >= 0 AND guarantee_amount >= 0", name="securities"),
        CheckConstraint("overdue_balance >= 0", name="overdue_not_negative"),
        CheckConstraint(
            "held_document_count >= 0 AND open_action_count >= 0", name="counts_not_negative"
        ),
        CheckConstraint("version > 0", name="version_positive"),
        # The debtor queue: one partial index per sort column, over the debtors only
        # (migration 0003); a page in either direction is a range scan of one of them.
        *(
            Index(name, *columns, postgresql_where=text("overdue_balance > 0"))
            for name, columns in (
                ("ix_customer_queue_overdue", ("overdue_balance", "id")),
                ("ix_customer_queue_balance", ("balance", "id")),
                ("ix_customer_queue_oldest_due", ("oldest_due_on", "id")),
                ("ix_customer_queue_name", ("name", "id")),
                ("ix_customer_queue_postal_code", ("postal_code", "id")),
                ("ix_customer_queue_last_call", ("last_call_at", "id")),
                ("ix_customer_queue_next_call", ("next_call_on", "id")),
                ("ix_customer_queue_next_promise", ("next_promise_on", "id")),
                ("ix_customer_queue_account", ("account", "id")),
                ("ix_customer_queue_controller", ("controller_id", "overdue_balance", "id")),
            )
        ),
        *(
            Index(
                f"ix_customer_queue_{column}_trgm",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
                postgresql_where=text("overdue_balance > 0"),
            )
            for column in ("name", "name2")
        ),
        Index("ix_customer_controller_id", "controller_id"),
        Index("ix_customer_pool_id", "pool_id"),
        Index("ix_customer_credit_group_id", "credit_group_id"),
        Index("ix_customer_credit_policy_id", "credit_policy_id"),
        Index(
            "ix_customer_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
        Index(
            "ix_customer_name2_trgm",
            "name2",
            postgresql_using="gin",
            postgresql_ops={"name2": "gin_trgm_ops"},
        ),
        Index(
            "ix_customer_account_trgm",
            "account",
            postgresql_using="gin",
            postgresql_ops={"account": "gin_trgm_ops"},
        ),
        Index(
            "ix_customer_phone_trgm",
            "phone",
            postgresql_using="gin",
            postgresql_ops={"phone": "gin_trgm_ops"},
        ),
        Index(
            "ix_customer_postal_code_trgm",
            "postal_code",
            postgresql_using="gin",
            postgresql_ops={"postal_code": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name2: Mapped[str | None] = mapped_column(String(200))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(
        String(20), server_default="en_GB", doc="Babel locale for letters and amounts."
    )
    currency: Mapped[str] = mapped_column(String(3))
    payment_terms_days: Mapped[int] = mapped_column(SmallInteger, server_default="30")
    delivery: Mapped[Delivery] = mapped_column(
        str_enum(Delivery, "delivery"), server_default=Delivery.MAIL.value
    )

    # Credit settings (seeds 001, 003).
    credit_policy_id: Mapped[int | None] = mapped_column(ForeignKey("credit_policy.id"))
    manual_settings: Mapped[bool] = mapped_column(Boolean, server_default=false())
    credit_limit: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    temp_credit_limit: Mapped[Decimal | None] = mapped_column(MONEY)
    temp_limit_expires_on: Mapped[date | None] = mapped_column(Date)
    credit_group_id: Mapped[int | None] = mapped_column(ForeignKey("credit_group.id"))
    credit_action: Mapped[CreditAction] = mapped_column(
        str_enum(CreditAction, "credit_action"), server_default=CreditAction.OK.value
    )
    credit_action_event: Mapped[CreditEvent] = mapped_column(
        str_enum(CreditEvent, "credit_action_event"), server_default=CreditEvent.NONE.value
    )
    credit_action_since: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    risk_score: Mapped[int | None] = mapped_column(SmallInteger)
    insurance_amount: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    guarantee_amount: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    guarantee_note: Mapped[str | None] = mapped_column(Text)
    credit_limit_checked_on: Mapped[date | None] = mapped_column(Date)

    # Who works it.
    controller_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("pool.id"))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_reason: Mapped[str | None] = mapped_column(Text)

    # Maintained figures (kept exact by the services; `cctui recalc` verifies them).
    balance: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    overdue_balance: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    oldest_due_on: Mapped[date | None] = mapped_column(Date)
    held_document_count: Mapped[int] = mapped_column(Integer, server_default="0")
    open_action_count: Mapped[int] = mapped_column(Integer, server_default="0")
    last_call_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_call_outcome: Mapped[CallOutcome | None] = mapped_column(
        str_enum(CallOutcome, "last_call_outcome")
    )
    last_contacted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_call_on: Mapped[date | None] = mapped_column(Date)
    next_promise_on: Mapped[date | None] = mapped_column(Date)
    figures_changed: Mapped[bool] = mapped_column(
        Boolean,
        server_default=false(),
        doc="Set when postings arrived since the last recalculation (seed 002).",
    )

    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __mapper_args__ = {"version_id_col": version}
