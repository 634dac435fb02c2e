"""A table over a list too long to load: pages are read as the cursor moves.

:class:`KeysetTable` is a ``DataTable`` that shows a :class:`KeysetWindow` of a keyset-paged
list (a couple of pages at most, never the whole list). Moving the cursor within a couple
of screens of the last loaded row reads the next page, of the first the previous one, so the
read is normally done before the cursor gets there; Home and End read the first and the last
page. Pages are read in a thread worker by a ``fetch`` function the screen gives (it opens
its own database session); the latest request wins.

A page read ahead is spliced in: its rows are added at the end (or the start) of the table
and the rows of the page that falls out of the window are removed, the rows kept are left
as they are, and the cursor stays on the same row at the same place on the screen. Only a
new list (a new query or order, Home, End) or a reload shows every row again. A page read
ahead changes nothing on the screen (the rows the cursor is on stay where they are), so it
is spliced in when the cursor next moves, as part of that move: the page arriving draws no
frame of its own, and a key pressed just then does not wait for it. Only when the cursor is
already within a screenful of that end (the user outran the read) is it spliced in at once.

Columns are :class:`TableColumn` specs: each renders a cell from a row, has a fixed width or
takes the width left over, and optional columns show only when the terminal is wide enough
(:func:`fit_columns`); the layout is worked out again when the table is resized.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, Generic, Literal, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import events
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import Row, RowKey
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

READ_AHEAD_SCREENS = 2
"""The next page is read when the cursor is this many screenfuls from the last loaded row
(the previous one likewise from the first), so it is there before the cursor is."""


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


def draw_cells(row: R, fitted: Sequence[tuple[TableColumn[R], int]]) -> list[Text]:
    """The cells of ``row`` in the layout ``fitted`` (pure: safe to run in a thread)."""
    return [fit_cell(column.render(row), width, column.justify) for column, width in fitted]


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

    ``margin`` is the fewest rows read ahead of the cursor; the table reads
    :data:`READ_AHEAD_SCREENS` screenfuls ahead when that is more, and reads pages of more
    than ``page_size`` rows when the screen is so tall that the window could not otherwise
    hold that much read ahead both ways.

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
        self._row_keys: dict[Hashable, RowKey] = {}
        """The ``DataTable`` row key of each loaded row, by the row's identity."""
        self._arrived: tuple[_Pending, _Drawn] | None = None
        """A page read ahead that arrived and waits for the cursor's next move."""
        self._read_ahead_due = False
        """True while a read ahead waits for the frame being drawn to be on the screen."""
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

    @property
    def _header_lines(self) -> int:
        """Lines the column header takes (none when it is hidden)."""
        return self.header_height if self.show_header else 0

    @property
    def screen_rows(self) -> int:
        """How many rows one screenful shows (at least 1)."""
        return max(self.scrollable_content_region.height - self._header_lines, 1)

    @property
    def read_ahead(self) -> int:
        """How many rows ahead of the cursor the next page is read: ``margin`` at least,
        :data:`READ_AHEAD_SCREENS` screenfuls when that is more."""
        return max(self.margin, READ_AHEAD_SCREENS * self.screen_rows)

    @property
    def page_limit(self) -> int:
        """Rows read per page: ``page_size``, or more on a screen so tall that the window
        could not otherwise keep :attr:`read_ahead` rows loaded both ways."""
        return max(self.page_size, self.window.page_size_for(self.read_ahead))

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
        self._request(PageRequest(PageKind.FIRST, limit=self.page_limit), "start")

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
            self._request(PageRequest(PageKind.FIRST, limit=self.page_limit), "start")
            return
        before = self.window.before_cursor
        pages = max(self.window.page_count, 1)
        keep = self.window.key_at(self.cursor_row)
        self._start_worker(
            partial(_read_again, fetch, before, pages, self.page_limit), "reload", keep
        )

    def _request(self, request: PageRequest[C], mode: str) -> None:
        if self._fetch is not None:
            self._start_worker(partial(self._fetch, request), mode, None)

    def _start_worker(self, read: Callable[[], object], mode: str, keep: Hashable | None) -> None:
        """Read in a thread, drawing the cells of the rows read there too (for the current
        layout): the main thread then only has to add them."""
        assert self._fetch is not None
        self._arrived = None  # a newer read replaces the page read ahead
        worker = self.run_worker(
            partial(_read_and_draw, read, self._fitted, self.window.key_of),
            thread=True,
            exclusive=True,
            group=WORKER_GROUP,
            name=self.worker_name,
            exit_on_error=False,
        )
        self._pending = _Pending(worker, mode, keep, self._fetch)

    def _grow(self, *, now: bool = False) -> None:
        """Read the next or previous page when the cursor nears an end of the loaded rows.

        A page read ahead is started once the frame being drawn is on the screen (``now``
        then): the thread reading it would otherwise slow that frame down. It starts at
        once when the cursor is within a screenful of that end.
        """
        if self._pending is not None or self._fetch is None:
            return
        if self._take_arrived():
            return  # and it read further if still wanted
        if self._fetch is not self._window_fetch:  # cursors of an older list would not fit
            return
        direction = self.window.wanted(self.cursor_row, self.read_ahead)
        if direction is None:
            return
        mode = "after" if direction is Direction.AFTER else "before"
        if now or self._waited_for(mode):
            self._request(self.window.request_for(direction, self.page_limit), mode)
        elif not self._read_ahead_due:
            self._read_ahead_due = True
            self.call_after_refresh(self._read_ahead)

    def _read_ahead(self) -> None:
        """Start the read ahead :meth:`_grow` put off (if it is still wanted)."""
        self._read_ahead_due = False
        self._grow(now=True)

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
            drawn = worker.result
            assert isinstance(drawn, _Drawn)
            if _reads_ahead(pending.mode) and not self._waited_for(pending.mode):
                self._arrived = (pending, drawn)
            else:
                self._land(pending, drawn)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._pending = None
            self.loading = False
            if event.state is WorkerState.ERROR:
                self.screen.post_message(Worker.StateChanged(worker, event.state))

    def _waited_for(self, mode: str) -> bool:
        """True when the cursor is within a screenful of the end a page was read for."""
        rows = len(self.window.rows)
        if mode == "after":
            return rows - 1 - self.cursor_row <= self.screen_rows
        return self.cursor_row <= self.screen_rows

    def _take_arrived(self) -> bool:
        """Splice in the page read ahead that arrived since the cursor last moved, if any;
        True if one was.

        It is dropped instead when the cursor has gone back since it was asked for (the
        page would drop rows around the cursor); it is read again if wanted again.
        """
        if self._arrived is None:
            return False
        pending, drawn = self._arrived
        self._arrived = None
        wanted = self.window.wanted(self.cursor_row, self.read_ahead)
        if wanted is None or (wanted is Direction.AFTER) != (pending.mode == "after"):
            return False
        self._land(pending, drawn)
        return True

    def _land(self, pending: _Pending, drawn: _Drawn) -> None:
        """Show what a worker read, with the cells it drew when the layout is still the
        same."""
        if not _reads_ahead(pending.mode):
            self._cells.clear()  # the rows were read again: draw them again
        if drawn.fitted is self._fitted:  # else the layout changed while it was read
            for key, cells in drawn.cells.items():
                self._cells.setdefault(key, cells)
        self._apply(pending, drawn.result)

    def _apply(self, pending: _Pending, result: object) -> None:
        mode = pending.mode
        window = self.window
        old_index = self.cursor_row
        keep = window.key_at(old_index)
        scroll_gap = old_index - round(self.scroll_y)
        shown = [window.key_of(row) for row in window.rows]
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
        if not _reads_ahead(mode) or not self._splice(shown, keep, old_index):
            self._fill(keep, old_index, scroll_gap)
        self.post_message(self.WindowChanged())
        self._grow()  # the cursor may have gone on past the read-ahead while it was read

    def _fill(self, keep: Hashable | None, fallback: int, scroll_gap: int) -> None:
        """Show the window's rows, the cursor on the row ``keep`` (else at ``fallback``)."""
        rows = self.window.rows
        self._forget_unloaded_cells()
        self._filling = True
        try:
            self.clear()
            self._row_keys.clear()
            if self._fitted:
                added = self._add_rows(rows)
                self._set_rows(list(added), added, ())
            if not rows:
                return
            index = self.window.index_of(keep) if keep is not None else None
            if index is None:
                index = min(max(fallback, 0), len(rows) - 1)
            self.move_cursor(row=index, scroll=False)
        finally:
            self._filling = False
        self.call_after_refresh(self._place_view, index, scroll_gap)

    def _splice(self, shown: list[Hashable], keep: Hashable | None, old_index: int) -> bool:
        """Show a page that arrived by adding its rows and removing the rows dropped.

        ``shown`` are the identities of the rows the table showed before the page was added
        to the window, ``keep`` the row under the cursor then (at ``old_index``). The rows
        both show stay untouched; the cursor stays on ``keep`` and on the same line of the
        screen. Returns False, changing nothing, when the rows kept are not one run in
        the same order before and after (a row moved between two reads): the caller then
        fills the table again.
        """
        window = self.window
        rows = window.rows
        if not self._fitted or not rows or len(shown) != self.row_count:
            return False
        keys = [window.key_of(row) for row in rows]
        now = set(keys)
        kept = [key for key in shown if key in now]
        if not kept or any(key not in self._row_keys for key in shown):
            return False
        was_at = shown.index(kept[0])
        now_at = keys.index(kept[0])
        end = now_at + len(kept)
        if shown[was_at : was_at + len(kept)] != kept or keys[now_at:end] != kept:
            return False
        dropped = shown[:was_at] + shown[was_at + len(kept) :]
        index = {key: n for n, key in enumerate(keys)}.get(keep) if keep is not None else None
        if index is None:
            index = min(max(old_index - was_at + now_at, 0), len(rows) - 1)
        scroll_y = self.scroll_y - was_at + now_at
        self._filling = True
        try:
            front = self._add_rows(rows[:now_at])
            back = self._add_rows(rows[end:])
            self._set_rows(
                [*front, *(self._row_keys[key] for key in kept), *back],
                {**front, **back},
                [self._row_keys.pop(key) for key in dropped],
            )
            self._forget_unloaded_cells()
            # Set now (the table would only on idle) so the scroll below is not cut short.
            self.virtual_size = Size(self.virtual_size.width, self.row_count + self._header_lines)
            self.move_cursor(row=index, scroll=False)
            self.scroll_to(y=scroll_y, animate=False, force=True, immediate=True)
        finally:
            self._filling = False
        return True

    def _add_rows(self, rows: Sequence[R]) -> dict[RowKey, list[Text]]:
        """A new ``DataTable`` row key for each of ``rows`` (noted), with its cells."""
        added = {}
        for row in rows:
            row_key = self._row_keys[self.window.key_of(row)] = RowKey()
            added[row_key] = self._cells_of(row)
        return added

    def _set_rows(
        self,
        order: list[RowKey],
        added: Mapping[RowKey, list[Text]],
        removed: Iterable[RowKey],
    ) -> None:
        """Add the rows ``added``, remove the rows ``removed``, and put them in ``order``.

        ``DataTable`` cannot put a row above others, its ``remove_row`` renumbers every row
        for each row removed, and its ``add_row`` sets the cursor again for each row (which
        runs every cursor watcher, the screen's status line too, once per row). This does
        it all at once on the bookkeeping those methods and ``sort`` keep (textual is
        pinned). The rows are not queued to be measured: every column has a fixed width
        and every row is one line, so measuring their cells would change nothing.
        """
        columns = [column.key for column in self.ordered_columns]
        for row_key in removed:
            del self.rows[row_key]
            del self._data[row_key]
            self._new_rows.discard(row_key)
        for row_key, cells in added.items():
            self._data[row_key] = dict(zip(columns, cells, strict=True))
            self.rows[row_key] = Row(row_key, 1)
        self._row_locations = TwoWayDict({row_key: n for n, row_key in enumerate(order)})
        self._update_count += 1
        self._require_update_dimensions = True  # the virtual size, on idle
        self.check_idle()
        self.refresh()

    def _cells_of(self, row: R) -> list[Text]:
        """The cells of ``row`` in the current layout (drawn once while the row is loaded)."""
        key = self.window.key_of(row)
        cells = self._cells.get(key)
        if cells is None:
            cells = self._cells[key] = draw_cells(row, self._fitted)
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
        self._take_arrived()
        super().action_cursor_down()
        self._grow()

    def action_cursor_up(self) -> None:
        """One row up; at the first loaded row, read the previous page first."""
        self._take_arrived()
        super().action_cursor_up()
        self._grow()

    def action_page_down(self) -> None:
        """One screenful down, the view moving with the cursor."""
        self._page(1)

    def action_page_up(self) -> None:
        """One screenful up, the view moving with the cursor."""
        self._page(-1)

    def _page(self, step: int) -> None:
        """Move the cursor and the view one screenful, together.

        ``DataTable`` puts the scroll off until after the next refresh, to a position worked
        out when the key was pressed: a page spliced in meanwhile (which moves every row
        kept up or down) would then scroll the view to the wrong rows. Here the view
        scrolls at once. Every row here is one line high.
        """
        self._take_arrived()
        self._set_hover_cursor(False)
        if not self.row_count:
            return
        height = self.screen_rows
        row = min(max(self.cursor_row + step * height, 0), self.row_count - 1)
        self.scroll_to(y=self.scroll_y + step * height, animate=False, force=True, immediate=True)
        self.move_cursor(row=row, scroll=False)

    def action_first_page(self) -> None:
        """Go to the first row of the whole list (reading the first page if needed)."""
        if self.window.at_top:
            self.move_cursor(row=0)
            return
        self._request(PageRequest(PageKind.FIRST, limit=self.page_limit), "first")

    def action_last_page(self) -> None:
        """Go to the last row of the whole list (reading the last page if needed)."""
        if self.window.at_bottom:
            self.move_cursor(row=max(self.row_count - 1, 0))
            return
        self._request(PageRequest(PageKind.LAST, limit=self.page_limit), "last")


