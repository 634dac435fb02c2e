"""Recompute the workflow figures a customer row keeps: open actions, calls, next promise.

Each refresher recounts from the rows it summarises with the same definitions as
:data:`cctui.domain.figures.TRUTH_SQL`, in plain SQL: the customer's ``version`` (its
optimistic lock for settings) does not move, and a row already right is left untouched.
Services lock the customer first (:func:`cctui.domain.editing.lock_customer`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger

from cctui.domain.models import Customer

_OPEN_ACTIONS = text("""
UPDATE customer AS c
SET open_action_count = t.n
FROM (
    SELECT count(*) AS n FROM note AS n
    WHERE n.customer_id = :customer_id AND n.kind = 'action' AND n.status = 'open'
) AS t
WHERE c.id = :customer_id AND c.open_action_count IS DISTINCT FROM t.n
""")

_CALLS = text("""
UPDATE customer AS c
SET last_call_at = last.started_at,
    last_call_outcome = last.outcome,
    last_contacted_at = contacted.last_at,
    next_call_on = last.next_call_on
FROM (SELECT CAST(:customer_id AS bigint) AS id) AS ids
LEFT JOIN LATERAL (
    SELECT k.started_at, k.outcome, k.next_call_on FROM contact AS k
    WHERE k.customer_id = ids.id AND k.ended_at IS NOT NULL
    ORDER BY k.started_at DESC, k.id DESC LIMIT 1
) AS last ON true
LEFT JOIN LATERAL (
    SELECT max(k.started_at) AS last_at FROM contact AS k
    WHERE k.customer_id = ids.id AND k.outcome = 'contacted'
) AS contacted ON true
WHERE c.id = ids.id
  AND (c.last_call_at, c.last_call_outcome, c.last_contacted_at, c.next_call_on)
      IS DISTINCT FROM (last.started_at, last.outcome, contacted.last_at, last.next_call_on)
""")

_NEXT_PROMISE = text("""
UPDATE customer AS c
SET next_promise_on = t.next_on
FROM (
    SELECT ids.id, min(p.promised_on) AS next_on
    FROM unnest(:ids) AS ids(id)
    LEFT JOIN promise AS p ON p.customer_id = ids.id AND p.status = 'open'
    GROUP BY ids.id
) AS t
WHERE c.id = t.id AND c.next_promise_on IS DISTINCT FROM t.next_on
""").bindparams(bindparam("ids", type_=ARRAY(BigInteger())))

CALL_COLUMNS = ("last_call_at", "last_call_outcome", "last_contacted_at", "next_call_on")
"""The customer columns fed by finished calls."""


def refresh_open_actions(session: Session, customer_id: int) -> None:
    """Recount the customer's open customer-visible actions (its red bar)."""
    session.flush()
    session.execute(_OPEN_ACTIONS, {"customer_id": customer_id})
    _expire(session, [customer_id], ("open_action_count",))


def refresh_call_figures(session: Session, customer_id: int) -> None:
    """Set last call, its outcome, next call (latest finished call) and last contacted."""
    session.flush()
    session.execute(_CALLS, {"customer_id": customer_id})
    _expire(session, [customer_id], CALL_COLUMNS)


def refresh_next_promise(session: Session, customer_ids: Iterable[int]) -> None:
    """Set each customer's next promise date: the earliest date of its open promises."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    session.flush()
    session.execute(_NEXT_PROMISE, {"ids": ids})
    _expire(session, ids, ("next_promise_on",))


def _expire(session: Session, ids: list[int], columns: Iterable[str]) -> None:
    """Make loaded Customer objects re-read the columns just updated in SQL."""
    wanted = set(ids)
    names = list(columns)
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Customer) and loaded.id in wanted:
            session.expire(loaded, names)
