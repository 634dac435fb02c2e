"""Which rows of a long keyset-paged list are loaded, and where they sit in the whole list.

A list of thousands of rows is never loaded whole: :class:`KeysetWindow` holds at most
``max_pages`` consecutive pages, each with the keyset cursors at its two ends (the domain's
``QueuePage`` shape: ``rows``, ``next_cursor``, ``prev_cursor``). Adding a page after the
last one drops pages from the front, adding one before the first drops pages from the end,
so the window stays small however far the user scrolls. It knows nothing of Textual: the
table widget (:mod:`cctui.widgets.keyset_table`) asks it what to fetch and shows its rows.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

R = TypeVar("R")
C = TypeVar("C")
R_co = TypeVar("R_co", covariant=True)
C_co = TypeVar("C_co", covariant=True)


class KeysetPage(Protocol[R_co, C_co]):
    """A page as keyset services return it (``cctui.domain.queue.QueuePage`` is one)."""

    @property
    def rows(self) -> Sequence[R_co]:
        """The page's rows in list order."""
        ...

    @property
    def next_cursor(self) -> C_co | None:
        """Where the next page starts (the last row's position); None at the end."""
        ...

    @property
    def prev_cursor(self) -> C_co | None:
        """Where the previous page ends (the first row's position); None at the start."""
        ...


class PageKind(enum.Enum):
    """Which page to read."""

    FIRST = "first"
    LAST = "last"
    AFTER = "after"
    BEFORE = "before"


@dataclass(frozen=True)
class PageRequest(Generic[C]):
    """One page to read: the first, the last, or the one after/before ``cursor``."""

    kind: PageKind
    cursor: C | None = None
    limit: int = 100


class Direction(enum.Enum):
    """Which way the window should grow to keep rows around the cursor."""

    AFTER = "after"
    BEFORE = "before"


@dataclass(frozen=True)
class _Loaded(Generic[R, C]):
    rows: tuple[R, ...]
    before: C | None
    after: C | None


