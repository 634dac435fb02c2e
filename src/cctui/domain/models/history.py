"""What the book remembers: aging snapshots, daily-check runs, settings and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from cctui.domain.base import MONEY, Base, str_enum
from cctui.domain.models._columns import created_at_column
from cctui.domain.models.enums import RunStatus


class AgingSnapshot(Base):
    """A customer's aged balance on one day; feeds the charts (seeds 001, 002)."""

    __tablename__ = "aging_snapshot"
    __table_args__ = (
        CheckConstraint("overdue >= 0", name="overdue_not_negative"),
        Index("ix_aging_snapshot_customer_id", "customer_id", "snapshot_on"),
    )

    snapshot_on: Mapped[date] = mapped_column(Date, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    balance: Mapped[Decimal] = mapped_column(MONEY)
    overdue: Mapped[Decimal] = mapped_column(MONEY)
    credit_limit: Mapped[Decimal] = mapped_column(MONEY)
    bands: Mapped[list[Decimal]] = mapped_column(
        ARRAY(MONEY), doc="Open amount per aging band, in the order of the band setting."
    )


class AgingTotal(Base):
    """The book's aged balance on one day in one currency: its aging snapshots added up.

    Kept by a trigger on ``aging_snapshot`` (migration 0005), never written by the app; the
    dashboard's charts read ninety of these instead of millions of snapshot rows.
    """

    __tablename__ = "aging_total"
    __table_args__ = (CheckConstraint("customers > 0", name="customers_positive"),)

    snapshot_on: Mapped[date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    customers: Mapped[int] = mapped_column(Integer)
    balance: Mapped[Decimal] = mapped_column(Numeric)
    overdue: Mapped[Decimal] = mapped_column(Numeric)
    bands: Mapped[list[Decimal]] = mapped_column(
        ARRAY(Numeric), doc="Open amount per aging band, in the order of the band setting."
    )


class DailyCheckRun(Base):
    """The daily aged-balance check of one business day; the date is unique."""

    __tablename__ = "daily_check_run"
    __table_args__ = (
        CheckConstraint(
            "(status = 'running') = (finished_at IS NULL)", name="finished_when_not_running"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_on: Mapped[date] = mapped_column(Date, unique=True)
    status: Mapped[RunStatus] = mapped_column(
        str_enum(RunStatus, "status"), server_default=RunStatus.RUNNING.value
    )
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    started_by_login: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = created_at_column()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    error: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    """A book-wide setting (aging bands, colour-status days, letterhead, ...), as JSON."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = created_at_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class AuditLog(Base):
    """Who changed what and when, with the values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("length(action) > 0", name="action_not_empty"),
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = created_at_column()
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor: Mapped[str] = mapped_column(String(64), doc="Login of the author (or 'cron').")
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    # none_as_null: a missing before/after is SQL NULL, as the set-based steps write it.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
