"""Memory for the statements that read the whole book in one go."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

BULK_WORK_MEM = "64MB"
"""What one sort or hash of a whole-book statement may use before it spills to disk: the
per-customer sums of a million invoices fit, PostgreSQL's default 4 MB does not."""

_SET_WORK_MEM = text(f"SET LOCAL work_mem = '{BULK_WORK_MEM}'")


def allow_bulk_memory(session: Session) -> None:
    """Let the rest of ``session``'s transaction sort and hash the whole book in memory."""
    session.execute(_SET_WORK_MEM)
