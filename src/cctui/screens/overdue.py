"""Overdue invoices: every open invoice past its due date, filtered, marked and reminded.

The list is read a page at a time (keyset paging in the domain) as the cursor moves down;
``s`` and ``r`` change the order, ``/`` searches, ``f`` filters. Rows are marked with space
(``A`` marks every loaded row); ``m`` queues a reminder by hand for the marked invoices and
``F`` flags them for the collection agency. Enter opens the invoice's customer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input, Static

from cctui.domain.agency import flag_for_collection
from cctui.domain.dunning.manual import queue_manual_reminder
from cctui.domain.models import CollectionState
from cctui.domain.overdue import (
    OverdueCursor,
    OverdueQuery,
    OverdueRow,
    OverdueSort,
    overdue_count,
    overdue_invoices,
)
from cctui.screens.invoice_dialogs import ConfirmScreen
from cctui.screens.marked_invoices import (
    ActionDone,
    InvoicesRead,
    MarkedInvoicesScreen,
    invoices_words,
    read_pages,
)
from cctui.screens.overdue_filters import OverdueFilters, OverdueFilterScreen
from cctui.widgets.marked_table import ColumnSpec, MarkedTable, RowCells
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import plain, safe_text

if TYPE_CHECKING:
    from cctui.app import AppContext

WIDE = 110
"""The table width from which the currency, fees and last-dunned columns are shown."""

NAME_CHARS = 200
"""The most characters of a customer's name put in a cell (the column shows fewer)."""

COLUMNS = [
    ColumnSpec("number", "Invoice", 16),
    ColumnSpec("customer", "Customer", None),
    ColumnSpec("due", "Due", 10),
    ColumnSpec("days", "Days", 4, "right"),
    ColumnSpec("open", "Open", 12, "right"),
    ColumnSpec("currency", "Cur", 3, min_table_width=WIDE),
    ColumnSpec("fees", "Fees", 9, "right", min_table_width=WIDE),
    ColumnSpec("level", "Lv", 2, "right"),
    ColumnSpec("last", "Dunned", 10, min_table_width=WIDE),
    ColumnSpec("flags", "Flg", 3),
]
"""The columns; the narrow set fits 80 columns, wider terminals add three."""

SORT_ORDER = [OverdueSort.DUE_ON, OverdueSort.OPEN_AMOUNT, OverdueSort.DAYS_PAST_DUE]
"""The orders ``s`` cycles through."""

LEGEND = "Lv: dunning level · Flg: D disputed P promised F flagged A agency · * marked"
"""The line under the table explaining the flags and the mark."""


def describe_sort(sort: OverdueSort, descending: bool) -> str:
    """The order in words: ``by due date, oldest first``."""
    words = {
        OverdueSort.DUE_ON: ("by due date", "newest first", "oldest first"),
        OverdueSort.OPEN_AMOUNT: ("by open amount", "largest first", "smallest first"),
        OverdueSort.DAYS_PAST_DUE: ("by days past due", "most first", "fewest first"),
    }[sort]
    return f"{words[0]}, {words[1] if descending else words[2]}"


def flags_of(row: OverdueRow) -> str:
    """The row's flags: D disputed, P promised, F flagged, A with an agency."""
    flags = ""
    if row.in_dispute:
        flags += "D"
    if row.promised:
        flags += "P"
    if row.collection_state is CollectionState.FLAGGED:
        flags += "F"
    elif row.collection_state is CollectionState.HANDED_OVER:
        flags += "A"
    return flags


def overdue_cells(row: OverdueRow) -> RowCells:
    """The cells of one overdue invoice; database text shown literally."""
    return {
        "number": safe_text(row.number),
        "customer": safe_text(plain(row.customer_name)[:NAME_CHARS]),
        "due": Text(row.due_on.isoformat()),
        "days": Text(str(row.days_past_due)),
        "open": Text(format_money(row.open_amount, row.currency)),
        "currency": safe_text(row.currency),
        "fees": Text(format_money(row.fee_amount, row.currency)),
        "level": Text(str(row.dunning_level)),
        "last": Text(row.last_dunned_on.isoformat() if row.last_dunned_on else "-"),
        "flags": Text(flags_of(row)),
    }


