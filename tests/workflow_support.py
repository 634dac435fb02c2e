"""Shared checks of the workflow tests: what the audit log holds."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cctui.domain.models import AuditLog


def audit_rows(session: Session, action: str) -> list[AuditLog]:
    """The audit rows of ``action``, oldest first."""
    return list(
        session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))
    )


def audit_count(session: Session) -> int:
    """How many audit rows exist."""
    return session.scalar(select(func.count()).select_from(AuditLog)) or 0
