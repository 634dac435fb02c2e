"""Reading the debtor queue: a page before or after a cursor, a count, one row.

A debtor is in the queue when its maintained overdue balance is above zero and it has no
follow-up date still ahead (``follow_up_on`` empty or on/before the day asked; with
``include_hidden`` those are listed too). Pages are read with keyset pagination (see
:mod:`cctui.domain.queue.statements`): a page after a cursor holds the rows strictly after
it in the chosen order, so a debtor added or removed elsewhere in the queue between two
pages neither repeats nor hides a row already passed. A page is exactly what the cursor
asks for: a page up near the top may hold fewer rows than the page size (ask for the first
page then), and a page after the last row is empty (ask for ``last_page``).

Searching narrows the queue without changing how it pages; with no sort chosen the results
come best match first (see :data:`cctui.domain.queue.statements.SCORE_SQL`), with a sort
chosen they come in that order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from cctui.domain.book_settings import contacted_within_days
from cctui.domain.editing import today
from cctui.domain.errors import ValidationError
from cctui.domain.models import CallOutcome, CreditAction
from cctui.domain.prepared import fetch_tuples
from cctui.domain.queue.colour import colour_of, colour_sql, contact_cutoff
from cctui.domain.queue.criteria import like_escape, pools_sql
from cctui.domain.queue.statements import (
    KEY_COUNT,
    ONE_ROW_STATEMENT,
    ROW_COLUMNS,
    SEARCH_SQL,
    SHORT_SEARCH_SQL,
    PageShape,
    count_statement,
    page_statement,
)
from cctui.domain.queue.types import (
    MIN_TRIGRAM_SEARCH,
    QueueCursor,
    QueuePage,
    QueueQuery,
    QueueRow,
    QueueSort,
    SortDirection,
)

MAX_PAGE_SIZE = 1000
"""The most rows one page may hold."""

_NULLABLE_SORTS = frozenset(
    {
        QueueSort.OLDEST_DUE,
        QueueSort.POSTAL_CODE,
        QueueSort.LAST_CALL,
        QueueSort.NEXT_CALL,
        QueueSort.NEXT_PROMISE,
    }
)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_OUTCOMES = {outcome.value: outcome for outcome in CallOutcome}
_ACTIONS = {action.value: action for action in CreditAction}


def queue_page(
    session: Session,
    *,
    query: QueueQuery,
    after: QueueCursor | None = None,
    before: QueueCursor | None = None,
    limit: int = 100,
    as_of: date | None = None,
    last_page: bool = False,
    within_days: int | None = None,
) -> QueuePage:
    """One page of the queue: the first, the one after ``after``, the one before ``before``,
    or (``last_page``) the last.

    ``within_days`` is the ``contacted_within_days`` setting when the caller has read it
    already (None: read it here, one more round trip; a screen reads it once when it opens).
    Runs one statement: the page rows come from an index range scan, the controller and the
    latest open note are looked up for those rows only.
    """
    if sum((after is not None, before is not None, last_page)) > 1:
        raise ValidationError("Ask for the page after a row, before a row or the last page.")
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(f"A queue page holds 1 to {MAX_PAGE_SIZE} rows, not {limit}.")
    day = today(as_of)
    within = contacted_within_days(session) if within_days is None else within_days
    sort, direction = _sort_of(query)
    cursor = after or before
    forward = before is None and not last_page
    segment = None if cursor is None else _cursor_segment(cursor, sort, direction)
    where, params = _filters(session, query, day, within)
    shape = PageShape(
        sort=sort,
        traversal=direction if forward else direction.reverse,
        forward=forward,
        cursor_segment=segment,
        where=where,
        searching=query.search_text is not None,
        fetch=limit + 1,
    )
    if cursor is not None:
        params.update({f"k{n}": value for n, value in enumerate(cursor.key)})
        params["cursor_id"] = cursor.id
    found = fetch_tuples(session, page_statement(shape), params)
    more = len(found) > limit
    found = found[:limit]
    if not forward:
        found.reverse()
    keys = KEY_COUNT[sort]
    offset = 1 + keys + (1 if shape.searching else 0)
    make = _RowMaker(day, within)
    if shape.searching:
        rows = tuple(make(item, offset, item[1 + keys]) for item in found)
    else:
        rows = tuple(make(item, offset, None) for item in found)
    id_at = offset + _ID_AT

    def cursor_at(index: int) -> QueueCursor:
        item = found[index]
        return QueueCursor(sort, direction, tuple(item[1 : 1 + keys]), item[id_at])

    next_cursor = prev_cursor = None
    if found:
        if (forward and more) or before is not None:
            next_cursor = cursor_at(-1)
        if (not forward and more) or after is not None:
            prev_cursor = cursor_at(0)
    return QueuePage(
        rows=rows,
        next_cursor=next_cursor,
        prev_cursor=prev_cursor,
        sort=sort,
        direction=direction,
        as_of=day,
    )


def queue_count(
    session: Session,
    *,
    query: QueueQuery,
    as_of: date | None = None,
    within_days: int | None = None,
) -> int:
    """How many debtors ``query`` lists (exact; it counts them, so ask only when shown)."""
    day = today(as_of)
    within = within_days
    if within is None:
        within = contacted_within_days(session) if query.colour is not None else 0
    where, params = _filters(session, query, day, within)
    return int(session.execute(count_statement(where), params).scalar_one())


def queue_row(
    session: Session,
    customer_id: int,
    *,
    as_of: date | None = None,
    within_days: int | None = None,
) -> QueueRow | None:
    """The queue row of one customer (whether or not it is in the queue); None if unknown.

    For refreshing one line of the list after a change, or showing a leased debtor.
    """
    day = today(as_of)
    within = contacted_within_days(session) if within_days is None else within_days
    found = fetch_tuples(session, ONE_ROW_STATEMENT, {"customer_id": customer_id})
    return _RowMaker(day, within)(found[0], 1, None) if found else None


def _sort_of(query: QueueQuery) -> tuple[QueueSort, SortDirection]:
    sort = query.effective_sort
    if sort is QueueSort.RELEVANCE and query.search_text is None:
        raise ValidationError("Sorting by relevance needs a search text.")
    return sort, query.effective_direction


def _cursor_segment(cursor: QueueCursor, sort: QueueSort, direction: SortDirection) -> str:
    """The segment the cursor's row is in; refuses a cursor of another sort or direction."""
    if cursor.sort is not sort or cursor.direction is not direction:
        raise ValidationError(
            "That position belongs to another order of the queue; start from the first page."
        )
    if len(cursor.key) != KEY_COUNT[sort]:
        raise ValidationError("That queue position is malformed; start from the first page.")
    if sort is QueueSort.CONTROLLER:
        return "unassigned" if cursor.key[1] is None else "group"
    if cursor.key[0] is None:
        if sort not in _NULLABLE_SORTS:
            raise ValidationError("That queue position is malformed; start from the first page.")
        return "empty"
    return "values"


