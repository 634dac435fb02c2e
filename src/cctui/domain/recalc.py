"""Recalculate changed / Recalculate all (seed 002): check the maintained figures, fix them.

Every maintained customer column (:data:`cctui.domain.figures.MAINTAINED_COLUMNS`) is compared
with its truth (:func:`cctui.domain.figures.truth_sql`) in set-based SQL: one statement
checks the whole scope and clears its ``figures_changed`` flags; only the customers whose
figures differ come back to Python, and one more statement locks and corrects them from a
fresh look at their rows. "Changed" covers the customers with postings since the last
recalculation; "all" covers the whole book.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import RowMapping, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.figures import MAINTAINED_COLUMNS, truth_sql
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Customer, Role

FigureValue = Decimal | int | date | str | None
"""A maintained figure: an amount, a count, a date or time, a call outcome, or nothing."""

AUDIT_DIFFERENCES_MAX = 1000
"""At most this many differences are copied into the run's audit row (all are counted)."""

RECALC_LOCK_KEY = 0x63637475_72636C63
"""Advisory lock key ("cctu" "rclc"): one recalculation at a time, so two never deadlock."""


def _truth(scope: str | None) -> str:
    """The truth of the customers matching ``scope`` (a predicate on c), or of all (None)."""
    return truth_sql(scope)


_COLUMNS = ", ".join(f"c.{column}" for column in MAINTAINED_COLUMNS)
_TRUTHS = ", ".join(f"t.{column}" for column in MAINTAINED_COLUMNS)
_DIFFERS = f"({_COLUMNS}) IS DISTINCT FROM ({_TRUTHS})"

_CHECK_SQL = """
WITH truth AS MATERIALIZED ({truth}),
cleared AS (
    UPDATE customer AS c SET figures_changed = false
    FROM truth AS t
    WHERE c.id = t.customer_id AND c.figures_changed
)
SELECT (SELECT count(*) FROM truth) AS checked,
       coalesce(
           (SELECT array_agg(c.id ORDER BY c.id)
            FROM truth AS t JOIN customer AS c ON c.id = t.customer_id
            WHERE {differs}),
           '{{}}'
       ) AS differing
"""
"""Count the scope, list the customers whose figures differ, clear the scope's flags."""

_LOCK_SQL = text("SELECT id FROM customer WHERE id = ANY(:ids) ORDER BY id FOR UPDATE").bindparams(
    bindparam("ids", type_=ARRAY(BigInteger()))
)

_SET = ", ".join(f"{column} = t.{column}" for column in MAINTAINED_COLUMNS)
_OLD = ", ".join(f"o.{column} AS old_{column}" for column in MAINTAINED_COLUMNS)
_NEW = ", ".join(f"t.{column} AS new_{column}" for column in MAINTAINED_COLUMNS)

_CORRECT_SQL = """
WITH truth AS MATERIALIZED ({truth})
UPDATE customer AS c
SET {set_truth}
FROM truth AS t JOIN customer AS o ON o.id = t.customer_id
WHERE c.id = t.customer_id AND {differs}
RETURNING c.id AS customer_id, c.account, {old}, {new}
"""
"""Write the truth into the (locked) customers that still differ; return before and after."""

_CHECK_ALL = text(_CHECK_SQL.format(truth=_truth(None), differs=_DIFFERS))
_CHECK_CHANGED = text(_CHECK_SQL.format(truth=_truth("c.figures_changed"), differs=_DIFFERS))
_CORRECT = text(
    _CORRECT_SQL.format(
        truth=_truth("c.id = ANY(:ids)"), set_truth=_SET, differs=_DIFFERS, old=_OLD, new=_NEW
    )
).bindparams(bindparam("ids", type_=ARRAY(BigInteger())))


@dataclass(frozen=True)
class FigureDifference:
    """One maintained column of one customer that differed from the truth (and was fixed)."""

    customer_id: int
    account: str
    column: str
    maintained: FigureValue
    """What the customer row held."""
    truth: FigureValue
    """What the rows it summarises say, now written into the customer row."""

    def as_dict(self) -> dict[str, Any]:
        """The difference as a plain dict (for the audit row and ``cctui recalc --json``)."""
        return {
            "customer_id": self.customer_id,
            "account": self.account,
            "column": self.column,
            "maintained": self.maintained,
            "truth": self.truth,
        }


@dataclass(frozen=True)
class RecalcReport:
    """What one recalculation checked and corrected."""

    checked: int
    """Customers in the scope (all customers, or those flagged as changed)."""
    corrected: tuple[FigureDifference, ...]
    """Every figure that differed, by account then column order; empty when all were right."""

    @property
    def corrected_customers(self) -> int:
        """How many customers had at least one figure corrected."""
        return len({difference.customer_id for difference in self.corrected})


def recalculate_figures(
    session: Session,
    actor: StaffIdentity,
    *,
    all_customers: bool,
    as_of: date | None = None,
) -> RecalcReport:
    """Check the maintained figures of the changed customers (or all) and correct them.

    Controllers may recalculate the changed customers, supervisors the whole book. The
    scope's ``figures_changed`` flags are cleared; every differing figure is written from
    the truth for ``as_of`` (default today) and reported. One audit row records the run.
    """
    if all_customers:
        require_role(actor, Role.SUPERVISOR, "recalculate the figures of every customer")
    else:
        require_role(actor, Role.CONTROLLER, "recalculate the figures of changed customers")
    today = as_of if as_of is not None else date.today()
    scope = "all" if all_customers else "changed"

    session.flush()
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RECALC_LOCK_KEY})
    check = _CHECK_ALL if all_customers else _CHECK_CHANGED
    checked, differing = session.execute(check, {"as_of": today}).one()
    corrected: list[FigureDifference] = []
    if differing:
        ids = list(differing)
        session.execute(_LOCK_SQL, {"ids": ids})
        rows = session.execute(_CORRECT, {"ids": ids, "as_of": today}).mappings().all()
        for row in sorted(rows, key=lambda found: (found["account"], found["customer_id"])):
            corrected.extend(_differences(row))
    _expire_loaded_customers(session)

    report = RecalcReport(checked=int(checked), corrected=tuple(corrected))
    audit(
        session,
        actor,
        action="recalculate_figures",
        entity="customer",
        after={
            "scope": scope,
            "as_of": today,
            "checked": report.checked,
            "corrected": [item.as_dict() for item in corrected[:AUDIT_DIFFERENCES_MAX]],
            "corrected_count": len(corrected),
        },
    )
    return report


def _differences(row: RowMapping) -> list[FigureDifference]:
    """The columns of one corrected customer whose value changed."""
    found = []
    for column in MAINTAINED_COLUMNS:
        old, new = row[f"old_{column}"], row[f"new_{column}"]
        if old != new:
            found.append(
                FigureDifference(
                    customer_id=int(row["customer_id"]),
                    account=str(row["account"]),
                    column=column,
                    maintained=old,
                    truth=new,
                )
            )
    return found


def _expire_loaded_customers(session: Session) -> None:
    """Make loaded Customer objects re-read the figures and flags just written in SQL."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Customer):
            session.expire(loaded, [*MAINTAINED_COLUMNS, "figures_changed"])
