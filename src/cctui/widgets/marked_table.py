"""A table of rows that can be marked one by one, read a page at a time as the cursor moves.

The first column shows ``*`` beside every marked row, so the marks read without colour. The
table never holds the whole list: the screen gives it the first page, and when the cursor
comes within :attr:`MarkedTable.MARGIN` rows of the last row loaded while more exist, the
table posts :class:`MarkedTable.NeedsMore` once; the screen reads the next page and calls
:meth:`MarkedTable.append`. Columns can be kept for wide terminals only; a column without a
width takes what the others leave.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.text import Text
from textual import events
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

MARK = "*"
"""What the first column shows beside a marked row."""

MARK_COLUMN = "mark"
"""The key of the first column."""


@dataclass(frozen=True)
class ColumnSpec:
    """A column: its key, heading, width in cells (None: the rest), alignment, and the
    least table width it is shown at (0: always)."""

    key: str
    label: str
    width: int | None
    justify: Literal["left", "right"] = "left"
    min_table_width: int = 0


RowCells = Mapping[str, Text]
"""One row's cells by column key (cells of hidden columns are ignored)."""


class MarkedTable(DataTable[Text]):
    """A row-cursor table of keyed rows (int keys) with marks and paging by the screen.

    With ``markable=False`` it is a plain list to choose from: no mark column, no marks.
    """

    DEFAULT_CSS = """
    MarkedTable {
        scrollbar-size-vertical: 1;
        width: 100%;
        height: 1fr;
    }
    """

    MARGIN: ClassVar[int] = 3
    """How close to the last loaded row the cursor comes before the next page is asked for."""

    class NeedsMore(Message):
        """The cursor is near the last loaded row and more rows exist: read the next page."""

        def __init__(self, table: MarkedTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> MarkedTable:
            """The table asking."""
            return self.table

    def __init__(
        self, columns: Sequence[ColumnSpec], *, id: str | None = None, markable: bool = True
    ) -> None:
        # No padding of Textual's (two cells between columns): each cell but the mark
        # starts with one space instead, which leaves more room for names at 80 columns.
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, cell_padding=0)
        self._specs = [ColumnSpec(MARK_COLUMN, " ", 1), *columns] if markable else list(columns)
        self.markable = markable
        """False for a list whose rows are only chosen, never marked (no mark column)."""
        self._shown: list[ColumnSpec] = []
        self._keys: list[int] = []
        self._cells: dict[int, RowCells] = {}
        self._marked: set[int] = set()
        self.has_more = False
        """True while rows after the last loaded one exist."""
        self._asked = False
        self._laid_out_for = -1

    # ------------------------------------------------------------------ rows

    @property
    def keys(self) -> list[int]:
        """The keys of the loaded rows, top to bottom."""
        return list(self._keys)

    @property
    def current_key(self) -> int | None:
        """The key of the row under the cursor, or None when the table is empty."""
        if not self._keys:
            return None
        return self._keys[min(max(self.cursor_row, 0), len(self._keys) - 1)]

    def show(self, rows: Iterable[tuple[int, RowCells]], *, more: bool) -> None:
        """Replace the rows, keeping the cursor on the same key (or the same place) and the
        marks of the rows still listed."""
        before_key, before_row = self.current_key, self.cursor_row
        self._keys, self._cells = [], {}
        for key, cells in rows:
            self._keys.append(key)
            self._cells[key] = cells
        self._marked &= set(self._keys)
        self.has_more = more
        self._asked = False
        self._rebuild()
        if before_key in self._cells:
            self.move_cursor(row=self._keys.index(before_key), animate=False)
        elif self._keys:
            self.move_cursor(row=min(max(before_row, 0), len(self._keys) - 1), animate=False)

    def append(self, rows: Iterable[tuple[int, RowCells]], *, more: bool) -> None:
        """Add the next page below the rows loaded."""
        for key, cells in rows:
            if key in self._cells:
                continue
            self._keys.append(key)
            self._cells[key] = cells
            self.add_row(*self._row_cells(key), key=str(key))
        self.has_more = more
        self._asked = False

    def move_to_top(self) -> None:
        """Put the cursor on the first row (after the list was read anew)."""
        if self._keys:
            self.move_cursor(row=0, animate=False)
            self.scroll_home(animate=False)

    # ------------------------------------------------------------------ marks

    @property
    def marked(self) -> list[int]:
        """The keys of the marked rows, in the order listed."""
        return [key for key in self._keys if key in self._marked]

    def toggle_current(self) -> int | None:
        """Mark the row under the cursor, or unmark it; returns its key."""
        key = self.current_key
        if key is None or not self.markable:
            return None
        if key in self._marked:
            self._marked.discard(key)
        else:
            self._marked.add(key)
        self._refresh_mark(key)
        return key

    def mark_all_or_none(self) -> bool:
        """Mark every loaded row, or, when all are marked already, none; True if marked."""
        if not self.markable:
            return False
        everything = bool(self._keys) and self._marked.issuperset(self._keys)
        changed = set(self._keys) if everything else set(self._keys) - self._marked
        self._marked = set() if everything else set(self._keys)
        for key in changed:
            self._refresh_mark(key)
        return not everything

    def unmark(self, keys: Iterable[int]) -> None:
        """Take the marks off ``keys``."""
        for key in keys:
            if key in self._marked:
                self._marked.discard(key)
                self._refresh_mark(key)

    def _refresh_mark(self, key: int) -> None:
        with contextlib.suppress(RowDoesNotExist):
            self.update_cell(str(key), MARK_COLUMN, self._mark_cell(key))

    def _mark_cell(self, key: int) -> Text:
        return Text(MARK if key in self._marked else " ", style="bold")

    # ------------------------------------------------------------------ columns

    def _visible_specs(self, width: int) -> list[ColumnSpec]:
        return [spec for spec in self._specs if width >= spec.min_table_width]

    def _rebuild(self) -> None:
        """Lay the columns out for the current width and add every loaded row again."""
        width = self.size.width or self.app.size.width
        self._laid_out_for = self.size.width
        self._shown = self._visible_specs(width)
        fixed = sum(_cell_width(spec.width or 0, spec) for spec in self._shown)
        flexible = [spec for spec in self._shown if spec.width is None]
        spare = max(width - fixed - 1, 0)  # one cell for the vertical scrollbar
        share = max(spare // len(flexible) - 1, 8) if flexible else 0
        cursor = self.cursor_row
        self.clear(columns=True)
        for spec in self._shown:
            label = Text(spec.label, style="bold")
            if spec.key != MARK_COLUMN:
                label = _spaced(label, spec)
            self.add_column(label, key=spec.key, width=_cell_width(spec.width or share, spec))
        for key in self._keys:
            self.add_row(*self._row_cells(key), key=str(key))
        if self._keys:
            self.move_cursor(row=min(max(cursor, 0), len(self._keys) - 1), animate=False)

    def _row_cells(self, key: int) -> list[Text]:
        cells = self._cells[key]
        return [
            self._mark_cell(key)
            if spec.key == MARK_COLUMN
            else _spaced(cells.get(spec.key, Text("")), spec)
            for spec in self._shown
        ]

    def on_resize(self, event: events.Resize) -> None:
        """Lay the columns out again when the width changed."""
        if event.size.width != self._laid_out_for:
            self._rebuild()

    # ------------------------------------------------------------------ paging

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        """Ask for the next page when the cursor nears the last loaded row."""
        super().watch_cursor_coordinate(old, new)
        if (
            self.has_more
            and not self._asked
            and self._keys
            and self.cursor_row >= len(self._keys) - 1 - self.MARGIN
        ):
            self._asked = True
            self.post_message(self.NeedsMore(self))

    def ask_again(self) -> None:
        """Allow another :class:`NeedsMore` (after reading the next page failed)."""
        self._asked = False


def _cell_width(width: int, spec: ColumnSpec) -> int:
    """Cells a column takes: its content and the space before it (none for the mark)."""
    return width if spec.key == MARK_COLUMN else width + 1


def _spaced(cell: Text, spec: ColumnSpec) -> Text:
    """``cell`` after the one space that separates it from the column to its left, aligned
    as the column is and cut with an ellipsis when too long."""
    return Text.assemble(" ", cell, justify=spec.justify, no_wrap=True, overflow="ellipsis")
