"""The customer's credit to-dos: open ones first, by due date."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from cctui.domain.models import OpenDone
from cctui.domain.workflow.todos import TodoView, customer_todos
from cctui.widgets.customer.tab import TabContext, TableTab, short

if TYPE_CHECKING:
    from cctui.db.engine import Database


def todo_state(todo: TodoView) -> Text:
    """ "open", "LATE" (open and past due, bold) or "done"."""
    if todo.status is OpenDone.DONE:
        return Text("done")
    if todo.overdue:
        return Text("LATE", style="bold")
    return Text("open")


class TodosTab(TableTab):
    """To-dos with due date, state, who has to do it and what; ``d`` marks one done."""

    TITLE = "To-dos"
    TASK = "read the customer's to-dos"
    COLUMNS = ("Due", "State", "For", "What")
    EMPTY = "No to-dos: t adds one."
    FIXED = 37

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._open: set[str] = set()

    def fetch(self, db: Database, context: TabContext) -> list[TodoView]:
        """The customer's to-dos, done ones included."""
        with db.session() as session:
            return customer_todos(session, context.customer_id, as_of=context.as_of)

    def rows(self, data: object) -> Iterable[tuple[str, Sequence[Text | str]]]:
        """One row per to-do."""
        todos: list[TodoView] = data if isinstance(data, list) else []
        self._open = {str(todo.id) for todo in todos if todo.status is OpenDone.OPEN}
        for todo in todos:
            yield (
                str(todo.id),
                (
                    todo.due_on.isoformat(),
                    todo_state(todo),
                    short(todo.assigned_to or "-", 12),
                    short(todo.description, self.text_room),
                ),
            )

    def selected_is_open(self) -> bool:
        """True when the to-do under the cursor is still open."""
        key = self.selected_key
        return key is not None and key in self._open