def _filters(
    session: Session, query: QueueQuery, day: date, within: int
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The query's filters as SQL on ``customer AS c`` (sorted, so equal queries share
    one statement) and their bind values."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if not query.include_hidden:
        where.append("(c.follow_up_on IS NULL OR c.follow_up_on <= :as_of)")
        params["as_of"] = day
    if query.controller_id is not None:
        where.append("c.controller_id = :controller_id")
        params["controller_id"] = query.controller_id
    if query.pool_id is not None:
        member, bound = pools_sql(session, [query.pool_id], day)
        where.append(member)
        params.update(bound)
    if query.colour is not None:
        where.append(colour_sql(query.colour))
        params["cutoff"] = contact_cutoff(day, within)
    if query.credit_actions:
        where.append("c.credit_action = ANY(CAST(:credit_actions AS text[]))")
        params["credit_actions"] = sorted({action.value for action in query.credit_actions})
    if query.currency is not None:
        currency = query.currency.strip().upper()
        if not _CURRENCY.match(currency):
            raise ValidationError(f"{query.currency!r} is not a currency code such as EUR.")
        where.append("c.currency = :currency")
        params["currency"] = currency
    search = query.search_text
    if search is not None:
        params["search"] = search
        if len(search) >= MIN_TRIGRAM_SEARCH:
            where.append(SEARCH_SQL)
            params["pattern"] = f"%{like_escape(search)}%"
        else:
            where.append(SHORT_SEARCH_SQL)
            params["pattern"] = f"{like_escape(search)}%"
    return tuple(where), params


_ID_AT = ROW_COLUMNS.index("id")
_ROW_WIDTH = len(ROW_COLUMNS)


class _RowMaker:
    """Builds the :class:`QueueRow` of statement rows for one day and colour setting."""

    def __init__(self, day: date, within: int) -> None:
        self.day = day
        self.within = within
        self.cutoff = contact_cutoff(day, within)

    def __call__(self, item: Sequence[Any], offset: int, score: int | None) -> QueueRow:
        """The row whose :data:`ROW_COLUMNS` start at ``offset``, then the extra columns."""
        end = offset + _ROW_WIDTH
        fields = dict(zip(ROW_COLUMNS, item[offset:end], strict=True))
        login, controller_name, note = item[end : end + 3]
        outcome = fields["last_call_outcome"]
        if outcome is not None:
            outcome = fields["last_call_outcome"] = _OUTCOMES[outcome]
        fields["credit_action"] = _ACTIONS[fields["credit_action"]]
        oldest: date | None = fields["oldest_due_on"]
        follow_up: date | None = fields["follow_up_on"]
        fields["controller_login"] = login
        fields["controller_name"] = controller_name
        fields["colour"] = colour_of(
            fields["last_contacted_at"], outcome, fields["last_call_at"], self.cutoff
        )
        fields["contacted_since"] = self.cutoff
        fields["contacted_within_days"] = self.within
        fields["note"] = _first_line(note)
        fields["hidden"] = follow_up is not None and follow_up > self.day
        fields["days_overdue"] = None if oldest is None else (self.day - oldest).days
        fields["relevance"] = score
        return QueueRow.from_fields(fields)


def _first_line(body: str | None) -> str | None:
    if body is None:
        return None
    for line in body.splitlines():
        if line.strip():
            return line.strip()
    return None
