"""The daily dunning run: every open invoice climbs to the highest step it has reached.

An invoice is dunned when it is open (kind invoice, ``open_amount > 0``), past due on the run
date, not handed over to the collection agency (the agency chases it now), not in an open
dispute, not covered by a live promise (an open promise naming it, or an open promise of its
customer naming no invoice), and its customer's overdue total (the maintained
``overdue_balance``) is at least the ``dunning_min_overdue`` setting. Its target
step is the highest step whose ``days_after_due`` it has reached; when that step is above
its ``dunning_level`` the run:

* queues **one letter per customer per step** (kind ``agency`` for a step handing invoices
  to the agency, ``reminder`` otherwise) listing every invoice of that customer moving to
  that step in this run — an invoice skipping steps goes straight to the highest one;
* charges the step's fee onto each of those invoices, at most once per invoice and step:
  the unique index ``uq_letter_invoice_step`` lets an invoice onto one letter per step, and
  only an invoice actually put on the letter is charged, moved up and flagged;
* sets ``dunning_level`` and ``last_dunned_on``, and flags the invoice for the collection
  agency (``collection_state`` none -> flagged) at a ``hands_to_agency`` step;
* refreshes the touched customers' balances (fees raise open amounts) and writes one audit
  row per letter.

The run locks the customers it is about to dun (in id order) before reading them again, so
two runs at once — or a run and a posting — take turns; should a second run still race
the first, the unique index refuses its duplicate lines, and a letter left without lines is
removed. Running the same day twice changes nothing. A paid or credited invoice (nothing
open) is never selected, so it leaves dunning.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger

from cctui.domain.book_settings import dunning_min_overdue
from cctui.domain.daily_check_steps import StepContext
from cctui.domain.figures import refresh_balances

_CANDIDATES = """
SELECT i.id AS invoice_id, i.customer_id, i.open_amount, i.fee_amount,
       i.dunning_level, i.collection_state,
       s.id AS step_id, s.step_no, s.fee, s.hands_to_agency
FROM invoice AS i
JOIN customer AS c ON c.id = i.customer_id
JOIN LATERAL (
    SELECT st.id, st.step_no, st.fee, st.hands_to_agency
    FROM dunning_step AS st
    WHERE st.days_after_due <= :d - i.due_on
    ORDER BY st.step_no DESC
    LIMIT 1
) AS s ON true
WHERE i.kind = 'invoice'
  AND i.open_amount > 0
  AND i.due_on < :d
  AND i.collection_state <> 'handed_over'
  AND c.overdue_balance >= :min_overdue
  AND s.step_no > i.dunning_level
  AND NOT EXISTS (
      SELECT 1 FROM dispute AS dp WHERE dp.invoice_id = i.id AND dp.status = 'open')
  AND NOT EXISTS (
      SELECT 1 FROM promise_invoice AS pi JOIN promise AS p ON p.id = pi.promise_id
      WHERE pi.invoice_id = i.id AND p.status = 'open')
  AND NOT EXISTS (
      SELECT 1 FROM promise AS p
      WHERE p.customer_id = i.customer_id AND p.status = 'open'
        AND NOT EXISTS (SELECT 1 FROM promise_invoice AS pi WHERE pi.promise_id = p.id))
  AND NOT EXISTS (
      SELECT 1 FROM letter_invoice AS li
      WHERE li.invoice_id = i.id AND li.dunning_step_id = s.id)
"""
"""Every invoice to move up the ladder on ``:d``, with its target step (the highest one
reached); customers whose overdue total is below ``:min_overdue`` are left alone."""

_LOCK_CUSTOMERS = """
WITH candidates AS MATERIALIZED ({candidates}
), locked AS (
    SELECT c.id FROM customer AS c
    WHERE c.id IN (SELECT customer_id FROM candidates)
    ORDER BY c.id
    FOR UPDATE OF c
)
SELECT (SELECT coalesce(array_agg(id), '{{}}') FROM locked) AS customers,
       (SELECT coalesce(array_agg(invoice_id), '{{}}') FROM candidates) AS invoices
