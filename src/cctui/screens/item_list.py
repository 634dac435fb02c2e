"""The shared part of screens listing items read whole by one worker into an :class:`ItemTable`.

The held documents and the queued letters are each read by one thread worker, shown with the
cursor kept on its item, read again on F5 and on live updates; choosing a row opens the
item's customer. :class:`ItemListScreen` holds that plumbing.
"""

from __future__ import annotations

from typing import ClassVar, Generic, Protocol, TypeVar, cast

from textual import on
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from cctui.screens.base import CctuiScreen
from cctui.widgets.item_table import ItemTable


class CustomerItem(Protocol):
    """An item that belongs to a customer."""

    @property
    def customer_id(self) -> int:
        """The customer Enter opens."""
        ...


ItemT = TypeVar("ItemT", bound=CustomerItem)
ReadT = TypeVar("ReadT")


class ItemListScreen(CctuiScreen, Generic[ItemT, ReadT]):
    """A screen whose list of items is read whole by the worker of :attr:`WORKER_GROUP`.

    Subclasses implement :attr:`table`, :meth:`start_read` (start that worker) and
    :meth:`show_read` (show what it returned).
    """

    WORKER_GROUP: ClassVar[str] = ""
    """The group of the worker that reads the list (one read at a time)."""

    @property
    def table(self) -> ItemTable[ItemT]:
        """The list of items."""
        raise NotImplementedError

    def start_read(self) -> None:
        """Start the worker reading the list as shown now."""
        raise NotImplementedError

    def show_read(self, read: ReadT) -> None:
        """Show what the worker read."""
        raise NotImplementedError

    def reload(self) -> None:
        """Read the list again, keeping what is shown and the item under the cursor."""
        self.table.loading = not self.table.has_items
        self.start_read()

    def action_refresh(self) -> None:
        """Read the list again."""
        self.reload()

    @on(Worker.StateChanged)
    def _list_worker_changed(self, event: Worker.StateChanged) -> None:
        """Show the list when it arrives; clear the loading state when it could not be read."""
        if event.worker.group != self.WORKER_GROUP:
            return
        if event.state is WorkerState.SUCCESS:
            self.show_read(cast("ReadT", event.worker.result))
            self.table.loading = False
        elif event.state is WorkerState.ERROR:
            self.table.loading = False

    @on(DataTable.RowSelected)
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.data_table is self.table:
            self.action_open_customer()

    def action_open_customer(self) -> None:
        """Open the customer of the item under the cursor."""
        item = self.table.selected
        if item is None:
            return
        from cctui.screens.customer import CustomerScreen

        self.app.push_screen(CustomerScreen(customer_id=item.customer_id))