class KeysetWindow(Generic[R, C]):
    """Up to ``max_pages`` consecutive pages of a keyset-paged list.

    ``key`` gives a row's identity: a row that shows up twice (the list changed between two
    reads) is shown once. ``offset`` is the position of the first loaded row in the whole
    list when it is known (from the top, or from ``total`` at the bottom), else None.
    """

    def __init__(self, key: Callable[[R], Hashable], max_pages: int = 2) -> None:
        if max_pages < 1:
            raise ValueError("A window holds at least one page.")
        self._key = key
        self.max_pages = max_pages
        self._pages: list[_Loaded[R, C]] = []
        self._rows: list[R] = []
        self.offset: int | None = None
        self.total: int | None = None

    # ------------------------------------------------------------------ reading

    @property
    def rows(self) -> list[R]:
        """Every loaded row in list order, each row once."""
        return self._rows

    @property
    def page_count(self) -> int:
        """How many pages are loaded."""
        return len(self._pages)

    @property
    def before_cursor(self) -> C | None:
        """The cursor to read the page before the first loaded row; None at the top."""
        return self._pages[0].before if self._pages else None

    @property
    def after_cursor(self) -> C | None:
        """The cursor to read the page after the last loaded row; None at the bottom."""
        return self._pages[-1].after if self._pages else None

    @property
    def at_top(self) -> bool:
        """True when the first loaded row is the first of the list."""
        return not self._pages or self._pages[0].before is None

    @property
    def at_bottom(self) -> bool:
        """True when the last loaded row is the last of the list."""
        return not self._pages or self._pages[-1].after is None

    def index_of(self, key: Hashable) -> int | None:
        """Where the row with identity ``key`` is among :attr:`rows`, or None."""
        for index, row in enumerate(self._rows):
            if self._key(row) == key:
                return index
        return None

    def key_of(self, row: R) -> Hashable:
        """The identity of ``row``."""
        return self._key(row)

    def key_at(self, index: int) -> Hashable | None:
        """The identity of the row at ``index`` of :attr:`rows`, or None outside them."""
        if 0 <= index < len(self._rows):
            return self._key(self._rows[index])
        return None

    def position(self, index: int) -> int | None:
        """The 0-based position in the whole list of the loaded row at ``index``, if known."""
        return None if self.offset is None else self.offset + index

    def wanted(self, index: int, margin: int) -> Direction | None:
        """Which page to read so the row at ``index`` keeps ``margin`` loaded rows around it.

        The margin is cut to what the window can hold (:meth:`usable_margin`), so a page
        read one way never leaves the row at ``index`` so close to the other end that a
        page is wanted back the other way.
        """
        if not self._pages:
            return None
        if not self.at_bottom and index >= len(self._rows) - 1 - self.usable_margin(
            Direction.AFTER, margin
        ):
            return Direction.AFTER
        if not self.at_top and index <= self.usable_margin(Direction.BEFORE, margin):
            return Direction.BEFORE
        return None

    def usable_margin(self, direction: Direction, margin: int) -> int:
        """``margin``, cut so that reading a page in ``direction`` cannot bounce back.

        A full window drops the page at the far end when a page is added: reading after
        the last row drops the first page. For the row that asked for the page to stay
        more than the margin away from the new first row (and so not ask for the dropped
        page again), the margin may be at most ``(rows - dropped - 2) // 2``; the same
        holds the other way round. A window that is not full drops nothing.
        """
        if len(self._pages) < self.max_pages:
            return margin
        dropped = self._pages[0] if direction is Direction.AFTER else self._pages[-1]
        kept = len(self._rows) - len(dropped.rows)
        return max(min(margin, (kept - 2) // 2), 0)

    def page_size_for(self, margin: int) -> int:
        """The fewest rows a page needs for a full window of such pages to keep ``margin``
        rows read ahead both ways (see :meth:`usable_margin`)."""
        if self.max_pages < 2:
            return margin + 1
        return -(-(2 * margin + 2) // (self.max_pages - 1))

    def request_for(self, direction: Direction, limit: int) -> PageRequest[C]:
        """The request reading the next page in ``direction``."""
        if direction is Direction.AFTER:
            return PageRequest(PageKind.AFTER, self.after_cursor, limit)
        return PageRequest(PageKind.BEFORE, self.before_cursor, limit)

    # ------------------------------------------------------------------ changing

    def start(self, page: KeysetPage[R, C], *, at_end: bool = False) -> None:
        """Show ``page`` alone: the first page, or (``at_end``) the last one."""
        self._pages = [_loaded(page)]
        self._refresh_rows()
        if not at_end or self.at_top:
            self.offset = 0
        else:
            self.offset = None
            self._offset_from_total()

    def replace(self, pages: Sequence[KeysetPage[R, C]]) -> None:
        """Show ``pages`` (consecutive, read again) where the loaded pages were.

        The offset stays as it was unless the new first page is the top of the list.
        """
        loaded = [_loaded(page) for page in pages if page.rows]
        if not loaded:
            loaded = [_loaded(pages[0])] if pages else []
        self._pages = loaded[-self.max_pages :]
        self._refresh_rows()
        if self.at_top:
            self.offset = 0
        elif self.at_bottom:
            self._offset_from_total()

    def add_after(self, page: KeysetPage[R, C]) -> None:
        """Add the page read after the last loaded row; drop pages from the front."""
        if not self._pages:
            self.start(page)
            return
        if not page.rows:
            last = self._pages[-1]
            self._pages[-1] = _Loaded(last.rows, last.before, None)
            self._refresh_rows()
            self._offset_from_total()
            return
        self._pages.append(_loaded(page))
        while len(self._pages) > self.max_pages:
            dropped = self._pages.pop(0)
            if self.offset is not None:
                self.offset += len(dropped.rows)
        self._refresh_rows()

    def add_before(self, page: KeysetPage[R, C]) -> None:
        """Add the page read before the first loaded row; drop pages from the end."""
        if not self._pages:
            self.start(page)
            return
        if not page.rows:
            first = self._pages[0]
            self._pages[0] = _Loaded(first.rows, None, first.after)
            self.offset = 0
            self._refresh_rows()
            return
        loaded = _loaded(page)
        self._pages.insert(0, loaded)
        del self._pages[self.max_pages :]
        if loaded.before is None:
            self.offset = 0
        elif self.offset is not None:
            self.offset = max(self.offset - len(loaded.rows), 0)
        self._refresh_rows()

    def set_total(self, total: int | None) -> None:
        """The number of rows in the whole list (counted apart), to place the window."""
        self.total = total
        if self.offset is None:
            self._offset_from_total()

    def clear(self) -> None:
        """Forget every row (a new list is about to be read)."""
        self._pages = []
        self._rows = []
        self.offset = None
        self.total = None

    def _offset_from_total(self) -> None:
        if self.total is not None and self.at_bottom and self.offset is None:
            self.offset = max(self.total - len(self._rows), 0)

    def _refresh_rows(self) -> None:
        seen: set[Hashable] = set()
        rows: list[R] = []
        for page in self._pages:
            for row in page.rows:
                key = self._key(row)
                if key not in seen:
                    seen.add(key)
                    rows.append(row)
        self._rows = rows


def _loaded(page: KeysetPage[R, C]) -> _Loaded[R, C]:
    return _Loaded(tuple(page.rows), page.prev_cursor, page.next_cursor)
