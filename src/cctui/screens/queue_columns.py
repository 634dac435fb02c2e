"""What the debtor queue's table shows: its columns, the sort arrows, the filter line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from rich.text import Text

from cctui.domain.queue import ColourStatus, QueueQuery, QueueRow, QueueSort, SortDirection
from cctui.screens.queue_dialogs import SORT_TITLES
from cctui.widgets.keyset_table import Justify, TableColumn
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import plain, safe_text

STATUS_WORDS: dict[ColourStatus, str] = {
    ColourStatus.ATTENTION: "attn",
    ColourStatus.CONTACTED: "cont",
    ColourStatus.NONE: "plain",
}
"""The short word beside the status symbol in the table (the status line says it in full)."""

UP, DOWN = "▲", "▼"


def status_cell(row: QueueRow) -> Text:
    """The colour status as symbol and word (``! attn``), coloured when colour is on."""
    colour = row.colour.colour
    return Text(f"{row.colour.symbol} {STATUS_WORDS[row.colour]}", style=colour or "")


def name_cell(row: QueueRow) -> Text:
    """The name, literally (control characters removed), in the status colour."""
    return safe_text(row.name, style=row.colour.colour or "")


def _day(value: date | datetime | None) -> Text:
    if value is None:
        return Text("")
    if isinstance(value, datetime):
        value = value.astimezone().date()
    return Text(value.isoformat())


def _money(amount: Decimal, currency: str) -> Text:
    return Text(format_money(amount, currency))


@dataclass(frozen=True)
class QueueColumn:
    """A column of the queue: its table spec and the sort it stands for (if any).

    ``flip`` marks a column whose values run against its sort (days overdue go down as the
    oldest due date goes up), so its arrow points the other way.
    """

    key: str
    title: str
    render: Callable[[QueueRow], Text]
    width: int | None = None
    justify: Justify = "left"
    priority: int | None = None
    sort: QueueSort | None = None
    flip: bool = False


QUEUE_COLUMNS: tuple[QueueColumn, ...] = (
    QueueColumn("status", "Status", status_cell, 7),
    QueueColumn("account", "Account", lambda r: safe_text(r.account), 9, sort=QueueSort.ACCOUNT),
    QueueColumn("name", "Name", name_cell, None, sort=QueueSort.NAME),
    QueueColumn(
        "overdue",
        "Overdue",
        lambda r: _money(r.overdue_balance, r.currency),
        12,
        "right",
        sort=QueueSort.OVERDUE,
    ),
    QueueColumn(
        "days",
        "Days",
        lambda r: Text("" if r.days_overdue is None else str(r.days_overdue)),
        6,
        "right",
        sort=QueueSort.OLDEST_DUE,
        flip=True,
    ),
    QueueColumn("action", "Action", lambda r: Text(r.credit_action.value), 8),
    QueueColumn(
        "next_call", "Next call", lambda r: _day(r.next_call_on), 11, sort=QueueSort.NEXT_CALL
    ),
    QueueColumn(
        "balance",
        "Balance",
        lambda r: _money(r.balance, r.currency),
        13,
        "right",
        priority=1,
        sort=QueueSort.BALANCE,
    ),
    QueueColumn("currency", "Cur", lambda r: safe_text(r.currency), 3, priority=2),
    QueueColumn(
        "controller",
        "Controller",
        lambda r: safe_text(r.controller_login or ""),
        12,
        priority=3,
        sort=QueueSort.CONTROLLER,
    ),
    QueueColumn(
        "last_call",
        "Last call",
        lambda r: _day(r.last_call_at),
        11,
        priority=4,
        sort=QueueSort.LAST_CALL,
    ),
    QueueColumn(
        "promise",
        "Promise",
        lambda r: _day(r.next_promise_on),
        11,
        priority=5,
        sort=QueueSort.NEXT_PROMISE,
    ),
    QueueColumn(
        "postal_code",
        "Postal",
        lambda r: safe_text(r.postal_code or ""),
        9,
        priority=6,
        sort=QueueSort.POSTAL_CODE,
    ),
    QueueColumn("phone", "Phone", lambda r: safe_text(r.phone or ""), 17, priority=7),
)
"""Every column, in order; those with a priority show when the terminal is wide enough."""


def sort_arrow(column: QueueColumn, sort: QueueSort, direction: SortDirection) -> str:
    """▲ or ▼ when ``column`` is the sort column (pointing the way its values run), else ''."""
    if column.sort is not sort:
        return ""
    ascending = direction is SortDirection.ASC
    if column.flip:
        ascending = not ascending
    return UP if ascending else DOWN


def table_columns(query: QueueQuery) -> list[TableColumn[QueueRow]]:
    """The table specs of :data:`QUEUE_COLUMNS`, the sort column's header with its arrow."""
    sort, direction = query.effective_sort, query.effective_direction
    specs = []
    for column in QUEUE_COLUMNS:
        arrow = sort_arrow(column, sort, direction)
        label = Text(column.title, style="bold")
        if arrow:
            label.append(f" {arrow}", style="bold")
        specs.append(
            TableColumn(
                key=column.key,
                label=label,
                render=column.render,
                width=column.width,
                justify=column.justify,
                priority=column.priority,
                min_width=16,
            )
        )
    return specs


def describe_sort(query: QueueQuery) -> str:
    """The order in words: ``by overdue balance ▼ desc``, ``most days overdue first``."""
    sort, direction = query.effective_sort, query.effective_direction
    ascending = direction is SortDirection.ASC
    if sort is QueueSort.RELEVANCE:
        return "best match last" if ascending else "best match first"
    if sort is QueueSort.OLDEST_DUE:
        return "most days overdue first" if ascending else "fewest days overdue first"
    arrow = UP if ascending else DOWN
    return f"by {SORT_TITLES[sort].lower()} {arrow} {direction.value}"


def describe_filters(query: QueueQuery, pools: dict[int, str]) -> str:
    """The active filters in one line (``mine · pool DACH · ! attention``), or ``all debtors``."""
    parts = []
    if query.controller_id is not None:
        parts.append("mine")
    if query.pool_id is not None:
        parts.append(f"pool {plain(pools.get(query.pool_id, f'#{query.pool_id}'))}")
    if query.colour is not None:
        parts.append(f"{query.colour.symbol} {query.colour.word.lower()}")
    if query.credit_actions:
        parts.append("action " + "/".join(action.value for action in query.credit_actions))
    if query.currency:
        parts.append(plain(query.currency))
    if query.include_hidden:
        parts.append("follow-ups shown")
    return " · ".join(parts) if parts else "all debtors"


def sortable_columns(shown: list[str] | None = None) -> list[QueueSort]:
    """The sorts of the table's columns left to right (what ``<`` and ``>`` step through),
    only those of the ``shown`` column keys when given."""
    return [
        column.sort
        for column in QUEUE_COLUMNS
        if column.sort is not None and (shown is None or column.key in shown)
    ]
