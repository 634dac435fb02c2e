"""The follow-up form: hide the customer from the queue until a day, with a reason; or clear it.

A follow-up date is one of the customer's settings, so the save sends the version the screen
loaded: when someone else changed the customer meanwhile it is refused and the text stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label

from cctui.domain.workflow.follow_up import clear_follow_up, set_follow_up
from cctui.domain.workflow.texts import MAX_TEXT
from cctui.widgets.forms.customer_form import CustomerForm, FormProblem, parse_day

if TYPE_CHECKING:
    from cctui.db.engine import Database


@dataclass(frozen=True)
class FollowUpRequest:
    """A day and reason to set, or ``day`` None to clear the follow-up."""

    day: date | None
    reason: str


class FollowUpForm(CustomerForm[FollowUpRequest]):
    """Set the customer's follow-up date and reason; an empty date clears it."""

    TITLE_TEXT = "Follow-up date"
    SAVE_TASK = "save the follow-up date"

    def __init__(
        self,
        customer_id: int,
        *,
        version: int,
        follow_up_on: date | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(customer_id)
        self.version = version
        self._day = follow_up_on
        self._reason = reason

    def compose_fields(self) -> ComposeResult:
        """The day and the reason."""
        yield Label(
            Text("Date (YYYY-MM-DD or +7; leave empty to clear the follow-up)"),
            classes="form-label",
        )
        yield Input(
            self._day.isoformat() if self._day else "",
            id="follow-up-date",
            max_length=10,
            placeholder="+7",
        )
        yield Label(Text("Reason"), classes="form-label")
        yield Input(self._reason or "", id="follow-up-reason", max_length=MAX_TEXT)

    def collect(self) -> FollowUpRequest:
        """The day (None: clear) and the reason, which a date needs."""
        typed = self.query_one("#follow-up-date", Input).value
        reason = self.query_one("#follow-up-reason", Input).value
        if not typed.strip():
            return FollowUpRequest(None, reason)
        day = parse_day(typed, self.cctui.today(), "follow-up date")
        if not reason.strip():
            raise FormProblem("A follow-up date needs a reason.")
        return FollowUpRequest(day, reason)

    def submit(self, db: Database, request: FollowUpRequest) -> str:
        """Set or clear the follow-up, refused when the customer changed since it was read."""
        with db.session() as session:
            if request.day is None:
                clear_follow_up(
                    session,
                    self.cctui.user,
                    customer_id=self.customer_id,
                    expected_version=self.version,
                )
                return "Follow-up date cleared: the customer shows in the queue when overdue."
            saved = set_follow_up(
                session,
                self.cctui.user,
                customer_id=self.customer_id,
                follow_up_on=request.day,
                reason=request.reason,
                expected_version=self.version,
                as_of=self.cctui.today(),
            )
        day = saved.follow_up_on.isoformat() if saved.follow_up_on else ""
        return f"Follow-up set for {day}: the customer leaves the queue until then."
