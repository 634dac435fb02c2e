"""Held documents: why each is held, and releasing or rejecting it (controllers and above)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from cctui.domain.credit.held import HeldDocumentView, list_held_documents
from cctui.domain.credit.transactions import ACTION_WORDS
from cctui.domain.models import CreditAction, HeldStatus, Role
from cctui.messages import DailyCheckFinished
from cctui.screens.held_dialogs import RejectDialog, ReleaseDialog
from cctui.screens.item_list import ItemListScreen
from cctui.widgets.item_table import ItemTable
from cctui.widgets.money import format_money
from cctui.widgets.safe_text import safe_text

if TYPE_CHECKING:
    from cctui.app import AppContext

LIST_LIMIT = 500
"""The most documents the screen lists at once."""

FILTERS: tuple[HeldStatus | None, ...] = (
    HeldStatus.HELD,
    HeldStatus.RELEASED,
    HeldStatus.REJECTED,
    None,
)
"""The status filter, in the order ``f`` cycles through it (None: every status)."""

ACTION_COLOURS = {CreditAction.HOLD: "error", CreditAction.PASSWORD: "warning"}
"""The theme colour beside the action's word (the word itself always says it)."""

CARED_ABOUT = frozenset({"held_document", "approval_request", "customer"})
"""Changes that can alter what the list shows."""


def filter_words(status: HeldStatus | None) -> str:
    """How the filter reads in the title: ``held``, ``released``, ``rejected`` or ``all``."""
    return "all" if status is None else status.value


def status_words(held: HeldDocumentView) -> str:
    """The status column: ``held``, ``asked`` (a release waits for approval), or the decision."""
    if held.status is HeldStatus.HELD and held.pending_approval_id is not None:
        return "asked"
    return held.status.value


