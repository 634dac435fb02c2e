"""What the money forms share: a dialog that reads the customer's invoices, then saves once.

Each form (payment, write-off, waiver, dispute, hand-over) is an :class:`InvoiceForm`: it
reads what it offers in a thread worker (:meth:`InvoiceForm.read_context`), fills its fields
(:meth:`InvoiceForm.show_context`), and on Ctrl+S (or Enter in its last box) turns the
fields into one job (:meth:`InvoiceForm.collect`) that runs through a domain service in a
thread worker. The form dismisses with the job's one-sentence outcome; when the domain
refuses, the sentence shows inside the form and everything typed stays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from cctui.domain.errors import CctuiError, ValidationError
from cctui.domain.invoice_choices import CustomerInvoices
from cctui.widgets.forms.invoice_labels import customer_line
from cctui.widgets.safe_text import safe_text

if TYPE_CHECKING:
    from cctui.app import CctuiApp

ContextT = TypeVar("ContextT")

READ_GROUP = "money-form-read"
SUBMIT_GROUP = "money-form-submit"

Job = Callable[[], str]
"""Work a form hands to its submit worker: calls a service, returns the outcome sentence."""


def form_bindings(form: str, what: str) -> list[BindingType]:
    """The keys of a money form: Ctrl+S saves ``what`` from any field, Esc cancels."""
    return [
        Binding(
            "ctrl+s",
            "submit",
            "Save",
            priority=True,
            tooltip=f"Save: {what}. Works from any field.",
            id=f"{form}.submit",
        ),
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="Close the form without saving anything.",
            id=f"{form}.cancel",
        ),
    ]


class InvoiceForm(ModalScreen[str | None], Generic[ContextT]):
    """Base of the money forms: reads in a worker, saves in a worker, refusals shown inline.

    Subclasses set ``TITLE`` and ``SAVE_HINT``, and implement :meth:`compose_fields`,
    :meth:`read_context` (in a thread; opens its own session), :meth:`show_context` and
    :meth:`collect`. ``customer_id`` is the customer the form acts for; ``invoice_ids``
    the invoices chosen on the screen beneath (preselected in the form).
    """

    TITLE: ClassVar[str] = ""
    """The dialog's title."""
    READ_TASK: ClassVar[str] = "read the customer's invoices"
    """Completes "Could not …" when the read fails."""
    SAVE_TASK: ClassVar[str] = "save the form"
    """Completes "Could not …" when saving fails other than by a refusal."""

    DEFAULT_CSS = """
    InvoiceForm {
        align: center middle;
    }
    InvoiceForm .form-dialog {
        width: 78;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    InvoiceForm .form-customer {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    InvoiceForm .form-body {
        height: auto;
    }
    InvoiceForm .form-row {
        height: auto;
    }
    InvoiceForm .form-label {
        width: 13;
        padding: 1 1 0 0;
    }
    InvoiceForm .form-note {
        color: $text-muted;
        height: auto;
    }
    InvoiceForm .form-error {
        color: $error;
        text-style: bold;
        height: auto;
        display: none;
    }
    InvoiceForm .form-error.-shown {
        display: block;
    }
    InvoiceForm .form-hint {
        color: $text-muted;
        height: 1;
    }
    InvoiceForm Input {
        width: 1fr;
    }
    InvoiceForm RadioSet {
        layout: horizontal;
        width: 1fr;
    }
    InvoiceForm Select {
        width: 1fr;
    }
    InvoiceForm SelectCurrent Static#label {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, customer_id: int, invoice_ids: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.invoice_ids = tuple(invoice_ids)
        self.context: ContextT | None = None
        self._saving = False

    @property
    def cctui(self) -> CctuiApp:
        """The running app, typed."""
        return cast("CctuiApp", self.app)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """The dialog: customer line, the form's fields, the refusal line and the key hint."""
        with Vertical(classes="form-dialog") as dialog:
            dialog.border_title = self.TITLE
            yield Static(Text("Reading…"), classes="form-customer")
            with Vertical(classes="form-body"):
                yield from self.compose_fields()
            yield Static("", classes="form-error")
            yield Static(
                Text("Tab next · Enter in the last box or Ctrl+S saves · Esc cancels"),
                classes="form-hint",
            )

    def compose_fields(self) -> ComposeResult:
        """The form's own fields, between the customer line and the refusal line."""
        yield from ()

    def on_mount(self) -> None:
        """Read what the form offers (the fields wait, greyed, until it arrives)."""
        self.query_one(".form-body").loading = True
        self.run_worker(
            self.read_context,
            thread=True,
            exclusive=True,
            group=READ_GROUP,
            name=self.READ_TASK,
            exit_on_error=False,
        )

    # ------------------------------------------------------------------ reading

    def read_context(self) -> ContextT:
        """What the form offers, read from the database (runs in a thread worker)."""
        raise NotImplementedError

    def show_context(self, context: ContextT) -> None:
        """Fill the fields from what was read (on the UI thread)."""

    def customer_of(self, context: ContextT) -> CustomerInvoices | None:
        """The customer the context is about, for the customer line."""
        return context if isinstance(context, CustomerInvoices) else None

    # ------------------------------------------------------------------ saving

    def collect(self) -> Job:
        """Turn the fields into the job that saves them, or raise a CctuiError saying what
        is wrong with them (shown inline; nothing is saved)."""
        raise NotImplementedError

    def action_submit(self) -> None:
        """Check the fields and save them in a worker (once; a second Ctrl+S waits)."""
        if self._saving:
            return
        try:
            self.loaded()
            job = self.collect()
        except CctuiError as error:
            self.show_error(str(error))
            return
        self._saving = True
        self.show_error("")
        self.run_worker(
            job,
            thread=True,
            exclusive=True,
            group=SUBMIT_GROUP,
            name=self.SAVE_TASK,
            exit_on_error=False,
        )

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter_in_a_box(self, event: Input.Submitted) -> None:
        """Enter in a text box moves to the next field; in the form's last box it saves.

        Handled when the box reports Enter (not by a priority binding), so every key typed
        before Enter is already in the box when the form reads it.
        """
        event.stop()
        boxes = [widget for widget in self.focus_chain if isinstance(widget, Input)]
        if boxes and boxes[-1] is event.input:
            self.action_submit()
        else:
            self.focus_next()

    # ------------------------------------------------------------------ workers

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show what was read; dismiss with the outcome; keep the form open on a refusal."""
        worker = event.worker
        if worker.group == READ_GROUP:
            self._read_changed(worker, event.state)
        elif worker.group == SUBMIT_GROUP:
            self._save_changed(worker, event.state)

    def _read_changed(self, worker: Worker[object], state: WorkerState) -> None:
        body = self.query_one(".form-body")
        if state is WorkerState.SUCCESS:
            context = cast("ContextT", worker.result)
            self.context = context
            customer = self.customer_of(context)
            if customer is not None:
                self.query_one(".form-customer", Static).update(customer_line(customer))
            self.show_context(context)
            body.loading = False
            if self.focused is None:  # never pull the cursor away from where the user typed
                self.focus_first()
        elif state is WorkerState.ERROR:
            body.loading = False
            self._report(worker, state, "The form could not read the invoices: ")

    def _save_changed(self, worker: Worker[object], state: WorkerState) -> None:
        if state is WorkerState.SUCCESS:
            self._saving = False
            self.dismiss(str(worker.result))
        elif state is WorkerState.ERROR:
            self._saving = False
            self._report(worker, state, "Nothing was saved: ")
        elif state is WorkerState.CANCELLED:
            self._saving = False

    def _report(self, worker: Worker[object], state: WorkerState, prefix: str) -> None:
        """A refusal is told inline; anything else goes to the app's one error handler too."""
        error = worker.error
        if isinstance(error, CctuiError):
            self.show_error(str(error))
            return
        self.app.post_message(Worker.StateChanged(worker, state))
        self.show_error(prefix + "see the error message, then try again or press Esc.")

    # ------------------------------------------------------------------ helpers

    def loaded(self) -> ContextT:
        """What the form read; a ValidationError while it is still reading."""
        if self.context is None:
            raise ValidationError("The form is still reading the invoices; try again in a moment.")
        return self.context

    def focus_first(self) -> None:
        """Put the cursor in the form's first enabled field."""
        chain = self.focus_chain
        if chain:
            chain[0].focus()

    def show_error(self, sentence: str) -> None:
        """Show ``sentence`` (from the domain, so shown literally) under the fields; "" hides it."""
        line = self.query_one(".form-error", Static)
        if sentence:
            text = Text("✗ ")
            text.append(safe_text(sentence))
            line.update(text)
            line.add_class("-shown")
        else:
            line.update("")
            line.remove_class("-shown")

    @property
    def error_text(self) -> str:
        """The refusal shown in the form, or "" (for tests and the help screen)."""
        line = self.query_one(".form-error", Static)
        return str(line.content) if line.has_class("-shown") else ""