"""
LOCK_CUSTOMERS = text(_LOCK_CUSTOMERS.format(candidates=_CANDIDATES))
"""Lock, in id order, the customers with invoices to dun, and name those invoices: a
posting to one of the customers, or another run, finishes first, and the next statement sees
what it did."""

_QUEUE_LETTERS = """
WITH candidates AS MATERIALIZED ({candidates}  AND i.id = ANY(:invoices)
), groups AS MATERIALIZED (
    SELECT g.customer_id, g.step_id, g.invoices,
           nextval(pg_get_serial_sequence('letter', 'id')) AS letter_id
    FROM (
        SELECT customer_id, step_id, count(*) AS invoices
        FROM candidates
        GROUP BY customer_id, step_id
    ) AS g
), letters AS (
    INSERT INTO letter (id, customer_id, kind, template_id, dunning_step_id, delivery,
                        status, fee, queued_on, queued_by_id)
    SELECT g.letter_id, g.customer_id,
           CASE WHEN s.hands_to_agency THEN 'agency' ELSE 'reminder' END,
           s.letter_template_id, s.id, c.delivery, 'queued', s.fee * g.invoices,
           :d, :staff_id
    FROM groups AS g
    JOIN dunning_step AS s ON s.id = g.step_id
    JOIN customer AS c ON c.id = g.customer_id
), lines AS (
    INSERT INTO letter_invoice (letter_id, invoice_id, dunning_step_id, open_amount)
    SELECT g.letter_id, k.invoice_id, k.step_id, k.open_amount + k.fee
    FROM candidates AS k
    JOIN groups AS g ON g.customer_id = k.customer_id AND g.step_id = k.step_id
    ON CONFLICT (invoice_id, dunning_step_id) WHERE dunning_step_id IS NOT NULL DO NOTHING
    RETURNING letter_id, invoice_id
), dunned AS (
    UPDATE invoice AS i
    SET fee_amount = i.fee_amount + k.fee,
        open_amount = i.open_amount + k.fee,
        dunning_level = k.step_no,
        last_dunned_on = :d,
        collection_state = CASE WHEN k.hands_to_agency AND i.collection_state = 'none'
                                THEN 'flagged' ELSE i.collection_state END
    FROM lines
    JOIN candidates AS k ON k.invoice_id = lines.invoice_id
    WHERE i.id = lines.invoice_id
    RETURNING i.id, i.customer_id, lines.letter_id, k.step_id, k.step_no, k.fee,
              k.dunning_level AS old_level, k.open_amount AS old_open,
              k.fee_amount AS old_fee, k.collection_state AS old_state,
              i.open_amount AS new_open, i.fee_amount AS new_fee,
              i.collection_state AS new_state
), audit AS (
    INSERT INTO audit_log (actor, staff_id, action, entity, entity_id, before, after)
    SELECT :actor, :staff_id, 'queue_dunning_letter', 'letter', letter_id::text,
           jsonb_build_object('invoices', jsonb_object_agg(id::text, jsonb_build_object(
               'dunning_level', old_level, 'open_amount', old_open::text,
               'fee_amount', old_fee::text, 'collection_state', old_state))),
           jsonb_build_object(
               'customer_id', min(customer_id), 'dunning_step_id', min(step_id),
               'step_no', min(step_no), 'fee', sum(fee)::text,
               'queued_on', to_char(CAST(:d AS date), 'YYYY-MM-DD'),
               'invoices', jsonb_object_agg(id::text, jsonb_build_object(
                   'dunning_level', step_no, 'open_amount', new_open::text,
                   'fee_amount', new_fee::text, 'collection_state', new_state)))
    FROM dunned
    GROUP BY letter_id
)
SELECT (SELECT count(*) FROM candidates) AS candidates,
       (SELECT count(*) FROM groups) AS letters_made,
       (SELECT coalesce(array_agg(letter_id), '{{}}') FROM groups) AS letter_ids,
       count(DISTINCT letter_id) AS letters_queued,
       count(*) AS invoices_dunned,
       count(*) FILTER (WHERE fee > 0) AS fees_charged,
       count(*) FILTER (WHERE new_state = 'flagged' AND old_state = 'none') AS flagged,
       coalesce(array_agg(DISTINCT customer_id), '{{}}') AS customer_ids
FROM dunned
"""
QUEUE_LETTERS = text(_QUEUE_LETTERS.format(candidates=_CANDIDATES)).bindparams(
    bindparam("invoices", type_=ARRAY(BigInteger()))
)
"""Queue the letters, put the invoices on them (refusing duplicates), charge the fees, move
the invoices up and audit each letter, in one statement. Letter ids are drawn before the
letters are inserted so the lines can name them in the same statement.

Only the invoices the lock named are looked at again, each through its key, with every
condition checked anew now that their customers are locked: one a posting paid, disputed or
promised meanwhile drops out. (One that became due to dunning only meanwhile, a payment
reversed say, waits for the next day's run.)"""

TIDY_LETTERS = text("""
WITH counted AS (
    SELECT l.id, count(li.invoice_id) AS invoices, s.fee * count(li.invoice_id) AS fee
    FROM letter AS l
    JOIN dunning_step AS s ON s.id = l.dunning_step_id
    LEFT JOIN letter_invoice AS li ON li.letter_id = l.id
    WHERE l.id = ANY(:ids)
    GROUP BY l.id, s.fee
), emptied AS (
    DELETE FROM letter AS l USING counted
    WHERE l.id = counted.id AND counted.invoices = 0
    RETURNING l.id
)
UPDATE letter AS l SET fee = counted.fee
FROM counted
WHERE l.id = counted.id AND counted.invoices > 0 AND l.fee <> counted.fee
""").bindparams(bindparam("ids", type_=ARRAY(BigInteger())))
"""After a race lost to another run: drop the letters that got no invoice and make the fee
of the others the fees actually charged."""


def run_dunning(session: Session, context: StepContext) -> Mapping[str, int]:
    """Daily step: move open invoices to the highest dunning step reached and queue one
    letter per customer per step (see the module text). Repeating it changes nothing."""
    session.flush()
    params = {**context.params, "min_overdue": dunning_min_overdue(session)}
    locked, invoices = session.execute(LOCK_CUSTOMERS, params).one()
    if not locked:
        return _counts(0, 0, 0, 0)
    row = session.execute(QUEUE_LETTERS, {**params, "invoices": list(invoices)}).one()
    if row.letters_made != row.letters_queued or row.candidates != row.invoices_dunned:
        session.execute(TIDY_LETTERS, {"ids": list(row.letter_ids)})
    refresh_balances(session, row.customer_ids, context.run_on)
    # Invoices changed behind the ORM's back: loaded objects must re-read them.
    session.expire_all()
    return _counts(row.letters_queued, row.invoices_dunned, row.fees_charged, row.flagged)


def _counts(letters: int, invoices: int, fees: int, flagged: int) -> Mapping[str, int]:
    return {
        "letters_queued": int(letters),
        "invoices_dunned": int(invoices),
        "fees_charged": int(fees),
        "flagged_for_agency": int(flagged),
    }