def _stamp(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def detail_text(held: HeldDocumentView) -> Text:
    """The selected document in full: what, who, why it is held, what became of it."""
    text = Text()
    text.append_text(safe_text(held.customer_account, style="bold"))
    text.append(" ")
    text.append_text(safe_text(held.customer_name, style="bold"))
    text.append(f"\n{held.kind.value.capitalize()} ")
    text.append_text(safe_text(held.reference))
    text.append(f" of {format_money(held.amount, held.currency)} ")
    text.append_text(safe_text(held.currency))
    text.append(f", held {held.age_days} day{'s' if held.age_days != 1 else ''}")
    if held.created_by:
        text.append(", entered by ")
        text.append_text(safe_text(held.created_by))
    text.append(f"; credit action {ACTION_WORDS[held.credit_action]}.")
    if held.needs_supervisor and held.status is HeldStatus.HELD:
        text.append("\nReleasing it needs a supervisor.")
    if held.pending_approval_id is not None and held.status is HeldStatus.HELD:
        text.append(
            f"\nA release waits for a supervisor's approval (request {held.pending_approval_id})."
        )
    if held.status is not HeldStatus.HELD:
        text.append(f"\n{held.status.value.capitalize()}", style="bold")
        if held.decided_by:
            text.append(" by ")
            text.append_text(safe_text(held.decided_by))
        if held.decided_at is not None:
            text.append(f" on {_stamp(held.decided_at)}")
        if held.decision_note:
            text.append(": ")
            text.append_text(safe_text(held.decision_note))
    text.append("\nReasons:", style="bold")
    for reason in held.reasons or ("(none recorded)",):
        text.append("\n • ")
        text.append_text(safe_text(reason))
    return text


class HeldScreen(ItemListScreen[HeldDocumentView, list[HeldDocumentView]]):
    """Held documents, oldest first: customer, kind, reference, amount, action, age.

    The selected document's reasons show below the list. ``r`` releases it (a controller
    releasing one that needs a supervisor types the supervisor's login and password, or
    asks for approval), ``x`` rejects it with a reason, Enter opens its customer and
    ``f`` cycles the status shown: held, released, rejected, all.
    """

    HELP_TITLE = "Held documents"
    SCREEN_NAME = "held"
    MIN_ROLE: ClassVar[Role] = Role.CONTROLLER
    """The least role offered the screen (the domain checks every action again)."""
    WORKER_GROUP = "held"

    DEFAULT_CSS = """
    HeldScreen #held-title {
        height: 1;
        padding: 0 1;
    }
    HeldScreen #held-table {
        height: 1fr;
        min-height: 5;
    }
    HeldScreen #held-detail {
        height: auto;
        max-height: 50%;
        border-top: solid $primary;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding(
            "r",
            "release",
            "Release",
            tooltip="Release the selected held document (a supervisor's password if needed).",
            id="held.release",
        ),
        Binding(
            "x",
            "reject",
            "Reject",
            tooltip="Reject the selected held document for good, saying why.",
            id="held.reject",
        ),
        Binding(
            "f",
            "cycle_filter",
            "Filter",
            tooltip="Show held, released, rejected or all documents, in turn.",
            id="held.filter",
        ),
        Binding(
            "enter,c",
            "open_customer",
            "Customer",
            tooltip="Open the customer of the selected document.",
            id="held.open-customer",
        ),
        Binding(
            "f5",
            "refresh",
            "Refresh",
            show=False,
            tooltip="Read the held documents from the database again.",
            id="held.refresh",
        ),
    ]

    @classmethod
    def open(cls, context: AppContext) -> HeldScreen:
        """The registry's factory: the screen needs nothing from the context."""
        return cls()

    def __init__(self) -> None:
        super().__init__()
        self._filter_index = 0

    @property
    def status_filter(self) -> HeldStatus | None:
        """The status shown (None: every status)."""
        return FILTERS[self._filter_index]

    def compose_body(self) -> ComposeResult:
        """The title line, the list and the detail pane."""
        yield Static(id="held-title")
        table: ItemTable[HeldDocumentView] = ItemTable(id="held-table")
        yield table
        with VerticalScroll(id="held-detail", can_focus=False):
            yield Static(Text(""), id="held-detail-text")

    @property
    def table(self) -> ItemTable[HeldDocumentView]:
        """The list of documents."""
        return self.query_one("#held-table", ItemTable)

    def on_mount(self) -> None:
        """Lay the columns out and read the list."""
        table = self.table
        # The other columns take 66 cells of 80 (padding and scrollbar included); the
        # customer's name gets the rest, more on a wider terminal.
        table.add_column("Customer", width=max(13, self.app.size.width - 67), key="customer")
        table.add_column("Kind", width=7, key="kind")
        table.add_column("Reference", width=14, key="reference")
        table.add_column("Amount", width=12, key="amount")
        table.add_column("Action", width=8, key="action")
        table.add_column("Age", width=3, key="age")
        table.add_column("Status", width=8, key="status")
        self._show_title()
        self.reload()

    def _show_title(self, count: int | None = None) -> None:
        words = f"Held documents: {filter_words(self.status_filter)}"
        if count is not None:
            words += f" ({count:,}{'+' if count >= LIST_LIMIT else ''})"
        title = Text(words, style="bold")
        title.append("   f: held/released/rejected/all", style="dim")
        self.query_one("#held-title", Static).update(title)

    def start_read(self) -> None:
        """Read the documents of the status shown."""
        self._read(self.status_filter)

    def cares_about(self, customer_id: int | None, entity: str) -> bool:
        """Held documents, approval requests and customers (names, actions) concern the list."""
        return entity in CARED_ABOUT

    def on_daily_check_finished(self, message: DailyCheckFinished) -> None:
        """Ages and credit actions moved with the day: read the list again."""
        self.reload()

    @work(
        thread=True,
        exclusive=True,
        group=WORKER_GROUP,
        name="read the held documents",
        exit_on_error=False,
    )
    def _read(self, status: HeldStatus | None) -> list[HeldDocumentView]:
        """Read the documents of ``status`` (runs in a thread)."""
        app = self.cctui
        with app.db.session() as session:
            return list_held_documents(
                session, app.user, status=status, limit=LIST_LIMIT, as_of=app.today()
            )

    def show_read(self, read: list[HeldDocumentView]) -> None:
        """Put the documents read in the table, the cursor staying on the same document."""
        self.table.fill((held.id, held, self._cells(held)) for held in read)
        self._show_title(len(read))
        self._show_detail()

    def _cells(self, held: HeldDocumentView) -> list[Text]:
        """One document's row: customer, kind, reference, amount, action, age, status."""
        return [
            safe_text(held.customer_name),
            Text(held.kind.value),
            safe_text(held.reference),
            Text(format_money(held.amount, held.currency), justify="right"),
            Text(ACTION_WORDS[held.credit_action], style=self._action_style(held)),
            Text(str(held.age_days), justify="right"),
            Text(status_words(held)),
        ]

    def _action_style(self, held: HeldDocumentView) -> str:
        """Bold in the theme's colour for Hold and Password (cells do not resolve $names)."""
        colour = ACTION_COLOURS.get(held.credit_action)
        if colour is None:
            return ""
        return f"bold {self.app.get_css_variables().get(colour, '')}".strip()

    @on(DataTable.RowHighlighted, "#held-table")
    def _show_detail(self) -> None:
        held = self.table.selected
        detail = self.query_one("#held-detail-text", Static)
        if held is None:
            detail.update(Text(f"No {filter_words(self.status_filter)} documents.", style="italic"))
        else:
            detail.update(detail_text(held))

    def action_cycle_filter(self) -> None:
        """Show the next status: held, released, rejected, all."""
        self._filter_index = (self._filter_index + 1) % len(FILTERS)
        self.table.empty()
        self._show_title()
        self.reload()

    def _held_selected(self, doing: str) -> HeldDocumentView | None:
        """The selected document if it is still held; otherwise say why not."""
        held = self.table.selected
        if held is None:
            self.notify(f"There is no document to {doing}.", severity="warning", timeout=4)
            return None
        if held.status is not HeldStatus.HELD:
            self.notify(
                f"This document was already {held.status.value}; it cannot be decided again.",
                severity="warning",
                timeout=6,
            )
            return None
        return held

    def action_release(self) -> None:
        """Open the release dialog for the selected document."""
        held = self._held_selected("release")
        if held is not None:
            self.app.push_screen(ReleaseDialog(held, self.cctui.user.role), self._decided)

    def action_reject(self) -> None:
        """Open the reject dialog for the selected document."""
        held = self._held_selected("reject")
        if held is not None:
            self.app.push_screen(RejectDialog(held), self._decided)

    def _decided(self, message: str | None) -> None:
        """Say what the dialog did and read the list again."""
        if message is not None:
            self.notify(message, title="Held documents", timeout=6, markup=False)
            self.reload()
