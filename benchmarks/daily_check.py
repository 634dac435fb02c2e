"""The daily check on the demo book, against bare set-based SQL doing the same work.

Every measurement starts from a fresh copy of the book the demo-load benchmark loaded
(``CREATE DATABASE … TEMPLATE``), with the run date the day after the demo's, so that
invoices fall due overnight and the check has real work to do.

- *daily check, full book*: :func:`cctui.domain.daily_check.run_daily_check` through a
  session, committed, against the same work as bare set-based SQL run with a raw psycopg
  cursor in one transaction on another copy: expire temporary limits (:data:`BARE_EXPIRE`),
  move the overdue figures (:data:`BARE_OVERDUE`), set credit actions
  (:data:`BARE_ACTIONS`), write aging snapshots (:data:`BARE_SNAPSHOTS`), judge the promises
  due (:data:`BARE_PROMISES`), dun the overdue invoices and refresh their customers'
  balances (:data:`BARE_DUNNING`, :data:`BARE_BALANCES`), queue the invoices to mail
  (:data:`BARE_MAIL`), then record the run (:data:`BARE_RECORD`). The bare side takes no
  lock and tidies up after no race: it is the work alone. Both must report the same counts,
  and after each pair both copies must hold the same rows (:func:`_fingerprint`); a
  difference stops the benchmark.
- *daily check, second run the same day*: the service again once the day is done, against
  the bare look-up of the day's run row.
- *recalculate all figures*: :func:`cctui.domain.recalc.recalculate_figures` over the whole
  book, against a bare GROUP BY of the open invoices per customer.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import create_engine, select

from benchmarks.demo_load import TODAY
from benchmarks.harness import Result, ScratchServer
from cctui.db.engine import Database
from cctui.domain.bulk_memory import BULK_WORK_MEM
from cctui.domain.daily_check import run_daily_check
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role, Staff
from cctui.domain.recalc import recalculate_figures

RUN_ON = TODAY + timedelta(days=1)
"""The check's run date: the demo set every credit action as of its TODAY, so overnight
invoices fall due and overdue figures, actions and snapshots really move."""

MIN_FULL_RUNS = 3
"""Pairs of full checks measured at least, when one takes under :data:`SLOW_RUN_SECONDS`."""
SLOW_RUN_SECONDS = 10.0
SECOND_RUNS = 10
"""Repetitions, at least, of the cheap second run of the day and its bare look-up."""

# The bare version of the check: its steps as one person would write them by hand for
# PostgreSQL, then the row that records the run. Parameters: d (run date), actor, staff_id.

BARE_EXPIRE = """
WITH expiring AS (
    SELECT id, temp_credit_limit, temp_limit_expires_on, credit_limit
    FROM customer
    WHERE temp_limit_expires_on <= %(d)s
), cleared AS (
    UPDATE customer AS c
    SET temp_credit_limit = NULL, temp_limit_expires_on = NULL,
        version = c.version + 1, updated_at = now()
    FROM expiring AS e
    WHERE c.id = e.id
), history AS (
    INSERT INTO credit_limit_change
        (customer_id, old_limit, new_limit, temporary, reason, status, requested_by_id,
         applied_at)
    SELECT id, temp_credit_limit, credit_limit, false,
           'Temporary limit expired on ' || temp_limit_expires_on::text,
           'approved', %(staff_id)s, now()
    FROM expiring
), audit AS (
    INSERT INTO audit_log (actor, staff_id, action, entity, entity_id, before, after)
    SELECT %(actor)s, %(staff_id)s, 'expire_temporary_limit', 'customer', id::text,
           jsonb_build_object('temp_credit_limit', temp_credit_limit::text,
                              'temp_limit_expires_on', temp_limit_expires_on::text),
           jsonb_build_object('credit_limit', credit_limit::text)
    FROM expiring
)
SELECT count(*) FROM expiring
"""
"""Step 1: drop the temporary limits expiring by the run date, with history and audit."""

BARE_OVERDUE = """
UPDATE customer AS c
SET overdue_balance = coalesce(due.amount, 0), oldest_due_on = due.oldest
FROM customer AS old
LEFT JOIN (
    SELECT customer_id, sum(open_amount) AS amount, min(due_on) AS oldest
    FROM invoice
    WHERE open_amount > 0 AND due_on < %(d)s
    GROUP BY customer_id
) AS due ON due.customer_id = old.id
WHERE c.id = old.id
  AND (old.overdue_balance, old.oldest_due_on)
      IS DISTINCT FROM (coalesce(due.amount, 0), due.oldest)
