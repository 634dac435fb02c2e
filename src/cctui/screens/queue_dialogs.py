"""The debtor queue's dialogs: choose the sort column, choose the filters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from cctui.domain.models import CreditAction
from cctui.domain.pools import PoolInfo
from cctui.domain.queue import ColourStatus, QueueQuery, QueueSort
from cctui.widgets.safe_text import plain, safe_text
from cctui.widgets.toggles import MarkedCheckbox

SORT_TITLES: dict[QueueSort, str] = {
    QueueSort.OVERDUE: "Overdue balance",
    QueueSort.OLDEST_DUE: "Days overdue (oldest due date)",
    QueueSort.NAME: "Name",
    QueueSort.ACCOUNT: "Account",
    QueueSort.NEXT_CALL: "Next call",
    QueueSort.LAST_CALL: "Last call",
    QueueSort.NEXT_PROMISE: "Next promised payment",
    QueueSort.BALANCE: "Balance",
    QueueSort.CONTROLLER: "Controller",
    QueueSort.POSTAL_CODE: "Postal code",
    QueueSort.RELEVANCE: "Best search match",
}
"""Every sort in the order the sort dialog lists them, with its title."""

COLOUR_CHOICES: tuple[ColourStatus, ...] = (
    ColourStatus.ATTENTION,
    ColourStatus.CONTACTED,
    ColourStatus.NONE,
)


class SortScreen(ModalScreen[QueueSort | None]):
    """Pick the column the queue is sorted by; Esc keeps the current order.

    Dismisses with the sort chosen, or None. Relevance is offered only while searching.
    """

    DEFAULT_CSS = """
    SortScreen {
        align: center middle;
    }
    #queue-sort-dialog {
        width: 44;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    #queue-sort-list {
        height: auto;
        max-height: 14;
        border: none;
    }
    #queue-sort-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "close",
            "Close",
            tooltip="Close the list and keep the current order.",
            id="queue-sort.close",
        ),
    ]

    def __init__(self, current: QueueSort, *, searching: bool) -> None:
        super().__init__()
        self._current = current
        self._sorts = [sort for sort in SORT_TITLES if searching or sort is not QueueSort.RELEVANCE]

    def compose(self) -> ComposeResult:
        """The list of sort columns, the current one marked."""
        options = []
        for sort in self._sorts:
            label = Text(SORT_TITLES[sort])
            if sort is self._current:
                label.append(" (now)", style="dim")
            options.append(Option(label, id=sort.value))
        with Vertical(id="queue-sort-dialog") as dialog:
            dialog.border_title = "Sort the queue by"
            yield OptionList(*options, id="queue-sort-list")
            yield Static(Text("↑↓ and Enter choose; Esc closes."), id="queue-sort-hint")

    def on_mount(self) -> None:
        """Start on the current sort."""
        option_list = self.query_one(OptionList)
        option_list.highlighted = (
            self._sorts.index(self._current) if self._current in self._sorts else 0
        )

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(QueueSort(event.option.id))

    def action_close(self) -> None:
        """Close without choosing."""
        self.dismiss(None)


