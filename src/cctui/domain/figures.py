"""The customer figures kept up to date by every posting, and the truth they must equal.

The debtor queue reads ``customer.balance``, ``overdue_balance`` and the other maintained
columns instead of aggregating invoices per page. Every service that moves an open amount
locks the customer row (:func:`cctui.domain.editing.lock_customer`), changes the invoices,
then calls :func:`refresh_balances` in the same transaction; ``cctui recalc`` compares every
maintained column with :data:`TRUTH_SQL` and reports any difference.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger

from cctui.domain.models import Customer

MAINTAINED_COLUMNS = (
    "balance",
    "overdue_balance",
    "oldest_due_on",
    "held_document_count",
    "open_action_count",
    "last_call_at",
    "last_call_outcome",
    "last_contacted_at",
    "next_call_on",
    "next_promise_on",
)
"""Customer columns derived from other rows; :data:`TRUTH_SQL` computes each of them."""

TRUTH_SQL = """
SELECT c.id AS customer_id,
       coalesce(inv.balance, 0) AS balance,
       coalesce(inv.overdue, 0) AS overdue_balance,
       inv.oldest AS oldest_due_on,
       coalesce(held.n, 0) AS held_document_count,
       coalesce(actions.n, 0) AS open_action_count,
       calls.started_at AS last_call_at,
       calls.outcome AS last_call_outcome,
       contacted.last_at AS last_contacted_at,
       calls.next_call_on AS next_call_on,
       promises.next_on AS next_promise_on
FROM customer AS c
LEFT JOIN LATERAL (
    SELECT sum(i.open_amount) AS balance,
           sum(i.open_amount) FILTER (WHERE i.due_on < :as_of) AS overdue,
           min(i.due_on) FILTER (WHERE i.due_on < :as_of) AS oldest
    FROM invoice AS i
    WHERE i.customer_id = c.id AND i.open_amount > 0
) AS inv ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS n FROM held_document AS h
    WHERE h.customer_id = c.id AND h.status = 'held'
) AS held ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS n FROM note AS n
    WHERE n.customer_id = c.id AND n.kind = 'action' AND n.status = 'open'
) AS actions ON true
LEFT JOIN LATERAL (
    SELECT k.started_at, k.outcome, k.next_call_on FROM contact AS k
    WHERE k.customer_id = c.id AND k.ended_at IS NOT NULL
    ORDER BY k.started_at DESC, k.id DESC LIMIT 1
) AS calls ON true
LEFT JOIN LATERAL (
    SELECT max(k.started_at) AS last_at FROM contact AS k
    WHERE k.customer_id = c.id AND k.outcome = 'contacted'
) AS contacted ON true
LEFT JOIN LATERAL (
    SELECT min(p.promised_on) AS next_on FROM promise AS p
    WHERE p.customer_id = c.id AND p.status = 'open'
) AS promises ON true
WHERE {scope}
"""
"""Every maintained column of the customers matching ``{scope}`` (a predicate on ``c``),
computed from the rows it summarises, for the day ``:as_of``.

An invoice is open when its open amount is above zero and overdue when, open, it fell due
before ``:as_of``; ``last_call_*`` and ``next_call_on`` come from the latest finished call,
``last_contacted_at`` from the latest successful one, ``next_promise_on`` from the open
promises."""

_OPEN_SUMS = """SELECT customer_id,
           sum(open_amount) AS balance,
           sum(open_amount) FILTER (WHERE due_on < :as_of) AS overdue,
           min(due_on) FILTER (WHERE due_on < :as_of) AS oldest
    FROM invoice
    WHERE open_amount > 0{only}
    GROUP BY customer_id"""
"""Balance, overdue balance and oldest overdue due date per customer, from the open
invoices (``{only}``: a further condition, or nothing)."""

TRUTH_SQL_WHOLE_BOOK = """
SELECT c.id AS customer_id,
       coalesce(inv.balance, 0) AS balance,
       coalesce(inv.overdue, 0) AS overdue_balance,
       inv.oldest AS oldest_due_on,
       coalesce(held.n, 0) AS held_document_count,
       coalesce(actions.n, 0) AS open_action_count,
       calls.started_at AS last_call_at,
       calls.outcome AS last_call_outcome,
       contacted.last_at AS last_contacted_at,
       calls.next_call_on AS next_call_on,
       promises.next_on AS next_promise_on