"""
"""Step 2: every customer's overdue balance and oldest due date as of the run date."""

BARE_ACTIONS = """
WITH codes AS (
    -- An action's code is its severity * 10 plus the rank of the event that sets it, so the
    -- greatest code is the most severe action, ties going to the later event; OK has none.
    SELECT ARRAY['remind', 'password', 'hold'] AS actions,
           ARRAY['limit_exceeded', 'limit_exceeded_percent', 'aged_once', 'aged_twice',
                 'aged_thrice'] AS events
), rule AS (
    SELECT p.id, p.limit_exceeded_percent,
           p.aged_once_days, p.aged_twice_days, p.aged_thrice_days,
           array_position(codes.actions, p.action_limit_exceeded::text) * 10 + 1 AS k1,
           array_position(codes.actions, p.action_limit_exceeded_percent::text) * 10 + 2 AS k2,
           array_position(codes.actions, p.action_aged_once::text) * 10 + 3 AS k3,
           array_position(codes.actions, p.action_aged_twice::text) * 10 + 4 AS k4,
           array_position(codes.actions, p.action_aged_thrice::text) * 10 + 5 AS k5
    FROM credit_policy AS p, codes
), group_exposure AS (
    SELECT credit_group_id, sum(balance) AS exposure
    FROM customer
    WHERE credit_group_id IS NOT NULL
    GROUP BY credit_group_id
), standing AS (
    -- Step 1 already removed every temporary limit that no longer applies.
    SELECT c.id, c.credit_action, c.credit_action_event, c.credit_policy_id,
           coalesce(g.credit_limit, c.temp_credit_limit, c.credit_limit) AS lim,
           coalesce(ge.exposure, c.balance) AS exposure,
           %(d)s - c.oldest_due_on AS age
    FROM customer AS c
    LEFT JOIN credit_group AS g ON g.id = c.credit_group_id
    LEFT JOIN group_exposure AS ge ON ge.credit_group_id = g.id
    WHERE NOT c.manual_settings
), strongest AS (
    SELECT p.id, p.credit_action, p.credit_action_event,
           greatest(
               CASE WHEN p.exposure > p.lim THEN r.k1 END,
               CASE WHEN p.exposure * 100 > p.lim * (100 + r.limit_exceeded_percent)
                    THEN r.k2 END,
               CASE WHEN p.age > r.aged_once_days THEN r.k3 END,
               CASE WHEN p.age > r.aged_twice_days THEN r.k4 END,
               CASE WHEN p.age > r.aged_thrice_days THEN r.k5 END
           ) AS k
    FROM standing AS p
    JOIN rule AS r ON r.id = p.credit_policy_id
), target AS (
    SELECT s.id, s.credit_action AS old_action, s.credit_action_event AS old_event,
           coalesce(codes.actions[s.k / 10], 'ok') AS action,
           coalesce(codes.events[s.k %% 10], 'none') AS event
    FROM strongest AS s, codes
), changed AS (
    UPDATE customer AS c
    SET credit_action = t.action, credit_action_event = t.event, credit_action_since = now(),
        version = c.version + 1, updated_at = now()
    FROM target AS t
    WHERE c.id = t.id AND (t.old_action, t.old_event) <> (t.action, t.event)
    RETURNING t.id, t.old_action, t.old_event, t.action, t.event
), audit AS (
    INSERT INTO audit_log (actor, staff_id, action, entity, entity_id, before, after)
    SELECT %(actor)s, %(staff_id)s, 'daily_credit_action', 'customer', id::text,
           jsonb_build_object('credit_action', old_action, 'event', old_event),
           jsonb_build_object('credit_action', action, 'event', event)
    FROM changed
)
SELECT count(*) FILTER (WHERE action <> 'ok'), count(*) FILTER (WHERE action = 'ok')
FROM changed
"""
"""Step 3: the strongest action of the events that apply, for every policy customer."""

