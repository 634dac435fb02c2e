"""A row-cursor table whose rows stand for items, refilled with the cursor kept on its item.

The held documents and the queued letters are short lists read whole, each row keyed by the
item's id. :meth:`ItemTable.fill` puts the list read again in place of the rows, the cursor
staying on the same item, or at the same place when that item is gone;
:attr:`ItemTable.selected` is the item under the cursor.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual.widgets import DataTable

ItemT = TypeVar("ItemT")


class ItemTable(DataTable[Text], Generic[ItemT]):
    """A zebra-striped row-cursor table of items keyed by their id."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._items: dict[str, ItemT] = {}

    @property
    def has_items(self) -> bool:
        """True when the table lists at least one item."""
        return bool(self._items)

    @property
    def selected(self) -> ItemT | None:
        """The item under the cursor, if any."""
        key = self._selected_key()
        return None if key is None else self._items[key]

    def fill(self, rows: Iterable[tuple[int, ItemT, Sequence[Text]]]) -> None:
        """Replace the rows by ``rows`` (key, item, cells), the cursor staying on the same
        item, or at the same place (or the last row) when that item is gone."""
        before = self._selected_key()
        row_before = self.cursor_row
        self.empty()
        for key, item, cells in rows:
            self._items[str(key)] = item
            self.add_row(*cells, key=str(key))
        if before is not None and before in self._items:
            self.move_cursor(row=self.get_row_index(before))
        elif self._items:
            self.move_cursor(row=min(row_before, len(self._items) - 1))

    def empty(self) -> None:
        """Take every row and item away (before reading another list)."""
        self._items = {}
        self.clear()

    def _selected_key(self) -> str | None:
        if not self._items or self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        key = str(row_key.value)
        return key if key in self._items else None
