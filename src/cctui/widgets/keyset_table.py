"""A table over a list too long to load: pages are read as the cursor moves.

:class:`KeysetTable` is a ``DataTable`` that shows a :class:`KeysetWindow` of a keyset-paged
list (a couple of pages at most, never the whole list). Moving the cursor near the last
loaded row reads the next page, near the first the previous one; Home and End read the first
and the last page. Pages are read in a thread worker by a ``fetch`` function the screen
gives (it opens its own database session); the latest request wins.

Columns are :class:`TableColumn` specs: each renders a cell from a row, has a fixed width or
takes the width left over, and optional columns show only when the terminal is wide enough
(:func:`fit_columns`); the layout is worked out again when the table is resized.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, Generic, Literal, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from cctui.widgets.keyset_window import (
    Direction,
    KeysetPage,
    KeysetWindow,
    PageKind,
    PageRequest,
)

R = TypeVar("R")
C = TypeVar("C")

Justify = Literal["left", "right"]

ELLIPSIS = "…"

WORKER_GROUP = "keyset-table-page"
"""The group of the worker reading pages (exclusive: a newer request replaces an older)."""


@dataclass(frozen=True)
class TableColumn(Generic[R]):
    """One column: its header, how wide it is and how a row's cell is drawn.

    ``width`` None makes it the flexible column, which takes the width the others leave
    (at least ``min_width``). ``priority`` None means always shown; otherwise the column
    shows only when there is room, lower priorities first.
    """

    key: str
    label: Text
    render: Callable[[R], Text]
    width: int | None = None
    justify: Justify = "left"
    priority: int | None = None
    min_width: int = 12


def fit_columns(columns: Sequence[TableColumn[R]], width: int) -> list[tuple[TableColumn[R], int]]:
    """The columns that fit in ``width`` cells, in their order, each with its width.

    Every column is one cell wider than its content for the gap to the next. Columns
    without a priority always show; optional ones are added, lowest priority first, while
    the flexible column keeps at least its ``min_width``.
    """

    def used(chosen: Sequence[TableColumn[R]]) -> int:
        return sum((column.width or column.min_width) + 1 for column in chosen)

    shown = [column for column in columns if column.priority is None]
    optional = sorted(
        (column for column in columns if column.priority is not None),
        key=lambda column: column.priority or 0,
    )
    for column in optional:
        if used([*shown, column]) <= width:
            shown.append(column)
        else:
            break
    order = {column.key: n for n, column in enumerate(columns)}
    shown.sort(key=lambda column: order[column.key])
    spare = max(width - used(shown), 0)
    fitted = []
    for column in shown:
        if column.width is None:
            fitted.append((column, column.min_width + 1 + spare))
            spare = 0
        else:
            fitted.append((column, column.width + 1))
    return fitted


def fit_cell(text: Text, width: int, justify: Justify) -> Text:
    """``text`` on one line in ``width`` cells: a leading gap, cut with an ellipsis."""
    inner = max(width - 1, 0)
    if text.spans:  # styled parts: let Rich cut and pad it
        cell = text.copy()
        cell.no_wrap = True
        if cell_len(cell.plain) > inner:
            cell.truncate(inner, overflow="ellipsis")
        cell.align(justify, inner)
        return Text(" ", end="") + cell
    # One style for the whole cell (nearly every cell): work on the string, it is faster.
    value = text.plain
    length = cell_len(value)
    if length > inner:
        value = set_cell_size(value, max(inner - 1, 0)) + ELLIPSIS if inner else ""
        length = cell_len(value)
    padding = " " * max(inner - length, 0)
    value = value + padding if justify == "left" else padding + value
    return Text(" " + value, style=text.style, end="", no_wrap=True)


class KeysetTable(DataTable[Text], Generic[R, C], inherit_bindings=False):
    """A row-cursor table over a keyset-paged list, holding a couple of pages at most.

    Call :meth:`set_columns` with the column specs and :meth:`show` with the function that
    reads a page (it runs in a thread); :meth:`reload` reads the loaded rows again keeping
    the cursor on the same row. :attr:`current_row` is the row under the cursor.

    Enter is left to the screen (its own "open" binding then shows in the footer): the
    table's bindings are only for moving.
    """

    DEFAULT_CSS = """
    KeysetTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "up",
            "cursor_up",
            "Row up",
            show=False,
            tooltip="Move to the row above (reading the page before when needed).",
            id="keyset-table.up",
        ),
        Binding(
            "down",
            "cursor_down",
            "Row down",
            show=False,
            tooltip="Move to the row below (reading the next page when needed).",
            id="keyset-table.down",
        ),
        Binding(
            "pageup",
            "page_up",
            "Page up",
            show=False,
            tooltip="Move one screenful up.",
            id="keyset-table.page-up",
        ),
        Binding(
            "pagedown",
            "page_down",
            "Page down",
            show=False,
            tooltip="Move one screenful down.",
            id="keyset-table.page-down",
        ),
        Binding(
            "left",
            "scroll_left",
            "Scroll left",
            show=False,
            tooltip="Scroll the columns left.",
            id="keyset-table.left",
        ),
        Binding(
            "right",
            "scroll_right",
            "Scroll right",
            show=False,
            tooltip="Scroll the columns right.",
            id="keyset-table.right",
        ),
        Binding(
            "home,ctrl+home",
            "first_page",
            "First row",
            show=False,
            tooltip="Go to the first row of the whole list.",
            id="keyset-table.first",
        ),
        Binding(
            "end,ctrl+end",
            "last_page",
            "Last row",
            show=False,
            tooltip="Go to the last row of the whole list.",
            id="keyset-table.last",
        ),
    ]

    class WindowChanged(Message):
        """The loaded rows changed (a page arrived, or the list was read again)."""

    def __init__(
        self,
        *,
        key: Callable[[R], Hashable],
        page_size: int = 100,
        max_pages: int = 2,
        margin: int = 20,
        worker_name: str = "read the list",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, cursor_type="row", cell_padding=0, zebra_stripes=False)
        self.window: KeysetWindow[R, C] = KeysetWindow(key, max_pages)
        self.page_size = page_size
        self.margin = margin
        self.worker_name = worker_name
        self._columns: Sequence[TableColumn[R]] = ()
        self._fitted: list[tuple[TableColumn[R], int]] = []
        self._fetch: Callable[[PageRequest[C]], KeysetPage[R, C]] | None = None
        self._pending: _Pending | None = None
        self._filling = False
        self._cells: dict[Hashable, list[Text]] = {}
        """The drawn cells of each loaded row, for the current layout."""
        self._window_fetch: Callable[[PageRequest[C]], KeysetPage[R, C]] | None = None
        """The ``fetch`` the loaded rows were read with."""
        self.loaded_once = False
        """True once the first page of the current list has arrived."""

    # ------------------------------------------------------------------ reading

    @property
    def current_row(self) -> R | None:
        """The row under the cursor, or None when the table is empty."""
        rows = self.window.rows
        index = self.cursor_row
        return rows[index] if 0 <= index < len(rows) else None

    @property
    def position(self) -> int | None:
        """The 0-based position of the cursor's row in the whole list, when known."""
        if not self.window.rows:
            return None
        return self.window.position(self.cursor_row)

    @property
    def shown_columns(self) -> list[str]:
        """The keys of the columns shown at the current width, left to right."""
        return [column.key for column, _ in self._fitted]

    @property
    def busy(self) -> bool:
        """True while a page is being read."""
        return self._pending is not None

    # ------------------------------------------------------------------ columns

    def set_columns(self, columns: Sequence[TableColumn[R]]) -> None:
        """Use these column specs (headers may change, e.g. to mark the sort column)."""
        self._columns = columns
        self._lay_out(force=True)

    def on_resize(self, event: events.Resize) -> None:
        """Fit the columns to the new width."""
        self._lay_out()

    def _available_width(self) -> int:
        width = self.size.width or self.app.size.width
        return max(width - self.styles.scrollbar_size_vertical, 20)

    def _lay_out(self, *, force: bool = False) -> None:
        fitted = fit_columns(self._columns, self._available_width())
        if not force and [(c.key, w) for c, w in fitted] == [(c.key, w) for c, w in self._fitted]:
            return
        self._fitted = fitted
        self._cells.clear()
        keep = self.window.key_at(self.cursor_row)
        scroll_gap = self.cursor_row - round(self.scroll_y)
        self.clear(columns=True)
        for column, width in fitted:
            self.add_column(
                fit_cell(column.label, width, column.justify), width=width, key=column.key
            )
        self._fill(keep, self.cursor_row, scroll_gap)

    # ------------------------------------------------------------------ loading

    def show(self, fetch: Callable[[PageRequest[C]], KeysetPage[R, C]]) -> None:
        """Show the list ``fetch`` reads, from its first row (a new query or order)."""
        self._fetch = fetch
        if not self.loaded_once:
            self.loading = True  # only the first time: a loading table cannot have the focus
        self._request(PageRequest(PageKind.FIRST, limit=self.page_size), "start")

    def set_total(self, total: int | None) -> None:
        """How many rows the whole list has (counted apart), for :attr:`position`."""
        self.window.set_total(total)
        self.post_message(self.WindowChanged())

    def reload(self) -> None:
        """Read the loaded rows again; the cursor stays on the same row where it can."""
        if self._fetch is None:
            return
        fetch = self._fetch
        if fetch is not self._window_fetch:  # the rows shown belong to an older list
            self._request(PageRequest(PageKind.FIRST, limit=self.page_size), "start")
            return
        before = self.window.before_cursor
        pages = max(self.window.page_count, 1)
        keep = self.window.key_at(self.cursor_row)
        self._start_worker(
            partial(_read_again, fetch, before, pages, self.page_size), "reload", keep
        )

    def _request(self, request: PageRequest[C], mode: str) -> None:
        if self._fetch is not None:
            self._start_worker(partial(self._fetch, request), mode, None)

    def _start_worker(self, work: Callable[[], object], mode: str, keep: Hashable | None) -> None:
        assert self._fetch is not None
        worker = self.run_worker(
            work,
            thread=True,
            exclusive=True,
            group=WORKER_GROUP,
            name=self.worker_name,
            exit_on_error=False,
        )
        self._pending = _Pending(worker, mode, keep, self._fetch)

    def _grow(self) -> None:
        """Read the next or previous page when the cursor nears an end of the loaded rows."""
        if self._pending is not None or self._fetch is None:
            return
        if self._fetch is not self._window_fetch:  # cursors of an older list would not fit
            return
        direction = self.window.wanted(self.cursor_row, self.margin)
        if direction is not None:
            mode = "after" if direction is Direction.AFTER else "before"
            self._request(self.window.request_for(direction, self.page_size), mode)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show a page that arrived; pass a failure on to the screen (the app reports it)."""
        worker = event.worker
        if worker.group != WORKER_GROUP:
            return
        event.stop()
        pending = self._pending
        if pending is None or pending.worker is not worker:
            return
        if event.state is WorkerState.SUCCESS:
            self._pending = None
            self._apply(pending, worker.result)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._pending = None
            self.loading = False
            if event.state is WorkerState.ERROR:
                self.screen.post_message(Worker.StateChanged(worker, event.state))

    def _apply(self, pending: _Pending, result: object) -> None:
        mode = pending.mode
        window = self.window
        old_index = self.cursor_row
        keep = window.key_at(old_index)
        scroll_gap = old_index - round(self.scroll_y)
        if mode in ("reload", "start", "first", "last"):
            self._cells.clear()  # the rows were read again: draw them again
        if mode == "reload":
            assert isinstance(result, list)
            window.replace(result)
            keep = pending.keep
        elif mode in ("start", "first", "last"):
            total = window.total if mode != "start" else None
            window.clear()
            window.total = total
            window.start(result, at_end=mode == "last")  # type: ignore[arg-type]
            keep = None
            old_index = len(window.rows) - 1 if mode == "last" else 0
            scroll_gap = self.scrollable_content_region.height if mode == "last" else 0
        elif mode == "after":
            window.add_after(result)  # type: ignore[arg-type]
        else:
            window.add_before(result)  # type: ignore[arg-type]
        self._window_fetch = pending.fetch
        self.loaded_once = True
        self.loading = False
        self._fill(keep, old_index, scroll_gap)
        self.post_message(self.WindowChanged())

    def _fill(self, keep: Hashable | None, fallback: int, scroll_gap: int) -> None:
        """Show the window's rows, the cursor on the row ``keep`` (else at ``fallback``)."""
        rows = self.window.rows
        self._forget_unloaded_cells()
        self._filling = True
        try:
            self.clear()
            if self._fitted:
                self.add_rows(self._cells_of(row) for row in rows)
            if not rows:
                return
            index = self.window.index_of(keep) if keep is not None else None
            if index is None:
                index = min(max(fallback, 0), len(rows) - 1)
            self.move_cursor(row=index, scroll=False)
        finally:
            self._filling = False
        self.call_after_refresh(self._place_view, index, scroll_gap)

    def _cells_of(self, row: R) -> list[Text]:
        """The cells of ``row`` in the current layout (drawn once while the row is loaded)."""
        key = self.window.key_of(row)
        cells = self._cells.get(key)
        if cells is None:
            cells = [
                fit_cell(column.render(row), width, column.justify)
                for column, width in self._fitted
            ]
            self._cells[key] = cells
        return cells

    def _forget_unloaded_cells(self) -> None:
        loaded = {self.window.key_of(row) for row in self.window.rows}
        for key in [key for key in self._cells if key not in loaded]:
            del self._cells[key]

    def _place_view(self, index: int, scroll_gap: int) -> None:
        height = max(self.scrollable_content_region.height - self.header_height, 1)
        gap = min(max(scroll_gap, 0), height - 1)
        self.scroll_to(y=max(index - gap, 0), animate=False, force=True)

    # ------------------------------------------------------------------ moving

    def watch_cursor_coordinate(self, old_coordinate: object, new_coordinate: object) -> None:
        """Keep loaded rows around the cursor as it moves."""
        super().watch_cursor_coordinate(old_coordinate, new_coordinate)  # type: ignore[arg-type]
        if self.window.rows and not self._filling:
            self._grow()

    def action_cursor_down(self) -> None:
        """One row down; at the last loaded row, read the next page first."""
        super().action_cursor_down()
        self._grow()

    def action_cursor_up(self) -> None:
        """One row up; at the first loaded row, read the previous page first."""
        super().action_cursor_up()
        self._grow()

    def action_first_page(self) -> None:
        """Go to the first row of the whole list (reading the first page if needed)."""
        if self.window.at_top:
            self.move_cursor(row=0)
            return
        self._request(PageRequest(PageKind.FIRST, limit=self.page_size), "first")

    def action_last_page(self) -> None:
        """Go to the last row of the whole list (reading the last page if needed)."""
        if self.window.at_bottom:
            self.move_cursor(row=max(self.row_count - 1, 0))
            return
        self._request(PageRequest(PageKind.LAST, limit=self.page_size), "last")


@dataclass(frozen=True)
class _Pending:
    """The page being read: its worker, what to do with it, the row to keep the cursor on."""

    worker: Worker[object]
    mode: str
    keep: Hashable | None
    fetch: Callable[[PageRequest[Any]], KeysetPage[Any, Any]]


def _read_again(
    fetch: Callable[[PageRequest[C]], KeysetPage[R, C]],
    before: C | None,
    pages: int,
    limit: int,
) -> list[KeysetPage[R, C]]:
    """Read ``pages`` pages from where the loaded rows start (runs in a thread)."""
    if before is None:
        first = fetch(PageRequest(PageKind.FIRST, limit=limit))
    else:
        edge = fetch(PageRequest(PageKind.BEFORE, before, limit=1))
        if edge.next_cursor is None:
            first = fetch(PageRequest(PageKind.FIRST, limit=limit))
        else:
            first = fetch(PageRequest(PageKind.AFTER, edge.next_cursor, limit=limit))
    read = [first]
    while len(read) < pages and read[-1].next_cursor is not None:
        read.append(fetch(PageRequest(PageKind.AFTER, read[-1].next_cursor, limit=limit)))
    return read
