"""The debtor queue: who owes, in which order, in which colour — paged as the cursor moves.

The table holds a couple of pages of the queue at most (:class:`KeysetTable`); every page,
the count and the pools are read in thread workers. ``/`` searches as you type, ``s`` and
``<``/``>`` choose the sort column, ``r`` reverses it, ``m`` lists only your customers,
``f`` opens the filters, Enter opens the customer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, Static
from textual.worker import Worker, WorkerState

from cctui.domain.book_settings import contacted_within_days
from cctui.domain.pools import PoolInfo, list_pools
from cctui.domain.queue import (
    QueueCursor,
    QueuePage,
    QueueQuery,
    QueueRow,
    QueueSort,
    SortDirection,
    queue_count,
    queue_page,
)
from cctui.messages import DailyCheckFinished
from cctui.screens.base import CctuiScreen
from cctui.screens.queue_columns import (
    describe_filters,
    describe_sort,
    sortable_columns,
    table_columns,
)
from cctui.screens.queue_dialogs import QueueFilterScreen, SortScreen
from cctui.widgets.keyset_table import WORKER_GROUP as TABLE_WORKERS
from cctui.widgets.keyset_table import KeysetTable
from cctui.widgets.keyset_window import PageKind, PageRequest
from cctui.widgets.safe_text import plain, safe_text

SEARCH_DELAY = 0.25
"""Seconds of quiet typing before the search runs (each key press restarts the wait)."""

PAGE_SIZE = 100
"""Rows read per page (more on a terminal too tall for two pages to hold two screens of
read-ahead); the table holds two pages at most."""


class SearchInput(Input):
    """The queue's search field: Esc clears the search and goes back to the table."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "leave(True)",
            "Clear search",
            tooltip="Clear the search and go back to the table.",
            id="queue.search-clear",
        ),
        Binding(
            "down",
            "leave(False)",
            "To the table",
            show=False,
            tooltip="Go back to the table, keeping the search.",
            id="queue.search-down",
        ),
    ]

    class Left(Message):
        """The user left the search field; ``clear`` when the search should be cleared."""

        def __init__(self, clear: bool) -> None:
            super().__init__()
            self.clear = clear

    def action_leave(self, clear: bool) -> None:
        """Tell the screen the user left the field."""
        self.post_message(self.Left(clear))


@dataclass(frozen=True)
class _Counted:
    """A count of the queue and the query it counted."""

    query: QueueQuery
    count: int


