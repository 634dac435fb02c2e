"""Column helpers shared by the model modules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, func
from sqlalchemy.orm import Mapped, mapped_column


def created_at_column() -> Mapped[datetime]:
    """A ``timestamptz`` set by the database when the row is inserted."""
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def timestamp_column(*, nullable: bool = True) -> Mapped[datetime | None]:
    """A ``timestamptz`` column without a default."""
    return mapped_column(DateTime(timezone=True), nullable=nullable)
