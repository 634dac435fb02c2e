"""``cctui import customers``: COPY into a staging table, check, then set-based upsert.

Upsert by account number. A column missing from the file leaves that field of existing
customers alone (new customers get its default). An empty value clears a text field
(``name2``, address, ``phone`` …, ``controller``); an empty ``payment_terms_days``,
``credit_limit`` or ``delivery`` keeps an existing customer's value and gives a new one the
policy's terms and default limit (30 days, 0 without a policy) and mail. ``credit_policy``
names a policy by code; empty, a new customer is on manual settings and an existing one
keeps its policy. A customer that would change in nothing is not written (its optimistic
lock version stays), so re-importing the same file changes nothing. A changed credit limit is
recorded in the limit history like a limit change made on screen.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from cctui.domain.identity import StaffIdentity
from cctui.domain.importing.layouts import CUSTOMERS
from cctui.domain.importing.parse import ImportFile
from cctui.domain.importing.report import Outcome, Progress, RowError, refuse_unless_skipping
from cctui.domain.importing.staging import StagingCopy, create_staging, drop_staging

STAGE = "import_customer_stage"
_TYPES = {
    "payment_terms_days": "integer",
    "credit_limit": "numeric(14, 2)",
}
COLUMNS = (("line", "integer"), *((name, _TYPES.get(name, "text")) for name in CUSTOMERS.names))

_CLEARABLE = (
    "name",
    "name2",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "phone",
    "email",
    "contact_person",
    "currency",
)
"""Columns set to the file's value, empty or not (name and currency are never empty)."""
_KEPT_WHEN_EMPTY = {
    "payment_terms_days": "coalesce(s.payment_terms_days, c.payment_terms_days)",
    "credit_limit": "coalesce(s.credit_limit, c.credit_limit)",
    "delivery": "coalesce(s.delivery, c.delivery)",
}
_REFERENCES = {
    "credit_policy": ("credit_policy_id", "coalesce(p.id, c.credit_policy_id)"),
    "controller": ("controller_id", "st.id"),
}

_JOINS = f"""
FROM {STAGE} AS s
LEFT JOIN credit_policy AS p ON p.code = s.credit_policy
LEFT JOIN staff AS st ON st.login = lower(s.controller)
"""

_DUPLICATES = text(f"""
SELECT s.line, s.account, d.first_line
FROM {STAGE} AS s
JOIN (
    SELECT account, min(line) AS first_line FROM {STAGE}
    GROUP BY account HAVING count(*) > 1
) AS d ON d.account = s.account
WHERE s.line <> d.first_line
""")  # noqa: S608 (constant table names; values are bound)

_DELETE_LINES = text(f"DELETE FROM {STAGE} WHERE line = ANY(:lines)")  # noqa: S608

_CHECKS = text(f"""
SELECT s.line, e.column_name, e.message
{_JOINS}
LEFT JOIN customer AS c ON c.account = s.account
CROSS JOIN LATERAL (VALUES
    ('credit_policy', CASE WHEN s.credit_policy IS NOT NULL AND p.id IS NULL
        THEN 'no credit policy has the code ' || quote_literal(s.credit_policy) END),
    ('controller', CASE WHEN s.controller IS NOT NULL AND st.id IS NULL
        THEN 'no staff member has the login ' || quote_literal(s.controller) END),
    ('currency', CASE WHEN c.id IS NOT NULL AND s.currency <> c.currency
            AND EXISTS (SELECT 1 FROM invoice AS i WHERE i.customer_id = c.id)
        THEN c.account || ' has invoices in ' || c.currency || '; its currency cannot change'
        END)
) AS e(column_name, message)
WHERE e.message IS NOT NULL
""")  # noqa: S608 (constant table names; values are bound)

_LOCK = text(f"""
SELECT c.id FROM customer AS c
WHERE c.account IN (SELECT account FROM {STAGE})
ORDER BY c.id
FOR UPDATE
""")  # noqa: S608 (constant table names; values are bound)

_LIMIT_HISTORY = text(f"""
INSERT INTO credit_limit_change
    (customer_id, old_limit, new_limit, temporary, reason, status, requested_by_id, applied_at)
SELECT c.id, c.credit_limit, s.credit_limit, false, :reason, 'approved', :actor, now()
FROM {STAGE} AS s
JOIN customer AS c ON c.account = s.account
WHERE s.credit_limit IS NOT NULL AND s.credit_limit <> c.credit_limit
""")  # noqa: S608 (constant table names; values are bound)

