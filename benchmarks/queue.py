"""The debtor queue on the demo book, against bare SQL reading the same page.

Measured on a copy of the loaded demo book in which every customer owes something overdue
(:func:`every_customer_a_debtor` gives each customer that owed nothing overdue one invoice
past due, then recalculates every customer's figures with the service), so 100,000 demo
customers make a queue of about 100,000 debtors. Each figure is the median of many calls
alternating the service with its baseline in the same run:

- *first page*: :func:`cctui.domain.queue.queue_page` for the default order (overdue balance
  descending, 100 rows), against one hand-written SELECT of the same rows — same WHERE,
  ORDER BY and LIMIT on the same index, with the controller and the latest open note joined —
  run on a raw psycopg connection;
- *deep page*: the same for page 500, or the last full page when the book has fewer debtors
  (walked to with cursors first, then timed from its cursor), against the bare SELECT
  starting after the same row;
- *search*: a debtor's name with a letter dropped, best match first, against the bare SELECT
  with the same trigram WHERE and relevance ORDER BY;
- *every sort*: a page near the end of every sort in both directions (the slowest is
  reported). For each, ``EXPLAIN`` must show every read of ``customer`` going through one of
  the ``ix_customer_queue_*`` indexes, and the service must return the rows the bare SQL
  returns; anything else stops the benchmark.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any, cast

import psycopg
from sqlalchemy import select, text

from benchmarks.demo_load import TODAY
from benchmarks.harness import Result, ScratchServer
from cctui.db.engine import Database
from cctui.domain.book_settings import contacted_within_days
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role, Staff
from cctui.domain.queue import (
    QueueCursor,
    QueuePage,
    QueueQuery,
    QueueSort,
    SortDirection,
    queue_count,
    queue_page,
)
from cctui.domain.queue.criteria import like_escape
from cctui.domain.queue.page import _cursor_segment, _filters
from cctui.domain.queue.statements import PageShape, page_statement
from cctui.domain.recalc import recalculate_figures

PAGE_SIZE = 100
DEEP_PAGE = 500
MIN_REPEATS = 30
"""Calls timed, at least, for each measurement (they take about a millisecond)."""
WARM_UP = 8
"""Untimed calls first: psycopg prepares a statement on its fifth execution."""
PLAN_CHECK_DEBTORS = 5_000
"""From this many debtors on, every page must be read through a queue index (a smaller book
fits in a few pages, where the planner rightly prefers to read it all and sort)."""

_COLUMNS = (
    "c.id, c.account, c.name, c.name2, c.address_line1, c.address_line2, c.city, "
    "c.postal_code, c.country, c.phone, c.currency, c.contact_person, c.payment_terms_days, "
    "c.balance, c.overdue_balance, c.oldest_due_on, c.held_document_count, "
    "c.open_action_count, c.last_call_at, c.last_call_outcome, c.last_contacted_at, "
    "c.next_call_on, c.next_promise_on, c.credit_action, c.follow_up_on, c.follow_up_reason, "
    "c.controller_id, s.login, s.name, "
    "(SELECT left(n.body, 1000) FROM note AS n WHERE n.customer_id = c.id "
    "AND n.status = 'open' ORDER BY n.created_at DESC, n.id DESC LIMIT 1)"
)

BARE_FIRST = f"""
SELECT {_COLUMNS}
FROM customer AS c LEFT JOIN staff AS s ON s.id = c.controller_id
WHERE c.overdue_balance > 0 AND (c.follow_up_on IS NULL OR c.follow_up_on <= %(d)s)
ORDER BY c.overdue_balance DESC, c.id DESC
LIMIT {PAGE_SIZE}
"""  # noqa: S608 (constants only)
"""The first page of the queue by hand."""

BARE_AFTER = f"""
SELECT {_COLUMNS}
FROM customer AS c LEFT JOIN staff AS s ON s.id = c.controller_id
WHERE c.overdue_balance > 0 AND (c.follow_up_on IS NULL OR c.follow_up_on <= %(d)s)
  AND (c.overdue_balance, c.id) < (%(v)s, %(id)s)