BARE_SNAPSHOTS = """
INSERT INTO aging_snapshot (snapshot_on, customer_id, balance, overdue, credit_limit, bands)
SELECT %(d)s, c.id, t.balance, t.overdue, coalesce(c.temp_credit_limit, c.credit_limit),
       t.bands
FROM (
    SELECT customer_id,
           sum(open_amount) AS balance,
           coalesce(sum(open_amount) FILTER (WHERE due_on < %(d)s), 0) AS overdue,
           ARRAY[{bands}]::numeric(14, 2)[] AS bands
    FROM invoice
    WHERE open_amount > 0
    GROUP BY customer_id
) AS t
JOIN customer AS c ON c.id = t.customer_id
"""
"""Step 4: one aged balance per customer with anything open ({bands}: see _bare_bands)."""

BARE_PROMISES = """
WITH due AS (
    SELECT id, customer_id, amount, currency, created_at::date AS made_on, promised_on
    FROM promise
    WHERE status = 'open' AND promised_on < %(d)s
), paid AS (
    SELECT due.id, sum(pay.amount) AS total
    FROM due
    JOIN payment AS pay
      ON pay.customer_id = due.customer_id AND pay.currency = due.currency
     AND pay.reversed_at IS NULL
     AND pay.received_on BETWEEN due.made_on AND due.promised_on
    GROUP BY due.id
), named AS (
    SELECT pi.promise_id AS id, bool_and(i.open_amount = 0) AS all_paid
    FROM promise_invoice AS pi
    JOIN invoice AS i ON i.id = pi.invoice_id
    WHERE pi.promise_id IN (SELECT id FROM due)
    GROUP BY pi.promise_id
), judged AS (
    SELECT due.id, due.customer_id, coalesce(paid.total, 0) AS paid,
           CASE WHEN coalesce(paid.total, 0) >= due.amount OR coalesce(named.all_paid, false)
                THEN 'kept' ELSE 'broken' END AS status
    FROM due
    LEFT JOIN paid ON paid.id = due.id
    LEFT JOIN named ON named.id = due.id
), judge AS (
    UPDATE promise AS p
    SET status = j.status, evaluated_on = %(d)s
    FROM judged AS j
    WHERE p.id = j.id
), next_promise AS (
    -- This statement still sees the judged promises open: what stays open is dated later.
    UPDATE customer AS c
    SET next_promise_on = (
        SELECT min(p.promised_on) FROM promise AS p
        WHERE p.customer_id = c.id AND p.status = 'open' AND p.promised_on >= %(d)s
    )
    WHERE c.id IN (SELECT customer_id FROM judged)
), audit AS (
    INSERT INTO audit_log (actor, staff_id, action, entity, entity_id, before, after)
    SELECT %(actor)s, %(staff_id)s, 'evaluate_promise', 'promise', id::text,
           jsonb_build_object('status', 'open'),
           jsonb_build_object('status', status, 'paid', paid::text, 'evaluated_on', %(d)s::text)
    FROM judged
)
SELECT count(*) FILTER (WHERE status = 'kept'), count(*) FILTER (WHERE status = 'broken')
FROM judged
"""
"""Step 5: every open promise dated before the run date kept (paid in full since it was
made, or all its invoices paid) or broken, its customer's next promise date moved."""

