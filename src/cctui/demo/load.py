"""``generate_demo``: replace the book with a generated one, in one transaction.

The load takes a transaction-level advisory lock, refuses when the book is not empty (unless
``reset``), truncates every table, sets foreign keys and secondary indexes aside
(:mod:`.ddl`), copies the generated rows in (:mod:`.copy_loader`) while generating the next
ones, analyses the tables, computes the maintained customer figures in SQL
(:mod:`.figures`), rebuilds the indexes and constraints, moves the id sequences past the
loaded ids and commits. A failure anywhere rolls everything back, schema included, so the
old data stays. After the commit the customer table is vacuumed (its figures were updated
in place).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import psycopg
from psycopg import sql

import cctui.domain.models  # noqa: F401 - registers every table on Base.metadata
from cctui.demo.book import DemoBook
from cctui.demo.copy_loader import CopyWriter
from cctui.demo.copy_rows import TableRows
from cctui.demo.ddl import set_aside
from cctui.demo.figures import reset_sequences, update_customer_figures
from cctui.demo.staffing import normalise_login
from cctui.demo.summary import DemoRefused, DemoSummary
from cctui.demo.textfmt import line
from cctui.domain.base import Base
from cctui.domain.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy import Table

    from cctui.db.engine import Database

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``, called as the load advances."""

CHUNK_CUSTOMERS = 4_000
"""Customers generated per COPY batch: big enough to amortise, small enough to overlap."""

MAX_CUSTOMERS = 999_999
"""Accounts are ``C`` and six digits."""

_LOCK_KEY = 0x63637475_64656D6F  # "cctu" "demo": one demo load at a time per database
_SKIPPED_TABLES = frozenset({"alembic_version"})

STAGE_PREPARE = "Preparing"
STAGE_CUSTOMERS = "Customers"
STAGE_FINISH = "Finishing"
STAGE_ANALYZE = "Analysing"


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in _SKIPPED_TABLES]


def _ignore(_stage: str, _done: int, _total: int) -> None:
    return None


