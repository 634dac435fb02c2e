"""The keyset table's windowing, without Textual: which pages are loaded, where they sit."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rich.text import Text

from cctui.widgets.keyset_table import TableColumn, fit_cell, fit_columns
from cctui.widgets.keyset_window import (
    Direction,
    KeysetWindow,
    PageKind,
    PageRequest,
)


@dataclass(frozen=True)
class Page:
    """A page of a list of ints, with the same cursor rules as the debtor queue."""

    rows: tuple[int, ...]
    next_cursor: int | None
    prev_cursor: int | None


def read(items: list[int], request: PageRequest[int]) -> Page:
    """The keyset page of ``items`` (sorted, unique) that ``request`` asks for."""
    limit = request.limit
    if request.kind is PageKind.FIRST:
        rows = items[:limit]
        more = len(items) > limit
        return Page(tuple(rows), rows[-1] if more else None, None)
    if request.kind is PageKind.LAST:
        rows = items[-limit:]
        more = len(items) > limit
        return Page(tuple(rows), None, rows[0] if more else None)
    assert request.cursor is not None
    if request.kind is PageKind.AFTER:
        after = [item for item in items if item > request.cursor]
        rows = after[:limit]
        more = len(after) > limit
        return Page(tuple(rows), rows[-1] if rows and more else None, rows[0] if rows else None)
    before = [item for item in items if item < request.cursor]
    rows = before[-limit:]
    more = len(before) > limit
    return Page(tuple(rows), rows[-1] if rows else None, rows[0] if rows and more else None)


ITEMS = list(range(0, 2500, 10))  # 250 rows


def grow(window: KeysetWindow[int, int], index: int, margin: int, limit: int) -> int:
    """Read what the window wants around ``index``; return the same row's new index."""
    direction = window.wanted(index, margin)
    if direction is None:
        return index
    row = window.rows[index]
    page = read(ITEMS, window.request_for(direction, limit))
    if direction is Direction.AFTER:
        window.add_after(page)
    else:
        window.add_before(page)
    found = window.index_of(row)
    assert found is not None
    return found


def test_walking_down_and_up_the_whole_list_keeps_at_most_two_pages() -> None:
    window: KeysetWindow[int, int] = KeysetWindow(lambda row: row, max_pages=2)
    window.start(read(ITEMS, PageRequest(PageKind.FIRST, limit=40)))
    assert window.at_top and not window.at_bottom and window.offset == 0
    index = 0
    seen = []
    while True:
        index = grow(window, index, margin=5, limit=40)
        assert len(window.rows) <= 80
        row = window.rows[index]
        seen.append(row)
        assert window.position(index) == ITEMS.index(row)
        if index + 1 >= len(window.rows):
            break
        index += 1
    assert seen == ITEMS
    assert window.at_bottom and not window.at_top
    back = []
    while True:
        index = grow(window, index, margin=5, limit=40)
        assert len(window.rows) <= 80
        row = window.rows[index]
        back.append(row)
        assert window.position(index) == ITEMS.index(row)
        if index == 0:
            break
        index -= 1
    assert back == ITEMS[::-1]
    assert window.at_top and window.offset == 0


def test_a_margin_too_big_for_the_window_is_cut_so_a_page_never_bounces_back() -> None:
    """Pages of 40 rows, two at most, asked to keep 60 rows read ahead: the window cuts the
    margin to 19 rows once full, so the page read one way never makes it want the dropped
    page back the other way, and the row under the cursor is never dropped."""
    window: KeysetWindow[int, int] = KeysetWindow(lambda row: row, max_pages=2)
    window.start(read(ITEMS, PageRequest(PageKind.FIRST, limit=40)))
    assert window.usable_margin(Direction.AFTER, 60) == 60  # one page: nothing is dropped
    index = 0
    seen = []
    for step in (1, -1):
        while True:
            wanted = window.wanted(index, 60)
            index = grow(window, index, margin=60, limit=40)
            if wanted is not None:  # read: nothing is wanted back the other way
                assert window.wanted(index, 60) in (None, wanted)
            if len(window.rows) == 80:  # two full pages
                assert window.usable_margin(Direction.AFTER, 60) == (40 - 2) // 2
                assert window.usable_margin(Direction.BEFORE, 60) == (40 - 2) // 2
            seen.append(window.rows[index])
            if not 0 <= index + step < len(window.rows):
                break
            index += step
    assert seen == ITEMS + ITEMS[::-1]


