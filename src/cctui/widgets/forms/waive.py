"""Waive the fees and/or interest of one invoice, or reinstate what was waived, with a reason."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, RadioSet, Select, Static

from cctui.domain.errors import ValidationError
from cctui.domain.invoice_choices import CustomerInvoices, InvoiceChoice, customer_invoices
from cctui.domain.payments import ChargesChange, reinstate_charges, waive_charges
from cctui.widgets.forms.invoice_form import InvoiceForm, Job, form_bindings
from cctui.widgets.forms.invoice_labels import charges_words, money_words
from cctui.widgets.forms.invoice_select import chosen_invoice, fill_invoice_select
from cctui.widgets.safe_text import plain
from cctui.widgets.toggles import MarkedCheckbox, MarkedRadioButton


def charges_outcome(change: ChargesChange, number: str, currency: str, *, waived: bool) -> str:
    """The sentence the form closes with: what moved and what is open on the invoice now."""
    verb = "Waived" if waived else "Reinstated"
    return (
        f"{verb} fees of {money_words(change.fee, currency)} and interest of "
        f"{money_words(change.interest, currency)} on invoice {plain(number)}; "
        f"{money_words(change.open_amount, currency)} is open on it now."
    )


class WaiveForm(InvoiceForm[CustomerInvoices]):
    """Waive (or reinstate) the fees and/or interest of one of the customer's invoices.

    Dismisses with the outcome sentence, or None when cancelled with Esc.
    """

    TITLE = "Waive or reinstate fees and interest"
    READ_TASK = "read the customer's invoices"
    SAVE_TASK = "change the invoice's fees and interest"
    BINDINGS = form_bindings("waive-form", "waive or reinstate the charges")

    def compose_fields(self) -> ComposeResult:
        """The invoice, waive or reinstate, fees and/or interest, and the reason."""
        with Horizontal(classes="form-row"):
            yield Label("Invoice", classes="form-label")
            yield Select[int]([], prompt="Choose an invoice", id="waive-invoice")
        yield Static("", classes="form-note", id="waive-note")
        with Horizontal(classes="form-row"):
            yield Label("Do", classes="form-label")
            with RadioSet(id="waive-action"):
                yield MarkedRadioButton("Waive", value=True, id="waive-waive")
                yield MarkedRadioButton("Reinstate waived charges", id="waive-reinstate")
        with Horizontal(classes="form-row"):
            yield Label("Charges", classes="form-label")
            yield MarkedCheckbox("Fees", value=True, id="waive-fees")
            yield MarkedCheckbox("Interest", value=True, id="waive-interest")
        with Horizontal(classes="form-row"):
            yield Label("Reason", classes="form-label")
            yield Input(placeholder="Why", id="waive-reason")

    def read_context(self) -> CustomerInvoices:
        """The customer and its invoices (thread worker)."""
        with self.cctui.db.session() as session:
            return customer_invoices(session, self.customer_id, invoice_ids=self.invoice_ids)

    def show_context(self, context: CustomerInvoices) -> None:
        """Offer the invoices with charges unpaid or waived, the one chosen beneath first."""
        select = self.query_one("#waive-invoice", Select)
        candidates = [
            choice
            for choice in context.invoices
            if choice.unpaid_charges > 0
            or choice.waived_charges > 0
            or choice.id in self.invoice_ids
        ]
        if not fill_invoice_select(select, candidates, self.invoice_ids):
            self.query_one("#waive-note", Static).update(
                Text("No invoice of this customer has fees or interest to waive.")
            )
            return
        choice = context.by_id(chosen_invoice(select))
        if choice is not None and choice.unpaid_charges <= 0 < choice.waived_charges:
            self.query_one("#waive-reinstate", MarkedRadioButton).value = True

    def _choice(self) -> InvoiceChoice | None:
        value = self.query_one("#waive-invoice", Select).value
        context = self.context
        return context.by_id(value) if context and isinstance(value, int) else None

    @on(Select.Changed, "#waive-invoice")
    def _invoice_changed(self) -> None:
        """Show the chosen invoice's charges, waived and not."""
        choice = self._choice()
        self.query_one("#waive-note", Static).update(
            Text(charges_words(choice)) if choice is not None else ""
        )

    def collect(self) -> Job:
        """The job waives or reinstates the ticked charges with the reason typed."""
        context = self.loaded()
        invoice_id = chosen_invoice(self.query_one("#waive-invoice", Select))
        fees = self.query_one("#waive-fees", MarkedCheckbox).value
        interest = self.query_one("#waive-interest", MarkedCheckbox).value
        if not fees and not interest:
            raise ValidationError("Tick fees, interest or both.")
        waive = not self.query_one("#waive-reinstate", MarkedRadioButton).value
        reason = self.query_one("#waive-reason", Input).value
        choice = context.by_id(invoice_id)
        number = choice.number if choice else str(invoice_id)
        currency = choice.currency if choice else context.currency
        app = self.cctui
        user, db, today = app.user, app.db, app.today()
        service = waive_charges if waive else reinstate_charges

        def job() -> str:
            with db.session() as session:
                change = service(
                    session,
                    user,
                    invoice_id,
                    fees=fees,
                    interest=interest,
                    reason=reason,
                    as_of=today,
                )
            return charges_outcome(change, number, currency, waived=waive)

        return job