BARE_DUNNING = """
WITH reached AS (
    SELECT i.id, i.customer_id, i.open_amount, i.fee_amount, i.dunning_level,
           i.collection_state, s.id AS step_id, s.step_no, s.fee, s.hands_to_agency
    FROM invoice AS i
    JOIN customer AS c ON c.id = i.customer_id
    CROSS JOIN LATERAL (
        SELECT * FROM dunning_step
        WHERE days_after_due <= %(d)s - i.due_on
        ORDER BY step_no DESC
        LIMIT 1
    ) AS s
    WHERE i.kind = 'invoice' AND i.open_amount > 0 AND i.due_on < %(d)s
      AND i.collection_state <> 'handed_over'
      AND c.overdue_balance >= %(min_overdue)s
), paused AS (
    -- Open disputes pause their invoices; an open promise those it names, or every invoice
    -- of its customer when it names none.
    SELECT invoice_id AS id FROM dispute WHERE status = 'open'
    UNION
    SELECT pi.invoice_id
    FROM promise_invoice AS pi
    JOIN promise AS p ON p.id = pi.promise_id
    WHERE p.status = 'open'
    UNION
    SELECT i.id
    FROM promise AS p
    JOIN invoice AS i ON i.customer_id = p.customer_id AND i.open_amount > 0
    WHERE p.status = 'open'
      AND NOT EXISTS (SELECT 1 FROM promise_invoice AS pi WHERE pi.promise_id = p.id)
), todo AS (
    SELECT r.*,
           r.open_amount + r.fee AS new_open,
           r.fee_amount + r.fee AS new_fee,
           CASE WHEN r.hands_to_agency AND r.collection_state = 'none'
                THEN 'flagged' ELSE r.collection_state END AS new_state
    FROM reached AS r
    WHERE r.step_no > r.dunning_level
      AND NOT EXISTS (SELECT 1 FROM paused WHERE paused.id = r.id)
      AND NOT EXISTS (
          SELECT 1 FROM letter_invoice AS li
          WHERE li.invoice_id = r.id AND li.dunning_step_id = r.step_id)
), letters AS (
    INSERT INTO letter (customer_id, kind, template_id, dunning_step_id, delivery, status, fee,
                        queued_on, queued_by_id)
    SELECT c.id, CASE WHEN s.hands_to_agency THEN 'agency' ELSE 'reminder' END,
           s.letter_template_id, s.id, c.delivery, 'queued', sum(t.fee), %(d)s, %(staff_id)s
    FROM todo AS t
    JOIN dunning_step AS s ON s.id = t.step_id
    JOIN customer AS c ON c.id = t.customer_id
    GROUP BY c.id, s.id
    RETURNING id, customer_id, dunning_step_id
), lines AS (
    INSERT INTO letter_invoice (letter_id, invoice_id, dunning_step_id, open_amount)
    SELECT l.id, t.id, t.step_id, t.new_open
    FROM todo AS t
    JOIN letters AS l ON l.customer_id = t.customer_id AND l.dunning_step_id = t.step_id
), dunned AS (
    UPDATE invoice AS i
    SET open_amount = t.new_open, fee_amount = t.new_fee, dunning_level = t.step_no,
        last_dunned_on = %(d)s, collection_state = t.new_state
    FROM todo AS t
    WHERE i.id = t.id
), audit AS (
    INSERT INTO audit_log (actor, staff_id, action, entity, entity_id, before, after)
    SELECT %(actor)s, %(staff_id)s, 'queue_dunning_letter', 'letter', l.id::text,
           jsonb_build_object('invoices', jsonb_object_agg(t.id::text, jsonb_build_object(
               'dunning_level', t.dunning_level, 'open_amount', t.open_amount::text,
               'fee_amount', t.fee_amount::text, 'collection_state', t.collection_state))),
           jsonb_build_object(
               'customer_id', l.customer_id, 'dunning_step_id', l.dunning_step_id,
               'step_no', min(t.step_no), 'fee', sum(t.fee)::text, 'queued_on', %(d)s::text,
               'invoices', jsonb_object_agg(t.id::text, jsonb_build_object(
                   'dunning_level', t.step_no, 'open_amount', t.new_open::text,
                   'fee_amount', t.new_fee::text, 'collection_state', t.new_state)))
    FROM todo AS t
    JOIN letters AS l ON l.customer_id = t.customer_id AND l.dunning_step_id = t.step_id
    GROUP BY l.id, l.customer_id, l.dunning_step_id
)
SELECT count(DISTINCT (customer_id, step_id)), count(*), count(*) FILTER (WHERE fee > 0),
       count(*) FILTER (WHERE new_state = 'flagged' AND collection_state = 'none'),
       coalesce(array_agg(DISTINCT customer_id), '{}')
FROM todo
"""
"""Step 6: every open invoice past due moved up to the highest dunning step it reached,
unless paused or its customer owes less than ``min_overdue``; one letter per customer and
step listing its invoices, the step's fee charged onto each, an audit row per letter."""

BARE_BALANCES = """
UPDATE customer AS c
SET balance = t.balance, overdue_balance = t.overdue, oldest_due_on = t.oldest,
    figures_changed = true
FROM (
    SELECT customer_id,
           sum(open_amount) AS balance,
           coalesce(sum(open_amount) FILTER (WHERE due_on < %(d)s), 0) AS overdue,
           min(due_on) FILTER (WHERE due_on < %(d)s) AS oldest
    FROM invoice
    WHERE customer_id = ANY(%(customers)s) AND open_amount > 0
    GROUP BY customer_id
) AS t
WHERE c.id = t.customer_id
  AND (c.balance, c.overdue_balance, c.oldest_due_on)
      IS DISTINCT FROM (t.balance, t.overdue, t.oldest)
"""
"""After step 6: the balance figures of the dunned ``customers`` that moved, the fees
included (each of them has an invoice open, the one just dunned)."""

