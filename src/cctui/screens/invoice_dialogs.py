"""Small dialogs the invoice lists share: confirm an action, or give an optional reason."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

DIALOG_CSS = """
    align: center middle;
    & > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    & .dialog-buttons {
        height: auto;
        margin-top: 1;
    }
    & .dialog-buttons Button {
        margin-right: 2;
    }
    & .dialog-hint {
        color: $text-muted;
    }
"""
"""The look every dialog here shares: a bordered box in the middle of the screen."""


class ConfirmScreen(ModalScreen[bool]):
    """Ask before doing something: ``y`` or Enter on "Yes" goes ahead, ``n`` or Esc does not.

    Dismisses with True to go ahead. ``question`` is a ``Text`` so database text in it stays
    literal.
    """

    DEFAULT_CSS = "ConfirmScreen {" + DIALOG_CSS + "}"

    BINDINGS = [
        Binding(
            "y",
            "answer(True)",
            "Yes",
            tooltip="Go ahead with what the dialog describes.",
            id="confirm.yes",
        ),
        Binding(
            "n,escape",
            "answer(False)",
            "No",
            tooltip="Close the dialog without doing anything.",
            id="confirm.no",
        ),
    ]

    def __init__(self, title: str, question: Text, *, yes: str = "Yes") -> None:
        super().__init__()
        self._title = title
        self._question = question
        self._yes = yes

    def compose(self) -> ComposeResult:
        """The question and the two buttons."""
        with Vertical() as dialog:
            dialog.border_title = self._title
            yield Static(self._question, id="confirm-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self._yes, id="confirm-yes", variant="primary", compact=True)
                yield Button("No", id="confirm-no", compact=True)
            yield Static(Text("y or Enter: yes · n or Esc: no"), classes="dialog-hint")

    def on_mount(self) -> None:
        """Start on the "yes" button, so Enter confirms."""
        self.query_one("#confirm-yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        """Close the dialog with the answer."""
        self.dismiss(yes)


class ReasonScreen(ModalScreen[str | None]):
    """Ask for an optional reason before an action; Enter goes ahead, Esc cancels.

    Dismisses with the reason typed (possibly empty), or None when cancelled.
    """

    DEFAULT_CSS = "ReasonScreen {" + DIALOG_CSS + "}"

    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="Close the dialog without doing anything.",
            id="reason.cancel",
        ),
    ]

    def __init__(self, title: str, question: Text, *, action: str) -> None:
        super().__init__()
        self._title = title
        self._question = question
        self._action = action

    def compose(self) -> ComposeResult:
        """The question, the reason field and the buttons."""
        with Vertical() as dialog:
            dialog.border_title = self._title
            yield Static(self._question, id="reason-question")
            yield Input(
                placeholder="Reason (optional)", id="reason-input", max_length=500, compact=True
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(self._action, id="reason-go", variant="primary", compact=True)
                yield Button("Cancel", id="reason-cancel", compact=True)
            yield Static(Text("Enter: go ahead · Esc: cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        """Start in the reason field."""
        self.query_one("#reason-input", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.dismiss(self.query_one("#reason-input", Input).value.strip())

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "reason-go":
            self.dismiss(self.query_one("#reason-input", Input).value.strip())
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)
