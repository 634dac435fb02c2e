"""``cctui import invoices``: COPY into a staging table, check, then a set-based upsert.

Upsert by invoice number. A new invoice is open for its whole amount and goes by mail when
its customer takes paper; a known one takes the file's dates, amount and description, its
open amount moving by as much as its amount did (what was paid stays paid). A row that
changes nothing is not written, so re-importing the same file changes nothing. Credit notes
are not imported here, and an invoice never moves to another customer or currency.

The steps: the rows are checked in Python and COPYed into a TEMP staging table; the
customers of the file are locked; one join resolves each staged row to its customer and to
the invoice of the same number, if any (:data:`_RESOLVE`); the checks only the book can make
read that (:data:`_CHECKS`); then one UPDATE of the known invoices that differ and one
INSERT of the new ones, and the customers' figures are refreshed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from cctui.domain.bulk_memory import allow_bulk_memory
from cctui.domain.importing.parse import ImportFile
from cctui.domain.importing.report import Outcome, Progress, RowError, refuse_unless_skipping
from cctui.domain.importing.staging import StagingCopy, create_staging, drop_staging

STAGE = "import_invoice_stage"
RESOLVED = "import_invoice_resolved"
TOUCHED = "import_touched_customer"
COLUMNS = (
    ("line", "integer"),
    ("number", "text"),
    ("account", "text"),
    ("issued_on", "date"),
    ("due_on", "date"),
    ("amount", "numeric(14, 2)"),
    ("currency", "text"),
    ("description", "text"),
)

_LOCK_CUSTOMERS = text(f"""
SELECT c.id FROM customer AS c
WHERE c.account IN (SELECT DISTINCT account FROM {STAGE})
ORDER BY c.id
FOR UPDATE
""")  # noqa: S608 (constant table names; values are bound)
"""Every customer of the file, locked (in id order) as a posting locks its customer."""

_DUPLICATES = text(f"""
SELECT s.line, s.number, d.first_line
FROM {STAGE} AS s
JOIN (
    SELECT number, min(line) AS first_line FROM {STAGE}
    GROUP BY number HAVING count(*) > 1
) AS d ON d.number = s.number
WHERE s.line <> d.first_line
""")  # noqa: S608 (constant table names; values are bound)

_RESOLVE = f"""
CREATE TEMP TABLE {RESOLVED} ON COMMIT DROP AS
SELECT s.line, s.number, s.account, s.issued_on,
       coalesce(s.due_on, s.issued_on + c.payment_terms_days) AS due_on,
       s.amount, s.currency, s.description,
       c.id AS customer_id, c.currency AS customer_currency, c.delivery = 'mail' AS by_mail,
       i.id AS invoice_id, i.customer_id AS invoice_customer_id, i.kind AS invoice_kind,
       i.amount AS invoice_amount, i.open_amount AS invoice_open_amount
FROM {STAGE} AS s
LEFT JOIN customer AS c ON c.account = s.account
LEFT JOIN invoice AS i ON i.number = s.number
"""  # noqa: S608 (constant table names; values are bound)

_CHECKS = text(f"""
SELECT r.line, e.column_name, e.message
FROM {RESOLVED} AS r
CROSS JOIN LATERAL (VALUES
    ('account', CASE WHEN r.customer_id IS NULL
        THEN 'no customer has the account ' || quote_literal(r.account) END),
    ('currency', CASE WHEN r.currency <> r.customer_currency
        THEN r.currency || ' is not the currency of ' || r.account
            || ' (' || r.customer_currency || ')' END),
    ('number', CASE
        WHEN r.invoice_kind <> 'invoice'
            THEN quote_literal(r.number) || ' is a credit note in the book, not an invoice'
        WHEN r.invoice_customer_id <> r.customer_id
            THEN 'invoice ' || quote_literal(r.number) || ' belongs to another customer'
        END),
    ('amount', CASE WHEN r.invoice_kind = 'invoice'
            AND r.invoice_open_amount + (r.amount - r.invoice_amount) < 0
        THEN r.amount || ' is less than the ' || (r.invoice_amount - r.invoice_open_amount)
            || ' already paid, credited or written off on invoice ' || r.number END),
    ('due_on', CASE WHEN r.due_on < r.issued_on
        THEN 'the invoice falls due before it is issued' END)
) AS e(column_name, message)
WHERE (r.customer_id IS NULL OR r.currency <> r.customer_currency OR r.due_on < r.issued_on
       OR r.invoice_id IS NOT NULL)
  AND e.message IS NOT NULL