FROM customer AS c
LEFT JOIN (
    {OPEN_SUMS}
) AS inv ON inv.customer_id = c.id
LEFT JOIN (
    SELECT customer_id, count(*) AS n FROM held_document
    WHERE status = 'held' GROUP BY customer_id
) AS held ON held.customer_id = c.id
LEFT JOIN (
    SELECT customer_id, count(*) AS n FROM note
    WHERE kind = 'action' AND status = 'open' GROUP BY customer_id
) AS actions ON actions.customer_id = c.id
LEFT JOIN (
    SELECT DISTINCT ON (customer_id) customer_id, started_at, outcome, next_call_on
    FROM contact
    WHERE ended_at IS NOT NULL
    ORDER BY customer_id, started_at DESC, id DESC
) AS calls ON calls.customer_id = c.id
LEFT JOIN (
    SELECT customer_id, max(started_at) AS last_at FROM contact
    WHERE outcome = 'contacted' GROUP BY customer_id
) AS contacted ON contacted.customer_id = c.id
LEFT JOIN (
    SELECT customer_id, min(promised_on) AS next_on FROM promise
    WHERE status = 'open' GROUP BY customer_id
) AS promises ON promises.customer_id = c.id
""".replace("{OPEN_SUMS}", _OPEN_SUMS.format(only=""))
"""The same columns as :data:`TRUTH_SQL` for every customer of the book, with one aggregate
per table instead of one lookup per customer: several times faster for the whole book."""


def truth_sql(scope: str | None) -> str:
    """The truth of the customers matching ``scope`` (a predicate on ``c``), or of all (None).

    A narrow scope looks each customer up through its indexes; the whole book is aggregated
    table by table.
    """
    return TRUTH_SQL_WHOLE_BOOK if scope is None else TRUTH_SQL.format(scope=scope)


_REFRESH_BALANCES = text(
    """
UPDATE customer AS c
SET balance = coalesce(t.balance, 0),
    overdue_balance = coalesce(t.overdue, 0),
    oldest_due_on = t.oldest,
    figures_changed = true
FROM (
    -- The open invoices of all the customers summed in one go (an index-only scan of the
    -- covering index, for one customer or a whole book), then matched to each customer.
    SELECT ids.id, o.balance, o.overdue, o.oldest
    FROM unnest(:ids) AS ids(id)
    LEFT JOIN (
        {OPEN_SUMS_OF_IDS}
    ) AS o ON o.customer_id = ids.id
) AS t
WHERE c.id = t.id
  AND (c.balance, c.overdue_balance, c.oldest_due_on)
      IS DISTINCT FROM (coalesce(t.balance, 0), coalesce(t.overdue, 0), t.oldest)
""".replace("{OPEN_SUMS_OF_IDS}", _OPEN_SUMS.format(only=" AND customer_id = ANY(:ids)"))
).bindparams(bindparam("ids", type_=ARRAY(BigInteger())))

_REFRESH_HELD_COUNT = text("""
UPDATE customer AS c
SET held_document_count = (
    SELECT count(*) FROM held_document AS h WHERE h.customer_id = c.id AND h.status = 'held'
)
WHERE c.id = :customer_id
""")


def refresh_balances(session: Session, customer_ids: Iterable[int], as_of: date) -> None:
    """Recompute balance, overdue balance and oldest due date of the (locked) customers.

    Marks them ``figures_changed`` (seed 002: postings since the last recalculation).
    Runs one indexed aggregate per customer over its open invoices only, and writes only the
    customers whose figures moved: a customer row carries many indexes, so a write that
    changes nothing (a dunning letter without a fee, say) is not free.
    """
    ids = sorted(set(customer_ids))
    if not ids:
        return
    session.flush()
    session.execute(_REFRESH_BALANCES, {"ids": ids, "as_of": as_of})
    _expire_figures(session, ids)


def refresh_held_count(session: Session, customer_id: int) -> None:
    """Recount the customer's held documents after one was held, released or rejected."""
    session.flush()
    session.execute(_REFRESH_HELD_COUNT, {"customer_id": customer_id})
    _expire_figures(session, [customer_id])


def _expire_figures(session: Session, ids: list[int]) -> None:
    """Make loaded Customer objects re-read the columns just updated in SQL."""
    wanted = set(ids)
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Customer) and loaded.id in wanted:
            session.expire(loaded, [*MAINTAINED_COLUMNS, "figures_changed"])
