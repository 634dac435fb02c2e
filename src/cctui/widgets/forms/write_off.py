"""Write off what is still open on one invoice, with a reason (controllers and above)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static

from cctui.domain.invoice_choices import CustomerInvoices, customer_invoices, written_off_amount
from cctui.domain.ledger import write_off_invoice
from cctui.widgets.forms.invoice_form import InvoiceForm, Job, form_bindings
from cctui.widgets.forms.invoice_labels import money_words
from cctui.widgets.forms.invoice_select import chosen_invoice, fill_invoice_select
from cctui.widgets.safe_text import plain


class WriteOffForm(InvoiceForm[CustomerInvoices]):
    """Write off the whole open amount of one of the customer's invoices.

    Dismisses with the outcome sentence, or None when cancelled with Esc.
    """

    TITLE = "Write off an invoice"
    READ_TASK = "read the customer's open invoices"
    SAVE_TASK = "write off the invoice"
    BINDINGS = form_bindings("write-off-form", "write off the invoice")

    def compose_fields(self) -> ComposeResult:
        """The invoice, what writing it off takes off, and the reason."""
        with Horizontal(classes="form-row"):
            yield Label("Invoice", classes="form-label")
            yield Select[int]([], prompt="Choose an invoice", id="write-off-invoice")
        yield Static("", classes="form-note", id="write-off-note")
        with Horizontal(classes="form-row"):
            yield Label("Reason", classes="form-label")
            yield Input(placeholder="Why it will not be paid", id="write-off-reason")

    def read_context(self) -> CustomerInvoices:
        """The customer and its invoices (thread worker)."""
        with self.cctui.db.session() as session:
            return customer_invoices(session, self.customer_id, invoice_ids=self.invoice_ids)

    def show_context(self, context: CustomerInvoices) -> None:
        """Offer the open invoices, the one chosen on the screen beneath first."""
        select = self.query_one("#write-off-invoice", Select)
        offered = fill_invoice_select(
            select, (choice for choice in context.invoices if choice.is_open), self.invoice_ids
        )
        if not offered:
            self.query_one("#write-off-note", Static).update(
                Text("The customer has no open invoice to write off.")
            )

    @on(Select.Changed, "#write-off-invoice")
    def _invoice_changed(self, event: Select.Changed) -> None:
        """Say what writing off the chosen invoice takes off the customer's balance."""
        context = self.context
        choice = context.by_id(event.value) if context and isinstance(event.value, int) else None
        note = self.query_one("#write-off-note", Static)
        if choice is None:
            note.update("")
            return
        note.update(
            Text(
                f"Writes off {money_words(choice.open_amount, choice.currency)} open "
                f"(invoiced {money_words(choice.amount, choice.currency)}, due "
                f"{choice.due_on.isoformat()})."
            )
        )

    def collect(self) -> Job:
        """The job writes the chosen invoice off with the reason typed."""
        context = self.loaded()
        invoice_id = chosen_invoice(self.query_one("#write-off-invoice", Select))
        reason = self.query_one("#write-off-reason", Input).value
        choice = context.by_id(invoice_id)
        number = plain(choice.number) if choice else str(invoice_id)
        currency = choice.currency if choice else context.currency
        app = self.cctui
        user, db, today = app.user, app.db, app.today()

        def job() -> str:
            with db.session() as session:
                before = written_off_amount(session, invoice_id)
                write_off_invoice(session, user, invoice_id=invoice_id, reason=reason, as_of=today)
                amount = written_off_amount(session, invoice_id) - before
            return f"Invoice {number} written off: {money_words(amount, currency)}."

        return job
