"""The customer's unpaid invoices (all open ones, overdue or not), oldest due first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from cctui.domain.customer_detail import UnpaidInvoice, unpaid_invoices
from cctui.domain.models import CollectionState, InvoiceKind
from cctui.widgets.customer.tab import TabContext, TableTab, short
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import safe_text

if TYPE_CHECKING:
    from cctui.db.engine import Database


def invoice_flags(invoice: UnpaidInvoice) -> str:
    """What else is true of the invoice, in words: credit note, dispute, promise, agency."""
    flags = []
    if invoice.kind is InvoiceKind.CREDIT_NOTE:
        flags.append("credit note")
    if invoice.in_dispute:
        flags.append("disputed")
    if invoice.promised:
        flags.append("promised")
    if invoice.collection_state is CollectionState.FLAGGED:
        flags.append("for agency")
    elif invoice.collection_state is CollectionState.HANDED_OVER:
        flags.append("at agency")
    return ", ".join(flags)


class InvoicesTab(TableTab):
    """Unpaid invoices: number, due date, days overdue, open amount, dunning step, flags.

    The invoice under the cursor is the one the invoice forms (write-off, waive, dispute,
    hand to agency) act on.
    """

    TITLE = "Invoices"
    TASK = "read the customer's unpaid invoices"
    COLUMNS = ("Invoice", "Due", "Late", "Open", "Cur", "Step", "Notes")
    EMPTY = "No unpaid invoices: the customer owes nothing."
    FIXED = 65

    def fetch(self, db: Database, context: TabContext) -> list[UnpaidInvoice]:
        """The customer's unpaid invoices on the app's day."""
        with db.session() as session:
            return unpaid_invoices(session, context.customer_id, as_of=context.as_of)

    def rows(self, data: object) -> Iterable[tuple[str, Sequence[Text | str]]]:
        """One row per invoice; days late only for overdue ones."""
        invoices: list[UnpaidInvoice] = data if isinstance(data, list) else []
        for invoice in invoices:
            late = Text(f"{invoice.days_past_due}d", style="bold") if invoice.overdue else Text("")
            yield (
                str(invoice.invoice_id),
                (
                    safe_text(invoice.number),
                    invoice.due_on.isoformat(),
                    late,
                    Text(format_money(invoice.open_amount, invoice.currency), justify="right"),
                    safe_text(invoice.currency),
                    str(invoice.dunning_level) if invoice.dunning_level else "",
                    short(invoice_flags(invoice), self.text_room),
                ),
            )
