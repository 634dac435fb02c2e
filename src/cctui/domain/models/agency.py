"""Collection agencies and the invoices handed over to them (seed 000)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from cctui.domain.base import PERCENT, Base
from cctui.domain.models._columns import created_at_column


class CollectionAgency(Base):
    """An agency that collects invoices for a commission."""

    __tablename__ = "collection_agency"
    __table_args__ = (
        CheckConstraint("commission_percent BETWEEN 0 AND 100", name="commission_percent"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address_line1: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    commission_percent: Mapped[Decimal] = mapped_column(PERCENT, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())


class AgencyHandover(Base):
    """An invoice handed to an agency on a date, and its recall if it came back."""

    __tablename__ = "agency_handover"
    __table_args__ = (
        CheckConstraint(
            "recalled_on IS NULL OR recalled_on >= handed_on", name="recalled_after_handed"
        ),
        Index(
            "uq_agency_handover_open_invoice",
            "invoice_id",
            unique=True,
            postgresql_where=text("recalled_on IS NULL"),
        ),
        Index("ix_agency_handover_agency_id", "agency_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("collection_agency.id"))
    handed_on: Mapped[date] = mapped_column(Date)
    handed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    recalled_on: Mapped[date | None] = mapped_column(Date)
    recalled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