ORDER BY c.overdue_balance DESC, c.id DESC
LIMIT {PAGE_SIZE}
"""  # noqa: S608 (constants only)
"""The page after a row, by hand."""

_SCORE = (
    "(CASE WHEN lower(c.account) = lower(%(q)s) THEN 2000 ELSE 0 END"
    " + CASE WHEN c.name ILIKE %(p)s OR c.name2 ILIKE %(p)s OR c.account ILIKE %(p)s"
    " OR c.phone ILIKE %(p)s OR c.postal_code ILIKE %(p)s THEN 1000 ELSE 0 END"
    " + round(1000 * greatest(word_similarity(%(q)s, c.name),"
    " word_similarity(%(q)s, coalesce(c.name2, ''))))::integer)"
)

BARE_SEARCH = f"""
SELECT {_COLUMNS}, {_SCORE} AS score
FROM customer AS c LEFT JOIN staff AS s ON s.id = c.controller_id
WHERE c.overdue_balance > 0 AND (c.follow_up_on IS NULL OR c.follow_up_on <= %(d)s)
  AND (c.name ILIKE %(p)s OR c.name2 ILIKE %(p)s OR c.account ILIKE %(p)s
       OR c.phone ILIKE %(p)s OR c.postal_code ILIKE %(p)s
       OR %(q)s <%% c.name OR %(q)s <%% c.name2)
ORDER BY score DESC, c.overdue_balance DESC, c.id DESC
LIMIT {PAGE_SIZE}
"""  # noqa: S608 (constants only)
"""A search by hand: the same trigram conditions, best match first."""

_SORT_COLUMN = {
    QueueSort.OVERDUE: "overdue_balance",
    QueueSort.BALANCE: "balance",
    QueueSort.OLDEST_DUE: "oldest_due_on",
    QueueSort.NAME: "name",
    QueueSort.POSTAL_CODE: "postal_code",
    QueueSort.LAST_CALL: "last_call_at",
    QueueSort.NEXT_CALL: "next_call_on",
    QueueSort.NEXT_PROMISE: "next_promise_on",
    QueueSort.ACCOUNT: "account",
}


class QueueMismatch(AssertionError):
    """The service and the bare SQL disagree, or a page is not read through an index."""


def _raw(database: Database) -> Any:
    """A pooled DBAPI connection of ``database`` (hand it back with ``close()``)."""
    return database.engine.raw_connection()


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _paired(
    service: Callable[[], object], bare: Callable[[], object], repeats: int
) -> tuple[list[float], list[float]]:
    """Time ``service`` and ``bare`` alternately, after warming both up."""
    for _ in range(WARM_UP):
        service()
        bare()
    ours: list[float] = []
    theirs: list[float] = []
    for n in range(repeats):
        pair = [(service, ours), (bare, theirs)]
        if n % 2:
            pair.reverse()
        for action, samples in pair:
            started = time.perf_counter()
            action()
            samples.append(time.perf_counter() - started)
    return ours, theirs


def _ids(page: QueuePage) -> list[int]:
    return [row.id for row in page.rows]


def _same(label: str, service: list[int], bare: list[tuple[Any, ...]]) -> None:
    """Raise unless the service's rows are the bare SQL's (which, for a sort column, has
    only the rows with a value: the queue may go on with the empty ones)."""
    if service[: len(bare)] != [int(row[0]) for row in bare] or len(service) < len(bare):
        raise QueueMismatch(f"The queue's {label} and the bare SQL returned different rows.")


def _typo(name: str) -> str | None:
    """``name`` with one letter dropped from its longest word (None when too short)."""
    words = name.split()
    longest = max(words, key=len)
    if len(longest) < 7 or not longest.isalpha():
        return None
    middle = len(longest) // 2
    return name.replace(longest, longest[:middle] + longest[middle + 1 :], 1)


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes += _plan_nodes(child)
    return nodes


def _check_index_scans(
    session: Any, query: QueueQuery, cursor: QueueCursor | None, within: int
) -> None:
    """Raise QueueMismatch unless every read of ``customer`` in the page after ``cursor``
    is an index scan of a queue index."""
    sort = query.effective_sort
    direction = query.effective_direction
    where, params = _filters(session, query, TODAY, within)
    shape = PageShape(
        sort=sort,
        traversal=direction,
        forward=True,
        cursor_segment=None if cursor is None else _cursor_segment(cursor, sort, direction),
        where=where,
        searching=False,
        fetch=PAGE_SIZE + 1,
    )
    if cursor is not None:
        params.update({f"k{n}": value for n, value in enumerate(cursor.key)})
        params["cursor_id"] = cursor.id
    explained = session.execute(
        text("EXPLAIN (FORMAT JSON) " + page_statement(shape).text), params
    ).scalar_one()
    plan = explained if isinstance(explained, list) else json.loads(explained)
    scans = [
        node for node in _plan_nodes(plan[0]["Plan"]) if node.get("Relation Name") == "customer"
    ]
    for scan in scans:
        index = str(scan.get("Index Name", ""))
        if scan["Node Type"] not in ("Index Scan", "Index Only Scan") or not index.startswith(
            "ix_customer_queue_"
        ):
            raise QueueMismatch(
                f"The queue sorted by {sort.value} {direction.value} reads customer with a "
                f"{scan['Node Type']} {index}, not an ordered queue index scan."
            )


MAKE_DEBTORS = """
INSERT INTO invoice (customer_id, number, kind, issued_on, due_on, currency, amount,
                     open_amount)