class QueueScreen(CctuiScreen):
    """The debtor queue (Step 3): every overdue debtor without a follow-up ahead, biggest
    overdue balance first, paged as the cursor moves.

    Colour is never the only signal: the status column has a symbol and a word, and the
    status line says why the debtor under the cursor has its colour.
    """

    HELP_TITLE = "Debtor queue"
    SCREEN_NAME = "queue"
    AUTO_FOCUS = "#queue-table"

    DEFAULT_CSS = """
    QueueScreen #queue-search-bar {
        height: 1;
        padding: 0 1;
    }
    QueueScreen #queue-search-label {
        width: auto;
        color: $text-muted;
        padding-right: 1;
    }
    QueueScreen #queue-search {
        width: 1fr;
    }
    QueueScreen #queue-filters {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    QueueScreen #queue-status {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open_customer",
            "Open",
            tooltip="Open the customer under the cursor.",
            id="queue.open",
        ),
        Binding(
            "slash",
            "search",
            "Search",
            tooltip="Search by name, account, phone or postal code as you type.",
            id="queue.search",
        ),
        Binding(
            "s",
            "choose_sort",
            "Sort",
            tooltip="Choose the column the queue is sorted by.",
            id="queue.sort",
        ),
        Binding(
            "r",
            "reverse",
            "Reverse",
            show=False,
            tooltip="Reverse the order (ascending / descending).",
            id="queue.reverse",
        ),
        Binding(
            "less_than_sign",
            "step_sort(-1)",
            "Sort by the column to the left",
            show=False,
            tooltip="Sort by the sortable column left of the current sort column.",
            id="queue.sort-left",
        ),
        Binding(
            "greater_than_sign",
            "step_sort(1)",
            "Sort by the column to the right",
            show=False,
            tooltip="Sort by the sortable column right of the current sort column.",
            id="queue.sort-right",
        ),
        Binding(
            "m",
            "toggle_mine",
            "Mine",
            tooltip="List only the customers you control, or everyone's again.",
            id="queue.mine",
        ),
        Binding(
            "f",
            "filter",
            "Filter",
            tooltip="Filter by pool, colour status, credit action, currency; show follow-ups.",
            id="queue.filter",
        ),
        Binding(
            "x",
            "clear_filters",
            "Clear filters",
            show=False,
            tooltip="Show all debtors again: no search, no filters, the default order.",
            id="queue.clear",
        ),
        Binding(
            "f5",
            "refresh",
            "Refresh",
            show=False,
            tooltip="Read the queue again, keeping the cursor on the same customer.",
            id="queue.refresh",
        ),
    ]

    def __init__(self, query: QueueQuery | None = None) -> None:
        super().__init__()
        self.query_now = query or QueueQuery()
        """The query the table shows."""
        self.count: int | None = None
        """How many debtors the query lists, once counted."""
        self._within: int | None = None
        self._pools: list[PoolInfo] = []
        self._search_timer: Timer | None = None
        self._reload_on_resume = False

    @property
    def table(self) -> KeysetTable[QueueRow, QueueCursor]:
        """The queue's table."""
        return self.query_one("#queue-table", KeysetTable)

    def compose_body(self) -> ComposeResult:
        """Search field, filter line, the table and the status line."""
        with Horizontal(id="queue-search-bar"):
            yield Label(Text("/ Search:"), id="queue-search-label")
            yield SearchInput(
                self.query_now.search or "",
                placeholder="name, account, phone, postal code",
                id="queue-search",
                compact=True,
            )
        yield Static(Text(""), id="queue-filters")
        yield KeysetTable(
            key=lambda row: row.id,
            page_size=PAGE_SIZE,
            margin=20,
            worker_name="read the debtor queue",
            id="queue-table",
        )
        yield Static(Text("Reading the queue…"), id="queue-status")

    def on_mount(self) -> None:
        """Read the first page, the count and the pools."""
        self.table.focus()
        # Watched, not heard from RowHighlighted: the status line then changes in the same
        # frame as the cursor, instead of one frame later.
        self.watch(self.table, "cursor_coordinate", self._show_status, init=False)
        self._read_pools()
        self._requery()

    # ------------------------------------------------------------------ reading

    def _requery(self) -> None:
        """Show the queue for :attr:`query_now` from its first row, and count it."""
        query = self.query_now
        if query.sort is QueueSort.RELEVANCE and query.search_text is None:
            query = self.query_now = replace(query, sort=None, direction=None)
        table = self.table
        table.set_columns(table_columns(query))
        self.count = None
        table.set_total(None)
        table.show(lambda request: self._read_page(query, request))
        self._show_filters()
        self._count(query)

    def _read_page(self, query: QueueQuery, request: PageRequest[QueueCursor]) -> QueuePage:
        """One page of the queue (runs in the table's thread worker)."""
        app = self.cctui
        with app.db.session() as session:
            if self._within is None:
                self._within = contacted_within_days(session)
            return queue_page(
                session,
                query=query,
                after=request.cursor if request.kind is PageKind.AFTER else None,
                before=request.cursor if request.kind is PageKind.BEFORE else None,
                last_page=request.kind is PageKind.LAST,
                limit=request.limit,
                as_of=app.today(),
                within_days=self._within,
            )

    @work(
        thread=True,
        exclusive=True,
        group="queue-count",
        name="count the debtor queue",
        exit_on_error=False,
    )
    def _count(self, query: QueueQuery) -> _Counted:
        """Count the debtors ``query`` lists (runs in a thread)."""
        app = self.cctui
        with app.db.session() as session:
            return _Counted(
                query,
                queue_count(session, query=query, as_of=app.today(), within_days=self._within),
            )

    @work(
        thread=True,
        exclusive=True,
        group="queue-pools",
        name="read the collection pools",
        exit_on_error=False,
    )
    def _read_pools(self) -> list[PoolInfo]:
        """The pools the filter dialog offers (runs in a thread)."""
        with self.cctui.db.session() as session:
            return list_pools(session)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Take the count and the pools when they arrive; say so when the queue could not be
        read (the app's handler tells the user why)."""
        if event.state is WorkerState.ERROR and event.worker.group == TABLE_WORKERS:
            self.query_one("#queue-status", Static).update(
                Text("The queue could not be read. Press F5 to try again.")
            )
            return
        if event.state is not WorkerState.SUCCESS:
            return
        result = event.worker.result
        if event.worker.group == "queue-count" and isinstance(result, _Counted):
            if result.query == self.query_now:
                self.count = result.count
                self.table.set_total(result.count)
        elif event.worker.group == "queue-pools" and isinstance(result, list):
            self._pools = result
            self._show_filters()

    def reload(self) -> None:
        """Read the queue again, keeping the cursor on the same customer, and recount it."""
        self._within = None
        self.table.reload()
        self._count(self.query_now)

    def on_screen_resume(self) -> None:
        """Back from a customer: read the queue again, the cursor kept (dialogs that change
        the query read it themselves)."""
        if self._reload_on_resume:
            self._reload_on_resume = False
            self.reload()

    def on_daily_check_finished(self, message: DailyCheckFinished) -> None:
        """Credit actions and balances may have changed: read the queue again."""
        self.reload()

    # ------------------------------------------------------------------ showing

    def _show_filters(self) -> None:
        pools = {pool.id: pool.name for pool in self._pools}
        line = Text.assemble(
            ("Showing: ", "bold"),
            describe_filters(self.query_now, pools),
            " · ",
            describe_sort(self.query_now),
            no_wrap=True,
            overflow="ellipsis",
            end="",
        )
        self.query_one("#queue-filters", Static).update(line)

    @on(KeysetTable.WindowChanged)
    def _show_status(self) -> None:
        """The status line: where the cursor is, and the colour of its debtor in words."""
        table = self.table
        status = self.query_one("#queue-status", Static)
        row = table.current_row
        total = "…" if self.count is None else f"{self.count:,}"
        if row is None:
            if not table.loaded_once:
                status.update(Text("Reading the queue…"))
            elif self.query_now.search_text or self.query_now != QueueQuery():
                status.update(Text(f"No debtor matches the search and filters ({total})."))
            else:
                status.update(Text("No debtor is overdue."))
            return
        position = table.position
        where = "?" if position is None else f"{position + 1:,}"
        line = Text(f"Row {where} of {total}", end="", no_wrap=True, overflow="ellipsis")
        line.append(" · ")
        line.append(safe_text(row.currency))
        if row.hidden:
            line.append(f" · follow-up {row.follow_up_on}")
        line.append(" · ")
        line.append(f"{row.colour.symbol} {row.colour.word}", style=row.colour.colour or "")
        line.append(": ")
        line.append(safe_text(row.colour_reason))
        status.update(line)

    # ------------------------------------------------------------------ searching

    def action_search(self) -> None:
        """Move to the search field."""
        self.query_one("#queue-search", SearchInput).focus()

    @on(Input.Changed, "#queue-search")
    def _search_typed(self, event: Input.Changed) -> None:
        """Search again once typing pauses (the latest text wins)."""
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._run_search)

    def _run_search(self) -> None:
        self._search_timer = None
        text = self.query_one("#queue-search", SearchInput).value
        search = " ".join(plain(text).split()) or None
        if search == self.query_now.search_text:
            return
        query = replace(self.query_now, search=search)
        if search is None and query.sort is QueueSort.RELEVANCE:
            query = replace(query, sort=None, direction=None)
        self.query_now = query
        self._requery()

    @on(Input.Submitted, "#queue-search")
    def _search_entered(self) -> None:
        """Enter: search now and move to the table."""
        if self._search_timer is not None:
            self._search_timer.stop()
        self._run_search()
        self.table.focus()

    @on(SearchInput.Left)
    def _search_left(self, event: SearchInput.Left) -> None:
        """Esc clears the search; ↓ keeps it. Either way the table has the focus again."""
        search = self.query_one("#queue-search", SearchInput)
        if event.clear and search.value:
            search.value = ""
            if self._search_timer is not None:
                self._search_timer.stop()
            self._run_search()
        self.table.focus()

    # ------------------------------------------------------------------ sorting

    def _sort_by(self, sort: QueueSort, direction: SortDirection | None = None) -> None:
        self.query_now = replace(self.query_now, sort=sort, direction=direction)
        self._requery()

    def action_choose_sort(self) -> None:
        """Open the list of sort columns."""

        def chosen(sort: QueueSort | None) -> None:
            if sort is not None:
                self._sort_by(sort)

        self.app.push_screen(
            SortScreen(
                self.query_now.effective_sort,
                searching=self.query_now.search_text is not None,
            ),
            chosen,
        )

    def action_reverse(self) -> None:
        """Reverse the order."""
        query = self.query_now
        self._sort_by(query.effective_sort, query.effective_direction.reverse)

    def action_step_sort(self, step: int) -> None:
        """Sort by the next column shown left (-1) or right (+1) of the current sort column."""
        sorts = sortable_columns(self.table.shown_columns) or sortable_columns()
        current = self.query_now.effective_sort
        if current in sorts:
            index = (sorts.index(current) + step) % len(sorts)
        else:
            index = 0 if step > 0 else len(sorts) - 1
        self._sort_by(sorts[index])

    # ------------------------------------------------------------------ filtering

    def action_toggle_mine(self) -> None:
        """List only the user's customers, or everyone's again."""
        mine = None if self.query_now.controller_id is not None else self.cctui.user.id
        self.query_now = replace(self.query_now, controller_id=mine)
        self._requery()

    def action_filter(self) -> None:
        """Open the filter dialog."""

        def chosen(query: QueueQuery | None) -> None:
            if query is not None and query != self.query_now:
                self.query_now = query
                self._requery()

        self.app.push_screen(QueueFilterScreen(self.query_now, self._pools), chosen)

    def action_clear_filters(self) -> None:
        """Back to the whole queue in its default order."""
        search = self.query_one("#queue-search", SearchInput)
        if search.value:
            search.value = ""
            if self._search_timer is not None:
                self._search_timer.stop()
                self._search_timer = None
        if self.query_now != QueueQuery():
            self.query_now = QueueQuery()
            self._requery()

    def action_refresh(self) -> None:
        """Read the queue again."""
        self.reload()

    # ------------------------------------------------------------------ opening

    def action_open_customer(self) -> None:
        """Open the customer under the cursor."""
        row = self.table.current_row
        if row is None:
            return
        from cctui.screens.customer import CustomerScreen

        self._reload_on_resume = True
        self.app.push_screen(CustomerScreen(customer_id=row.id))

    @on(DataTable.RowSelected, "#queue-table")
    def _row_chosen(self) -> None:
        self.action_open_customer()


def open_queue(context: object) -> Screen[None]:
    """The registry's factory: the queue in its default order."""
    return QueueScreen()
