"""The audit log: every service that changes data records who, what, before and after."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from sqlalchemy.orm import Session

from cctui.domain.models import AuditLog


def _jsonable(value: Any) -> Any:
    """Turn Decimals, dates and enums into JSON-friendly values, recursively."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    return value


class Author(Protocol):
    """Who made a change: a staff identity (its login and staff id)."""

    @property
    def login(self) -> str:
        """The author's login."""
        ...

    @property
    def id(self) -> int:
        """The author's staff id."""
        ...


def audit(
    session: Session,
    author: Author,
    *,
    action: str,
    entity: str,
    entity_id: object | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """:func:`record_audit` for a change made by the staff member ``author``."""
    return record_audit(
        session,
        actor=author.login,
        staff_id=author.id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )


def record_audit(
    session: Session,
    *,
    actor: str,
    staff_id: int | None,
    action: str,
    entity: str,
    entity_id: object | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit row to ``session`` in the caller's transaction and return it."""
    row = AuditLog(
        actor=actor,
        staff_id=staff_id,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    session.add(row)
    return row
