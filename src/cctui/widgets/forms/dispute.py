"""Open a dispute on an invoice with the customer's reason, or resolve its open dispute.

Which one the form does follows the invoice chosen: an invoice already in dispute can only
have that dispute resolved (controllers and above); any other open invoice gets a new one.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static

from cctui.domain.invoice_choices import CustomerInvoices, InvoiceChoice, customer_invoices
from cctui.domain.workflow.disputes import open_dispute, resolve_dispute
from cctui.widgets.forms.invoice_form import InvoiceForm, Job, form_bindings
from cctui.widgets.forms.invoice_select import chosen_invoice, fill_invoice_select
from cctui.widgets.safe_text import plain, safe_text

REASON_SHOWN = 100
"""How much of an open dispute's reason the form shows (it must fit 80x24)."""


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DisputeForm(InvoiceForm[CustomerInvoices]):
    """Open a dispute on one of the customer's invoices, or resolve the one it has.

    Dismisses with the outcome sentence, or None when cancelled with Esc.
    """

    TITLE = "Dispute an invoice"
    READ_TASK = "read the customer's invoices"
    SAVE_TASK = "save the dispute"
    BINDINGS = form_bindings("dispute-form", "open or resolve the dispute")

    def compose_fields(self) -> ComposeResult:
        """The invoice, what it is in dispute for (if it is), and the reason or resolution."""
        with Horizontal(classes="form-row"):
            yield Label("Invoice", classes="form-label")
            yield Select[int]([], prompt="Choose an invoice", id="dispute-invoice")
        yield Static("", classes="form-note", id="dispute-note")
        with Horizontal(classes="form-row"):
            yield Label("Reason", classes="form-label", id="dispute-text-label")
            yield Input(placeholder="What the customer contests", id="dispute-text")

    def read_context(self) -> CustomerInvoices:
        """The customer and its invoices (thread worker)."""
        with self.cctui.db.session() as session:
            return customer_invoices(session, self.customer_id, invoice_ids=self.invoice_ids)

    def show_context(self, context: CustomerInvoices) -> None:
        """Offer the open invoices and those in dispute, the one chosen beneath first."""
        select = self.query_one("#dispute-invoice", Select)
        candidates = [choice for choice in context.invoices if choice.is_open or choice.dispute_id]
        if not fill_invoice_select(select, candidates, self.invoice_ids):
            self.query_one("#dispute-note", Static).update(
                Text("The customer has no open invoice to dispute.")
            )

    def _choice(self) -> InvoiceChoice | None:
        value = self.query_one("#dispute-invoice", Select).value
        context = self.context
        return context.by_id(value) if context and isinstance(value, int) else None

    @on(Select.Changed, "#dispute-invoice")
    def _invoice_changed(self) -> None:
        """Say whether the form opens a dispute or resolves one, and label the text box."""
        choice = self._choice()
        note = self.query_one("#dispute-note", Static)
        label = self.query_one("#dispute-text-label", Label)
        box = self.query_one("#dispute-text", Input)
        if choice is not None and choice.dispute_id is not None:
            text = Text("In dispute: ")
            text.append(safe_text(shorten(choice.dispute_reason or "", REASON_SHOWN)))
            text.append(". Saving resolves this dispute.")
            note.update(text)
            label.update("Resolution")
            box.placeholder = "What was decided"
        else:
            note.update(Text("Saving opens a dispute; the invoice is not dunned meanwhile."))
            label.update("Reason")
            box.placeholder = "What the customer contests"

    def collect(self) -> Job:
        """The job opens a dispute, or resolves the chosen invoice's open dispute."""
        self.loaded()
        invoice_id = chosen_invoice(self.query_one("#dispute-invoice", Select))
        choice = self._choice()
        text = self.query_one("#dispute-text", Input).value
        number = plain(choice.number) if choice else str(invoice_id)
        dispute_id = choice.dispute_id if choice else None
        app = self.cctui
        user, db = app.user, app.db

        def job() -> str:
            with db.session() as session:
                if dispute_id is None:
                    open_dispute(session, user, invoice_id=invoice_id, reason=text)
                    return f"Dispute opened on invoice {number}."
                resolve_dispute(session, user, dispute_id, resolution=text)
                return f"Dispute on invoice {number} resolved."

        return job
