"""The shared part of screens listing invoices in a :class:`MarkedTable`, a page at a time.

The overdue invoices and the collection agency's invoices are both read by thread workers
(keyset paging in the domain), the next page when the cursor nears the last row; marked
one by one; acted on by workers that say what they did; and Enter opens the customer of
the invoice under the cursor. :class:`MarkedInvoicesScreen` holds that plumbing; a screen
says how to start its reads (:meth:`~MarkedInvoicesScreen.read_first`,
:meth:`~MarkedInvoicesScreen.read_more`), how a row looks
(:meth:`~MarkedInvoicesScreen.row_cells`) and what the line above the table says
(:meth:`~MarkedInvoicesScreen.show_heading`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, Protocol, TypeVar

from textual import on
from textual.worker import Worker, WorkerState

from cctui.domain.authz import require_role
from cctui.domain.errors import CctuiError
from cctui.domain.models import Role
from cctui.messages import DailyCheckFinished
from cctui.screens.base import CctuiScreen
from cctui.widgets.marked_table import MarkedTable, RowCells

READ_CHUNK = 1000
"""The most rows asked for in one query when the first read wants many (a reload)."""


class InvoiceRow(Protocol):
    """A listed invoice: its id (the row key) and its customer's."""

    @property
    def invoice_id(self) -> int:
        """The invoice, and the key of its row."""
        ...

    @property
    def customer_id(self) -> int:
        """The invoice's customer (Enter opens it)."""
        ...


RowT = TypeVar("RowT", bound=InvoiceRow)
CursorT = TypeVar("CursorT")
R_co = TypeVar("R_co", covariant=True)
C_co = TypeVar("C_co", covariant=True)


class InvoicePage(Protocol[R_co, C_co]):
    """A page as the domain's keyset lists return it."""

    @property
    def rows(self) -> Sequence[R_co]:
        """The page's rows in list order."""
        ...

    @property
    def next_cursor(self) -> C_co | None:
        """Where the next page starts; None on the last page."""
        ...


def read_pages(
    fetch: Callable[[CursorT | None, int], InvoicePage[RowT, CursorT]], want: int
) -> tuple[tuple[RowT, ...], CursorT | None]:
    """The first ``want`` rows, read by ``fetch(after, limit)`` in pages of at most
    :data:`READ_CHUNK`, and the cursor after them (None when the list ends there)."""
    rows: list[RowT] = []
    after: CursorT | None = None
    while True:
        page = fetch(after, min(want - len(rows), READ_CHUNK))
        rows.extend(page.rows)
        after = page.next_cursor
        if after is None or len(rows) >= want:
            return tuple(rows), after


@dataclass(frozen=True)
class InvoicesRead(Generic[RowT, CursorT]):
    """Rows read by a worker, for the list as it was asked for (``generation``)."""

    generation: int
    rows: tuple[RowT, ...]
    next_cursor: CursorT | None
    append: bool
    """True for the page after the loaded rows; False for the list read from the top."""
    count: int | None = None
    """How many the whole list holds, when the first read counted them."""


@dataclass(frozen=True)
class ActionDone:
    """What an action did, in a sentence, and which invoices to unmark."""

    message: str
    invoice_ids: tuple[int, ...]


def invoices_words(count: int) -> str:
    """``1 invoice`` / ``3 invoices``."""
    return f"{count} invoice{'s' if count != 1 else ''}"


