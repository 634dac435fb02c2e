"""The to-do form: a credit to-do on the customer with a due date, for whoever records it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label

from cctui.domain.workflow.texts import MAX_TEXT
from cctui.domain.workflow.todos import add_todo
from cctui.widgets.forms.customer_form import CustomerForm, FormProblem, parse_day

if TYPE_CHECKING:
    from cctui.db.engine import Database


@dataclass(frozen=True)
class TodoRequest:
    """What to do and by when."""

    description: str
    due_on: date


class TodoForm(CustomerForm[TodoRequest]):
    """Create a credit to-do on the customer, assigned to the person creating it."""

    TITLE_TEXT = "New to-do"
    SAVE_TASK = "save the to-do"

    def compose_fields(self) -> ComposeResult:
        """What to do and the due date."""
        yield Label(Text("What to do"), classes="form-label")
        yield Input(id="todo-description", max_length=MAX_TEXT)
        yield Label(Text("Due (YYYY-MM-DD, or +7 for a week from today)"), classes="form-label")
        yield Input("+7", id="todo-due", max_length=10)

    def collect(self) -> TodoRequest:
        """The description and due day; refused when either is missing."""
        description = self.query_one("#todo-description", Input).value
        if not description.strip():
            raise FormProblem("A to-do needs a description.")
        due = parse_day(self.query_one("#todo-due", Input).value, self.cctui.today(), "due date")
        return TodoRequest(description, due)

    def submit(self, db: Database, request: TodoRequest) -> str:
        """Add the to-do."""
        with db.session() as session:
            add_todo(
                session,
                self.cctui.user,
                customer_id=self.customer_id,
                description=request.description,
                due_on=request.due_on,
                as_of=self.cctui.today(),
            )
        return f"To-do saved, due {request.due_on.isoformat()}."
