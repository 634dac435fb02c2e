"""Staff members, and the pools of customers they work."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from cctui.domain.base import MONEY, Base, str_enum
from cctui.domain.models._columns import created_at_column
from cctui.domain.models.enums import Role


class Staff(Base):
    """A person who uses cctui, matched to an OS or SSH login."""

    __tablename__ = "staff"
    __table_args__ = (
        CheckConstraint("login = lower(login) AND length(login) > 0", name="login_lowercase"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("approval_limit IS NULL OR approval_limit >= 0", name="approval_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    approval_secret: Mapped[str | None] = mapped_column(
        String(300), doc="Slow hash (scrypt) of the supervisor's approval password; never plain."
    )
    approval_limit: Mapped[Decimal | None] = mapped_column(
        MONEY, doc="Largest credit limit this person may set without a supervisor."
    )
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[datetime] = created_at_column()


class Pool(Base):
    """A collections pool: customers chosen by assignment or by criteria (seed 001)."""

    __tablename__ = "pool"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    criteria: Mapped[dict[str, object] | None] = mapped_column(
        JSONB,
        doc="Filter that selects customers (None: by assignment only).",
    )
    created_at: Mapped[datetime] = created_at_column()


staff_pool = Table(
    "staff_pool",
    Base.metadata,
    Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    Column("pool_id", ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True),
)
"""Which staff work which pools."""

Index("ix_staff_pool_pool_id", staff_pool.c.pool_id)