class MarkedInvoicesScreen(CctuiScreen, Generic[RowT, CursorT]):
    """A screen of invoices in a :class:`MarkedTable`: pages, marks, actions, the customer.

    Subclasses name their worker groups (:attr:`READ_GROUP` for the first read,
    :attr:`MORE_GROUP` for the next page, :attr:`ACT_GROUP` for actions returning
    :class:`ActionDone`) and implement :attr:`table`, :meth:`read_first`, :meth:`read_more`,
    :meth:`row_cells` and :meth:`show_heading`.
    """

    PAGE_SIZE: ClassVar[int] = 50
    """Rows read per page."""
    READ_GROUP: ClassVar[str] = ""
    """The worker group of the first read, returning :class:`InvoicesRead`."""
    MORE_GROUP: ClassVar[str] = ""
    """The worker group of the next page, returning :class:`InvoicesRead`."""
    ACT_GROUP: ClassVar[str] = ""
    """The worker group of the actions, returning :class:`ActionDone`."""
    IGNORED_ENTITIES: ClassVar[frozenset[str]] = frozenset()
    """Changed entities that never alter what the screen lists (see :meth:`cares_about`)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[int, RowT] = {}
        self._next: CursorT | None = None
        self._count: int | None = None
        self._generation = 0
        self._reading = False

    def cares_about(self, customer_id: int | None, entity: str) -> bool:
        """Every change may show here but those to :attr:`IGNORED_ENTITIES`."""
        return entity not in self.IGNORED_ENTITIES

    def on_daily_check_finished(self, message: DailyCheckFinished) -> None:
        """The daily check dunned and flagged invoices: read everything again."""
        self.reload()

    # ------------------------------------------------------------------ for subclasses

    @property
    def table(self) -> MarkedTable:
        """The table of invoices."""
        raise NotImplementedError

    def read_first(self, generation: int, want: int) -> None:
        """Start the worker reading the first ``want`` rows of the list as shown now."""
        raise NotImplementedError

    def read_more(self, generation: int, after: CursorT) -> None:
        """Start the worker reading the page after ``after`` of the list as shown now."""
        raise NotImplementedError

    def row_cells(self, row: RowT) -> RowCells:
        """The cells of one invoice; database text shown literally."""
        raise NotImplementedError

    def show_heading(self) -> None:
        """Write the line above the table: how many, how many loaded and marked."""
        raise NotImplementedError

    # ------------------------------------------------------------------ reading

    def _read_anew(self, *, keep: bool) -> None:
        """Read the list from the top; ``keep``: as many rows as are loaded, cursor kept."""
        self._generation += 1
        self._reading = True
        want = max(len(self._rows), self.PAGE_SIZE) if keep else self.PAGE_SIZE
        self.read_first(self._generation, want)

    @on(MarkedTable.NeedsMore)
    def _needs_more(self, event: MarkedTable.NeedsMore) -> None:
        if self._next is not None and not self._reading:
            self.read_more(self._generation, self._next)
        else:
            self.table.ask_again()

    @on(Worker.StateChanged)
    def _invoices_worker_changed(self, event: Worker.StateChanged) -> None:
        """Show rows as they arrive; say what an action did; clear the loading state."""
        group = event.worker.group
        result = event.worker.result if event.state is WorkerState.SUCCESS else None
        if group == self.ACT_GROUP and isinstance(result, ActionDone):
            self.notify(result.message, title="Done", markup=False)
            self.table.unmark(result.invoice_ids)
            self.reload()
        elif group in (self.READ_GROUP, self.MORE_GROUP):
            if isinstance(result, InvoicesRead):
                if result.generation == self._generation:
                    self._show(result)
            elif event.state is WorkerState.ERROR:
                self.table.loading = False
                if group == self.READ_GROUP:
                    self._reading = False
                self.table.ask_again()
                self.show_heading()

    def _show(self, read: InvoicesRead[RowT, CursorT]) -> None:
        table = self.table
        cells = [(row.invoice_id, self.row_cells(row)) for row in read.rows]
        more = read.next_cursor is not None
        if read.append:
            self._rows.update((row.invoice_id, row) for row in read.rows)
            table.append(cells, more=more)
        else:
            self._rows = {row.invoice_id: row for row in read.rows}
            self._count = read.count
            self._reading = False
            table.show(cells, more=more)
            table.loading = False
        self._next = read.next_cursor
        self.show_heading()

    def reload(self) -> None:
        """Read the list again, keeping the cursor and the marks."""
        self._read_anew(keep=True)

    # ------------------------------------------------------------------ marks

    def action_toggle_mark(self) -> None:
        """Mark or unmark the invoice under the cursor, then move down."""
        table = self.table
        if table.toggle_current() is not None:
            table.action_cursor_down()
        self.show_heading()

    def action_mark_all(self) -> None:
        """Mark every loaded invoice, or none when all are marked."""
        self.table.mark_all_or_none()
        self.show_heading()

    def _chosen(self) -> list[RowT]:
        """The marked invoices, or the one under the cursor when none is marked."""
        table = self.table
        keys = table.marked or ([table.current_key] if table.current_key is not None else [])
        return [self._rows[key] for key in keys if key in self._rows]

    # ------------------------------------------------------------------ actions

    def _allowed(self, doing: str) -> bool:
        """Say why not, in the domain's sentence, when the user's role may not do this."""
        try:
            require_role(self.cctui.user, Role.CONTROLLER, doing)
        except CctuiError as error:
            self.notify(str(error), title="Not for your role", severity="warning", markup=False)
            return False
        return True

    def action_open_customer(self) -> None:
        """Open the customer of the invoice under the cursor."""
        key = self.table.current_key
        row = self._rows.get(key) if key is not None else None
        if row is None:
            return
        try:
            from cctui.screens.customer import CustomerScreen
        except ImportError:
            self.notify(
                "The customer screen is not available in this version.",
                severity="warning",
                markup=False,
            )
            return
        self.app.push_screen(CustomerScreen(customer_id=row.customer_id))
