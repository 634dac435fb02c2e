"""Shared helpers of the import tests: writing CSV files, counting rows, the acting admin."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cctui.domain.identity import StaffIdentity
from cctui.domain.models import AuditLog, Role
from tests.factories import make_staff


def write_csv(path: Path, *lines: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    """Write ``lines`` (already delimited) to ``path`` and return it."""
    data = "\n".join(lines) + "\n"
    raw = data.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + raw)
    return path


def count(session: Session, model: type) -> int:
    """How many rows ``model``'s table holds."""
    return session.scalar(select(func.count()).select_from(model)) or 0


def importer(session: Session, login: str = "importer") -> StaffIdentity:
    """A supervisor allowed to import."""
    return make_staff(session, login, Role.SUPERVISOR)


def import_audits(session: Session, kind: str) -> list[AuditLog]:
    """The audit rows of imports of ``kind``."""
    return list(session.scalars(select(AuditLog).where(AuditLog.action == f"import_{kind}")))
