"""The letters written to the customer: queued, printed, sent or cancelled."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from cctui.domain.customer_detail import CustomerLetter, customer_letters
from cctui.widgets.customer.tab import TabContext, TableTab, day, short
from cctui.widgets.money import format_money

if TYPE_CHECKING:
    from cctui.db.engine import Database


class LettersTab(TableTab):
    """Letters, newest first: queued on, kind, status, dunning step, invoices, total."""

    TITLE = "Letters"
    TASK = "read the customer's letters"
    COLUMNS = ("Queued", "Kind", "Status", "Step", "Inv.", "Open", "Printed")
    EMPTY = "No letters were written to this customer."
    FIXED = 68

    def fetch(self, db: Database, context: TabContext) -> list[CustomerLetter]:
        """The customer's letters."""
        with db.session() as session:
            return customer_letters(session, context.customer_id)

    def rows(self, data: object) -> Iterable[tuple[str, Sequence[Text | str]]]:
        """One row per letter."""
        letters: list[CustomerLetter] = data if isinstance(data, list) else []
        for letter in letters:
            step = f"{letter.step_no} {letter.step_name or ''}".strip() if letter.step_no else "-"
            yield (
                str(letter.id),
                (
                    letter.queued_on.isoformat(),
                    letter.kind.value,
                    letter.status.value,
                    short(step, 8),
                    str(letter.invoice_count),
                    Text(format_money(letter.total_open, letter.currency), justify="right"),
                    day(letter.printed_at or letter.sent_at),
                ),
            )
