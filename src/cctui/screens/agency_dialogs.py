"""The hand-over dialog of the collection agency screen: which agency, on which day, a note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from cctui.domain.agency import AgencyView
from cctui.screens.invoice_dialogs import DIALOG_CSS
from cctui.widgets.safe_text import safe_text


@dataclass(frozen=True)
class HandOverChoice:
    """What the dialog settled: the agency, the day of the hand-over, an optional note."""

    agency_id: int
    handed_on: date
    note: str | None


class HandOverScreen(ModalScreen[HandOverChoice | None]):
    """Choose an active agency and the date (today unless changed), then hand over.

    ↑↓ choose the agency, Tab moves to the date and the note, Enter in a field hands over,
    Esc cancels. Dismisses with the choice, or None when cancelled.
    """

    DEFAULT_CSS = (
        "HandOverScreen {"
        + DIALOG_CSS
        + """
        & #handover-agencies {
            height: auto;
            max-height: 8;
            border: none;
            margin-bottom: 1;
        }
        & .field-row {
            height: 1;
            margin-bottom: 1;
        }
        & .field-row Label {
            width: 8;
        }
        & #handover-date {
            width: 14;
        }
        & #handover-error {
            color: $error;
        }
    }"""
    )

    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="Close the dialog without handing anything over.",
            id="hand-over.cancel",
        ),
    ]

    def __init__(self, agencies: list[AgencyView], count: int, today: date) -> None:
        super().__init__()
        self._agencies = agencies
        self._count = count
        self._today = today

    def compose(self) -> ComposeResult:
        """The agencies, the date and note fields, the error line and the buttons."""
        with Vertical() as dialog:
            dialog.border_title = "Hand over to a collection agency"
            noun = "invoice" if self._count == 1 else "invoices"
            yield Static(Text(f"Hand {self._count} {noun} over to:"))
            yield OptionList(
                *(Option(safe_text(agency.name), id=str(agency.id)) for agency in self._agencies),
                id="handover-agencies",
            )
            with Horizontal(classes="field-row"):
                yield Label("Date")
                yield Input(
                    self._today.isoformat(),
                    placeholder="YYYY-MM-DD",
                    max_length=10,
                    id="handover-date",
                    compact=True,
                )
            with Horizontal(classes="field-row"):
                yield Label("Note")
                yield Input(
                    placeholder="optional", max_length=500, id="handover-note", compact=True
                )
            yield Static(Text(""), id="handover-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Hand over", id="handover-go", variant="primary", compact=True)
                yield Button("Cancel", id="handover-cancel", compact=True)
            yield Static(
                Text("↑↓ agency, Enter: the date · Enter in a field hands over · Esc cancels"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        """Start in the list of agencies, on the first."""
        agencies = self.query_one("#handover-agencies", OptionList)
        agencies.highlighted = 0
        agencies.focus()

    @on(OptionList.OptionSelected)
    def _agency_chosen(self) -> None:
        self.query_one("#handover-date", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._hand_over()

    @on(Button.Pressed, "#handover-go")
    def _go_pressed(self) -> None:
        self._hand_over()

    @on(Button.Pressed, "#handover-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def _say(self, problem: str) -> None:
        self.query_one("#handover-error", Static).update(Text(problem))

    def _hand_over(self) -> None:
        agencies = self.query_one("#handover-agencies", OptionList)
        if agencies.highlighted is None:
            self._say("Choose an agency first.")
            return
        agency_id = int(agencies.get_option_at_index(agencies.highlighted).id or 0)
        written = self.query_one("#handover-date", Input).value.strip()
        try:
            handed_on = date.fromisoformat(written) if written else self._today
        except ValueError:
            self._say("Write the date as YYYY-MM-DD, for example 2026-11-23.")
            return
        note = self.query_one("#handover-note", Input).value.strip() or None
        self.dismiss(HandOverChoice(agency_id, handed_on, note))

    def action_cancel(self) -> None:
        """Close without handing anything over."""
        self.dismiss(None)
