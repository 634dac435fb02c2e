"""The customer's call history: who called, when, how long, how it ended."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from cctui.domain.workflow.calls import CallView, call_history
from cctui.widgets.customer.tab import TabContext, TableTab, day, duration, moment, short

if TYPE_CHECKING:
    from cctui.db.engine import Database

OUTCOME_WORDS = {
    "contacted": "contacted",
    "unreachable": "UNREACHABLE",
    "document_created": "document",
}
"""Outcomes as the table shows them; an unreachable attempt stands out without colour."""


class CallsTab(TableTab):
    """Calls, latest first: start, clerk, duration, outcome, next call and note."""

    TITLE = "Calls"
    TASK = "read the customer's calls"
    COLUMNS = ("Started", "Clerk", "Length", "Outcome", "Next", "Note")
    EMPTY = "No calls yet."
    FIXED = 66

    def fetch(self, db: Database, context: TabContext) -> list[CallView]:
        """The customer's calls."""
        with db.session() as session:
            return call_history(session, context.customer_id)

    def rows(self, data: object) -> Iterable[tuple[str, Sequence[Text | str]]]:
        """One row per call; a running call says so."""
        calls: list[CallView] = data if isinstance(data, list) else []
        for call in calls:
            outcome = OUTCOME_WORDS.get(str(call.outcome), "") if call.outcome else "on the line"
            yield (
                str(call.id),
                (
                    moment(call.started_at),
                    short(call.clerk, 10),
                    duration(call.duration),
                    outcome,
                    day(call.next_call_on) if call.next_call_on else "",
                    short(call.note or "", self.text_room),
                ),
            )
