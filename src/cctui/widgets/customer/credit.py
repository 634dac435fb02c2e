"""The credit tab: limit and temporary limit, limit history, held documents, approvals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from cctui.domain.credit.held import HeldDocumentView, list_held_documents
from cctui.domain.credit.limits import LimitChangeRecord, credit_limit_history
from cctui.domain.customer_detail import (
    CustomerApproval,
    CustomerHeader,
    customer_approvals,
    customer_header,
)
from cctui.domain.models import Role
from cctui.widgets.customer.tab import CustomerTab, TabContext, day, short
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import safe_text

if TYPE_CHECKING:
    from cctui.db.engine import Database


@dataclass(frozen=True)
class CreditData:
    """Everything the credit tab shows; ``held`` is None for roles that may not list it."""

    header: CustomerHeader
    history: list[LimitChangeRecord]
    held: list[HeldDocumentView] | None
    approvals: list[CustomerApproval]


def _table(*columns: str) -> Table:
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False, expand=False)
    for column in columns:
        table.add_column(Text(column, style="bold"), overflow="fold")
    return table


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def limits_block(header: CustomerHeader) -> Text:
    """The limit, the temporary limit with its expiry, and how the action is set."""
    money = header.currency
    text = Text("Credit limit ", style="bold")
    text.append(f"{format_money(header.credit_limit, money)} {money}")
    if header.temp_credit_limit is not None:
        text.append("  Temporary limit ", style="bold")
        text.append(f"{format_money(header.temp_credit_limit, money)} {money}")
        text.append(f" until {day(header.temp_limit_expires_on)}")
    else:
        text.append("  No temporary limit")
    text.append("\nCredit action ", style="bold")
    text.append(header.credit_action.value.upper())
    text.append(" (manual settings)" if header.manual_settings else " (set by the policy)")
    return text


def credit_view(data: CreditData) -> RenderableType:
    """The whole tab as one renderable."""
    parts: list[RenderableType] = [limits_block(data.header)]
    money = data.header.currency

    parts.append(_heading("Limit history"))
    if data.history:
        history = _table("Asked", "Old", "New", "Kind", "State", "By", "Why")
        for change in data.history:
            history.add_row(
                day(change.requested_at),
                "-" if change.old_limit is None else format_money(change.old_limit, money),
                format_money(change.new_limit, money),
                f"temp. to {day(change.expires_on)}" if change.temporary else "limit",
                change.status.value,
                short(change.requested_by or "-", 12),
                short(change.reason),
            )
        parts.append(history)
    else:
        parts.append(Text("The limit was never changed."))

    parts.append(_heading("Held documents"))
    if data.held is None:
        parts.append(Text("Held documents are listed for controllers and above."))
    elif data.held:
        held = _table("Held", "Document", "Amount", "State", "Why")
        for document in data.held:
            held.add_row(
                day(document.created_at),
                short(f"{document.kind.value} {document.reference}", 24),
                f"{format_money(document.amount, document.currency)} {document.currency}",
                document.status.value
                + (" (awaiting approval)" if document.pending_approval_id else ""),
                short("; ".join(document.reasons)),
            )
        parts.append(held)
    else:
        parts.append(Text("No documents were held."))

    parts.append(_heading("Approvals"))
    if data.approvals:
        approvals = _table("Asked", "What", "State", "By", "Decided by")
        for approval in data.approvals:
            approvals.add_row(
                day(approval.requested_at),
                safe_text(approval.summary),
                approval.status.value.upper()
                if approval.status.value == "pending"
                else approval.status.value,
                short(approval.requested_by or "-", 12),
                short(approval.decided_by or "-", 12),
            )
        parts.append(approvals)
    else:
        parts.append(Text("No approval was ever asked for this customer."))
    return Group(*parts)


class CreditTab(CustomerTab):
    """Limits, the history of limit changes, held documents and approval requests."""

    DEFAULT_CSS = """
    CreditTab > VerticalScroll {
        height: 1fr;
        padding: 0 1;
    }
    """

    TITLE = "Credit"
    TASK = "read the customer's credit"

    def compose(self) -> ComposeResult:
        """A scrolling view of the blocks."""
        with VerticalScroll(id="credit-scroll"):
            yield Static(Text("Loading…"), id="credit-body")

    def focus_target(self) -> Widget:
        """The scrolling view (arrows and Page keys scroll it)."""
        return self.query_one("#credit-scroll")

    def fetch(self, db: Database, context: TabContext) -> CreditData:
        """Limits, history, held documents (controllers and above) and approvals."""
        with db.session() as session:
            header = customer_header(session, context.customer_id, with_actions=False)
            history = credit_limit_history(session, context.customer_id)
            held = (
                list_held_documents(
                    session,
                    context.actor,
                    status=None,
                    customer_id=context.customer_id,
                    as_of=context.as_of,
                )
                if context.actor.has_role(Role.CONTROLLER)
                else None
            )
            approvals = customer_approvals(session, context.customer_id)
        return CreditData(header, history, held, approvals)

    def show(self, data: object) -> None:
        """Draw the blocks."""
        if isinstance(data, CreditData):
            self.query_one("#credit-body", Static).update(credit_view(data))

    def failed(self) -> None:
        """Say the credit could not be read."""
        self.query_one("#credit-body", Static).update(
            Text("The credit details could not be read. Press r to try again.")
        )
