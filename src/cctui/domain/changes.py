"""What a change to the book is, as the audit log announces it and the app hears it.

Apart from :mod:`cctui.domain.audit` so that the app can handle changes before it has
imported SQLAlchemy or mapped a model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

MAX_PAYLOAD_BYTES = 7999
"""PostgreSQL refuses NOTIFY payloads of 8000 bytes or more."""

MAX_FIELD_CHARS = 200
"""Longest entity, action or id a payload carries (they are names and keys, never text)."""

WHOLE_BOOK = "book"
"""The entity of a change to the whole book, such as a daily check (no customer in particular)."""

CUSTOMER_ENTITIES = frozenset({"customer", "debtor_lease"})
"""Entities whose id is the customer's id."""


@dataclass(frozen=True)
class BookChange:
    """One change to the book as a NOTIFY announces it.

    ``customer_id`` is the customer the change concerns (None when it concerns none, or
    many, such as a daily check); ``entity`` is what changed (``"customer"``, ``"invoice"``,
    ``"note"``, ``"promise"``, ``"book"`` for the whole book…); ``action`` is the audit action
    (``"add_note"``); ``id`` the changed entity's id as text, when there is one.
    """

    customer_id: int | None
    entity: str
    action: str
    id: str | None = None

    def payload(self) -> str:
        """The NOTIFY payload: compact JSON, always under :data:`MAX_PAYLOAD_BYTES`."""
        value = {
            "customer_id": self.customer_id,
            "entity": self.entity[:MAX_FIELD_CHARS],
            "action": self.action[:MAX_FIELD_CHARS],
            "id": None if self.id is None else self.id[:MAX_FIELD_CHARS],
        }
        # 3 x 200 characters of at most 6 bytes each (JSON escapes) stay far below the limit.
        return json.dumps(value, separators=(",", ":"))

    @classmethod
    def from_payload(cls, payload: str) -> BookChange | None:
        """The change a payload describes, or None when it is not one of ours."""
        try:
            value = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(value, dict):
            return None
        customer_id = value.get("customer_id")
        entity = value.get("entity")
        action = value.get("action")
        change_id = value.get("id")
        if not isinstance(entity, str) or not isinstance(action, str):
            return None
        if customer_id is not None and (
            not isinstance(customer_id, int) or isinstance(customer_id, bool)
        ):
            customer_id = None
        return cls(
            customer_id=customer_id,
            entity=entity,
            action=action,
            id=None if change_id is None else str(change_id),
        )