class SearchInput(Input):
    """The search field: Enter or Esc goes back to the list (the text stays)."""

    BINDINGS = [
        Binding(
            "escape",
            "leave",
            "Back to the list",
            tooltip="Keep the search and go back to the list.",
            id="overdue.search-leave",
        ),
    ]

    def action_leave(self) -> None:
        """Go back to the list."""
        self.screen.query_one(MarkedTable).focus()


class OverdueScreen(MarkedInvoicesScreen[OverdueRow, OverdueCursor]):
    """Overdue invoices: filters, search, sort, marks, a reminder by hand, flagging.

    Read a page of :attr:`PAGE_SIZE` rows at a time, the next when the cursor nears the last.
    """

    IGNORED_ENTITIES = frozenset({"note", "contact", "call", "todo", "follow_up", "staff"})
    """Changes that never alter a row of the list."""

    HELP_TITLE = "Overdue invoices"
    SCREEN_NAME = "overdue"

    AUTO_FOCUS = "#overdue-table"

    READ_GROUP = "overdue-read"
    MORE_GROUP = "overdue-more"
    ACT_GROUP = "overdue-act"
    SEARCH_DELAY: ClassVar[float] = 0.3
    """Seconds of no typing before the search is run."""

    DEFAULT_CSS = """
    OverdueScreen #overdue-status {
        height: auto;
        padding: 0 1;
    }
    OverdueScreen #overdue-search {
        display: none;
        margin: 0 1;
    }
    OverdueScreen #overdue-search.shown {
        display: block;
    }
    OverdueScreen #overdue-legend {
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            tooltip="Mark the invoice under the cursor, or unmark it, and move down.",
            id="overdue.mark",
        ),
        Binding(
            "m",
            "remind",
            "Remind",
            tooltip="Queue a reminder letter now (one per customer) for the marked invoices, or "
            "the one under the cursor.",
            id="overdue.remind",
        ),
        Binding(
            "F",
            "flag",
            "Flag",
            show=False,
            tooltip="Flag the marked invoices (or the one under the cursor) for the collection "
            "agency.",
            id="overdue.flag",
        ),
        Binding(
            "slash",
            "search",
            "Search",
            tooltip="Search by invoice number, customer name or account.",
            id="overdue.search",
        ),
        Binding(
            "f",
            "filters",
            "Filter",
            tooltip="Only my customers, a currency, days late, dunning level, collection state, "
            "disputed or not.",
            id="overdue.filters",
        ),
        Binding(
            "s",
            "sort",
            "Sort",
            show=False,
            tooltip="Sort by due date, then open amount, then days past due.",
            id="overdue.sort",
        ),
        Binding(
            "r",
            "reverse",
            "Reverse",
            show=False,
            tooltip="Reverse the order of the list.",
            id="overdue.reverse",
        ),
        Binding(
            "A",
            "mark_all",
            "Mark all/none",
            show=False,
            tooltip="Mark every invoice loaded, or none when all are marked.",
            id="overdue.mark-all",
        ),
        Binding(
            "enter",
            "open_customer",
            "Customer",
            show=False,
            tooltip="Open the customer of the invoice under the cursor.",
            id="overdue.open-customer",
        ),
    ]

    @classmethod
    def open(cls, context: AppContext) -> OverdueScreen:
        """The screen for the registry (needs nothing from the context)."""
        return cls()

    def __init__(self) -> None:
        super().__init__()
        self._filters = OverdueFilters()
        self._sort = OverdueSort.DUE_ON
        self._descending: bool | None = None
        self._search = ""
        self._search_timer: Timer | None = None

    # ------------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        """The status line, the search field, the table and the legend."""
        yield Static(Text(""), id="overdue-status")
        yield SearchInput(
            placeholder="Search invoice number, customer name or account",
            id="overdue-search",
            compact=True,
        )
        yield MarkedTable(COLUMNS, id="overdue-table")
        yield Static(Text(LEGEND), id="overdue-legend")

    @property
    def table(self) -> MarkedTable:
        """The list of invoices."""
        return self.query_one("#overdue-table", MarkedTable)

    def on_mount(self) -> None:
        """Read the first page."""
        self.table.focus()
        self.table.loading = True
        self._read_anew(keep=False)

    # ------------------------------------------------------------------ the query

    @property
    def overdue_query(self) -> OverdueQuery:
        """The domain query for the order, filters and search shown."""
        filters = self._filters
        return OverdueQuery(
            sort=self._sort,
            descending=self._descending,
            controller_id=self.cctui.user.id if filters.mine else None,
            currency=filters.currency,
            min_days_past_due=filters.min_days,
            dunning_level=filters.dunning_level,
            collection_state=filters.collection_state,
            in_dispute=filters.disputed,
            search=self._search or None,
        )

    def _read_anew(self, *, keep: bool) -> None:
        """Read the list from the top and say so above it."""
        super()._read_anew(keep=keep)
        self.show_heading()

    def read_first(self, generation: int, want: int) -> None:
        """Read the first ``want`` rows for the order, filters and search shown."""
        self._read_first(generation, self.overdue_query, want)

    def read_more(self, generation: int, after: OverdueCursor) -> None:
        """Read the page after ``after`` for the order, filters and search shown."""
        self._read_more(generation, self.overdue_query, after)

    def row_cells(self, row: OverdueRow) -> RowCells:
        """The cells of one overdue invoice."""
        return overdue_cells(row)

    # ------------------------------------------------------------------ workers

    @work(
        thread=True,
        exclusive=True,
        group="overdue-read",
        name="read the overdue invoices",
        exit_on_error=False,
    )
    def _read_first(
        self, generation: int, query: OverdueQuery, want: int
    ) -> InvoicesRead[OverdueRow, OverdueCursor]:
        """The first ``want`` rows and the count (runs in a thread)."""
        app = self.cctui
        with app.db.session() as session:
            rows, after = read_pages(
                lambda after, limit: overdue_invoices(
                    session, query=query, after=after, limit=limit, as_of=app.today()
                ),
                want,
            )
            count = overdue_count(session, query=query, as_of=app.today())
        return InvoicesRead(generation, rows, after, append=False, count=count)

    @work(
        thread=True,
        exclusive=True,
        group="overdue-more",
        name="read more overdue invoices",
        exit_on_error=False,
    )
    def _read_more(
        self, generation: int, query: OverdueQuery, after: OverdueCursor
    ) -> InvoicesRead[OverdueRow, OverdueCursor]:
        """The page after ``after`` (runs in a thread)."""
        app = self.cctui
        with app.db.session() as session:
            page = overdue_invoices(
                session, query=query, after=after, limit=self.PAGE_SIZE, as_of=app.today()
            )
        return InvoicesRead(generation, tuple(page.rows), page.next_cursor, append=True)

    def show_heading(self) -> None:
        """The line above the table: how many, the order, the search and filters, marks."""
        status = Text()
        status.append("Overdue invoices", style="bold")
        if self._count is not None:
            shown = len(self._rows)
            status.append(f"  {self._count:,}")
            if shown < self._count:
                status.append(f" ({shown:,} loaded)")
        status.append(
            "  " + describe_sort(self.overdue_query.sort, self.overdue_query.effective_descending)
        )
        if self._reading:
            status.append("  reading…", style="italic")
        extra = Text()
        if self._search:
            extra.append("Search: ")
            extra.append(safe_text(self._search, style="bold"))
            extra.append("  ")
        filters = self._filters.describe()
        if filters:
            extra.append("Filters: " + ", ".join(filters) + "  ")
        marked = len(self.table.marked)
        if marked:
            extra.append(f"{marked} marked", style="bold")
        if extra.plain:
            status.append("\n")
            status.append_text(extra)
        self.query_one("#overdue-status", Static).update(status)

    # ------------------------------------------------------------------ order, search, filters

    def action_sort(self) -> None:
        """Sort by the next key: due date, open amount, days past due."""
        self._sort = SORT_ORDER[(SORT_ORDER.index(self._sort) + 1) % len(SORT_ORDER)]
        self._descending = None
        self._new_query()

    def action_reverse(self) -> None:
        """Reverse the order."""
        self._descending = not self.overdue_query.effective_descending
        self._new_query()

    def _new_query(self) -> None:
        """Read from the top for a changed order, search or filter."""
        self._read_anew(keep=False)
        self.table.move_to_top()

    def action_search(self) -> None:
        """Show the search field and type in it."""
        field = self.query_one("#overdue-search", SearchInput)
        field.add_class("shown")
        field.focus()

    @on(Input.Changed, "#overdue-search")
    def _search_typed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(self.SEARCH_DELAY, self._run_search)

    def _run_search(self) -> None:
        text = " ".join(self.query_one("#overdue-search", SearchInput).value.split())
        if text != self._search:
            self._search = text
            self._new_query()

    @on(Input.Submitted, "#overdue-search")
    def _search_submitted(self) -> None:
        self._run_search()
        self.table.focus()

    @on(Input.Blurred, "#overdue-search")
    def _search_left(self, event: Input.Blurred) -> None:
        if not event.input.value.strip():
            event.input.remove_class("shown")

    def action_filters(self) -> None:
        """Open the filters dialog; the list is read again when they change."""

        def chosen(filters: OverdueFilters | None) -> None:
            if filters is not None and filters != self._filters:
                self._filters = filters
                self._new_query()

        self.app.push_screen(OverdueFilterScreen(self._filters), chosen)

    # ------------------------------------------------------------------ actions

    def action_remind(self) -> None:
        """Ask, then queue one reminder letter per customer for the marked invoices."""
        if not self._allowed("send reminders by hand"):
            return
        rows = self._chosen()
        if not rows:
            self.notify("There is no invoice to remind.", severity="warning")
            return
        customers = len({row.customer_id for row in rows})
        question = Text(
            f"Queue a reminder now for {invoices_words(len(rows))} of "
            f"{customers} customer{'s' if customers != 1 else ''}? "
            "No fee is charged and the dunning level stays as it is."
        )
        if len(rows) == 1:
            question.append("\n")
            question.append(safe_text(rows[0].number, style="bold"))
            question.append(" ")
            question.append(safe_text(plain(rows[0].customer_name)[:NAME_CHARS]))
        ids = tuple(row.invoice_id for row in rows)

        def answered(yes: bool | None) -> None:
            if yes:
                self._remind(ids)

        self.app.push_screen(ConfirmScreen("Reminder by hand", question, yes="Queue"), answered)

    @work(
        thread=True,
        exclusive=True,
        group="overdue-act",
        name="queue the reminders",
        exit_on_error=False,
    )
    def _remind(self, ids: tuple[int, ...]) -> ActionDone:
        app = self.cctui
        with app.db.session() as session:
            letters = queue_manual_reminder(session, app.user, list(ids), as_of=app.today())
        count = len(letters)
        return ActionDone(
            f"Queued {count} reminder letter{'s' if count != 1 else ''} for "
            f"{invoices_words(len(ids))}.",
            ids,
        )

    def action_flag(self) -> None:
        """Flag the marked invoices for the collection agency."""
        if not self._allowed("flag invoices for collection"):
            return
        rows = self._chosen()
        if not rows:
            self.notify("There is no invoice to flag.", severity="warning")
            return
        self._flag(tuple(row.invoice_id for row in rows))

    @work(
        thread=True,
        exclusive=True,
        group="overdue-act",
        name="flag the invoices for collection",
        exit_on_error=False,
    )
    def _flag(self, ids: tuple[int, ...]) -> ActionDone:
        app = self.cctui
        with app.db.session() as session:
            change = flag_for_collection(session, app.user, list(ids))
        message = f"Flagged {invoices_words(len(change.changed))} for collection."
        if change.unchanged:
            message += f" {invoices_words(len(change.unchanged)).capitalize()} already were."
        return ActionDone(message, ids)

    @on(MarkedTable.RowSelected)
    def _row_chosen(self, event: MarkedTable.RowSelected) -> None:
        event.stop()
        self.action_open_customer()
