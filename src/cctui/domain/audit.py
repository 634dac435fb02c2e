"""The audit log: every service that changes data records who, what, before and after.

Recording an audit row also tells every running app what changed: the same transaction sends
a PostgreSQL ``NOTIFY`` on :data:`CHANGES_CHANNEL` whose payload is a :class:`BookChange` as
JSON (``{"customer_id": 42, "entity": "note", "action": "add_note", "id": "7"}``). PostgreSQL
delivers it when the transaction commits, and never when it rolls back. Set-based steps that
write many audit rows in SQL send one notification for the whole step instead
(:func:`notify_change`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

from cctui.domain.changes import CUSTOMER_ENTITIES
from cctui.domain.changes import MAX_PAYLOAD_BYTES as MAX_PAYLOAD_BYTES  # re-exported
from cctui.domain.changes import WHOLE_BOOK as WHOLE_BOOK  # re-exported
from cctui.domain.changes import BookChange as BookChange  # re-exported
from cctui.domain.models import AuditLog

CHANGES_CHANNEL = "cctui_changes"
"""The channel every change is announced on (``LISTEN cctui_changes``)."""


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


def notify_change(session: Session, change: BookChange) -> None:
    """Announce ``change`` on :data:`CHANGES_CHANNEL` when ``session``'s transaction commits."""
    with session.no_autoflush:  # announcing must not flush the caller's pending objects early
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANGES_CHANNEL, "payload": change.payload()},
        )


def _customer_of(
    entity: str,
    entity_id: object | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> int | None:
    """The customer a change concerns, as far as its audit row tells (else None)."""
    if entity in CUSTOMER_ENTITIES and entity_id is not None:
        try:
            return int(str(entity_id))
        except ValueError:
            return None
    for values in (after, before):
        found = (values or {}).get("customer_id")
        if isinstance(found, int) and not isinstance(found, bool):
            return found
    return None


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
    customer_id: int | None = None,
    notify: bool = True,
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
        customer_id=customer_id,
        notify=notify,
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
    customer_id: int | None = None,
    notify: bool = True,
) -> AuditLog:
    """Add an audit row to ``session`` in the caller's transaction and return it.

    Unless ``notify`` is False, the same transaction announces the change (see
    :func:`notify_change`). ``customer_id`` names the customer the change concerns; when it
    is not given it is taken from the audit row: the id of a ``customer`` (or lease), else a
    ``customer_id`` in ``after`` or ``before``.
    """
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
    if notify:
        if customer_id is None:
            customer_id = _customer_of(entity, entity_id, before, after)
        change = BookChange(
            customer_id=customer_id,
            entity=entity,
            action=action,
            id=None if entity_id is None else str(entity_id),
        )
        notify_change(session, change)
    return row
