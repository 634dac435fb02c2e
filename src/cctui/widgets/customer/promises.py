"""The customer's promises to pay: amount, date, kept or broken."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from cctui.domain.models import PromiseStatus
from cctui.domain.workflow.promises import PromiseView, customer_promises
from cctui.widgets.customer.tab import TabContext, TableTab, short
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import safe_text

if TYPE_CHECKING:
    from cctui.db.engine import Database


class PromisesTab(TableTab):
    """Promises, latest date first: date, amount, status, who took it, which invoices."""

    TITLE = "Promises"
    TASK = "read the customer's promises"
    COLUMNS = ("Date", "Amount", "Cur", "Status", "By", "Invoices")
    EMPTY = "No promises to pay: p records one."
    FIXED = 60

    def fetch(self, db: Database, context: TabContext) -> list[PromiseView]:
        """The customer's promises."""
        with db.session() as session:
            return customer_promises(session, context.customer_id)

    def rows(self, data: object) -> Iterable[tuple[str, Sequence[Text | str]]]:
        """One row per promise; a broken one in capitals."""
        promises: list[PromiseView] = data if isinstance(data, list) else []
        for promise in promises:
            status = promise.status.value
            if promise.status is PromiseStatus.BROKEN:
                status = "BROKEN"
            yield (
                str(promise.id),
                (
                    promise.promised_on.isoformat(),
                    Text(format_money(promise.amount, promise.currency), justify="right"),
                    safe_text(promise.currency),
                    status,
                    short(promise.recorded_by or "-", 12),
                    short(", ".join(promise.invoice_numbers) or "all open", self.text_room),
                ),
            )
