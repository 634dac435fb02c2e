"""Collection agency: the invoices flagged for collection and those with each agency.

The top list holds the buckets: "Flagged, not handed over" and every agency, each with how
many invoices and what is open on them per currency. Below it, the invoices of the bucket
under the cursor, read a page at a time. Marked flagged invoices are handed over (``h``) or
unflagged (``u``); marked invoices with an agency are recalled (``c``). The totals are read
again after every action.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from cctui.domain.agency import (
    AgencyInvoiceCursor,
    AgencyInvoiceRow,
    AgencyTotals,
    AgencyView,
    agency_invoices,
    agency_totals,
    hand_over,
    list_agencies,
    recall,
    unflag,
)
from cctui.domain.models import Role
from cctui.screens.agency_dialogs import HandOverChoice, HandOverScreen
from cctui.screens.invoice_dialogs import ReasonScreen
from cctui.screens.marked_invoices import (
    ActionDone,
    InvoicesRead,
    MarkedInvoicesScreen,
    invoices_words,
    read_pages,
)
from cctui.widgets.marked_table import ColumnSpec, MarkedTable, RowCells
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import plain, safe_text

if TYPE_CHECKING:
    from cctui.app import AppContext

WIDE = 100
"""The table width from which the days past due are shown too."""

NAME_CHARS = 200
"""The most characters of a name put in a cell (the column shows fewer)."""

FLAGGED_KEY = 0
"""The row key of the flagged bucket in the list of buckets (agencies use their id)."""

BUCKET_COLUMNS = [
    ColumnSpec("name", "Bucket", None),
    ColumnSpec("count", "Invoices", 8, "right"),
    ColumnSpec("totals", "Open", None),
]
"""The columns of the list of buckets; the totals are cut to fit (the line below has all)."""

COLUMNS = [
    ColumnSpec("number", "Invoice", 16),
    ColumnSpec("customer", "Customer", None),
    ColumnSpec("due", "Due", 10),
    ColumnSpec("days", "Days", 4, "right", min_table_width=WIDE),
    ColumnSpec("open", "Open", 12, "right"),
    ColumnSpec("currency", "Cur", 3),
    ColumnSpec("handed", "Handed on", 10),
]
"""The columns of the invoices; "Handed on" is empty in the flagged bucket."""


def totals_text(bucket: AgencyTotals) -> Text:
    """The open totals of a bucket, one per currency: ``EUR 1,234.00 · USD 5.00``."""
    if not bucket.by_currency:
        return Text("nothing open", style="italic")
    return Text(
        " · ".join(
            # A no-break space keeps each amount with its currency when the line wraps.
            f"{plain(total.currency)}\u00a0{format_money(total.open_total, total.currency)}"
            for total in bucket.by_currency
        )
    )


def bucket_name(bucket: AgencyTotals) -> Text:
    """The bucket's name, literally, with "(inactive)" after an inactive agency."""
    name = safe_text(plain(bucket.name)[:NAME_CHARS])
    if not bucket.active:
        name.append(" (inactive)", style="italic")
    return name


def _bucket_cells(bucket: AgencyTotals) -> RowCells:
    """The name, count and totals of a bucket."""
    return {
        "name": bucket_name(bucket),
        "count": Text(f"{bucket.invoice_count:,}"),
        "totals": totals_text(bucket),
    }


def invoice_cells(row: AgencyInvoiceRow) -> RowCells:
    """The cells of one invoice of a bucket; database text shown literally."""
    return {
        "number": safe_text(row.number),
        "customer": safe_text(plain(row.customer_name)[:NAME_CHARS]),
        "due": Text(row.due_on.isoformat()),
        "days": Text(str(row.days_past_due)),
        "open": Text(format_money(row.open_amount, row.currency)),
        "currency": safe_text(row.currency),
        "handed": Text(row.handed_on.isoformat() if row.handed_on else ""),
    }


@dataclass(frozen=True)
class _Buckets:
    """The buckets and the agencies, as read together."""

    totals: tuple[AgencyTotals, ...]
    agencies: tuple[AgencyView, ...]