BARE_MAIL = """
WITH todo AS MATERIALIZED (
    -- Each letter's id is drawn here, once, so that its line can name it.
    SELECT i.id, i.customer_id, i.open_amount, nextval('letter_id_seq') AS letter_id
    FROM invoice AS i
    WHERE i.delivery_by_mail AND i.printed_at IS NULL
      AND NOT EXISTS (
          SELECT 1 FROM letter_invoice AS li
          JOIN letter AS l ON l.id = li.letter_id
          WHERE li.invoice_id = i.id AND l.kind = 'invoice' AND l.status <> 'cancelled')
), letters AS (
    INSERT INTO letter (id, customer_id, kind, delivery, status, fee, queued_on, queued_by_id)
    SELECT letter_id, customer_id, 'invoice', 'mail', 'queued', 0, %(d)s, %(staff_id)s
    FROM todo
), lines AS (
    INSERT INTO letter_invoice (letter_id, invoice_id, open_amount)
    SELECT letter_id, id, open_amount FROM todo
), audit AS (
    INSERT INTO audit_log (actor, staff_id, action, entity, entity_id, after)
    SELECT %(actor)s, %(staff_id)s, 'queue_mail_invoice', 'letter', letter_id::text,
           jsonb_build_object('customer_id', customer_id, 'invoice_id', id, 'kind', 'invoice',
                              'queued_on', %(d)s::text)
    FROM todo
)
SELECT count(*) FROM todo
"""
"""Step 7: a queued letter by mail, without fee, for every unprinted paper invoice that no
live invoice letter holds yet, with its line and audit row."""

BARE_RECORD = """
WITH run AS (
    INSERT INTO daily_check_run
        (run_on, status, started_by_id, started_by_login, started_at, finished_at, changes)
    VALUES (%(d)s, 'done', %(staff_id)s, %(actor)s, now(), clock_timestamp(), %(changes)s)
)
INSERT INTO audit_log (actor, staff_id, action, entity, entity_id, after)
VALUES (%(actor)s, %(staff_id)s, 'daily_check', 'daily_check_run', %(d)s::text, %(changes)s)
"""
"""The day's run row and its audit row."""

BARE_DAY_DONE = "SELECT 1 FROM daily_check_run WHERE run_on = %s"
"""The bare look-up a second run of the day needs."""

BARE_GROUP_BY = """
SELECT count(*), sum(balance), sum(overdue)
FROM (
    SELECT customer_id,
           sum(open_amount) AS balance,
           coalesce(sum(open_amount) FILTER (WHERE due_on < %s), 0) AS overdue
    FROM invoice
    WHERE open_amount > 0
    GROUP BY customer_id
) AS t
"""
"""Balance and overdue of every customer from the open invoices, summed server-side."""

