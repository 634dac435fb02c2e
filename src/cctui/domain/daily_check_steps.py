"""The steps of the daily aged-balance check, each one set-based SQL over the whole book.

Every step runs inside the check's transaction, takes the run date as ``:d`` and the acting
staff member as ``:actor`` / ``:staff_id``, and returns counts of what it changed. Each step
only touches rows whose value differs from what it computes, so repeating it changes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from cctui.domain.book_settings import aging_band_limits
from cctui.domain.credit.rules import EVENT_RANK
from cctui.domain.models import CreditAction


@dataclass(frozen=True)
class StepContext:
    """What every step is given: the run date and who runs it."""

    run_on: date
    actor: str
    staff_id: int | None

    @property
    def params(self) -> dict[str, object]:
        """Bind parameters shared by every step's SQL."""
        return {"d": self.run_on, "actor": self.actor, "staff_id": self.staff_id}


DailyStep = Callable[[Session, StepContext], Mapping[str, int]]
"""A step of the daily check: runs its SQL, returns ``{what: how many changed}``."""


EXPIRE_TEMPORARY_LIMITS = text("""
WITH expired AS (
    UPDATE customer AS c
    SET temp_credit_limit = NULL, temp_limit_expires_on = NULL,
        version = c.version + 1, updated_at = now()
    FROM customer AS o
    WHERE o.id = c.id AND c.temp_limit_expires_on <= :d
    RETURNING c.id, o.temp_credit_limit AS old_limit, o.temp_limit_expires_on AS expired_on,
              c.credit_limit AS new_limit
), history AS (
    INSERT INTO credit_limit_change
        (customer_id, old_limit, new_limit, temporary, reason, status, requested_by_id,
         applied_at)
    SELECT id, old_limit, new_limit, false,
           'Temporary limit expired on ' || to_char(expired_on, 'YYYY-MM-DD'),
           'approved', :staff_id, now()
    FROM expired
), audit AS (
    INSERT INTO audit_log (actor, staff_id, action, entity, entity_id, before, after)
    SELECT :actor, :staff_id, 'expire_temporary_limit', 'customer', id::text,
           jsonb_build_object('temp_credit_limit', old_limit::text,
                              'temp_limit_expires_on', expired_on::text),
           jsonb_build_object('credit_limit', new_limit::text)
    FROM expired
)
SELECT count(*) FROM expired
""")
"""A temporary limit is valid before its expiry date; on that date it is removed, and the
customer's own limit applies again (recorded as a limit change and in the audit log)."""


def expire_temporary_limits(session: Session, context: StepContext) -> Mapping[str, int]:
    """Remove temporary limits that expire on or before the run date."""
    expired = session.execute(EXPIRE_TEMPORARY_LIMITS, context.params).scalar_one()
    return {"temporary_limits_expired": int(expired)}


REFRESH_OVERDUE = text("""
WITH due AS (
    SELECT customer_id,
           sum(open_amount) AS overdue,
           min(due_on) AS oldest
    FROM invoice
    WHERE open_amount > 0 AND due_on < :d
    GROUP BY customer_id
), target AS (
    SELECT c.id, coalesce(due.overdue, 0) AS overdue, due.oldest
    FROM customer AS c
    LEFT JOIN due ON due.customer_id = c.id
    WHERE (c.overdue_balance, c.oldest_due_on)
          IS DISTINCT FROM (coalesce(due.overdue, 0), due.oldest)
)
UPDATE customer AS c
SET overdue_balance = target.overdue, oldest_due_on = target.oldest
FROM target
WHERE c.id = target.id
""")
"""Invoices fall due overnight without any posting: move the date-dependent figures
(overdue balance, oldest due date) to the run date for every customer."""


def refresh_overdue(session: Session, context: StepContext) -> Mapping[str, int]:
    """Bring every customer's overdue balance and oldest due date to the run date."""
    result = session.execute(REFRESH_OVERDUE, context.params)
    return {"overdue_figures_moved": int(result.rowcount)}  # type: ignore[attr-defined]


ACTIONS_BY_SEVERITY = [action.value for action in CreditAction if action.severity > 0]
"""Remind, Password, Hold: position n (from 1) is an action of severity n."""
EVENTS_BY_RANK = [event.value for event, _ in sorted(EVENT_RANK.items(), key=lambda e: e[1])]
"""The events by rank: position n (from 1) is the event of rank n (1 to 5, below 10, so
that ``score % 10`` is the rank; tests/test_daily_check.py holds both lists to this)."""

