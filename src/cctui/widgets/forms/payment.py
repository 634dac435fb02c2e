"""Record a payment for a customer: amount, received date, reference, and what it pays.

The payment goes to the customer's oldest open invoices first (the default), or to the
invoices ticked in the list, in the list's order (oldest due first). The amount is typed as
``1,234.50`` or ``1234.50``; anything else is refused in the form before anything is saved.
"""

from __future__ import annotations

from decimal import Decimal

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, RadioSet, SelectionList
from textual.widgets.selection_list import Selection

from cctui.domain.errors import ValidationError
from cctui.domain.invoice_choices import (
    CustomerInvoices,
    allocated_invoice_numbers,
    customer_invoices,
)
from cctui.domain.ledger import record_payment
from cctui.widgets.date_input import parse_day
from cctui.widgets.forms.invoice_form import InvoiceForm, Job, form_bindings
from cctui.widgets.forms.invoice_labels import invoice_label, money_words, numbers_words
from cctui.widgets.money_input import parse_money_input
from cctui.widgets.toggles import MarkedRadioButton, MarkedSelectionList

MAX_REFERENCE = 100
"""The longest payment reference the book stores."""


def payment_outcome(amount: Decimal, currency: str, numbers: tuple[str, ...]) -> str:
    """The sentence the form closes with: what was recorded and which invoices it paid."""
    paid = numbers_words(numbers) if numbers else "no invoice"
    return f"Payment of {money_words(amount, currency)} recorded and allocated to {paid}."


class PaymentForm(InvoiceForm[CustomerInvoices]):
    """Record a payment received from the customer and allocate it.

    Dismisses with the outcome sentence, or None when cancelled with Esc.
    """

    TITLE = "Record a payment"
    READ_TASK = "read the customer's open invoices"
    SAVE_TASK = "record the payment"
    BINDINGS = form_bindings("payment-form", "record the payment")

    DEFAULT_CSS = """
    PaymentForm #payment-date {
        width: 17;
    }
    PaymentForm #payment-invoices {
        height: auto;
        max-height: 8;
    }
    """

    def compose_fields(self) -> ComposeResult:
        """Amount and date, reference, allocation, and the open invoices to tick."""
        chosen = bool(self.invoice_ids)
        with Horizontal(classes="form-row"):
            yield Label("Amount", classes="form-label", id="payment-amount-label")
            yield Input(placeholder="1,234.50", id="payment-amount", max_length=40)
            yield Label("Received on", classes="form-label")
            yield Input(self.cctui.today().isoformat(), id="payment-date", max_length=10)
        with Horizontal(classes="form-row"):
            yield Label("Reference", classes="form-label")
            yield Input(id="payment-reference", max_length=MAX_REFERENCE)
        with Horizontal(classes="form-row"):
            yield Label("Allocate", classes="form-label")
            with RadioSet(id="payment-allocation"):
                yield MarkedRadioButton("Oldest first", value=not chosen, id="payment-oldest")
                yield MarkedRadioButton("To the ticked invoices", value=chosen, id="payment-chosen")
        invoices: MarkedSelectionList[int] = MarkedSelectionList(id="payment-invoices")
        invoices.border_title = "Open invoices, oldest due first (Space ticks)"
        invoices.disabled = not chosen
        yield invoices

    def read_context(self) -> CustomerInvoices:
        """The customer and its open invoices (thread worker)."""
        with self.cctui.db.session() as session:
            return customer_invoices(session, self.customer_id, invoice_ids=self.invoice_ids)

    def show_context(self, context: CustomerInvoices) -> None:
        """List the open invoices, ticking those chosen on the screen beneath."""
        label = self.query_one("#payment-amount-label", Label)
        label.update(f"Amount {context.currency}"[:12])
        invoices = self._invoices()
        invoices.clear_options()
        invoices.add_options(
            [
                Selection(invoice_label(choice), choice.id, choice.id in self.invoice_ids)
                for choice in context.invoices
                if choice.is_open
            ]
        )
        if invoices.option_count == 0:
            invoices.border_title = "No open invoices"
        else:
            invoices.highlighted = 0
        self._show_ticked()

    def _invoices(self) -> SelectionList[int]:
        return self.query_one("#payment-invoices", SelectionList)

    def _to_chosen(self) -> bool:
        return self.query_one("#payment-chosen", MarkedRadioButton).value

    @on(RadioSet.Changed, "#payment-allocation")
    def _allocation_changed(self) -> None:
        self._invoices().disabled = not self._to_chosen()
        self._show_ticked()

    @on(SelectionList.SelectedChanged, "#payment-invoices")
    def _show_ticked(self) -> None:
        """Under the list: how many invoices are ticked and what is open on them."""
        context = self.context
        invoices = self._invoices()
        if context is None:
            return
        if not self._to_chosen():
            invoices.border_subtitle = "not used: paying oldest first"
            return
        ticked = set(invoices.selected)
        total = sum(
            (choice.open_amount for choice in context.invoices if choice.id in ticked),
            Decimal(0),
        )
        invoices.border_subtitle = (
            f"{len(ticked)} ticked, {money_words(total, context.currency)} open"
        )

    def collect(self) -> Job:
        """Check the amount, date and choice; the job records and allocates the payment."""
        context = self.loaded()
        app = self.cctui
        today = app.today()
        amount = parse_money_input(
            self.query_one("#payment-amount", Input).value, what="payment amount"
        )
        received_on = parse_day(
            self.query_one("#payment-date", Input).value, what="received date", latest=today
        )
        reference = self.query_one("#payment-reference", Input).value.strip() or None
        invoice_ids: tuple[int, ...] | None = None
        if self._to_chosen():
            ticked = set(self._invoices().selected)
            invoice_ids = tuple(choice.id for choice in context.invoices if choice.id in ticked)
            if not invoice_ids:
                raise ValidationError(
                    "Tick the invoices the payment pays (Space), or choose oldest first."
                )
        customer_id, currency, user, db = context.customer_id, context.currency, app.user, app.db

        def job() -> str:
            with db.session() as session:
                posted = record_payment(
                    session,
                    user,
                    customer_id=customer_id,
                    amount=amount,
                    received_on=received_on,
                    reference=reference,
                    invoice_ids=invoice_ids,
                    as_of=today,
                )
                numbers = allocated_invoice_numbers(session, posted.id)
            return payment_outcome(amount, currency, numbers)

        return job
