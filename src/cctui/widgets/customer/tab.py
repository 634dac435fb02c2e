"""What every tab of the customer screen shares: reading its rows in a worker, showing them.

The screen runs :meth:`CustomerTab.fetch` in a thread worker (so a failure reaches the app's
one error handler) the first time the tab is shown and on every reload, then hands the
result to :meth:`CustomerTab.show` on the UI thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowDoesNotExist

from cctui.widgets.safe_text import plain

if TYPE_CHECKING:
    from cctui.db.engine import Database
    from cctui.domain.identity import StaffIdentity

CELL_TEXT = 60
"""The most characters of free text a table cell shows (the rest is in the detail line)."""


@dataclass(frozen=True)
class TabContext:
    """What a tab's read needs besides the database: whose rows, who asks, on which day."""

    customer_id: int
    actor: StaffIdentity
    as_of: date


def short(value: object, limit: int = CELL_TEXT) -> Text:
    """Database text for a table cell: literal, controls removed, cut to ``limit`` with "…"."""
    text = plain(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return Text(text, end="")


def day(value: date | datetime | None) -> str:
    """A date (or a moment's local date) as YYYY-MM-DD; "-" when there is none."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone().date().isoformat()
    return value.isoformat()


def moment(value: datetime | None) -> str:
    """A moment as local YYYY-MM-DD HH:MM; "-" when there is none."""
    if value is None:
        return "-"
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def duration(value: timedelta | None) -> str:
    """A call's length as M:SS (H:MM:SS past an hour); "-" when it is still running."""
    if value is None:
        return "-"
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class CustomerTab(Vertical):
    """One tab's content; subclasses read their rows in :meth:`fetch` and draw them in
    :meth:`show`."""

    TITLE: ClassVar[str] = ""
    """The tab's label (the screen puts its number key in front)."""
    TASK: ClassVar[str] = ""
    """Completes "Could not ..." when the read fails."""

    def fetch(self, db: Database, context: TabContext) -> object:
        """Read the tab's rows through the domain (runs in a worker thread)."""
        raise NotImplementedError

    def show(self, data: object) -> None:
        """Draw ``data`` (what :meth:`fetch` returned), keeping the cursor where it was."""
        raise NotImplementedError

    def failed(self) -> None:
        """The read failed: say so in the tab (the app has told the user why)."""

    def focus_target(self) -> Widget:
        """The widget that takes the focus when the tab is shown."""
        return self


class TableTab(CustomerTab):
    """A tab showing one table of rows, keyed by id, with a line for when there is none."""

    DEFAULT_CSS = """
    TableTab > DataTable {
        height: 1fr;
    }
    TableTab > .tab-empty {
        color: $text-muted;
        padding: 0 1;
    }
    """

    COLUMNS: ClassVar[Sequence[str]] = ()
    """The column headings."""
    EMPTY: ClassVar[str] = "Nothing to show."
    """What the tab says when it has no rows."""
    FIXED: ClassVar[int] = 40
    """Cells the columns before the last take (padding and scrollbar included): the last,
    free-text column gets the rest of the width, so the table never scrolls sideways
    (left and right switch tabs)."""

    @property
    def text_room(self) -> int:
        """How many characters the last column may show at the tab's present width."""
        width = self.size.width or self.app.size.width
        return max(12, width - self.FIXED)

    def compose(self) -> ComposeResult:
        """The table and the line that says when it is empty."""
        table: DataTable[Text | str] = DataTable(cursor_type="row", zebra_stripes=True)
        for column in self.COLUMNS:
            table.add_column(column, key=column)
        yield table
        yield Static(Text("Loading…"), classes="tab-empty")

    @property
    def table(self) -> DataTable[Text | str]:
        """The tab's table."""
        return self.query_one(DataTable)

    def focus_target(self) -> Widget:
        """The table."""
        return self.table

    @property
    def selected_key(self) -> str | None:
        """The key of the row under the cursor, or None when the table is empty."""
        table = self.table
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @property
    def selected_id(self) -> int | None:
        """The id of the row under the cursor, or None."""
        key = self.selected_key
        return int(key) if key is not None and key.isdigit() else None

    def rows(self, data: object) -> Iterable[tuple[str, Sequence[Text | str]]]:
        """The table's rows for ``data``: (key, cells)."""
        raise NotImplementedError

    def show(self, data: object) -> None:
        """Replace the rows, keeping the cursor on the same row (or the same position)."""
        table = self.table
        keep_key = self.selected_key
        keep_row = table.cursor_row
        table.clear()
        for key, cells in self.rows(data):
            table.add_row(*cells, key=key)
        empty = self.query_one(".tab-empty", Static)
        empty.update(Text(self.EMPTY))
        empty.display = table.row_count == 0
        if table.row_count:
            try:
                row = table.get_row_index(keep_key) if keep_key is not None else keep_row
            except RowDoesNotExist:  # the row is gone: stay at the same position
                row = keep_row
            table.move_cursor(row=min(max(row, 0), table.row_count - 1))

    def failed(self) -> None:
        """Say the rows could not be read."""
        empty = self.query_one(".tab-empty", Static)
        empty.update(Text("These rows could not be read. Press r to try again."))
        empty.display = True