class QueueFilterScreen(ModalScreen[QueueQuery | None]):
    """Choose which debtors the queue lists: pool, colour, credit actions, currency, and
    whether debtors with a follow-up date ahead show too.

    Dismisses with the query to use (search, sort and "mine" kept as they were), or None.
    """

    DEFAULT_CSS = """
    QueueFilterScreen {
        align: center middle;
    }
    #queue-filter-dialog {
        width: 60;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    #queue-filter-dialog Label {
        width: 100%;
        margin-top: 1;
        color: $text-muted;
    }
    #queue-filter-actions, #queue-filter-buttons {
        height: auto;
    }
    #queue-filter-actions Checkbox {
        margin-right: 2;
    }
    #queue-filter-buttons {
        margin-top: 1;
    }
    #queue-filter-buttons Button {
        margin-right: 2;
    }
    #queue-filter-currency {
        width: 20;
    }
    #queue-filter-error {
        color: $error;
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="Close the filters without changing them.",
            id="queue-filter.cancel",
        ),
        Binding(
            "f9,ctrl+s",
            "apply",
            "Apply",
            tooltip="List the debtors matching these filters.",
            id="queue-filter.apply",
        ),
    ]

    def __init__(self, query: QueueQuery, pools: Sequence[PoolInfo]) -> None:
        super().__init__()
        self._query = query
        self._pools = list(pools)

    def compose(self) -> ComposeResult:
        """One field per filter, then Apply, Clear and Cancel."""
        query = self._query
        pool_options = [(safe_text(pool.name), pool.id) for pool in self._pools]
        pool_value = query.pool_id if any(p.id == query.pool_id for p in self._pools) else None
        colour_options = [
            (Text(f"{status.symbol} {status.word}"), status.value) for status in COLOUR_CHOICES
        ]
        with Vertical(id="queue-filter-dialog") as dialog:
            dialog.border_title = "Filter the queue"
            yield Label("Pool")
            yield Select(
                pool_options,
                prompt="Any pool",
                value=Select.NULL if pool_value is None else pool_value,
                id="queue-filter-pool",
                compact=True,
            )
            yield Label("Colour status")
            yield Select(
                colour_options,
                prompt="Any colour",
                value=Select.NULL if query.colour is None else query.colour.value,
                id="queue-filter-colour",
                compact=True,
            )
            yield Label("Credit action (none ticked: any)")
            with Horizontal(id="queue-filter-actions"):
                for action in CreditAction:
                    yield MarkedCheckbox(
                        action.value,
                        value=action in query.credit_actions,
                        id=f"queue-filter-action-{action.value}",
                        compact=True,
                    )
            yield Label("Currency (empty: any)")
            yield Input(
                query.currency or "",
                placeholder="e.g. EUR",
                max_length=3,
                id="queue-filter-currency",
                compact=True,
            )
            yield MarkedCheckbox(
                "Show debtors with a follow-up date ahead",
                value=query.include_hidden,
                id="queue-filter-hidden",
                compact=True,
            )
            yield Static("", id="queue-filter-error")
            with Horizontal(id="queue-filter-buttons"):
                yield Button("Apply", variant="primary", id="queue-filter-apply", compact=True)
                yield Button("Clear all", id="queue-filter-clear", compact=True)
                yield Button("Cancel", id="queue-filter-cancel", compact=True)

    def on_mount(self) -> None:
        """Start on the first field."""
        self.query_one("#queue-filter-pool", Select).focus()

    def chosen_query(self) -> QueueQuery | None:
        """The query the fields describe, or None (and a sentence shown) when one is wrong."""
        pool = self.query_one("#queue-filter-pool", Select).value
        colour = self.query_one("#queue-filter-colour", Select).value
        actions = tuple(
            action
            for action in CreditAction
            if self.query_one(f"#queue-filter-action-{action.value}", MarkedCheckbox).value
        )
        currency = plain(self.query_one("#queue-filter-currency", Input).value).strip().upper()
        if currency and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
            self.query_one("#queue-filter-error", Static).update(
                Text("A currency is a three-letter code such as EUR, or empty for any.")
            )
            self.query_one("#queue-filter-currency", Input).focus()
            return None
        return replace(
            self._query,
            pool_id=pool if isinstance(pool, int) else None,
            colour=ColourStatus(colour) if isinstance(colour, str) else None,
            credit_actions=actions,
            currency=currency or None,
            include_hidden=self.query_one("#queue-filter-hidden", MarkedCheckbox).value,
        )

    def action_apply(self) -> None:
        """Close with the filters chosen (unless a field is wrong)."""
        query = self.chosen_query()
        if query is not None:
            self.dismiss(query)

    def action_cancel(self) -> None:
        """Close without changing the filters."""
        self.dismiss(None)

    @on(Input.Submitted, "#queue-filter-currency")
    def _currency_entered(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#queue-filter-apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#queue-filter-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#queue-filter-clear")
    def _clear_pressed(self) -> None:
        self.dismiss(
            replace(
                self._query,
                pool_id=None,
                colour=None,
                credit_actions=(),
                currency=None,
                include_hidden=False,
            )
        )