FINGERPRINT = """
WITH letter_key AS (
    -- Each side draws its letter ids in its own order: a letter is known by its customer,
    -- kind, dunning step and invoices instead.
    SELECT l.id,
           row(l.customer_id, l.kind, l.dunning_step_id,
               array_agg(li.invoice_id ORDER BY li.invoice_id))::text AS key
    FROM letter AS l
    LEFT JOIN letter_invoice AS li ON li.letter_id = l.id
    GROUP BY l.id
)
SELECT (SELECT md5(string_agg(row(id, credit_action, credit_action_event, balance,
                                  overdue_balance, oldest_due_on, figures_changed,
                                  next_promise_on, temp_credit_limit, version)::text,
                              ',' ORDER BY id))
        FROM customer),
       (SELECT md5(string_agg(row(snapshot_on, customer_id, balance, overdue, credit_limit,
                                  bands)::text,
                              ',' ORDER BY snapshot_on, customer_id))
        FROM aging_snapshot),
       (SELECT md5(string_agg(t, ',' ORDER BY t))
        FROM (SELECT row(customer_id, old_limit, new_limit, temporary, expires_on, reason,
                         status, requested_by_id)::text
              FROM credit_limit_change) AS rows (t)),
       (SELECT md5(string_agg(row(id, status, evaluated_on)::text, ',' ORDER BY id))
        FROM promise),
       (SELECT md5(string_agg(row(id, open_amount, fee_amount, dunning_level, last_dunned_on,
                                  collection_state)::text,
                              ',' ORDER BY id))
        FROM invoice),
       (SELECT md5(string_agg(t, ',' ORDER BY t))
        FROM (SELECT row(k.key, l.template_id, l.delivery, l.status, l.fee, l.queued_on,
                         l.queued_by_id)::text
              FROM letter AS l
              JOIN letter_key AS k ON k.id = l.id) AS rows (t)),
       (SELECT md5(string_agg(t, ',' ORDER BY t))
        FROM (SELECT row(k.key, li.invoice_id, li.dunning_step_id, li.open_amount)::text
              FROM letter_invoice AS li
              JOIN letter_key AS k ON k.id = li.letter_id) AS rows (t)),
       (SELECT md5(string_agg(t, ',' ORDER BY t))
        FROM (SELECT row(a.actor, a.staff_id, a.action, a.entity,
                         coalesce(k.key, a.entity_id),
                         nullif(a.before, 'null'), nullif(a.after, 'null'))::text
              FROM audit_log AS a
              LEFT JOIN letter_key AS k
                ON a.entity = 'letter' AND k.id::text = a.entity_id) AS rows (t)),
       (SELECT md5(string_agg(row(run_on, status, started_by_id, started_by_login,
                                  changes)::text, ',' ORDER BY run_on))
        FROM daily_check_run)
"""
"""Checksums of everything the check writes, leaving out clock times and the ids of new
letters (and taking an audit row's JSON ``null`` for no value, as the ORM writes a missing
``before``)."""

FINGERPRINT_PARTS = (
    "customers",
    "aging snapshots",
    "limit changes",
    "promises",
    "invoices",
    "letters",
    "letter lines",
    "audit log",
    "daily check runs",
)


class CheckMismatch(AssertionError):
    """The service and the bare SQL left the book in different states."""


def _bare_bands(limits: list[int], run_on: date) -> str:
    """SQL sums of open amounts per aging band, as due-date ranges (no per-row arithmetic).

    An amount is ``run_on - due_on`` days past due; limits such as ``[0, 30, 60, 90]`` give
    the bands "up to 0", 1-30, 31-60, 61-90 and over 90 days.
    """

    def day(days_past_due: int) -> str:
        return f"DATE '{(run_on - timedelta(days=days_past_due)).isoformat()}'"

    parts = [f"due_on >= {day(limits[0])}"]
    for earlier, later in itertools.pairwise(limits):
        parts.append(f"due_on < {day(earlier)} AND due_on >= {day(later)}")
    parts.append(f"due_on < {day(limits[-1])}")
    return ", ".join(f"coalesce(sum(open_amount) FILTER (WHERE {part}), 0)" for part in parts)


def _raw(database: Database) -> Any:
    """A pooled connection of ``database`` (to hand back with ``close()``), opened and idle."""
    raw = database.engine.raw_connection()
    connection = cast("psycopg.Connection[Any]", raw.driver_connection)
    connection.execute("SELECT 1")
    connection.commit()
    return raw


def _bare_daily_check(database: Database, actor: StaffIdentity) -> tuple[float, dict[str, int]]:
    """Seconds to run the bare check on ``database`` in one transaction, and its counts."""
    raw = _raw(database)
    try:
        connection = cast("psycopg.Connection[Any]", raw.driver_connection)
        params: dict[str, Any] = {
            "d": RUN_ON,
            "actor": actor.login,
            "staff_id": actor.id,
        }
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{BULK_WORK_MEM}'")
            counts = _bare_day_figures(cursor, params)
            counts |= _bare_promises(cursor, params)
            counts |= _bare_dunning(cursor, params)
            counts |= _bare_mail(cursor, params)
            counts |= _bare_actions_and_snapshots(cursor, params)
            cursor.execute(BARE_RECORD, {**params, "changes": Jsonb(counts)})
        connection.commit()
        return time.perf_counter() - started, counts
    finally:
        raw.close()


def _setting(cursor: psycopg.Cursor[Any], key: str, default: Any) -> Any:
    """The book's value of setting ``key``, or ``default`` when it stores none."""
    cursor.execute("SELECT value FROM setting WHERE key = %s", (key,))
    found = cursor.fetchone()
    return default if found is None else found[0]


