"""Set-based SQL run after the COPY: maintained customer figures, sequences, statistics."""

from __future__ import annotations

from datetime import date
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Integer, Table

CUSTOMER_FIGURES = sql.SQL("""
WITH inv AS (
    SELECT customer_id,
           sum(open_amount) AS balance,
           coalesce(sum(open_amount) FILTER (WHERE due_on < %(today)s), 0) AS overdue,
           min(due_on) FILTER (WHERE due_on < %(today)s) AS oldest
    FROM invoice
    WHERE open_amount > 0
    GROUP BY customer_id
), calls AS (
    SELECT DISTINCT ON (customer_id)
           customer_id, started_at AS last_call_at, outcome AS last_outcome, next_call_on
    FROM contact
    WHERE ended_at IS NOT NULL
    ORDER BY customer_id, started_at DESC, id DESC
), contacted AS (
    SELECT customer_id, max(started_at) AS last_contacted_at
    FROM contact
    WHERE outcome = 'contacted'
    GROUP BY customer_id
), promises AS (
    SELECT customer_id, min(promised_on) AS next_promise_on
    FROM promise
    WHERE status = 'open'
    GROUP BY customer_id
), actions AS (
    SELECT customer_id, count(*) AS open_actions
    FROM note
    WHERE kind = 'action' AND status = 'open'
    GROUP BY customer_id
), held AS (
    SELECT customer_id, count(*) AS held
    FROM held_document
    WHERE status = 'held'
    GROUP BY customer_id
), ids AS (
    SELECT customer_id FROM inv
    UNION SELECT customer_id FROM calls
    UNION SELECT customer_id FROM promises
    UNION SELECT customer_id FROM actions
    UNION SELECT customer_id FROM held
)
UPDATE customer AS c
SET balance = coalesce(inv.balance, 0),
    overdue_balance = coalesce(inv.overdue, 0),
    oldest_due_on = inv.oldest,
    last_call_at = calls.last_call_at,
    last_call_outcome = calls.last_outcome,
    last_contacted_at = contacted.last_contacted_at,
    next_call_on = calls.next_call_on,
    next_promise_on = promises.next_promise_on,
    open_action_count = coalesce(actions.open_actions, 0),
    held_document_count = coalesce(held.held, 0)
FROM ids
LEFT JOIN inv USING (customer_id)
LEFT JOIN calls USING (customer_id)
LEFT JOIN contacted USING (customer_id)
LEFT JOIN promises USING (customer_id)
LEFT JOIN actions USING (customer_id)
LEFT JOIN held USING (customer_id)
WHERE c.id = ids.customer_id
""")
"""One UPDATE setting every maintained figure of every customer from the loaded rows.

``balance`` is the sum of open amounts, ``overdue_balance`` that of invoices due before
today, ``oldest_due_on`` the earliest due date among them; the call figures come from the
latest call (``last_contacted_at`` from the latest successful one), ``next_promise_on`` from
the open promises, ``open_action_count`` from open action notes, ``held_document_count``
from documents still held."""


def update_customer_figures(cursor: psycopg.Cursor[Any], today: date) -> int:
    """Run :data:`CUSTOMER_FIGURES` for ``today``; returns the customers updated."""
    cursor.execute(CUSTOMER_FIGURES, {"today": today})
    return cursor.rowcount


def reset_sequences(cursor: psycopg.Cursor[Any], tables: list[Table]) -> None:
    """Move every id sequence past the largest id loaded, so the app can insert rows."""
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        column = keys[0].name
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", (table.name, column))
        found = cursor.fetchone()
        sequence = found[0] if found else None
        if sequence is None:
            continue
        cursor.execute(
            sql.SQL("SELECT setval({}::regclass, coalesce(max({}), 0) + 1, false) FROM {}").format(
                sql.Literal(sequence), sql.Identifier(column), sql.Identifier(table.name)
            )
        )
