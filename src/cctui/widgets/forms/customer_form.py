"""The base of the customer screen's small forms: fields, an error line, save and cancel.

A form collects what was typed (:meth:`CustomerForm.collect`), then saves it through the
domain in a thread worker (:meth:`CustomerForm.submit`). A refusal from the domain (a
conflict, a bad value) is shown in the form's error line and everything typed stays, so the
user can correct it; a saved form closes with a one-sentence outcome (None when cancelled).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from cctui.domain.errors import CctuiError
from cctui.widgets.safe_text import plain, safe_text

if TYPE_CHECKING:
    from cctui.app import CctuiApp
    from cctui.db.engine import Database

_RELATIVE_DAY = re.compile(r"^\+(\d{1,4})$")

Request = TypeVar("Request")


class FormProblem(Exception):
    """What the user typed cannot be saved; the text is one sentence for the error line."""


def parse_day(text: str, today: date, what: str) -> date:
    """A day typed as ``YYYY-MM-DD`` or ``+N`` (N days from today); FormProblem otherwise."""
    cleaned = text.strip()
    if not cleaned:
        raise FormProblem(f"Type the {what} as YYYY-MM-DD, or +7 for a week from today.")
    relative = _RELATIVE_DAY.match(cleaned)
    if relative:
        return today + timedelta(days=int(relative.group(1)))
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise FormProblem(
            f"{plain(cleaned)!r} is not a date: type the {what} as YYYY-MM-DD, or +7."
        ) from None


class Refused:
    """A save the domain refused, with its one-sentence reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class CustomerForm(ModalScreen[str | None], Generic[Request]):
    """A small dialog about one customer: subclasses add fields, collect and submit them.

    ``Request`` is what :meth:`collect` reads from the fields on the UI thread and
    :meth:`submit` saves in a worker thread.
    """

    TITLE_TEXT: ClassVar[str] = ""
    """The dialog's title."""
    SAVE_TASK: ClassVar[str] = "save the form"
    """Completes "Could not ..." when saving fails unexpectedly."""

    DEFAULT_CSS = """
    CustomerForm {
        align: center middle;
    }
    CustomerForm > #form-dialog {
        width: 72;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    CustomerForm .form-label {
        margin-top: 1;
    }
    CustomerForm #form-error {
        color: $error;
        text-style: bold;
        height: auto;
    }
    CustomerForm #form-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="Close the form without saving anything.",
            id="customer-form.cancel",
        ),
        Binding(
            "ctrl+s,f9",
            "save",
            "Save",
            tooltip="Save what the form holds (Enter in a field does the same).",
            id="customer-form.save",
        ),
    ]

    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self._saving = False

    @property
    def cctui(self) -> CctuiApp:
        """The running app, typed."""
        return cast("CctuiApp", self.app)

    def compose(self) -> ComposeResult:
        """The dialog: the subclass's fields, the error line and the keys."""
        with Vertical(id="form-dialog") as dialog:
            dialog.border_title = self.TITLE_TEXT
            yield from self.compose_fields()
            yield Static(Text(""), id="form-error")
            yield Static(Text("Enter or Ctrl+S (F9) saves. Esc cancels."), id="form-hint")

    def compose_fields(self) -> ComposeResult:
        """The form's labels and fields; implemented by each form."""
        yield from ()

    def collect(self) -> Request:
        """What the fields hold, checked; raise FormProblem with a sentence when not saveable."""
        raise NotImplementedError

    def submit(self, db: Database, request: Request) -> str:
        """Save ``request`` through the domain (in a worker thread); return the outcome."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        """Show ``message`` (plain text, may hold database text) in the error line."""
        self.query_one("#form-error", Static).update(safe_text(message))

    @property
    def error_text(self) -> str:
        """What the error line says now (for tests and screen readers)."""
        content = self.query_one("#form-error", Static).content
        return str(content)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter_saves(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        """Check the fields and save them in a worker; problems show in the error line."""
        if self._saving:
            return
        try:
            request = self.collect()
        except FormProblem as problem:
            self.show_error(str(problem))
            return
        self._saving = True
        self.show_error("")
        self.run_worker(
            lambda: self._save(request),
            thread=True,
            exclusive=True,
            group="customer-form-save",
            name=self.SAVE_TASK,
            exit_on_error=False,
        )

    def _save(self, request: Request) -> str | Refused:
        """Run :meth:`submit`; a refusal from the domain comes back as :class:`Refused`."""
        try:
            return self.submit(self.cctui.db, request)
        except CctuiError as error:
            return Refused(str(error))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Close with the outcome, or show why the save was refused and keep the form."""
        if event.worker.group != "customer-form-save":
            return
        if event.state is WorkerState.SUCCESS:
            self._saving = False
            result = event.worker.result
            if isinstance(result, Refused):
                self.show_error(result.reason)
            elif isinstance(result, str):
                self.dismiss(result)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._saving = False
            self.show_error(f"Could not {self.SAVE_TASK}; nothing was saved.")
            if event.state is WorkerState.ERROR:
                self.app.post_message(Worker.StateChanged(event.worker, event.state))
