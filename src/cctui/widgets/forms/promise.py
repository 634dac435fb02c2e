"""The promise-to-pay form (seed 004): how much the customer promised, and by when.

Both fields come filled in (the customer's overdue balance, and today + 7 days), so an agent
who heard "I'll pay it all next week" records the promise with Enter alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from cctui.domain.errors import CctuiError, NotFound, ValidationError
from cctui.domain.queue.page import queue_row
from cctui.domain.queue.types import QueueRow
from cctui.domain.workflow.promises import record_promise
from cctui.widgets.date_input import parse_day
from cctui.widgets.money import format_money
from cctui.widgets.money_input import parse_money_input
from cctui.widgets.safe_text import plain, safe_text

if TYPE_CHECKING:
    from cctui.app import CctuiApp

DAYS_AHEAD = 7
"""The promised date offered: a week from today."""

READ_GROUP = "promise-read"
SAVE_GROUP = "promise-save"


def prefilled_amount(row: QueueRow) -> str:
    """The amount offered: the overdue balance, else the open balance, else nothing."""
    for amount in (row.overdue_balance, row.balance):
        if amount > 0:
            return f"{amount:.2f}"
    return ""


class PromiseForm(ModalScreen[str | None]):
    """Record a promise to pay for a customer, optionally for chosen invoices.

    Dismisses with one sentence saying what was recorded, or None when closed with Esc.
    Bad input and the domain's refusals are shown in the form, which keeps what was typed.
    ``debtor`` (the customer as the queue shows it) saves reading it again; ``contact_id``
    links the promise to the call it was made on.
    """

    DEFAULT_CSS = """
    PromiseForm {
        align: center middle;
    }
    PromiseForm #promise-dialog {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    PromiseForm #promise-who {
        text-wrap: nowrap;
        text-overflow: ellipsis;
        text-style: bold;
    }
    PromiseForm #promise-owed {
        color: $text-muted;
        margin-bottom: 1;
    }
    PromiseForm Input {
        width: 100%;
    }
    PromiseForm #promise-message {
        height: auto;
        min-height: 1;
        color: $error;
        text-style: bold;
    }
    PromiseForm #promise-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="Close the form without recording a promise.",
            id="promise.cancel",
        ),
    ]

    def __init__(
        self,
        customer_id: int,
        invoice_ids: tuple[int, ...] = (),
        *,
        debtor: QueueRow | None = None,
        contact_id: int | None = None,
    ) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.invoice_ids = invoice_ids
        self.contact_id = contact_id
        self._debtor = debtor if debtor is not None and debtor.id == customer_id else None
        self._saving = False

    @property
    def cctui(self) -> CctuiApp:
        """The running app, typed."""
        return cast("CctuiApp", self.app)

    def compose(self) -> ComposeResult:
        """Who promises, the amount and the date, a line for refusals and a hint."""
        due = self.cctui.today() + timedelta(days=DAYS_AHEAD)
        with Vertical(id="promise-dialog") as dialog:
            dialog.border_title = "Promise to pay"
            yield Static(Text("Reading the customer..."), id="promise-who")
            yield Static(Text(""), id="promise-owed")
            yield Label("Amount", id="promise-amount-label")
            yield Input(id="promise-amount", placeholder="e.g. 1250.00", max_length=20)
            yield Label("Pay by (YYYY-MM-DD)")
            yield Input(due.isoformat(), id="promise-date", max_length=10)
            yield Static(Text(""), id="promise-message")
            yield Static(
                Text("Enter records the promise. Tab moves. Esc cancels."), id="promise-hint"
            )

    def on_mount(self) -> None:
        """Fill in the customer, or read it first."""
        self.query_one("#promise-amount", Input).focus()
        if self._debtor is not None:
            self._show_debtor(self._debtor)
        else:
            self._read_debtor()

    @work(
        thread=True,
        exclusive=True,
        group=READ_GROUP,
        name="read the customer for the promise",
        exit_on_error=False,
    )
    def _read_debtor(self) -> QueueRow:
        """The customer as the queue shows it (runs in a thread)."""
        app = self.cctui
        with app.db.session() as session:
            row = queue_row(session, self.customer_id, as_of=app.today())
        if row is None:
            raise NotFound(f"There is no customer with id {self.customer_id}.")
        return row

    def _show_debtor(self, row: QueueRow) -> None:
        self._debtor = row
        who = safe_text(row.name)
        who.append(" (")
        who.append(safe_text(row.account))
        who.append(")")
        self.query_one("#promise-who", Static).update(who)
        owed = Text(f"Overdue {format_money(row.overdue_balance, row.currency)} ")
        owed.append(safe_text(row.currency))
        if self.invoice_ids:
            count = len(self.invoice_ids)
            owed.append(f", for {count} chosen invoice{'s' if count != 1 else ''}")
        self.query_one("#promise-owed", Static).update(owed)
        label = Text("Amount (")
        label.append(safe_text(row.currency))
        label.append(")")
        self.query_one("#promise-amount-label", Label).update(label)
        amount = self.query_one("#promise-amount", Input)
        if not amount.value:
            amount.value = prefilled_amount(row)
            if amount.has_focus:
                amount.select_all()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter in either field records the promise."""
        event.stop()
        self.action_record()

    def action_record(self) -> None:
        """Check what was typed and record the promise, or say what is wrong."""
        if self._saving:
            return
        if self._debtor is None:
            self._refuse("Still reading the customer; press Enter again in a moment.", None)
            return
        amount_input = self.query_one("#promise-amount", Input)
        day_input = self.query_one("#promise-date", Input)
        try:
            amount = parse_money_input(amount_input.value, what="promised amount")
        except ValidationError as error:
            self._refuse(str(error), "promise-amount")
            return
        try:
            promised_on = parse_day(day_input.value, what="date to pay by")
        except ValidationError as error:
            self._refuse(str(error), "promise-date")
            return
        self._saving = True
        self._show_message(Text("Recording the promise...", style="italic"))
        self._record(amount, promised_on)

    @work(
        thread=True,
        exclusive=True,
        group=SAVE_GROUP,
        name="record the promise to pay",
        exit_on_error=False,
    )
    def _record(self, amount: Decimal, promised_on: date) -> str:
        """Record the promise (runs in a thread); the sentence the form closes with."""
        app = self.cctui
        with app.db.session() as session:
            record_promise(
                session,
                app.user,
                customer_id=self.customer_id,
                amount=amount,
                promised_on=promised_on,
                invoice_ids=self.invoice_ids,
                contact_id=self.contact_id,
                as_of=app.today(),
            )
        row = self._debtor
        currency = row.currency if row is not None else ""
        who = f"{plain(row.name)} ({plain(row.account)})" if row is not None else "the customer"
        return (
            f"Promise recorded: {who} will pay {format_money(amount, currency)} {currency} "
            f"by {promised_on.isoformat()}."
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the customer, close after recording, or show why it could not be done."""
        group = event.worker.group
        if group not in (READ_GROUP, SAVE_GROUP):
            return
        if event.state is WorkerState.SUCCESS:
            if group == READ_GROUP and isinstance(event.worker.result, QueueRow):
                self._show_debtor(event.worker.result)
            elif group == SAVE_GROUP and isinstance(event.worker.result, str):
                self.dismiss(event.worker.result)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._saving = False
            error = event.worker.error
            if isinstance(error, CctuiError):
                self._refuse(str(error), None)
            elif event.state is WorkerState.ERROR:
                # The app's one handler says what went wrong; the form stays open as typed.
                self.app.post_message(Worker.StateChanged(event.worker, event.state))
                self._refuse(f"Could not {event.worker.name}; nothing was recorded.", None)

    def _refuse(self, sentence: str, input_id: str | None) -> None:
        """Say what is wrong, keep the text, and put the cursor where the fix goes."""
        self._show_message(Text("! ", style="bold").append(plain(sentence)))
        if input_id is not None:
            self.query_one(f"#{input_id}", Input).focus()

    def _show_message(self, message: Text) -> None:
        self.query_one("#promise-message", Static).update(message)

    def action_cancel(self) -> None:
        """Close without recording anything."""
        self.dismiss(None)