SELECT c.id, 'BQ-' || c.id, 'invoice', %(d)s - 30 - c.id %% 120, %(d)s - 1 - c.id %% 120,
       c.currency, 10 + c.id %% 4990, 10 + c.id %% 4990
FROM customer AS c
WHERE c.overdue_balance = 0
"""
"""One invoice 1 to 120 days past due, of 10 to 4,999.00, for every customer owing nothing
overdue."""


def every_customer_a_debtor(server: ScratchServer, source: str, name: str) -> Database:
    """A copy of ``source`` where every customer has an overdue invoice, its figures exact."""
    book = server.copy_database(source, name)
    raw = _raw(book)
    try:
        connection = cast("psycopg.Connection[Any]", raw.driver_connection)
        connection.execute(MAKE_DEBTORS, {"d": TODAY})
        connection.commit()
    finally:
        raw.close()
    with book.session() as session:
        admin = (
            session.execute(
                select(Staff).where(Staff.role == Role.ADMIN, Staff.active).order_by(Staff.id)
            )
            .scalars()
            .first()
        )
        if admin is None:
            raise LookupError(f"{source} has no active admin to recalculate its figures.")
        actor = StaffIdentity(id=admin.id, login=admin.login, name=admin.name, role=admin.role)
        recalculate_figures(session, actor, all_customers=True, as_of=TODAY)
        session.commit()
    with book.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE customer, invoice"
        )
    server.checkpoint()
    return book


def measure_queue(server: ScratchServer, source: str, runs: int) -> list[Result]:
    """Measure queue pages and a search on a copy of the loaded book ``source`` in which
    every customer is a debtor (see :func:`every_customer_a_debtor`)."""
    book = every_customer_a_debtor(server, source, "bench_queue")
    repeats = max(MIN_REPEATS, runs * 10)
    try:
        with book.session() as session:
            within = contacted_within_days(session)
            query = QueueQuery()
            debtors = queue_count(session, query=query, as_of=TODAY)
            page_number = max(1, min(DEEP_PAGE, debtors // PAGE_SIZE))

            def first() -> QueuePage:
                return queue_page(
                    session, query=query, limit=PAGE_SIZE, as_of=TODAY, within_days=within
                )

            page = first()
            for _ in range(page_number - 1):
                assert page.next_cursor is not None
                page = queue_page(
                    session,
                    query=query,
                    after=page.next_cursor,
                    limit=PAGE_SIZE,
                    as_of=TODAY,
                    within_days=within,
                )
            deep_cursor = page.prev_cursor  # the deep page is read from the row before it

            def deep() -> QueuePage:
                return queue_page(
                    session,
                    query=query,
                    after=deep_cursor,
                    limit=PAGE_SIZE,
                    as_of=TODAY,
                    within_days=within,
                )

            search, wanted = _search_text(session)
            search_query = QueueQuery(search=search)

            def found() -> QueuePage:
                return queue_page(
                    session, query=search_query, limit=PAGE_SIZE, as_of=TODAY, within_days=within
                )

            if wanted not in _ids(found()):
                raise QueueMismatch(f"Searching {search!r} did not find customer {wanted}.")

            raw = _raw(book)
            try:
                connection = cast("psycopg.Connection[Any]", raw.driver_connection)
                cursor = connection.cursor()
                deep_params: dict[str, Any] = {"d": TODAY}
                if deep_cursor is not None:
                    deep_params.update(v=deep_cursor.key[0], id=deep_cursor.id)
                search_params = {"d": TODAY, "q": search, "p": f"%{like_escape(search)}%"}

                def bare_first() -> list[tuple[Any, ...]]:
                    return cursor.execute(BARE_FIRST, {"d": TODAY}).fetchall()

                def bare_deep() -> list[tuple[Any, ...]]:
                    if deep_cursor is None:
                        return bare_first()
                    return cursor.execute(BARE_AFTER, deep_params).fetchall()

                def bare_search() -> list[tuple[Any, ...]]:
                    return cursor.execute(BARE_SEARCH, search_params).fetchall()

                _same("first page", _ids(first()), bare_first())
                _same(f"page {page_number}", _ids(deep()), bare_deep())
                _same("search", _ids(found()), bare_search())
                first_ms = _paired(first, bare_first, repeats)
                deep_ms = _paired(deep, bare_deep, repeats)
                search_ms = _paired(found, bare_search, repeats)
                slowest, slowest_ms, bare_slowest_ms = _every_sort(
                    session, cursor, within, repeats, check_plans=debtors >= PLAN_CHECK_DEBTORS
                )
                connection.rollback()
            finally:
                raw.close()
    finally:
        book.dispose()
        server.drop_database(book.label)

    return [
        Result(
            name=f"debtor queue, first page ({debtors:,} debtors, {PAGE_SIZE} rows)",
            median_ms=_median_ms(first_ms[0]),
            baseline_name="bare indexed SELECT of the same page",
            baseline_median_ms=_median_ms(first_ms[1]),
            budget="≤ 2 ms and ≤ 3x the bare indexed SQL",
            runs=repeats,
        ),
        Result(
            name=f"debtor queue, page {page_number} (walked to with cursors)",
            median_ms=_median_ms(deep_ms[0]),
            baseline_name="bare indexed SELECT after the same row",
            baseline_median_ms=_median_ms(deep_ms[1]),
            budget="≤ 2 ms and ≤ 3x the bare indexed SQL",
            runs=repeats,
        ),
        Result(
            name=f"debtor queue, search with a typo ({search!r})",
            median_ms=_median_ms(search_ms[0]),
            baseline_name="bare trigram SELECT, best match first",
            baseline_median_ms=_median_ms(search_ms[1]),
            budget="≤ 30 ms",
            runs=repeats,
        ),
        Result(
            name=f"debtor queue, any sort: slowest of 20 ({slowest})",
            median_ms=slowest_ms,
            baseline_name="bare indexed SELECT of that page",
            baseline_median_ms=bare_slowest_ms,
            budget="≤ 2 ms and ≤ 3x the bare indexed SQL",
            runs=repeats,
        ),
    ]


def _search_text(session: Any) -> tuple[str, int]:
    """A debtor's name with a typo, and that debtor's id."""
    candidates = session.execute(
        text(
            "SELECT id, name FROM customer WHERE overdue_balance > 0 "
            "AND (follow_up_on IS NULL OR follow_up_on <= :d) ORDER BY id LIMIT 200"
        ),
        {"d": TODAY},
    ).all()
    for customer_id, name in candidates:
        typo = _typo(name)
        if typo is not None:
            return typo, int(customer_id)
    raise QueueMismatch("The book has no debtor with a name long enough to misspell.")


def _bare_sort(sort: QueueSort, direction: SortDirection) -> str:
    """The bare SELECT of the page after a row (parameters ``d``, ``v`` or for the controller
    sort ``name``, ``staff``, ``v``, and ``id``)."""
    way = direction.value.upper()
    op = ">" if direction is SortDirection.ASC else "<"
    if sort is QueueSort.CONTROLLER:
        return _bare_controller_sort(way, op)
    column = _SORT_COLUMN[sort]
    return f"""
