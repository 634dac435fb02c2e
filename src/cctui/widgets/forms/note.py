"""Forms for a private note and for a customer-visible action (from the action-type list)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select
from textual.worker import Worker, WorkerState

from cctui.domain.workflow.action_types import ActionTypeView, list_action_types
from cctui.domain.workflow.notes import add_action, add_note
from cctui.domain.workflow.texts import MAX_TEXT
from cctui.widgets.forms.customer_form import CustomerForm, FormProblem
from cctui.widgets.safe_text import safe_text

if TYPE_CHECKING:
    from cctui.db.engine import Database


class NoteForm(CustomerForm[str]):
    """Write a private note on the customer (staff only; the customer never sees it)."""

    TITLE_TEXT = "New private note"
    SAVE_TASK = "save the note"

    def compose_fields(self) -> ComposeResult:
        """The note's text."""
        yield Label(Text("Note (only staff see it)"), classes="form-label")
        yield Input(
            id="note-body", max_length=MAX_TEXT, placeholder="What happened, what was agreed"
        )

    def collect(self) -> str:
        """The note's text; refused when empty."""
        body = self.query_one("#note-body", Input).value
        if not body.strip():
            raise FormProblem("A note needs some text.")
        return body

    def submit(self, db: Database, request: str) -> str:
        """Add the note."""
        with db.session() as session:
            add_note(session, self.cctui.user, customer_id=self.customer_id, body=request)
        return "Note saved."


@dataclass(frozen=True)
class ActionRequest:
    """The action type chosen and the optional text."""

    action_type_id: int
    body: str


class ActionForm(CustomerForm[ActionRequest]):
    """Add an action the customer must take, of a type from the action-type list.

    While it is open the customer's screen shows the red "Open action" bar.
    """

    TITLE_TEXT = "New customer action"
    SAVE_TASK = "save the action"

    def compose_fields(self) -> ComposeResult:
        """The action type and an optional text."""
        yield Label(Text("Action the customer must take"), classes="form-label")
        yield Select[int]([], id="action-type", prompt="Loading the action types…")
        yield Label(Text("Text (optional: defaults to the type's name)"), classes="form-label")
        yield Input(id="action-body", max_length=MAX_TEXT)

    def on_mount(self) -> None:
        """Read the action types."""
        self._read_action_types()

    @work(
        thread=True,
        exclusive=True,
        group="action-types",
        name="read the action types",
        exit_on_error=False,
    )
    def _read_action_types(self) -> list[ActionTypeView]:
        with self.cctui.db.session() as session:
            return list_action_types(session)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Fill the list of action types when it arrives (the base class handles the save:
        Textual calls the handler of every class in the hierarchy)."""
        if event.worker.group != "action-types":
            return
        select = self.query_one("#action-type", Select)
        if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, list):
            kinds: list[ActionTypeView] = event.worker.result
            select.set_options((safe_text(f"{kind.name} ({kind.code})"), kind.id) for kind in kinds)
            select.prompt = "Choose the action type" if kinds else "No action types are set up"
            if not kinds:
                self.show_error("No action types are set up yet; an admin adds them in Settings.")
        elif event.state is WorkerState.ERROR:
            self.show_error("Could not read the action types.")
            self.app.post_message(Worker.StateChanged(event.worker, event.state))

    def collect(self) -> ActionRequest:
        """The chosen type and the text; refused without a type."""
        value = self.query_one("#action-type", Select).value
        if not isinstance(value, int):
            raise FormProblem("Choose the action type first (Enter opens the list).")
        return ActionRequest(value, self.query_one("#action-body", Input).value)

    def submit(self, db: Database, request: ActionRequest) -> str:
        """Add the action."""
        with db.session() as session:
            add_action(
                session,
                self.cctui.user,
                customer_id=self.customer_id,
                action_type_id=request.action_type_id,
                body=request.body,
            )
        return "Action saved: it stays open until someone marks it done."
