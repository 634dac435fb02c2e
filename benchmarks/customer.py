"""Opening a customer: every panel's read models, against the same statements bare.

Measured on the loaded demo book for its biggest debtor (the customer with most invoices
among those owing something overdue), as of the demo's today, each figure the median of
many calls alternating the two sides in the same run:

- *through the domain*: what the customer screen and its tabs read (``screens/customer.py``
  and ``widgets/customer/``) in one fresh session (the screen opens one per panel): the
  header and statistics (the fact box), unpaid invoices, notes, to-dos, calls, promises,
  the credit tab (header again, without the open actions it does not show, limit history,
  held documents, approvals), letters and the charts;
- *bare*: the very SQL statements those calls sent (recorded once, untimed) replayed with
  their parameters in one transaction (committed, as the domain's is, so psycopg keeps the
  statements it prepared) on a raw psycopg connection, rows fetched and nothing built from
  them: what the database costs for the same rows. It shares the domain's query shapes, so the
  number of statements is in the name: a panel needing many is visible there.

Budget: ≤ 3x the bare SQL and ≤ 20 ms.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any, cast

import psycopg
from sqlalchemy import create_engine, event, text

from benchmarks.daily_check import _admin
from benchmarks.demo_load import TODAY
from benchmarks.harness import Result, ScratchServer
from cctui.db.engine import Database
from cctui.domain.charts.customer import read_customer_charts
from cctui.domain.credit.held import list_held_documents
from cctui.domain.credit.limits import credit_limit_history
from cctui.domain.customer_detail import (
    customer_approvals,
    customer_header,
    customer_letters,
    unpaid_invoices,
)
from cctui.domain.identity import StaffIdentity
from cctui.domain.statistics import customer_statistics
from cctui.domain.workflow.calls import call_history
from cctui.domain.workflow.notes import customer_notes
from cctui.domain.workflow.promises import customer_promises
from cctui.domain.workflow.todos import customer_todos

BUDGET = "≤ 3x, ≤ 20 ms"
MIN_REPEATS = 20
WARM_UP = 8
"""Untimed calls first: psycopg prepares a statement on its fifth execution."""


def _big_debtor(database: Database) -> tuple[int, int]:
    """The overdue debtor with most invoices, and how many it has."""
    with database.session() as session:
        row = session.execute(
            text(
                "SELECT i.customer_id, count(*) FROM invoice AS i "
                "JOIN customer AS c ON c.id = i.customer_id WHERE c.overdue_balance > 0 "
                "GROUP BY i.customer_id ORDER BY count(*) DESC, i.customer_id LIMIT 1"
            )
        ).one()
    return int(row[0]), int(row[1])


def read_all_panels(session: Any, actor: StaffIdentity, customer_id: int) -> list[object]:
    """What the customer screen reads when every panel has been shown once."""
    return [
        customer_header(session, customer_id),
        customer_statistics(session, customer_id, as_of=TODAY),
        unpaid_invoices(session, customer_id, as_of=TODAY),
        customer_notes(session, customer_id),
        customer_todos(session, customer_id, as_of=TODAY),
        call_history(session, customer_id),
        customer_promises(session, customer_id),
        customer_header(session, customer_id, with_actions=False),
        credit_limit_history(session, customer_id),
        list_held_documents(session, actor, status=None, customer_id=customer_id, as_of=TODAY),
        customer_approvals(session, customer_id),
        customer_letters(session, customer_id),
        read_customer_charts(session, customer_id, as_of=TODAY),
    ]


def _recorded(database: Database, actor: StaffIdentity, customer_id: int) -> list[tuple[str, Any]]:
    """The statements (and parameters) one read of every panel sends."""
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.session() as session:
            read_all_panels(session, actor, customer_id)
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    return statements


def _paired(
    left: Callable[[], object], right: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Median ms of ``left`` and of ``right``, timed alternately."""
    for _ in range(WARM_UP):
        left()
        right()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for action, into in ((left, samples[0]), (right, samples[1])):
            started = time.perf_counter()
            action()
            into.append(time.perf_counter() - started)
    return statistics.median(samples[0]) * 1000, statistics.median(samples[1]) * 1000


def measure_customer(server: ScratchServer, database: str, runs: int) -> list[Result]:
    """Time reading every panel of the biggest debtor of the loaded book ``database``."""
    book = Database(create_engine(server.url_for(database)), label=database)
    repeats = max(MIN_REPEATS, runs * 10)
    try:
        actor = _admin(book)
        customer_id, invoices = _big_debtor(book)
        statements = _recorded(book, actor, customer_id)

        def domain() -> object:
            with book.session() as session:
                return read_all_panels(session, actor, customer_id)

        raw = book.engine.raw_connection()
        try:
            connection = cast("psycopg.Connection[Any]", raw.driver_connection)
            cursor = connection.cursor()

            def bare() -> object:
                rows = []
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
                    rows.append(cursor.fetchall() if cursor.description else None)
                # Ended as the domain's session ends it: psycopg forgets its prepared
                # statements on rollback(), which would leave the bare side unprepared.
                connection.commit()
                return rows

            domain_ms, bare_ms = _paired(domain, bare, repeats)
        finally:
            raw.close()
    finally:
        book.dispose()
    return [
        Result(
            name=(
                f"customer opened, every panel's reads ({invoices:,} invoices, "
                f"{len(statements)} statements)"
            ),
            median_ms=domain_ms,
            baseline_name="the same statements bare through psycopg",
            baseline_median_ms=bare_ms,
            budget=BUDGET,
            runs=repeats,
        )
    ]