def test_page_size_for_a_margin() -> None:
    window: KeysetWindow[int, int] = KeysetWindow(lambda row: row, max_pages=2)
    assert window.page_size_for(36) == 74  # two pages of 74: 36 rows kept ahead both ways
    assert window.page_size_for(49) == 100
    assert window.usable_margin(Direction.AFTER, 10) == 10  # nothing loaded
    assert KeysetWindow(lambda row: row, max_pages=3).page_size_for(36) == 37


def test_the_last_page_is_placed_by_the_total() -> None:
    window: KeysetWindow[int, int] = KeysetWindow(lambda row: row)
    window.start(read(ITEMS, PageRequest(PageKind.LAST, limit=40)), at_end=True)
    assert window.offset is None and window.at_bottom and not window.at_top
    window.set_total(len(ITEMS))
    assert window.offset == len(ITEMS) - 40
    assert window.position(39) == len(ITEMS) - 1
    window.add_before(read(ITEMS, window.request_for(Direction.BEFORE, 40)))
    assert window.offset == len(ITEMS) - 80
    assert window.rows == ITEMS[-80:]


def test_an_empty_page_marks_the_end() -> None:
    window: KeysetWindow[int, int] = KeysetWindow(lambda row: row)
    window.start(Page((1, 2), 2, None))
    assert window.wanted(1, 0) is Direction.AFTER
    window.add_after(Page((), None, None))
    assert window.at_bottom and window.rows == [1, 2]
    assert window.wanted(1, 0) is None


def test_a_row_read_twice_is_shown_once() -> None:
    window: KeysetWindow[int, int] = KeysetWindow(lambda row: row, max_pages=3)
    window.start(Page((1, 2, 3), 3, None))
    window.add_after(Page((3, 4), 4, 3))  # 3 moved while the user scrolled
    assert window.rows == [1, 2, 3, 4]
    assert window.index_of(4) == 3 and window.key_at(3) == 4 and window.key_at(9) is None


def test_replace_keeps_the_offset_unless_back_at_the_top() -> None:
    window: KeysetWindow[int, int] = KeysetWindow(lambda row: row)
    window.start(read(ITEMS, PageRequest(PageKind.FIRST, limit=40)))
    window.add_after(read(ITEMS, window.request_for(Direction.AFTER, 40)))
    window.add_after(read(ITEMS, window.request_for(Direction.AFTER, 40)))
    assert window.offset == 40 and window.page_count == 2
    window.replace([Page(tuple(ITEMS[40:80]), 790, 400), Page(tuple(ITEMS[80:120]), 1190, 800)])
    assert window.offset == 40 and window.rows == ITEMS[40:120]
    window.replace([Page(tuple(ITEMS[:40]), 390, None)])
    assert window.offset == 0 and window.at_top


def test_a_window_needs_a_page() -> None:
    with pytest.raises(ValueError, match="at least one page"):
        KeysetWindow(lambda row: row, max_pages=0)


def _column(key: str, width: int | None, priority: int | None = None) -> TableColumn[int]:
    return TableColumn(key, Text(key), lambda row: Text(str(row)), width, priority=priority)


def test_fit_columns_gives_the_rest_to_the_flexible_column_and_adds_optional_ones() -> None:
    columns = [
        _column("a", 5),
        _column("name", None),
        _column("b", 10, priority=2),
        _column("c", 4, priority=1),
    ]
    narrow = fit_columns(columns, 20)  # a (5+1) and name (at least 12+1): no room for c
    assert [(column.key, width) for column, width in narrow] == [("a", 6), ("name", 14)]
    wide = fit_columns(columns, 60)
    assert [column.key for column, _ in wide] == ["a", "name", "b", "c"]
    assert sum(width for _, width in wide) == 60
    middle = fit_columns(columns, 30)  # c (priority 1) fits, b does not
    assert [(column.key, width) for column, width in middle] == [("a", 6), ("name", 19), ("c", 5)]


def test_fit_cell_cuts_long_text_and_aligns() -> None:
    assert fit_cell(Text("x" * 50), 10, "left").plain == " xxxxxxxx…"
    assert fit_cell(Text("12.50"), 10, "right").plain == "     12.50"
    assert fit_cell(Text("[bold]"), 10, "left").plain == " [bold]   "
