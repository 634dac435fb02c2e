"""The SQL of one queue page: keyset segments over the partial ``ix_customer_queue_*`` indexes.

Every sort orders by its key(s) and then the customer id, all in one direction, so a
position is a row value ``(key, id)`` and the rows after it are ``(key, id) > (:k, :id)``:
an index range scan that costs the same on the first page and the five-hundredth. Empty
values come last in both directions, which one B-tree cannot give for both; so the order is
cut into *segments* read one after the other: rows with a value, then rows without (read
backwards for the page before a cursor: rows without, then rows with). The controller sort
walks the staff in name order and, for each, its debtors by overdue balance (a LATERAL join
on ``ix_customer_queue_controller``); debtors with no controller come last.

Each segment is a ``MATERIALIZED`` CTE with its own ``ORDER BY … LIMIT``; a later segment is
gated by a one-time filter on how many rows the earlier ones found, so it is not even read
when the page is already full. The cursor values are handed to the planner as
``(SELECT CAST(:k AS type))`` initplans: it plans for an unknown position (always the ordered
index scan, the right plan for a keyset page) instead of misjudging a known one from
whole-table statistics that know nothing of the debtors. The page's extra columns (the
controller's name, the latest open note) are joined onto the page rows only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import TextClause, text

from cctui.domain.queue.types import QueueSort, SortDirection

QUEUE_MEMBER = "c.overdue_balance > 0"
"""The predicate of every ``ix_customer_queue_*`` partial index: the customer is a debtor."""

ROW_COLUMNS = (
    "id",
    "account",
    "name",
    "name2",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "country",
    "phone",
    "currency",
    "contact_person",
    "payment_terms_days",
    "balance",
    "overdue_balance",
    "oldest_due_on",
    "held_document_count",
    "open_action_count",
    "last_call_at",
    "last_call_outcome",
    "last_contacted_at",
    "next_call_on",
    "next_promise_on",
    "credit_action",
    "follow_up_on",
    "follow_up_reason",
    "controller_id",
)
"""Customer columns a queue row reads, in the order the statement selects them."""

EXTRA_COLUMNS = ("controller_login", "controller_name", "note")
"""Columns joined onto the page rows only."""

_SELECT_COLUMNS = ", ".join(f"c.{column}" for column in ROW_COLUMNS)

SCORE_SQL = (
    "(CASE WHEN lower(c.account) = lower(:search) THEN 2000 ELSE 0 END"
    " + CASE WHEN c.name ILIKE :pattern OR c.name2 ILIKE :pattern OR c.account ILIKE :pattern"
    " OR c.phone ILIKE :pattern OR c.postal_code ILIKE :pattern THEN 1000 ELSE 0 END"
    " + round(1000 * CASE WHEN c.name2 IS NULL THEN word_similarity(:search, c.name)"
    " ELSE greatest(word_similarity(:search, c.name), word_similarity(:search, c.name2))"
    " END)::integer)"
)
"""How well a debtor matches the search (higher is better): 2000 for its exact account, 1000
for a substring of name, name 2, account, phone or postal code, plus 0-1000 for the trigram
word similarity of name or name 2 (typos tolerated)."""

SEARCH_SQL = (
    "(c.name ILIKE :pattern OR c.name2 ILIKE :pattern OR c.account ILIKE :pattern"
    " OR c.phone ILIKE :pattern OR c.postal_code ILIKE :pattern"
    " OR c.name %> :search OR c.name2 %> :search)"
)
"""A debtor matches a search when a field contains the text, or the text is similar to a
word run of the name or name 2 (``%>``: pg_trgm word similarity at least 0.6, typos
tolerated); every branch is served by a trigram GIN index (for name and name 2, partial ones
over the debtors)."""

SHORT_SEARCH_SQL = (
    "(c.name ILIKE :pattern OR c.name2 ILIKE :pattern OR c.account ILIKE :pattern"
    " OR c.phone ILIKE :pattern OR c.postal_code ILIKE :pattern)"
)
"""A search of one or two characters (too short for trigrams) matches the start of a field;
it is read in the queue's order, which finds a page of matches after a few rows (texts of
:data:`MIN_TRIGRAM_SEARCH` characters or more use :data:`SEARCH_SQL`)."""


@dataclass(frozen=True)
class _Key:
    """A sort key: its SQL on ``customer AS c`` and its type (for the cursor's cast)."""

    expr: str
    sql_type: str


_COLUMN_KEYS: dict[QueueSort, tuple[_Key, bool]] = {
    QueueSort.OVERDUE: (_Key("c.overdue_balance", "numeric"), False),
    QueueSort.BALANCE: (_Key("c.balance", "numeric"), False),
    QueueSort.OLDEST_DUE: (_Key("c.oldest_due_on", "date"), True),
    QueueSort.NAME: (_Key("c.name", "text"), False),
    QueueSort.POSTAL_CODE: (_Key("c.postal_code", "text"), True),
    QueueSort.LAST_CALL: (_Key("c.last_call_at", "timestamptz"), True),
    QueueSort.NEXT_CALL: (_Key("c.next_call_on", "date"), True),
    QueueSort.NEXT_PROMISE: (_Key("c.next_promise_on", "date"), True),
    QueueSort.ACCOUNT: (_Key("c.account", "text"), False),
}
"""The column sorts: key and whether it may be empty (then it has a segment of its own)."""

_RELEVANCE_KEYS = (_Key(SCORE_SQL, "integer"), _Key("c.overdue_balance", "numeric"))
_CONTROLLER_TYPES = ("text", "integer", "numeric")
"""Controller sort keys: the controller's name and id, then the debtor's overdue balance."""

KEY_COUNT = {sort: 1 for sort in _COLUMN_KEYS} | {
    QueueSort.RELEVANCE: 2,
    QueueSort.CONTROLLER: 3,
}
"""How many key values a cursor of each sort holds."""


def key_types(sort: QueueSort) -> tuple[str, ...]:
    """The SQL types of the sort's key values."""
    if sort is QueueSort.CONTROLLER:
        return _CONTROLLER_TYPES
    if sort is QueueSort.RELEVANCE:
        return tuple(key.sql_type for key in _RELEVANCE_KEYS)
    return (_COLUMN_KEYS[sort][0].sql_type,)


@dataclass(frozen=True)
class PageShape:
    """Everything that changes a page statement's text (bind values do not)."""

    sort: QueueSort
    traversal: SortDirection
    """The direction rows are read in: the sort's direction, reversed for a page up."""
    forward: bool
    """True for rows after the cursor (or the first page), False for rows before it."""
    cursor_segment: str | None
    """Where the cursor is: ``values``/``empty`` (column sorts), ``group``/``unassigned``
    (controller sort); None without a cursor."""
    where: tuple[str, ...]
    """The filters, as SQL on ``c`` with bind names."""
    searching: bool
    fetch: int
    """Rows to read (the page size plus one, to know whether another page follows)."""


_SEG = "@SEG@"
_GATE = "@GATE@"


@dataclass(frozen=True)
class _Segment:
    """One segment's SELECT (with the placeholders :data:`_SEG` and :data:`_GATE`) and
    its ORDER BY."""

    sql: str
    order: str


def _op(direction: SortDirection) -> str:
    return ">" if direction is SortDirection.ASC else "<"


def _cursor_row(types: tuple[str, ...]) -> str:
    values = [f"(SELECT CAST(:k{n} AS {sql_type}))" for n, sql_type in enumerate(types)]
    values.append("(SELECT CAST(:cursor_id AS integer))")
    return "(" + ", ".join(values) + ")"


@functools.lru_cache(maxsize=512)
def page_statement(shape: PageShape) -> TextClause:
    """The statement reading one page of ``shape`` (cached per shape).

    Its rows: ``seg``, ``k0``… (the sort keys), ``score`` (when searching), the
    :data:`ROW_COLUMNS` and the :data:`EXTRA_COLUMNS`, in reading order.
    """
    if shape.sort is QueueSort.CONTROLLER:
        segments, keys = _controller_segments(shape)
    else:
        segments, keys = _column_segments(shape)
    outer_order = ", ".join(["p.seg", *(f"p.{key}" for key in keys)])
    if len(segments) == 1:
        # One segment needs no union to order: its own ORDER BY and LIMIT make the page.
        segment = segments[0]
        page = (
            f"{segment.sql.replace(_SEG, '0').replace(_GATE, '')} "
            f"ORDER BY {segment.order} LIMIT {shape.fetch}"
        )
        return text(_with_controller_and_note(page, outer_order))
    ctes = []
    for n, segment in enumerate(segments):
        gate = ""
        if n:
            counts = (f"(SELECT count(*) FROM s{m})" for m in range(n))  # noqa: S608
            earlier = " + ".join(counts)
            gate = f" AND {earlier} < {shape.fetch}"
        ctes.append(
            f"s{n} AS MATERIALIZED ({segment.sql.replace(_SEG, str(n)).replace(_GATE, gate)}"
            f" ORDER BY {segment.order} LIMIT {shape.fetch})"
        )
    union = " UNION ALL ".join(f"SELECT * FROM s{n}" for n in range(len(segments)))  # noqa: S608
    order = ", ".join(["seg", *keys])
    page = f"SELECT * FROM ({union}) AS u ORDER BY {order} LIMIT {shape.fetch}"  # noqa: S608
    return text(f"WITH {', '.join(ctes)} " + _with_controller_and_note(page, outer_order))


def _with_controller_and_note(page: str, order: str) -> str:
    """``SELECT`` the rows of ``page`` (a subquery) in ``order``, each with its controller's
    login and name and the latest open note; assembled from this module's constants only,
    every value a bind parameter."""
    return (
        "SELECT p.*, st.login AS controller_login, st.name AS controller_name, nt.note "  # noqa: S608
        f"FROM ({page}) AS p "
        "LEFT JOIN staff AS st ON st.id = p.controller_id "
        "LEFT JOIN LATERAL (SELECT left(n.body, 1000) AS note FROM note AS n "
        "WHERE n.customer_id = p.id AND n.status = 'open' "
        "ORDER BY n.created_at DESC, n.id DESC LIMIT 1) AS nt ON true "
        f"ORDER BY {order}"
    )


def _select(shape: PageShape, keys: list[str], source: str = "c") -> str:
    """``SELECT <seg> AS seg, <keys AS k0…>, [score,] <row columns>`` from ``source``."""
    parts = [f"{_SEG} AS seg", *(f"{expr} AS k{n}" for n, expr in enumerate(keys))]
    if shape.searching:
        parts.append(f"{SCORE_SQL} AS score" if source == "c" else f"{source}.score")
    if source == "c":
        parts.append(_SELECT_COLUMNS)
    else:
        parts.extend(f"{source}.{column}" for column in ROW_COLUMNS)
    return "SELECT " + ", ".join(parts)


def _plain_select(shape: PageShape) -> str:
    """``SELECT [score,] <row columns>`` from ``customer AS c``."""
    score = f"{SCORE_SQL} AS score, " if shape.searching else ""
    return f"SELECT {score}{_SELECT_COLUMNS}"


def _where(shape: PageShape, *extra: str) -> str:
    return " AND ".join([QUEUE_MEMBER, *shape.where, *extra])


def _column_segments(shape: PageShape) -> tuple[list[_Segment], list[str]]:
    """Segments for a column or relevance sort: rows with a value, then rows without."""
    keys: tuple[_Key, ...]
    if shape.sort is QueueSort.RELEVANCE:
        keys, nullable = _RELEVANCE_KEYS, False
    else:
        key, nullable = _COLUMN_KEYS[shape.sort]
        keys = (key,)
    t = shape.traversal.value.upper()
    op = _op(shape.traversal)
    exprs = [key.expr for key in keys]
    order = ", ".join([*(f"{expr} {t}" for expr in exprs), f"c.id {t}"])
    outer = [*(f"k{n} {t}" for n in range(len(keys))), f"id {t}"]
    row = "(" + ", ".join([*exprs, "c.id"]) + ")"
    cursor = _cursor_row(tuple(key.sql_type for key in keys))

    def values(partial: bool) -> _Segment:
        if shape.sort is QueueSort.RELEVANCE:
            return _relevance(shape, partial)
        conditions = [f"{exprs[0]} IS NOT NULL"] if nullable else []
        if partial:
            conditions.append(f"{row} {op} {cursor}")
        sql = f"{_select(shape, exprs)} FROM customer AS c WHERE {_where(shape, *conditions)}"
        return _Segment(sql + _GATE, order)

    def empty(partial: bool) -> _Segment:
        conditions = [f"{exprs[0]} IS NULL"]
        if partial:
            conditions.append(f"c.id {op} (SELECT CAST(:cursor_id AS integer))")
        sql = f"{_select(shape, exprs)} FROM customer AS c WHERE {_where(shape, *conditions)}"
        return _Segment(sql + _GATE, order)

    reading = ["values", "empty"] if nullable else ["values"]
    if not shape.forward:
        reading.reverse()
    build = {"values": values, "empty": empty}
    segments = []
    started = shape.cursor_segment is None
    for name in reading:
        if not started and name == shape.cursor_segment:
            segments.append(build[name](True))
            started = True
        elif started:
            segments.append(build[name](False))
    return segments, outer


def _relevance(shape: PageShape, partial: bool) -> _Segment:
    """The relevance segment: the score is worked out once per matching debtor, in a
    subquery the planner may not flatten (``OFFSET 0``), then compared and sorted."""
    t = shape.traversal.value.upper()
    keys = f"{_SEG} AS seg, {SCORE_SQL} AS k0, c.overdue_balance AS k1"
    inner = (
        f"SELECT {keys}, {_SELECT_COLUMNS} "  # noqa: S608 (constants; values are bound)
        f"FROM customer AS c WHERE {_where(shape)} OFFSET 0"
    )
    columns = ", ".join(f"r.{column}" for column in ROW_COLUMNS)
    condition = "true"
    if partial:
        cursor = _cursor_row(tuple(key.sql_type for key in _RELEVANCE_KEYS))
        condition = f"(r.k0, r.k1, r.id) {_op(shape.traversal)} {cursor}"
    sql = (
        f"SELECT r.seg, r.k0, r.k1, r.k0 AS score, {columns} "  # noqa: S608
        f"FROM ({inner}) AS r WHERE {condition}{_GATE}"
    )
    return _Segment(sql, f"r.k0 {t}, r.k1 {t}, r.id {t}")


def _controller_segments(shape: PageShape) -> tuple[list[_Segment], list[str]]:
    """Segments for the controller sort: the staff in name order, each with its debtors by
    overdue balance (biggest first when reading forwards), then the debtors nobody controls.
    """
    t = shape.traversal.value.upper()
    inner = "DESC" if shape.forward else "ASC"
    inner_op = "<" if shape.forward else ">"
    by_debt = f"c.controller_id {inner}, c.overdue_balance {inner}, c.id {inner}"
    debt_cursor = (
        "(c.overdue_balance, c.id) "
        f"{inner_op} ((SELECT CAST(:k2 AS numeric)), (SELECT CAST(:cursor_id AS integer)))"
    )
    outer = [f"k0 {t}", f"k1 {t}", f"k2 {inner}", f"id {inner}"]

    def own_group() -> _Segment:
        select = _select(shape, ["st.name", "st.id", "c.overdue_balance"])
        sql = (
            f"{select} FROM customer AS c JOIN staff AS st ON st.id = c.controller_id "
            "WHERE "
            + _where(
                shape,
                "c.controller_id = (SELECT CAST(:k1 AS integer))",
                debt_cursor,
            )
            + _GATE
        )
        return _Segment(sql, by_debt)

    def groups(after_cursor: bool) -> _Segment:
        staff_filter = ""
        if after_cursor:
            staff_filter = (
                f"WHERE (g.name, g.id) {_op(shape.traversal)} "
                "((SELECT CAST(:k0 AS text)), (SELECT CAST(:k1 AS integer))) "
            )
        lateral = (
            f"{_plain_select(shape)} FROM customer AS c "
            f"WHERE {_where(shape, 'c.controller_id = g.id')} "
            f"ORDER BY {by_debt} LIMIT {shape.fetch}"
        )
        select = _select(shape, ["g.name", "g.id", "q.overdue_balance"], source="q")
        sql = (
            f"{select} FROM (SELECT g.id, g.name FROM staff AS g {staff_filter}"  # noqa: S608
            f"ORDER BY g.name {t}, g.id {t}) AS g "
            f"CROSS JOIN LATERAL ({lateral}) AS q WHERE true{_GATE}"
        )
        order = f"g.name {t}, g.id {t}, q.overdue_balance {inner}, q.id {inner}"
        return _Segment(sql, order)

    def unassigned(partial: bool) -> _Segment:
        conditions = ["c.controller_id IS NULL"]
        if partial:
            conditions.append(debt_cursor)
        select = _select(
            shape, ["CAST(NULL AS text)", "CAST(NULL AS integer)", "c.overdue_balance"]
        )
        sql = f"{select} FROM customer AS c WHERE {_where(shape, *conditions)}{_GATE}"
        return _Segment(sql, by_debt)

    segment = shape.cursor_segment
    if segment == "unassigned":
        reading = [unassigned(True)] + ([] if shape.forward else [groups(False)])
    elif segment == "group":
        reading = [own_group(), groups(True)] + ([unassigned(False)] if shape.forward else [])
    elif shape.forward:
        reading = [groups(False), unassigned(False)]
    else:
        reading = [unassigned(False), groups(False)]
    return reading, outer


ONE_ROW_STATEMENT = text(
    _with_controller_and_note(
        f"SELECT 0 AS seg, {_SELECT_COLUMNS} FROM customer AS c WHERE c.id = :customer_id",  # noqa: S608
        "p.seg",
    )
)
"""One customer's queue row (``:customer_id``), in a page's columns with no sort key,
whether or not the customer is in the queue."""


def count_statement(where: tuple[str, ...]) -> TextClause:
    """``SELECT count(*)`` of the debtors matching ``where`` (the same filters as a page)."""
    conditions = " AND ".join([QUEUE_MEMBER, *where])
    return text(f"SELECT count(*) FROM customer AS c WHERE {conditions}")  # noqa: S608