def _owns_tables(cursor: psycopg.Cursor[Any], tables: list[Table]) -> bool:
    """True when the current user owns every table (and so its sequences and indexes).

    A user who may only write to the tables (a shared server whose schema belongs to a
    migration role) can still load the book: without restarting identities (the sequences
    are set after the load anyway) and with the constraints in place, which is slower.
    """
    cursor.execute(
        "SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) FROM pg_class c"
        " WHERE c.oid = ANY (%s::regclass[])",
        ([t.name for t in tables],),
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def _refuse_if_not_empty(cursor: psycopg.Cursor[Any]) -> None:
    cursor.execute(
        "SELECT (SELECT count(*) FROM customer), (SELECT count(*) FROM staff),"
        " EXISTS (SELECT 1 FROM invoice)"
    )
    row = cursor.fetchone()
    assert row is not None
    customers, staff, invoices = int(row[0]), int(row[1]), bool(row[2])
    if customers:
        noun = "customer" if customers == 1 else "customers"
        raise DemoRefused(
            f"The database already holds {customers:,} {noun}; use --reset to replace them."
        )
    if staff or invoices:
        noun = "staff member" if staff == 1 else "staff members"
        raise DemoRefused(
            f"The database already holds {staff:,} {noun}; use --reset to replace them."
        )


def _audit_rows(
    counts: dict[str, int],
    *,
    you_id: int | None,
    actor: str,
    seed: int,
    today: date,
    reset: bool,
) -> TableRows:
    rows = TableRows("audit_log", ("id", "staff_id", "actor", "action", "entity", "after"))
    after = {
        "customers": counts.get("customer", 0),
        "invoices": counts.get("invoice", 0),
        "seed": seed,
        "today": today.isoformat(),
        "reset": reset,
    }
    rows.lines.append(line(1, you_id, actor, "demo_load", "book", json.dumps(after)))
    return rows


def generate_demo(
    db: Database,
    *,
    customers: int = 1000,
    seed: int = 42,
    reset: bool = False,
    progress: Progress | None = None,
    you: str | None = None,
    today: date | None = None,
) -> DemoSummary:
    """Fill the database with a generated demo book and return what was loaded.

    ``customers`` customers get about ten invoices each, with payments, disputes, calls,
    promises, notes and the rest; staff in every role, pools, policies, dunning steps,
    letter templates, agencies and settings come with them. The same ``seed`` and ``today``
    (default: the current date) give identical rows. ``you`` (a login) is made an admin, and
    is the audit log's actor (``demo`` otherwise).

    Raises :class:`DemoRefused` when the database already holds customers, invoices or staff
    and ``reset`` is false; with ``reset`` the whole book is replaced in one transaction.
    """
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise ValidationError(
            f"The number of demo customers must be between 1 and {MAX_CUSTOMERS:,}."
        )
    started = time.perf_counter()
    report = progress or _ignore
    today = today or date.today()
    login = normalise_login(you)
    tables = _tables()
    report(STAGE_PREPARE, 0, 1)
    raw = db.engine.raw_connection()
    try:
        conn = cast("psycopg.Connection[Any]", raw.driver_connection)
        conn.rollback()
        try:
            counts = _load(conn, tables, customers, seed, reset, today, login, report)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        report(STAGE_ANALYZE, 0, 1)
        _vacuum_book(conn)
        report(STAGE_ANALYZE, 1, 1)
    finally:
        raw.close()
    return DemoSummary.from_counts(counts, time.perf_counter() - started)


def _load(
    conn: psycopg.Connection[Any],
    tables: list[Table],
    customers: int,
    seed: int,
    reset: bool,
    today: date,
    login: str | None,
    report: Progress,
) -> dict[str, int]:
    """Everything inside the transaction; returns the rows loaded per table."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SET LOCAL lock_timeout = 0")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")
        if not reset:
            _refuse_if_not_empty(cursor)
        owner = _owns_tables(cursor, tables)
        cursor.execute(
            sql.SQL("TRUNCATE TABLE {} {} CASCADE").format(
                sql.SQL(", ").join(sql.Identifier(t.name) for t in tables),
                sql.SQL("RESTART IDENTITY" if owner else "CONTINUE IDENTITY"),
            )
        )
        aside = set_aside(cursor, [t.name for t in tables]) if owner else None
    report(STAGE_PREPARE, 1, 1)

    book = DemoBook(customers=customers, seed=seed, today=today, you=login)
    written: list[TableRows] = []
    writer = CopyWriter(conn)
    try:
        head = book.head()
        written.extend(head)
        writer.submit(head)
        report(STAGE_CUSTOMERS, 0, customers)
        for done, batch in book.chunks(CHUNK_CUSTOMERS):
            writer.submit(batch)
            report(STAGE_CUSTOMERS, done, customers)
        written.extend(book.tables.values())
        counts = _counted(written)
        audit = _audit_rows(
            counts,
            you_id=book.team.you_id,
            actor=login or "demo",
            seed=seed,
            today=today,
            reset=reset,
        )
        writer.submit([audit])
    except BaseException:
        writer.close(check=False)
        raise
    writer.close()
    counts[audit.name] = audit.count

    steps = 3 + (aside.steps if aside is not None else 0)
    finished = 0

    def step() -> None:
        nonlocal finished
        finished += 1
        report(STAGE_FINISH, finished, steps)

    report(STAGE_FINISH, 0, steps)
    with conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(sql.Identifier(t.name) for t in tables))
        )
        step()
        update_customer_figures(cursor, today)
        step()
        if aside is not None:
            aside.restore(cursor, step)
        reset_sequences(cursor, tables)
        step()
    return counts


def _counted(tables: list[TableRows]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rows in tables:
        counts[rows.name] = counts.get(rows.name, 0) + rows.count + len(rows.lines)
    return counts


def _vacuum_book(conn: psycopg.Connection[Any]) -> None:
    """Vacuum and analyse the customer table: its figures were updated in place after the
    in-transaction ANALYZE of every table, leaving dead row versions and stale statistics.

    Vacuum the invoice table too, as autovacuum would soon after a bulk load: until its pages
    are marked all-visible, the per-customer sums the daily check and the dashboard read from
    covering indexes visit a heap page per invoice all the same."""
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) customer")
            cursor.execute("VACUUM invoice")
    finally:
        conn.autocommit = False