SELECT {_COLUMNS}
FROM customer AS c LEFT JOIN staff AS s ON s.id = c.controller_id
WHERE c.overdue_balance > 0 AND (c.follow_up_on IS NULL OR c.follow_up_on <= %(d)s)
  AND c.{column} IS NOT NULL AND (c.{column}, c.id) {op} (%(v)s, %(id)s)
ORDER BY c.{column} {way}, c.id {way}
LIMIT {PAGE_SIZE}
"""  # noqa: S608 (a column name from the table above)


def _bare_controller_sort(way: str, op: str) -> str:
    """The page after a row of a controller's debtors (controllers by name, each one's
    debtors by overdue balance, biggest first), by hand: the rest of that controller's
    debtors, then the next controllers' biggest debtors, each read from the controller index.
    (The debtors nobody controls come after every controller; the measured page is two
    pages before them.)"""
    debtor = "c.overdue_balance > 0 AND (c.follow_up_on IS NULL OR c.follow_up_on <= %(d)s)"
    by_debt = f"c.overdue_balance DESC, c.id DESC LIMIT {PAGE_SIZE}"
    return f"""
SELECT * FROM (
    (SELECT s.name AS k0, s.id AS k1, {_COLUMNS}
     FROM customer AS c JOIN staff AS s ON s.id = c.controller_id
     WHERE {debtor} AND c.controller_id = %(staff)s
       AND (c.overdue_balance, c.id) < (%(v)s, %(id)s)
     ORDER BY {by_debt})
    UNION ALL
    (SELECT g.name, g.id, q.*
     FROM (SELECT s.id, s.name FROM staff AS s WHERE (s.name, s.id) {op} (%(name)s, %(staff)s)
           ORDER BY s.name {way}, s.id {way}) AS g
     CROSS JOIN LATERAL (
         SELECT {_COLUMNS}
         FROM customer AS c JOIN staff AS s ON s.id = c.controller_id
         WHERE {debtor} AND c.controller_id = g.id
         ORDER BY {by_debt}) AS q
     LIMIT {PAGE_SIZE})
) AS page
ORDER BY k0 {way}, k1 {way}, overdue_balance DESC, id DESC
LIMIT {PAGE_SIZE}
"""  # noqa: S608 (constants only)


def _every_sort(
    session: Any, cursor: Any, within: int, repeats: int, *, check_plans: bool
) -> tuple[str, float, float | None]:
    """Check (``check_plans``: the plans too) and time a page deep in every sort, both ways.

    Returns the slowest page's label, its median and its bare SQL's median.
    """
    slowest: tuple[str, float, float | None] = ("", 0.0, None)
    for sort in QueueSort:
        if sort is QueueSort.RELEVANCE:
            continue
        for direction in SortDirection:
            query = QueueQuery(sort=sort, direction=direction)
            position = _deep_position(session, sort, direction)
            if check_plans:
                _check_index_scans(session, query, None, within)
                _check_index_scans(session, query, position, within)

            def page(query: QueueQuery = query, position: QueueCursor = position) -> QueuePage:
                return queue_page(
                    session,
                    query=query,
                    after=position,
                    limit=PAGE_SIZE,
                    as_of=TODAY,
                    within_days=within,
                )

            bare_sql = _bare_sort(sort, direction)
            params = {"d": TODAY, "v": position.key[-1], "id": position.id}
            if sort is QueueSort.CONTROLLER:
                params.update(name=position.key[0], staff=position.key[1])

            def bare(sql: str = bare_sql, params: dict[str, Any] = params) -> list[Any]:
                return cursor.execute(sql, params).fetchall()

            id_at = 2 if sort is QueueSort.CONTROLLER else 0
            found = [row[id_at:] for row in bare()]
            _same(f"{sort.value} {direction.value} page", _ids(page()), found)
            samples, bare_samples = _paired(page, bare, repeats)
            bare_ms = _median_ms(bare_samples)
            ms = _median_ms(samples)
            if ms > slowest[1]:
                slowest = (f"{sort.value} {direction.value}", ms, bare_ms)
    return slowest


def _deep_position(session: Any, sort: QueueSort, direction: SortDirection) -> QueueCursor:
    """The row two pages before the end of the sort's values: the page after it is deep in
    the order and still full of rows with a value (found with OFFSET, untimed)."""
    way = direction.value.upper()
    conditions = ["c.overdue_balance > 0", "(c.follow_up_on IS NULL OR c.follow_up_on <= :d)"]
    if sort is QueueSort.CONTROLLER:
        keys = "s.name, s.id, c.overdue_balance"
        source = "customer AS c JOIN staff AS s ON s.id = c.controller_id"
        order = f"s.name {way}, s.id {way}, c.overdue_balance DESC, c.id DESC"
    else:
        column = _SORT_COLUMN[sort]
        keys = f"c.{column}"
        source = "customer AS c"
        conditions.append(f"c.{column} IS NOT NULL")
        order = f"c.{column} {way}, c.id {way}"
    where = " AND ".join(conditions)
    count = session.execute(
        text(f"SELECT count(*) FROM {source} WHERE {where}"),  # noqa: S608 (constants)
        {"d": TODAY},
    ).scalar_one()
    found = session.execute(
        text(f"SELECT {keys}, c.id FROM {source} WHERE {where} ORDER BY {order} OFFSET :n LIMIT 1"),  # noqa: S608
        {"d": TODAY, "n": max(0, count - 2 * PAGE_SIZE - 1)},
    ).one()
    return QueueCursor(sort, direction, tuple(found[:-1]), int(found[-1]))
