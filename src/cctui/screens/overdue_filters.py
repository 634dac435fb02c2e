"""The filters of the overdue invoices, and the dialog (``f``) that sets them."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from cctui.domain.models import CollectionState
from cctui.screens.invoice_dialogs import DIALOG_CSS

STATE_WORDS = {
    CollectionState.NONE: "not flagged",
    CollectionState.FLAGGED: "flagged for collection",
    CollectionState.HANDED_OVER: "with an agency",
}
"""How the filters name each collection state."""


@dataclass(frozen=True)
class OverdueFilters:
    """What the overdue list is narrowed to; every field None (or False) means "any"."""

    mine: bool = False
    """Only the customers whose controller is the person using the app."""
    currency: str | None = None
    min_days: int | None = None
    dunning_level: int | None = None
    collection_state: CollectionState | None = None
    disputed: bool | None = None
    """True: only invoices in an open dispute; False: only those not in dispute."""

    def describe(self) -> list[str]:
        """The filters set, each in a few words (empty when none is)."""
        parts = []
        if self.mine:
            parts.append("my customers")
        if self.currency:
            parts.append(self.currency)
        if self.min_days is not None:
            parts.append(f"≥{self.min_days} days")
        if self.dunning_level is not None:
            parts.append(f"level {self.dunning_level}")
        if self.collection_state is not None:
            parts.append(STATE_WORDS[self.collection_state])
        if self.disputed is not None:
            parts.append("disputed" if self.disputed else "undisputed")
        return parts


DISPUTE_CHOICES: list[tuple[str, bool]] = [("Disputed only", True), ("Undisputed only", False)]
STATE_CHOICES: list[tuple[str, CollectionState]] = [
    (words.capitalize(), state) for state, words in STATE_WORDS.items()
]


def _whole_number(value: str, what: str) -> int | None:
    """``value`` as a whole number of at least 0, None when empty; ValueError says why not."""
    text = value.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"{what} must be a whole number such as 30, or empty for any.")
    return int(text)


class OverdueFilterScreen(ModalScreen[OverdueFilters | None]):
    """Set the filters of the overdue list: Enter (or "Apply") applies, Esc cancels.

    Dismisses with the new filters, or None when cancelled.
    """

    DEFAULT_CSS = (
        "OverdueFilterScreen {"
        + DIALOG_CSS
        + """
        & .filter-row {
            height: 1;
            margin-bottom: 1;
        }
        & .filter-row Label {
            width: 20;
        }
        & .filter-row Input {
            width: 12;
        }
        & .filter-row Select {
            width: 28;
        }
        & #filter-error {
            color: $error;
        }
    }"""
    )

    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="Close the filters without changing them.",
            id="overdue-filters.cancel",
        ),
    ]

    def __init__(self, current: OverdueFilters) -> None:
        super().__init__()
        self._current = current

    def compose(self) -> ComposeResult:
        """One row per filter, the error line and the buttons."""
        current = self._current
        with Vertical() as dialog:
            dialog.border_title = "Filter overdue invoices"
            yield Checkbox(
                "Only my customers", current.mine, id="filter-mine", compact=True
            ).add_class("filter-row")
            with Horizontal(classes="filter-row"):
                yield Label("Currency")
                yield Input(
                    current.currency or "",
                    placeholder="any",
                    max_length=3,
                    id="filter-currency",
                    compact=True,
                )
            with Horizontal(classes="filter-row"):
                yield Label("At least days late")
                yield Input(
                    "" if current.min_days is None else str(current.min_days),
                    placeholder="any",
                    max_length=5,
                    id="filter-days",
                    compact=True,
                )
            with Horizontal(classes="filter-row"):
                yield Label("Dunning level")
                yield Input(
                    "" if current.dunning_level is None else str(current.dunning_level),
                    placeholder="any",
                    max_length=2,
                    id="filter-level",
                    compact=True,
                )
            with Horizontal(classes="filter-row"):
                yield Label("Collection")
                yield Select(
                    STATE_CHOICES,
                    value=current.collection_state or Select.NULL,
                    prompt="Any",
                    id="filter-state",
                    compact=True,
                )
            with Horizontal(classes="filter-row"):
                yield Label("Disputes")
                yield Select(
                    DISPUTE_CHOICES,
                    value=Select.NULL if current.disputed is None else current.disputed,
                    prompt="Any",
                    id="filter-disputed",
                    compact=True,
                )
            yield Static(Text(""), id="filter-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", id="filter-apply", variant="primary", compact=True)
                yield Button("Clear all", id="filter-clear", compact=True)
                yield Button("Cancel", id="filter-cancel", compact=True)
            yield Static(
                Text("Tab moves · Enter in a field applies · Esc cancels"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        """Start on the first filter."""
        self.query_one("#filter-mine", Checkbox).focus()

    def _read(self) -> OverdueFilters:
        """The filters as filled in; ValueError names the first one that is malformed."""
        currency = self.query_one("#filter-currency", Input).value.strip().upper()
        if currency and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
            raise ValueError("The currency must be a three-letter code such as EUR.")
        state = self.query_one("#filter-state", Select).value
        disputed = self.query_one("#filter-disputed", Select).value
        return OverdueFilters(
            mine=self.query_one("#filter-mine", Checkbox).value,
            currency=currency or None,
            min_days=_whole_number(
                self.query_one("#filter-days", Input).value, "The days past due"
            ),
            dunning_level=_whole_number(
                self.query_one("#filter-level", Input).value, "The dunning level"
            ),
            collection_state=state if isinstance(state, CollectionState) else None,
            disputed=disputed if isinstance(disputed, bool) else None,
        )

    def _apply(self) -> None:
        try:
            filters = self._read()
        except ValueError as error:
            self.query_one("#filter-error", Static).update(Text(str(error)))
            return
        self.dismiss(filters)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._apply()

    @on(Button.Pressed, "#filter-apply")
    def _apply_pressed(self) -> None:
        self._apply()

    @on(Button.Pressed, "#filter-clear")
    def _clear_pressed(self) -> None:
        self.dismiss(OverdueFilters())

    @on(Button.Pressed, "#filter-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Close without changing the filters."""
        self.dismiss(None)
