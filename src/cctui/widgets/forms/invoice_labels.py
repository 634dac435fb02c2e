"""How the money forms show a customer and its invoices: literal text, states in words."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text

from cctui.domain.invoice_choices import CustomerInvoices, InvoiceChoice
from cctui.domain.models import CollectionState
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import plain, safe_text

NUMBER_WIDTH = 16
"""Invoice numbers are padded to this width so the columns after them line up."""


def money_words(amount: Decimal, currency: str) -> str:
    """An amount with its currency for a sentence: ``1,234.50 EUR``."""
    return f"{format_money(amount, currency)} {plain(currency)}"


def numbers_words(numbers: tuple[str, ...] | list[str], shown: int = 5) -> str:
    """Invoice numbers for a sentence, control characters removed: ``INV-1, INV-2 and 3 more``."""
    cleaned = [plain(number) for number in numbers]
    head = ", ".join(cleaned[:shown])
    more = len(cleaned) - shown
    return head if more <= 0 else f"{head} and {more} more"


def customer_line(customer: CustomerInvoices) -> Text:
    """``ACCOUNT  balance 1,234.50 EUR  Name``: the name last (shown literally, whatever it
    holds), so a long one is cut rather than the figures."""
    line = safe_text(customer.account, style="bold")
    line.append(f"  balance {money_words(customer.balance, customer.currency)}  ")
    line.append(safe_text(customer.name))
    return line


def invoice_states(choice: InvoiceChoice) -> str:
    """The invoice's collection and dispute states in words ("" when it has none)."""
    states = []
    if choice.dispute_id is not None:
        states.append("in dispute")
    if choice.collection_state == CollectionState.FLAGGED:
        states.append("flagged")
    elif choice.collection_state == CollectionState.HANDED_OVER:
        states.append(f"with {plain(choice.agency_name or 'an agency')}")
    return ", ".join(states)


def invoice_label(choice: InvoiceChoice, *, extra: str = "") -> Text:
    """One invoice on one line: number, due date, open amount, states (and ``extra``)."""
    label = safe_text(choice.number.ljust(NUMBER_WIDTH))
    label.append(f" due {choice.due_on.isoformat()}")
    label.append(f" open {format_money(choice.open_amount, choice.currency).rjust(10)}")
    states = invoice_states(choice)
    if states:
        label.append(f" ({states})")
    if extra:
        label.append(f" {extra}")
    return label


def charges_words(choice: InvoiceChoice) -> str:
    """Fees and interest charged and waived on the invoice, for the waiver form."""
    currency = choice.currency
    return (
        f"Fees {format_money(choice.fee_amount, currency)}, "
        f"interest {format_money(choice.interest_amount, currency)} charged; "
        f"waived {format_money(choice.waived_fee_amount, currency)} fees, "
        f"{format_money(choice.waived_interest_amount, currency)} interest."
    )