@dataclass(frozen=True)
class _Pending:
    """The page being read: its worker, what to do with it, the row to keep the cursor on."""

    worker: Worker[_Drawn]
    mode: str
    keep: Hashable | None
    fetch: Callable[[PageRequest[Any]], KeysetPage[Any, Any]]


def _reads_ahead(mode: str) -> bool:
    """True for a page read ahead of the rows shown ("after" or "before"), which is spliced
    in; every other read ("start", "reload", "first", "last") replaces every row shown, and
    its cells are drawn again."""
    return mode in ("after", "before")


@dataclass(frozen=True)
class _Drawn:
    """What a worker read, and the cells of its rows drawn for the layout ``fitted``."""

    result: object
    fitted: list[tuple[TableColumn[Any], int]]
    cells: dict[Hashable, list[Text]]


def _read_and_draw(
    read: Callable[[], object],
    fitted: list[tuple[TableColumn[Any], int]],
    key: Callable[[Any], Hashable],
) -> _Drawn:
    """Read (a page, or pages) and draw the cells of the rows read (runs in a thread)."""
    result = read()
    pages: list[Any] = result if isinstance(result, list) else [result]
    cells: dict[Hashable, list[Text]] = {}
    for page in pages:
        for row in page.rows:
            cells.setdefault(key(row), draw_cells(row, fitted))
    return _Drawn(result, fitted, cells)


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