""")  # noqa: S608 (constant table names; values are bound)
"""What only the book can tell, read from the resolved rows (only suspect rows are looked
at closely: a million good rows cost one scan)."""

_DELETE_LINES = text(f"DELETE FROM {RESOLVED} WHERE line = ANY(:lines)")  # noqa: S608

_UPDATE = f"""
WITH up AS (
    UPDATE invoice AS i
    SET issued_on = r.issued_on,
        due_on = r.due_on,
        amount = r.amount,
        description = {{description}},
        open_amount = i.open_amount + (r.amount - i.amount),
        paid_on = CASE WHEN i.open_amount + (r.amount - i.amount) = 0
                       THEN coalesce(i.paid_on, CAST(:as_of AS date)) END
    FROM {RESOLVED} AS r
    WHERE r.invoice_id IS NOT NULL AND i.id = r.invoice_id
      AND (i.issued_on, i.due_on, i.amount, i.description)
          IS DISTINCT FROM (r.issued_on, r.due_on, r.amount, {{description}})
    RETURNING i.customer_id
),
touched AS (
    INSERT INTO {TOUCHED} (customer_id) SELECT DISTINCT customer_id FROM up
)
SELECT count(*) FROM up
"""  # noqa: S608 (constant table names; values are bound)
"""Known invoices whose row differs: new dates, amount, description; the open amount moves
by as much as the amount (what was paid stays paid)."""

_INSERT = f"""
WITH ins AS (
    INSERT INTO invoice (customer_id, number, kind, issued_on, due_on, currency, amount,
                         open_amount, description, delivery_by_mail)
    SELECT customer_id, number, 'invoice', issued_on, due_on, customer_currency, amount,
           amount, {{description}}, by_mail
    FROM {RESOLVED}
    WHERE invoice_id IS NULL
    RETURNING customer_id
),
touched AS (
    INSERT INTO {TOUCHED} (customer_id) SELECT DISTINCT customer_id FROM ins
)
SELECT count(*) FROM ins
"""  # noqa: S608 (constant table names; values are bound)
"""New invoices, open for their whole amount. An UPDATE and an INSERT of the rows not in the
book rather than ``INSERT … ON CONFLICT DO UPDATE``: the customers are locked and imports
take turns, so nobody adds these numbers meanwhile (the UNIQUE number would refuse it), and a
million new rows insert about a quarter faster without speculative insertion."""

_TOUCHED = text(f"SELECT DISTINCT customer_id FROM {TOUCHED}")  # noqa: S608


def _stage(session: Session, source: ImportFile, progress: Progress) -> tuple[int, list[RowError]]:
    """Check every row and COPY the good ones into the staging table."""
    create_staging(session, STAGE, COLUMNS)
    errors: list[RowError] = []
    rows = 0
    with StagingCopy(session, STAGE, [name for name, _ in COLUMNS]) as copy:
        for row in source.rows(progress):
            rows += 1
            if row.errors:
                errors.extend(row.errors)
                continue
            values = row.values
            issued_on: date = values["issued_on"]
            due_on: date | None = values.get("due_on")
            if due_on is not None and due_on < issued_on:
                errors.append(
                    RowError(source.name, row.line, "due_on", "falls before the issue date")
                )
                continue
            copy.add(
                (
                    row.line,
                    values["number"],
                    values["account"],
                    issued_on,
                    due_on,
                    values["amount"],
                    values["currency"],
                    values.get("description"),
                )
            )
    session.execute(text(f"ANALYZE {STAGE}"))
    return rows, errors


def _database_checks(session: Session, source: ImportFile) -> list[RowError]:
    """Repeated numbers, unknown customers, other currencies, conflicts with the book."""
    errors = [
        RowError(source.name, line, "number", f"{number!r} is already on line {first} of this file")
        for line, number, first in session.execute(_DUPLICATES)
    ]
    session.execute(text(_RESOLVE))
    errors.extend(
        RowError(source.name, line, column, message)
        for line, column, message in session.execute(_CHECKS)
    )
    return errors


def import_invoices(
    session: Session,
    source: ImportFile,
    *,
    skip_bad: bool,
    as_of: date,
    progress: Progress,
) -> Outcome:
    """Upsert the file's invoices; refuse the file when a row is bad, unless ``skip_bad``."""
    allow_bulk_memory(session)  # the joins of a million staged rows stay in memory
    rows, errors = _stage(session, source, progress)
    progress("Checking against the book", 0, 2)
    session.execute(_LOCK_CUSTOMERS).all()
    progress("Checking against the book", 1, 2)
    errors.extend(_database_checks(session, source))
    refuse_unless_skipping(source.name, errors, skip_bad)
    if errors:
        session.execute(_DELETE_LINES, {"lines": sorted({error.line for error in errors})})
    progress("Checking against the book", 2, 2)
    progress("Saving", 0, 2)
    create_staging(session, TOUCHED, (("customer_id", "bigint"),))
    described = "description" in source.present
    updated = session.execute(
        text(_UPDATE.format(description="r.description" if described else "i.description")),
        {"as_of": as_of},
    ).scalar_one()
    progress("Saving", 1, 2)
    inserted = session.execute(
        text(_INSERT.format(description="description" if described else "NULL"))
    ).scalar_one()
    touched = tuple(session.scalars(_TOUCHED))
    progress("Saving", 2, 2)
    for table in (STAGE, RESOLVED, TOUCHED):
        drop_staging(session, table)
    return Outcome(rows, inserted, updated, tuple(errors), touched)
