"""The keyset table in a bare app (no database): pages spliced in as the cursor moves.

A page that arrives as the cursor moves must be added to the ``DataTable`` as it is, and the
page that falls out of the window removed, without clearing and filling the table again:
refilling a couple of hundred rows on the main thread is what made the key pressed as a page
arrived wait. These tests page a list of ints down and back up across many page boundaries
and check, at every stop, the rows the ``DataTable`` holds (order, no gaps, no duplicates,
never more than the window), the row under the cursor, the cursor's line on the screen,
that the rows kept were not rebuilt and that the next page was read ahead of the cursor.
"""

from __future__ import annotations

import bisect
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets.data_table import RowKey

from cctui.widgets.keyset_table import KeysetTable, TableColumn
from cctui.widgets.keyset_window import PageRequest
from tests.app_support import settle
from tests.test_keyset_window import Page, read

ITEMS = list(range(0, 4000, 10))
"""400 rows: eight pages of 50."""

PAGE_SIZE = 50
SIZE = (60, 12)
SCREEN = 11
"""Rows a screen shows at :data:`SIZE` (the header takes a line): 22 rows are read ahead."""


class TableApp(App[None]):
    """Nothing but a keyset table over :data:`ITEMS`, noting every page it was asked for."""

    def __init__(self, items: list[Any]) -> None:
        super().__init__()
        self.items = items
        self.requests: list[PageRequest[int]] = []

    def compose(self) -> ComposeResult:
        yield KeysetTable(key=lambda row: row, page_size=PAGE_SIZE, max_pages=2, margin=5)

    def on_mount(self) -> None:
        table = self.table
        table.set_columns(self.columns())
        table.focus()
        table.show(self.fetch)

    def columns(self) -> list[TableColumn[Any]]:
        """The row itself, then a name."""
        return [
            TableColumn("n", Text("N"), lambda row: Text(str(row)), 6, "right"),
            TableColumn("name", Text("Name"), lambda row: Text(f"row {row}")),
        ]

    @property
    def table(self) -> KeysetTable[Any, Any]:
        return self.query_one(KeysetTable)

    def fetch(self, request: PageRequest[Any]) -> Page:
        self.requests.append(request)
        return read(self.items, request)


def held(table: KeysetTable[Any, Any]) -> list[int]:
    """The rows the ``DataTable`` itself holds, top to bottom (read from its first cell)."""
    return [int(table.get_row(row.key)[0].plain) for row in table.ordered_rows]


def row_keys(table: KeysetTable[Any, Any]) -> dict[int, tuple[RowKey, list[Any]]]:
    """Each held row's ``DataTable`` key and cells, by the row."""
    keys = {}
    for row in table.ordered_rows:
        cells = table.get_row(row.key)
        keys[int(cells[0].plain)] = (row.key, cells)
    return keys


def check(table: KeysetTable[Any, Any], pages_of: int = PAGE_SIZE) -> None:
    """The table holds a run of the list, as the window says, the cursor on its row."""
    rows = held(table)
    assert rows == table.window.rows
    assert len(rows) <= 2 * pages_of
    first = ITEMS.index(rows[0])
    assert rows == ITEMS[first : first + len(rows)]  # in order, no gap, no duplicate
    current = table.current_row
    assert current is not None and current == rows[table.cursor_row]
    assert table.position == ITEMS.index(current)


class Watch:
    """Counts the table's full refills and checks that rows kept between two presses
    kept their ``DataTable`` row (same key, same cells: not rebuilt)."""

    def __init__(self, table: KeysetTable[Any, Any], monkeypatch: pytest.MonkeyPatch) -> None:
        self.table = table
        self.clears = 0
        self.pages_landed = 0
        clear = table.clear

        def counting_clear(*args: Any, **kwargs: Any) -> Any:
            self.clears += 1
            return clear(*args, **kwargs)

        monkeypatch.setattr(table, "clear", counting_clear)
        self.before = row_keys(table)

    def press_checked(self) -> None:
        after = row_keys(self.table)
        kept = self.before.keys() & after.keys()
        assert kept, "no row kept between two presses"
        for row in kept:
            assert after[row][0] is self.before[row][0], f"row {row} was added again"
            assert after[row][1] == self.before[row][1]
        if after.keys() != self.before.keys():
            self.pages_landed += 1
        self.before = after


async def press(pilot: Pilot[Any], key: str) -> None:
    await pilot.press(key)
    await settle(pilot)