_INSERT = text(f"""
INSERT INTO customer (
    account, name, name2, address_line1, address_line2, postal_code, city, country, phone,
    email, contact_person, currency, payment_terms_days, credit_limit, delivery,
    credit_policy_id, manual_settings, controller_id
)
SELECT s.account, s.name, s.name2, s.address_line1, s.address_line2, s.postal_code, s.city,
       s.country, s.phone, s.email, s.contact_person, s.currency,
       coalesce(s.payment_terms_days, p.payment_terms_days, 30),
       coalesce(s.credit_limit, p.default_credit_limit, 0),
       coalesce(s.delivery, 'mail'),
       p.id, p.id IS NULL, st.id
{_JOINS}
WHERE NOT EXISTS (SELECT 1 FROM customer AS c WHERE c.account = s.account)
""")  # noqa: S608 (constant table names; values are bound)


def _update_statement(present: frozenset[str]) -> str:
    """UPDATE of the existing customers' fields the file has, where any of them differs."""
    targets: list[tuple[str, str]] = []
    for name in CUSTOMERS.names:
        if name not in present or name == "account":
            continue
        if name in _CLEARABLE:
            targets.append((name, f"s.{name}"))
        elif name in _KEPT_WHEN_EMPTY:
            targets.append((name, _KEPT_WHEN_EMPTY[name]))
        else:
            targets.append(_REFERENCES[name])
    columns = ", ".join(f"c.{column}" for column, _ in targets)
    values = ", ".join(value for _, value in targets)
    sets = ", ".join(f"{column} = {value}" for column, value in targets)
    # A one-column row needs ROW(...) on both sides of IS DISTINCT FROM.
    return f"""
UPDATE customer AS c
SET {sets}, version = c.version + 1, updated_at = now()
{_JOINS}
WHERE c.account = s.account
  AND ROW({columns}) IS DISTINCT FROM ROW({values})
"""  # noqa: S608 (constant table names; values are bound)


def _stage(session: Session, source: ImportFile, progress: Progress) -> tuple[int, list[RowError]]:
    create_staging(session, STAGE, COLUMNS)
    errors: list[RowError] = []
    rows = 0
    with StagingCopy(session, STAGE, [name for name, _ in COLUMNS]) as copy:
        for row in source.rows(progress):
            rows += 1
            if row.errors:
                errors.extend(row.errors)
                continue
            copy.add((row.line, *(row.values.get(name) for name in CUSTOMERS.names)))
    session.execute(text(f"ANALYZE {STAGE}"))
    return rows, errors


def import_customers(
    session: Session,
    actor: StaffIdentity,
    source: ImportFile,
    *,
    skip_bad: bool,
    progress: Progress,
) -> Outcome:
    """Upsert the file's customers; refuse the file when a row is bad, unless ``skip_bad``."""
    rows, errors = _stage(session, source, progress)
    errors.extend(
        RowError(
            source.name, line, "account", f"{account!r} is already on line {first} of this file"
        )
        for line, account, first in session.execute(_DUPLICATES)
    )
    errors.extend(
        RowError(source.name, line, column, message)
        for line, column, message in session.execute(_CHECKS)
    )
    refuse_unless_skipping(source.name, errors, skip_bad)
    if errors:
        bad = sorted({error.line for error in errors})
        session.execute(_DELETE_LINES, {"lines": bad})
    progress("Saving", 0, 2)
    session.execute(_LOCK).all()
    if "credit_limit" in source.present:
        session.execute(
            _LIMIT_HISTORY, {"reason": f"Imported from {source.name}", "actor": actor.id}
        )
    updated = int(session.execute(text(_update_statement(source.present))).rowcount)  # type: ignore[attr-defined]
    progress("Saving", 1, 2)
    inserted = int(session.execute(_INSERT).rowcount)  # type: ignore[attr-defined]
    progress("Saving", 2, 2)
    drop_staging(session, STAGE)
    return Outcome(rows, inserted, updated, tuple(errors), ())