class AgencyScreen(MarkedInvoicesScreen[AgencyInvoiceRow, AgencyInvoiceCursor]):
    """Collection agency: buckets with totals, their invoices, hand over, recall, unflag."""

    IGNORED_ENTITIES = frozenset(
        {"note", "contact", "call", "todo", "follow_up", "staff", "letter"}
    )
    """Changes that never alter the buckets or their invoices."""

    HELP_TITLE = "Collection agency"
    SCREEN_NAME = "agency"
    MIN_ROLE: ClassVar[Role] = Role.CONTROLLER
    """The least role the go-to menu offers this screen to (the domain checks each action)."""

    AUTO_FOCUS = "#agency-buckets"

    READ_GROUP = "agency-read"
    MORE_GROUP = "agency-more"
    ACT_GROUP = "agency-act"

    DEFAULT_CSS = """
    AgencyScreen #agency-buckets {
        height: auto;
        max-height: 7;
    }
    AgencyScreen #agency-invoices-title {
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $boost;
    }
    """

    BINDINGS = [
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            tooltip="Mark the invoice under the cursor, or unmark it, and move down.",
            id="agency.mark",
        ),
        Binding(
            "h",
            "hand_over",
            "Hand over",
            tooltip="Hand the marked flagged invoices (or the one under the cursor) over to an "
            "agency, on a date you choose.",
            id="agency.hand-over",
        ),
        Binding(
            "c",
            "recall",
            "Recall",
            tooltip="Take the marked invoices (or the one under the cursor) back from their "
            "agency; they are flagged again.",
            id="agency.recall",
        ),
        Binding(
            "u",
            "unflag",
            "Unflag",
            show=False,
            tooltip="Take the marked flagged invoices (or the one under the cursor) off the list "
            "for collection.",
            id="agency.unflag",
        ),
        Binding(
            "A",
            "mark_all",
            "Mark all/none",
            show=False,
            tooltip="Mark every invoice loaded, or none when all are marked.",
            id="agency.mark-all",
        ),
        Binding(
            "left",
            "focus_buckets",
            "Buckets",
            show=False,
            priority=True,
            tooltip="Move to the list of buckets (Tab moves between the two lists too).",
            id="agency.focus-buckets",
        ),
        Binding(
            "right",
            "focus_invoices",
            "Invoices",
            show=False,
            priority=True,
            tooltip="Move to the invoices of the bucket (Tab moves between the two lists too).",
            id="agency.focus-invoices",
        ),
        Binding(
            "enter",
            "open_customer",
            "Customer",
            show=False,
            tooltip="In the invoices: open the customer of the invoice under the cursor.",
            id="agency.open-customer",
        ),
    ]

    @classmethod
    def open(cls, context: AppContext) -> AgencyScreen:
        """The screen for the registry (needs nothing from the context)."""
        return cls()

    def __init__(self) -> None:
        super().__init__()
        self._buckets: list[AgencyTotals] = []
        self._agencies: list[AgencyView] = []
        self._bucket: int | None = None
        """The agency shown; None for the flagged bucket."""

    # ------------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        """The buckets, the title and totals of the bucket chosen, its invoices."""
        yield MarkedTable(BUCKET_COLUMNS, id="agency-buckets", markable=False)
        yield Static(Text(""), id="agency-invoices-title")
        yield MarkedTable(COLUMNS, id="agency-invoices")

    @property
    def buckets_table(self) -> MarkedTable:
        """The list of buckets."""
        return self.query_one("#agency-buckets", MarkedTable)

    @property
    def table(self) -> MarkedTable:
        """The invoices of the bucket chosen."""
        return self.query_one("#agency-invoices", MarkedTable)

    @property
    def bucket(self) -> int | None:
        """The agency whose invoices are shown; None for the flagged bucket."""
        return self._bucket

    def on_mount(self) -> None:
        """Read the buckets and the flagged invoices."""
        self.table.loading = True
        self._read_buckets()
        self._read_anew(keep=False)

    def reload(self) -> None:
        """Read the totals and the invoices again, keeping the cursor and the marks."""
        self._read_buckets()
        super().reload()

    # ------------------------------------------------------------------ reading

    @work(
        thread=True,
        exclusive=True,
        group="agency-buckets",
        name="read the collection agency totals",
        exit_on_error=False,
    )
    def _read_buckets(self) -> _Buckets:
        with self.cctui.db.session() as session:
            return _Buckets(
                tuple(agency_totals(session)),
                tuple(list_agencies(session, include_inactive=False)),
            )

    def read_first(self, generation: int, want: int) -> None:
        """Read the first ``want`` invoices of the bucket shown."""
        self._read_first(generation, self._bucket, want)

    def read_more(self, generation: int, after: AgencyInvoiceCursor) -> None:
        """Read the page after ``after`` of the bucket shown."""
        self._read_more(generation, self._bucket, after)

    def row_cells(self, row: AgencyInvoiceRow) -> RowCells:
        """The cells of one invoice of a bucket."""
        return invoice_cells(row)

    @work(
        thread=True,
        exclusive=True,
        group="agency-read",
        name="read the invoices for collection",
        exit_on_error=False,
    )
    def _read_first(
        self, generation: int, agency_id: int | None, want: int
    ) -> InvoicesRead[AgencyInvoiceRow, AgencyInvoiceCursor]:
        app = self.cctui
        with app.db.session() as session:
            rows, after = read_pages(
                lambda after, limit: agency_invoices(
                    session, agency_id=agency_id, limit=limit, after=after, as_of=app.today()
                ),
                want,
            )
        return InvoicesRead(generation, rows, after, append=False)

    @work(
        thread=True,
        exclusive=True,
        group="agency-more",
        name="read more invoices for collection",
        exit_on_error=False,
    )
    def _read_more(
        self, generation: int, agency_id: int | None, after: AgencyInvoiceCursor
    ) -> InvoicesRead[AgencyInvoiceRow, AgencyInvoiceCursor]:
        app = self.cctui
        with app.db.session() as session:
            page = agency_invoices(
                session, agency_id=agency_id, limit=self.PAGE_SIZE, after=after, as_of=app.today()
            )
        return InvoicesRead(generation, tuple(page.rows), page.next_cursor, append=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the buckets read (the invoices and actions are the base class's)."""
        if (
            event.worker.group == "agency-buckets"
            and event.state is WorkerState.SUCCESS
            and isinstance(event.worker.result, _Buckets)
        ):
            self._show_buckets(event.worker.result)

    def _show_buckets(self, read: _Buckets) -> None:
        self._buckets = list(read.totals)
        self._agencies = list(read.agencies)
        self.buckets_table.show(
            ((bucket.agency_id or FLAGGED_KEY, _bucket_cells(bucket)) for bucket in self._buckets),
            more=False,
        )
        self.show_heading()

    def _current_totals(self) -> AgencyTotals | None:
        for bucket in self._buckets:
            if bucket.agency_id == self._bucket:
                return bucket
        return None

    def show_heading(self) -> None:
        """Above the invoices: the bucket, how many, how many loaded and marked; its totals."""
        bucket = self._current_totals()
        title = Text()
        if bucket is None:
            title.append("Invoices", style="bold")
        else:
            title.append_text(safe_text(plain(bucket.name)[:NAME_CHARS], style="bold"))
            title.append(f"  {bucket.invoice_count:,} invoices")
            if len(self._rows) < bucket.invoice_count:
                title.append(f" ({len(self._rows):,} loaded)")
        marked = len(self.table.marked)
        if marked:
            title.append(f"  {marked} marked", style="bold")
        title.truncate(max(self.size.width - 2, 20), overflow="ellipsis")
        if bucket is not None:
            title.append("\nOpen: ")
            title.append_text(totals_text(bucket))
        self.query_one("#agency-invoices-title", Static).update(title)

    # ------------------------------------------------------------------ moving around

    @on(DataTable.RowHighlighted, "#agency-buckets")
    def _bucket_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # The cursor as it is now, not as the event saw it: refilling the list moves it
        # through the first row on its way back to the bucket shown.
        row = self.buckets_table.cursor_row
        if not 0 <= row < len(self._buckets):
            return
        agency_id = self._buckets[row].agency_id
        if agency_id != self._bucket:
            self._bucket = agency_id
            self._rows = {}
            self._next = None
            self.table.show([], more=False)
            self.table.loading = True
            self._read_anew(keep=False)
            self.show_heading()

    @on(DataTable.RowSelected, "#agency-buckets")
    def _bucket_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.table.focus()

    def action_focus_buckets(self) -> None:
        """Move to the list of buckets."""
        self.buckets_table.focus()

    def action_focus_invoices(self) -> None:
        """Move to the invoices of the bucket."""
        self.table.focus()

    def action_toggle_mark(self) -> None:
        """Mark or unmark the invoice under the cursor, then move down."""
        if not self.table.has_focus:
            self.table.focus()
            return
        super().action_toggle_mark()

    # ------------------------------------------------------------------ actions

    def _refuse(self, message: str) -> None:
        self.notify(message, title="Nothing done", severity="warning", markup=False)

    def action_hand_over(self) -> None:
        """Choose an agency and a date, then hand the marked flagged invoices over."""
        if not self._allowed("hand invoices over to a collection agency"):
            return
        if self._bucket is not None:
            self._refuse(
                "Only flagged invoices are handed over: choose the bucket "
                '"Flagged, not handed over" first.'
            )
            return
        rows = self._chosen()
        if not rows:
            self._refuse("There is no flagged invoice to hand over.")
            return
        if not self._agencies:
            self._refuse("There is no active collection agency to hand invoices over to.")
            return
        ids = tuple(row.invoice_id for row in rows)

        def chosen(choice: HandOverChoice | None) -> None:
            if choice is not None:
                self._hand_over(ids, choice)

        self.app.push_screen(HandOverScreen(self._agencies, len(ids), self.cctui.today()), chosen)

    @work(
        thread=True,
        exclusive=True,
        group="agency-act",
        name="hand the invoices over",
        exit_on_error=False,
    )
    def _hand_over(self, ids: tuple[int, ...], choice: HandOverChoice) -> ActionDone:
        app = self.cctui
        with app.db.session() as session:
            hand_over(
                session,
                app.user,
                list(ids),
                agency_id=choice.agency_id,
                handed_on=choice.handed_on,
                note=choice.note,
            )
        name = next(
            (agency.name for agency in self._agencies if agency.id == choice.agency_id),
            "the agency",
        )
        return ActionDone(
            f"Handed {invoices_words(len(ids))} over to {plain(name)} on "
            f"{choice.handed_on.isoformat()}.",
            ids,
        )

    def action_recall(self) -> None:
        """Ask for a reason, then take the marked invoices back from their agency."""
        if not self._allowed("recall invoices from a collection agency"):
            return
        if self._bucket is None:
            self._refuse("Only invoices with an agency are recalled: choose an agency first.")
            return
        rows = self._chosen()
        if not rows:
            self._refuse("There is no invoice with this agency to recall.")
            return
        ids = tuple(row.invoice_id for row in rows)

        def answered(reason: str | None) -> None:
            if reason is not None:
                self._recall(ids, reason)

        question = Text(f"Recall {invoices_words(len(ids))} from ")
        bucket = self._current_totals()
        question.append_text(safe_text(bucket.name if bucket else "the agency", style="bold"))
        question.append("? They go back to the flagged invoices.")
        self.app.push_screen(ReasonScreen("Recall", question, action="Recall"), answered)

    @work(
        thread=True,
        exclusive=True,
        group="agency-act",
        name="recall the invoices",
        exit_on_error=False,
    )
    def _recall(self, ids: tuple[int, ...], reason: str) -> ActionDone:
        app = self.cctui
        with app.db.session() as session:
            recall(session, app.user, list(ids), recalled_on=app.today(), note=reason or None)
        return ActionDone(f"Recalled {invoices_words(len(ids))}; they are flagged again.", ids)

    def action_unflag(self) -> None:
        """Ask for a reason, then take the marked invoices off the list for collection."""
        if not self._allowed("unflag invoices for collection"):
            return
        if self._bucket is not None:
            self._refuse("Invoices with an agency are recalled (c) before they can be unflagged.")
            return
        rows = self._chosen()
        if not rows:
            self._refuse("There is no flagged invoice to unflag.")
            return
        ids = tuple(row.invoice_id for row in rows)

        def answered(reason: str | None) -> None:
            if reason is not None:
                self._unflag(ids, reason)

        question = Text(f"Take {invoices_words(len(ids))} off the list for collection?")
        self.app.push_screen(ReasonScreen("Unflag", question, action="Unflag"), answered)

    @work(
        thread=True,
        exclusive=True,
        group="agency-act",
        name="unflag the invoices",
        exit_on_error=False,
    )
    def _unflag(self, ids: tuple[int, ...], reason: str) -> ActionDone:
        app = self.cctui
        with app.db.session() as session:
            change = unflag(session, app.user, list(ids), reason=reason or None)
        return ActionDone(f"Unflagged {invoices_words(len(change.changed))}.", ids)

    @on(DataTable.RowSelected, "#agency-invoices")
    def _invoice_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_customer()