def _bare_day_figures(cursor: psycopg.Cursor[Any], params: dict[str, Any]) -> dict[str, int]:
    """Steps 1-2: temporary limits expired and overdue figures moved, and their counts."""
    counts: dict[str, int] = {}
    cursor.execute(BARE_EXPIRE, params)
    counts["temporary_limits_expired"] = _one(cursor)[0]
    cursor.execute(BARE_OVERDUE, params)
    counts["overdue_figures_moved"] = cursor.rowcount
    return counts


def _bare_actions_and_snapshots(
    cursor: psycopg.Cursor[Any], params: dict[str, Any]
) -> dict[str, int]:
    """The last two steps: credit actions and the aging snapshot, and their counts."""
    counts: dict[str, int] = {}
    cursor.execute(BARE_ACTIONS, params)
    raised, reset = _one(cursor)
    counts["credit_actions_set"] = raised
    counts["credit_actions_reset_to_ok"] = reset
    limits = list(_setting(cursor, "aging_bands", [0, 30, 60, 90]))
    cursor.execute(BARE_SNAPSHOTS.format(bands=_bare_bands(limits, RUN_ON)), params)
    counts["aging_snapshots"] = cursor.rowcount
    return counts


def _bare_promises(cursor: psycopg.Cursor[Any], params: dict[str, Any]) -> dict[str, int]:
    """Step 5, the promises due, and its counts."""
    cursor.execute(BARE_PROMISES, params)
    kept, broken = _one(cursor)
    return {"promises_kept": kept, "promises_broken": broken}


def _bare_dunning(cursor: psycopg.Cursor[Any], params: dict[str, Any]) -> dict[str, int]:
    """Step 6, dunning, then the dunned customers' balances; its counts."""
    min_overdue = Decimal(str(_setting(cursor, "dunning_min_overdue", "10.00")))
    cursor.execute(BARE_DUNNING, {**params, "min_overdue": min_overdue})
    row = cursor.fetchone()
    assert row is not None
    letters, invoices, fees, flagged, customers = row
    if customers:
        cursor.execute(BARE_BALANCES, {**params, "customers": customers})
    return {
        "letters_queued": int(letters),
        "invoices_dunned": int(invoices),
        "fees_charged": int(fees),
        "flagged_for_agency": int(flagged),
    }


def _bare_mail(cursor: psycopg.Cursor[Any], params: dict[str, Any]) -> dict[str, int]:
    """Step 7, the invoices to mail, and its count."""
    cursor.execute(BARE_MAIL, params)
    return {"mail_invoices_queued": _one(cursor)[0]}


def _one(cursor: psycopg.Cursor[Any]) -> tuple[int, ...]:
    row = cursor.fetchone()
    assert row is not None
    return tuple(int(value) for value in row)


def _service_daily_check(database: Database, actor: StaffIdentity) -> tuple[float, dict[str, int]]:
    """Seconds to run the service's check on ``database``, committed, and what it changed."""
    _raw(database).close()  # the session below finds an open connection in the pool
    started = time.perf_counter()
    with database.session() as session:
        result = run_daily_check(session, actor, run_on=RUN_ON)
    elapsed = time.perf_counter() - started
    if not result.ran:
        raise CheckMismatch(f"The daily check of {RUN_ON} had already run on {database.label}.")
    return elapsed, dict(result.changed)


def _fingerprint(database: Database) -> tuple[str, ...]:
    """Checksums of what the daily check writes (see :data:`FINGERPRINT`)."""
    with database.engine.connect() as connection:
        row = connection.exec_driver_sql(FINGERPRINT).one()
    return tuple(str(value) for value in row)


def _same_state(service: Database, bare: Database) -> None:
    """Raise :class:`CheckMismatch` unless both copies hold the same rows."""
    differing = [
        part
        for part, ours, theirs in zip(
            FINGERPRINT_PARTS, _fingerprint(service), _fingerprint(bare), strict=True
        )
        if ours != theirs
    ]
    if differing:
        raise CheckMismatch(
            "The daily check and the bare SQL left different "
            + ", ".join(differing)
            + f" ({service.label} vs {bare.label})."
        )


