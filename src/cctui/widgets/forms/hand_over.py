"""Hand flagged invoices to an active collection agency on a date, or recall them from it."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, RadioSet, Select

from cctui.domain.agency.agencies import AgencyView, list_agencies
from cctui.domain.agency.collection import hand_over, recall
from cctui.domain.errors import ValidationError
from cctui.domain.invoice_choices import CustomerInvoices, InvoiceChoice, customer_invoices
from cctui.domain.models import CollectionState
from cctui.widgets.date_input import parse_day
from cctui.widgets.forms.invoice_form import InvoiceForm, Job, form_bindings
from cctui.widgets.forms.invoice_labels import invoice_label, numbers_words
from cctui.widgets.safe_text import plain, safe_text
from cctui.widgets.toggles import MarkedRadioButton, MarkedSelectionList


@dataclass(frozen=True)
class HandOverContext:
    """What the hand-over form offers: the customer's invoices and the active agencies."""

    customer: CustomerInvoices
    agencies: tuple[AgencyView, ...]


def can_hand_over(choice: InvoiceChoice) -> bool:
    """True when the invoice is flagged for collection and something is open on it."""
    return choice.collection_state == CollectionState.FLAGGED and choice.is_open


def can_recall(choice: InvoiceChoice) -> bool:
    """True when the invoice is with a collection agency."""
    return choice.collection_state == CollectionState.HANDED_OVER


class HandOverForm(InvoiceForm[HandOverContext]):
    """Hand the customer's flagged invoices to an agency, or recall those with an agency.

    Dismisses with the outcome sentence, or None when cancelled with Esc.
    """

    TITLE = "Collection agency: hand over or recall"
    READ_TASK = "read the agencies and the customer's invoices"
    SAVE_TASK = "move the invoices"
    BINDINGS = form_bindings("hand-over-form", "hand over or recall the ticked invoices")

    DEFAULT_CSS = """
    HandOverForm #hand-over-date {
        width: 17;
    }
    HandOverForm #hand-over-date-label {
        width: 4;
        padding: 1 1 0 1;
    }
    HandOverForm #hand-over-invoices {
        height: auto;
        max-height: 8;
    }
    """

    def compose_fields(self) -> ComposeResult:
        """Hand over or recall, agency and date, the invoices to tick, and a note."""
        with Horizontal(classes="form-row"):
            yield Label("Do", classes="form-label")
            with RadioSet(id="hand-over-action"):
                yield MarkedRadioButton("Hand over", value=True, id="hand-over-give")
                yield MarkedRadioButton("Recall from the agency", id="hand-over-recall")
        with Horizontal(classes="form-row"):
            yield Label("Agency", classes="form-label")
            yield Select[int]([], prompt="Choose an agency", id="hand-over-agency")
            yield Label("On", id="hand-over-date-label")
            yield Input(self.cctui.today().isoformat(), id="hand-over-date", max_length=10)
        invoices: MarkedSelectionList[int] = MarkedSelectionList(id="hand-over-invoices")
        invoices.border_title = "Invoices (Space ticks)"
        yield invoices
        with Horizontal(classes="form-row"):
            yield Label("Note", classes="form-label")
            yield Input(placeholder="Optional", id="hand-over-note")

    def read_context(self) -> HandOverContext:
        """The customer's invoices and the active agencies (thread worker)."""
        with self.cctui.db.session() as session:
            customer = customer_invoices(session, self.customer_id, invoice_ids=self.invoice_ids)
            agencies = list_agencies(session, include_inactive=False)
        return HandOverContext(customer, tuple(agencies))

    def customer_of(self, context: HandOverContext) -> CustomerInvoices | None:
        """The customer line shows the customer of the invoices."""
        return context.customer

    def show_context(self, context: HandOverContext) -> None:
        """Offer the agencies; recall when every invoice chosen beneath is with an agency."""
        select = self.query_one("#hand-over-agency", Select)
        select.set_options([(safe_text(agency.name), agency.id) for agency in context.agencies])
        if context.agencies:
            select.value = context.agencies[0].id
        chosen = [context.customer.by_id(invoice_id) for invoice_id in self.invoice_ids]
        if chosen and all(choice is not None and can_recall(choice) for choice in chosen):
            self.query_one("#hand-over-recall", MarkedRadioButton).value = True
        self._fill_invoices()

    def _recalling(self) -> bool:
        return self.query_one("#hand-over-recall", MarkedRadioButton).value

    @on(RadioSet.Changed, "#hand-over-action")
    def _fill_invoices(self) -> None:
        """List the invoices the chosen move applies to, ticking those chosen beneath."""
        context = self.context
        if context is None:
            return
        recalling = self._recalling()
        self.query_one("#hand-over-agency", Select).disabled = recalling
        fits = can_recall if recalling else can_hand_over
        invoices = self._invoices()
        invoices.clear_options()
        candidates = [choice for choice in context.customer.invoices if fits(choice)]
        invoices.add_options(
            [
                (invoice_label(choice), choice.id, choice.id in self.invoice_ids)
                for choice in candidates
            ]
        )
        if candidates:
            invoices.highlighted = 0
            invoices.border_title = (
                "With an agency (Space ticks)"
                if recalling
                else "Flagged for collection (Space ticks)"
            )
        else:
            invoices.border_title = (
                "No invoice is with an agency" if recalling else "No invoice is flagged"
            )

    def _invoices(self) -> MarkedSelectionList[int]:
        return self.query_one("#hand-over-invoices", MarkedSelectionList)

    def collect(self) -> Job:
        """The job hands the ticked invoices to the agency, or recalls them."""
        context = self.loaded()
        app = self.cctui
        today = app.today()
        recalling = self._recalling()
        day = parse_day(
            self.query_one("#hand-over-date", Input).value,
            what="recall date" if recalling else "hand-over date",
            latest=today,
        )
        ticked = set(self._invoices().selected)
        invoice_ids = tuple(
            choice.id for choice in context.customer.invoices if choice.id in ticked
        )
        if not invoice_ids:
            raise ValidationError("Tick at least one invoice (Space).")
        note = self.query_one("#hand-over-note", Input).value
        user, db = app.user, app.db
        numbers = [
            choice.number for choice in context.customer.invoices if choice.id in invoice_ids
        ]
        if recalling:

            def recall_job() -> str:
                with db.session() as session:
                    recall(session, user, invoice_ids, recalled_on=day, note=note)
                return f"{numbers_words(numbers)} recalled from the agency on {day.isoformat()}."

            return recall_job
        if not context.agencies:
            raise ValidationError(
                "There is no active collection agency: an admin adds one on the agency screen."
            )
        agency_id = self.query_one("#hand-over-agency", Select).value
        if not isinstance(agency_id, int):
            raise ValidationError("Choose the collection agency.")
        agency = next((a.name for a in context.agencies if a.id == agency_id), "the agency")

        def hand_over_job() -> str:
            with db.session() as session:
                hand_over(session, user, invoice_ids, agency_id=agency_id, handed_on=day, note=note)
            return f"{numbers_words(numbers)} handed over to {plain(agency)} on {day.isoformat()}."

        return hand_over_job