async def test_paging_down_and_back_up_splices_pages_in(monkeypatch: pytest.MonkeyPatch) -> None:
    app = TableApp(ITEMS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        screen = SCREEN
        assert held(table) == ITEMS[:PAGE_SIZE]
        watch = Watch(table, monkeypatch)
        line = table.cursor_row - round(table.scroll_y)
        presses = 0
        while table.position is not None and table.position < len(ITEMS) - 1:
            position = table.position
            await press(pilot, "pagedown")
            presses += 1
            check(table)
            watch.press_checked()
            assert table.position == min(position + screen, len(ITEMS) - 1)
            if not table.window.at_bottom:
                # The cursor's line on the screen is kept, across a page landing too.
                assert table.cursor_row - round(table.scroll_y) == line
                # Read ahead: the next Page Down has its rows loaded already.
                assert len(table.window.rows) - 1 - table.cursor_row > screen
        assert presses == -(-(len(ITEMS) - 1) // screen)
        assert table.current_row == ITEMS[-1]
        pages = len(ITEMS) // PAGE_SIZE
        assert watch.pages_landed == pages - 1  # every page after the first
        line = table.cursor_row - round(table.scroll_y)
        while table.position:
            position = table.position
            await press(pilot, "pageup")
            check(table)
            watch.press_checked()
            assert table.position == max(position - screen, 0)
            if not table.window.at_top:
                assert table.cursor_row - round(table.scroll_y) == line
                assert table.cursor_row > screen
        assert table.current_row == ITEMS[0] and table.window.at_top
        assert (table.screen_rows, table.read_ahead, table.page_limit) == (SCREEN, 22, PAGE_SIZE)
        assert watch.pages_landed == 2 * pages - 3  # and back: every page but the last two
        assert watch.clears == 0  # never refilled


async def test_each_page_is_read_once_on_the_way_down(monkeypatch: pytest.MonkeyPatch) -> None:
    app = TableApp(ITEMS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        while not app.table.window.at_bottom or app.table.position != len(ITEMS) - 1:
            await press(pilot, "pagedown")
        cursors = [request.cursor for request in app.requests]
        assert len(cursors) == len(ITEMS) // PAGE_SIZE  # the first page and seven after it
        assert len(set(cursors)) == len(cursors)


async def test_end_then_up_across_a_boundary_and_home(monkeypatch: pytest.MonkeyPatch) -> None:
    app = TableApp(ITEMS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        await press(pilot, "end")
        assert table.current_row == ITEMS[-1]
        assert held(table) == ITEMS[-PAGE_SIZE:]
        table.set_total(len(ITEMS))
        watch = Watch(table, monkeypatch)
        for n in range(1, 8):  # from a one-page window: the page before is put on top
            await press(pilot, "pageup")
            check(table)
            watch.press_checked()
            assert table.current_row == ITEMS[-1 - 11 * n]
            assert table.cursor_row - round(table.scroll_y) == 10  # the last line
        assert watch.pages_landed >= 1 and watch.clears == 0
        assert len(held(table)) == 2 * PAGE_SIZE
        await press(pilot, "home")
        assert table.current_row == ITEMS[0] and held(table) == ITEMS[:PAGE_SIZE]
        assert table.scroll_y == 0


async def test_a_page_whose_rows_moved_is_shown_by_refilling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A row read again in another place (the list changed between two reads) cannot be
    spliced in: the table is filled again, each row once, the cursor on the same row."""
    items = [(n * 10, n) for n in range(len(ITEMS))]  # (sort key, identity)
    app = TupleApp(items)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        await press(pilot, "end")
        assert held(table) == list(range(350, 400))
        watch = Watch(table, monkeypatch)
        items.remove((3600, 360))  # row 360 moves up, out of the loaded rows
        bisect.insort(items, (3455, 360))
        for _ in range(3):  # 49, 38, 27, 16: within the read-ahead of the top
            await press(pilot, "pageup")
        assert len(app.requests) == 3  # the first, the last and the one before it
        assert held(table) == list(range(350, 400))  # shown when the cursor next moves
        await press(pilot, "up")
        assert watch.clears == 1  # refilled
        rows = held(table)
        assert rows == [row[1] for row in table.window.rows]
        assert len(rows) == len(set(rows)) == 2 * PAGE_SIZE - 1  # 360 once, where it is now
        assert rows[rows.index(345) : rows.index(345) + 3] == [345, 360, 346]
        assert table.current_row == (3650, 365)
        assert table.cursor_row - round(table.scroll_y) == 9  # one line up


class TupleApp(TableApp):
    """A keyset table over (sort key, identity) rows, the identity shown first."""

    def compose(self) -> ComposeResult:
        yield KeysetTable(key=lambda row: row[1], page_size=PAGE_SIZE, max_pages=2, margin=5)

    def columns(self) -> list[TableColumn[Any]]:
        """The identity, then the sort key."""
        return [
            TableColumn("n", Text("N"), lambda row: Text(str(row[1])), 6, "right"),
            TableColumn("sort", Text("Sort"), lambda row: Text(str(row[0]))),
        ]


async def test_a_tall_screen_reads_bigger_pages() -> None:
    """39 rows a screen: 78 rows read ahead, which two pages of 50 could not keep both ways;
    pages of 158 rows can, and paging down to the end still reads each page once."""
    app = TableApp(ITEMS)
    async with app.run_test(size=(60, 40)) as pilot:
        await settle(pilot)
        table = app.table
        assert (table.screen_rows, table.read_ahead, table.page_limit) == (39, 78, 158)
        while table.position != len(ITEMS) - 1:
            position = table.position
            assert position is not None
            await press(pilot, "pagedown")
            check(table, pages_of=158)
            assert table.position == min(position + 39, len(ITEMS) - 1)
        # The first page was asked for before the table was laid out: ``page_size``.
        assert [request.limit for request in app.requests] == [PAGE_SIZE, 158, 158, 158]
        assert len({request.cursor for request in app.requests}) == 4


async def test_a_page_read_ahead_is_dropped_when_the_cursor_goes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Home before the page read ahead was spliced in: it is not spliced in (it would drop
    the first page, around the cursor, and make Home read it again); it is read again when
    the cursor comes back near the end."""
    app = TableApp(ITEMS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        for _ in range(7):  # 77: the third page is read ahead, waiting to be spliced in
            await press(pilot, "pagedown")
        assert table.current_row == ITEMS[77] and len(app.requests) == 3
        assert held(table) == ITEMS[: 2 * PAGE_SIZE]
        watch = Watch(table, monkeypatch)
        await press(pilot, "home")
        assert table.current_row == ITEMS[0] and held(table) == ITEMS[: 2 * PAGE_SIZE]
        assert len(app.requests) == 3 and watch.clears == 0
        for _ in range(8):
            await press(pilot, "pagedown")
            check(table)
        assert table.current_row == ITEMS[88] and len(app.requests) == 4
        assert held(table) == ITEMS[PAGE_SIZE : 3 * PAGE_SIZE] and watch.clears == 0