def _admin(database: Database) -> StaffIdentity:
    """The first active admin of the book, as the check's actor."""
    with database.session() as session:
        staff = session.scalars(
            select(Staff).where(Staff.role == Role.ADMIN, Staff.active).order_by(Staff.id)
        ).first()
        if staff is None:
            raise LookupError(f"{database.label} has no active admin to run the check.")
        return StaffIdentity(id=staff.id, login=staff.login, name=staff.name, role=staff.role)


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _second_run(database: Database, actor: StaffIdentity) -> None:
    """The service asked again for a day it already did: must find the run and return."""
    with database.session() as session:
        result = run_daily_check(session, actor, run_on=RUN_ON)
    if result.ran:
        raise CheckMismatch(f"The daily check of {RUN_ON} ran twice on {database.label}.")


def _recalculate(database: Database, actor: StaffIdentity) -> None:
    with database.session() as session:
        recalculate_figures(session, actor, all_customers=True, as_of=RUN_ON)


def measure_daily_check(server: ScratchServer, source: str, runs: int) -> list[Result]:
    """Measure the daily check, its second run and the recalculation on copies of ``source``.

    ``source`` is the loaded demo book (no connection may be open to it). The full check is
    measured ``runs`` times, and at least :data:`MIN_FULL_RUNS` times when one run takes
    under :data:`SLOW_RUN_SECONDS`; each run pairs the service with the bare SQL on two
    fresh copies, alternating which goes first, and checks both end in the same state.
    """
    book = Database(create_engine(server.url_for(source)), label=source)
    actor = _admin(book)
    book.dispose()

    service_seconds: list[float] = []
    bare_seconds: list[float] = []
    wanted = max(runs, 1)
    attempt = 0
    kept: Database | None = None
    while attempt < wanted:
        service = server.copy_database(source, f"bench_check_{attempt}")
        bare = server.copy_database(source, f"bench_check_bare_{attempt}")
        if attempt % 2 == 0:
            service_run = _service_daily_check(service, actor)
            bare_run = _bare_daily_check(bare, actor)
        else:
            bare_run = _bare_daily_check(bare, actor)
            service_run = _service_daily_check(service, actor)
        service_seconds.append(service_run[0])
        bare_seconds.append(bare_run[0])
        if service_run[1] != bare_run[1]:
            raise CheckMismatch(
                f"The daily check changed {service_run[1]}, the bare SQL {bare_run[1]}."
            )
        _same_state(service, bare)
        bare.dispose()
        server.drop_database(bare.label)
        if kept is not None:
            kept.dispose()
            server.drop_database(kept.label)
        kept = service
        if attempt == 0 and service_run[0] < SLOW_RUN_SECONDS:
            wanted = max(wanted, MIN_FULL_RUNS)
        attempt += 1
    assert kept is not None

    # The day is done on ``kept``: the second run, then the recalculation of the whole book.
    repeats = max(runs, SECOND_RUNS)
    second = [_timed(lambda: _second_run(kept, actor)) for _ in range(repeats)]
    raw = _raw(kept)
    try:
        connection = cast("psycopg.Connection[Any]", raw.driver_connection)
        connection.autocommit = True
        lookups = [
            _timed(lambda: connection.execute(BARE_DAY_DONE, (RUN_ON,)).fetchone())
            for _ in range(repeats)
        ]
        recalc = [_timed(lambda: _recalculate(kept, actor)) for _ in range(runs)]
        group_by = [
            _timed(lambda: connection.execute(BARE_GROUP_BY, (RUN_ON,)).fetchone())
            for _ in range(runs)
        ]
        connection.autocommit = False
    finally:
        raw.close()
    kept.dispose()
    server.drop_database(kept.label)

    return [
        Result(
            name="daily check, full book",
            median_ms=statistics.median(service_seconds) * 1000,
            baseline_name="bare set-based SQL doing the same",
            baseline_median_ms=statistics.median(bare_seconds) * 1000,
            budget="≤ 5 s and ≤ 1.5x the bare set-based SQL",
            runs=len(service_seconds),
        ),
        Result(
            name="daily check, second run the same day",
            median_ms=statistics.median(second) * 1000,
            baseline_name="bare SELECT of the day's run row",
            baseline_median_ms=statistics.median(lookups) * 1000,
            budget="≤ 50 ms",
            runs=repeats,
        ),
        Result(
            name="recalculate all figures",
            median_ms=statistics.median(recalc) * 1000,
            baseline_name="bare GROUP BY over the open invoices",
            baseline_median_ms=statistics.median(group_by) * 1000,
            budget="out of hours (seed 002)",
            runs=runs,
        ),
    ]