SET_CREDIT_ACTIONS = text("""
WITH group_exposure AS (
    SELECT credit_group_id AS id, sum(balance) AS exposure
    FROM customer
    WHERE credit_group_id IS NOT NULL
    GROUP BY credit_group_id
), pos AS (
    SELECT c.id, c.credit_action AS old_action, c.credit_action_event AS old_event,
           p.limit_exceeded_percent, p.aged_once_days, p.aged_twice_days, p.aged_thrice_days,
           p.action_limit_exceeded, p.action_limit_exceeded_percent,
           p.action_aged_once, p.action_aged_twice, p.action_aged_thrice,
           CASE
               WHEN g.id IS NOT NULL THEN g.credit_limit
               WHEN c.temp_credit_limit IS NOT NULL AND :d < c.temp_limit_expires_on
                   THEN c.temp_credit_limit
               ELSE c.credit_limit
           END AS credit_limit,
           CASE WHEN g.id IS NOT NULL THEN ge.exposure ELSE c.balance END AS exposure,
           :d - c.oldest_due_on AS days_past_due
    FROM customer AS c
    JOIN credit_policy AS p ON p.id = c.credit_policy_id
    LEFT JOIN credit_group AS g ON g.id = c.credit_group_id
    LEFT JOIN group_exposure AS ge ON ge.id = c.credit_group_id
    WHERE NOT c.manual_settings
), best AS (
    -- Each event that applies scores severity * 10 + its rank (severity 1 Remind, 2 Password,
    -- 3 Hold; none for OK, whose events never win); the highest score is the action to set.
    SELECT pos.id, pos.old_action, pos.old_event,
           greatest(
               CASE WHEN pos.exposure > pos.credit_limit
                    THEN array_position(:severities, pos.action_limit_exceeded) * 10 + 1
               END,
               CASE WHEN pos.exposure * 100
                         > pos.credit_limit * (100 + pos.limit_exceeded_percent)
                    THEN array_position(:severities, pos.action_limit_exceeded_percent) * 10 + 2
               END,
               CASE WHEN pos.days_past_due > pos.aged_once_days
                    THEN array_position(:severities, pos.action_aged_once) * 10 + 3
               END,
               CASE WHEN pos.days_past_due > pos.aged_twice_days
                    THEN array_position(:severities, pos.action_aged_twice) * 10 + 4
               END,
               CASE WHEN pos.days_past_due > pos.aged_thrice_days
                    THEN array_position(:severities, pos.action_aged_thrice) * 10 + 5
               END
           ) AS score
    FROM pos
), target AS (
    SELECT id, old_action, old_event,
           coalesce((:severities)[score / 10], 'ok') AS action,
           coalesce((:events)[score % 10], 'none') AS event
    FROM best
), changed AS (
    UPDATE customer AS c
    SET credit_action = target.action, credit_action_event = target.event,
        credit_action_since = now(), version = c.version + 1, updated_at = now()
    FROM target
    WHERE c.id = target.id
      AND (target.old_action, target.old_event) IS DISTINCT FROM (target.action, target.event)
    RETURNING c.id, target.old_action, target.old_event, target.action, target.event
), audit AS (
    INSERT INTO audit_log (actor, staff_id, action, entity, entity_id, before, after)
    SELECT :actor, :staff_id, 'daily_credit_action', 'customer', id::text,
           jsonb_build_object('credit_action', old_action, 'event', old_event),
           jsonb_build_object('credit_action', action, 'event', event)
    FROM changed
)
SELECT count(*) FILTER (WHERE action <> 'ok') AS raised_or_changed,
       count(*) FILTER (WHERE action = 'ok') AS reset_to_ok
FROM changed
""").bindparams(
    bindparam("severities", ACTIONS_BY_SEVERITY, type_=ARRAY(String())),
    bindparam("events", EVENTS_BY_RANK, type_=ARRAY(String())),
)
"""Seed 003: every event of every policy customer's policy, the most severe action wins
(Hold > Password > Remind > OK, ties to the later event), OK where none applies. Manual
customers are left alone. Mirrors :mod:`cctui.domain.credit.rules`.

One pass over the customers, no sort: each applying event is scored, ``greatest`` picks the
winner and the score names its action and event (``:severities`` and ``:events`` are the
actions by severity and the events by rank)."""


def set_credit_actions(session: Session, context: StepContext) -> Mapping[str, int]:
    """Set every policy customer's credit action from the events that apply on the run date."""
    row = session.execute(SET_CREDIT_ACTIONS, context.params).one()
    return {"credit_actions_set": int(row[0]), "credit_actions_reset_to_ok": int(row[1])}


def _band_sums(limits: list[int]) -> str:
    """SQL summing open amounts per aging band (``limits`` are validated whole days)."""
    age = "(:d - due_on)"
    parts = [f"coalesce(sum(open_amount) FILTER (WHERE {age} <= {limits[0]}), 0)"]
    for earlier, later in itertools.pairwise(limits):
        parts.append(
            f"coalesce(sum(open_amount) FILTER (WHERE {age} BETWEEN {earlier + 1} AND {later}), 0)"
        )
    parts.append(f"coalesce(sum(open_amount) FILTER (WHERE {age} > {limits[-1]}), 0)")
    return ", ".join(parts)


_SNAPSHOT_SQL = """
INSERT INTO aging_snapshot (snapshot_on, customer_id, balance, overdue, credit_limit, bands)
SELECT :d, t.customer_id, t.balance, t.overdue,
       CASE WHEN c.temp_credit_limit IS NOT NULL AND :d < c.temp_limit_expires_on
            THEN c.temp_credit_limit ELSE c.credit_limit END,
       t.bands
FROM (
    SELECT customer_id,
           sum(open_amount) AS balance,
           coalesce(sum(open_amount) FILTER (WHERE due_on < :d), 0) AS overdue,
           ARRAY[{bands}]::numeric(14, 2)[] AS bands
    FROM invoice
    WHERE open_amount > 0
    GROUP BY customer_id
) AS t
JOIN customer AS c ON c.id = t.customer_id
ON CONFLICT (snapshot_on, customer_id) DO NOTHING
"""


def write_aging_snapshots(session: Session, context: StepContext) -> Mapping[str, int]:
    """Write the run date's aged balance of every customer with something open.

    One row per customer and day (balance, overdue, own effective limit, one amount per
    aging band of the ``aging_bands`` setting); a customer with nothing open has no row,
    which the charts read as zero.
    """
    statement = text(_SNAPSHOT_SQL.format(bands=_band_sums(aging_band_limits(session))))
    result = session.execute(statement, context.params)
    return {"aging_snapshots": int(result.rowcount)}  # type: ignore[attr-defined]
