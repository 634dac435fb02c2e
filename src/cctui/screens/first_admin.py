"""The question a private database asks an unknown login: make you its admin?"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class FirstAdminScreen(ModalScreen[str | None]):
    """Asks whether the login may make itself an admin of its own private database.

    Enter with a name says yes (dismisses with the name, the login when left empty); Esc
    says no (dismisses with None).
    """

    DEFAULT_CSS = """
    FirstAdminScreen {
        align: center middle;
    }
    #first-admin-dialog {
        width: 64;
        max-width: 100%;
        height: auto;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    #first-admin-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "refuse",
            "No",
            tooltip="Do not add this login; the app says how to get added and stops.",
            id="first-admin.refuse",
        ),
    ]

    def __init__(self, question: str, login: str) -> None:
        super().__init__()
        self._question = question
        self._login = login

    def compose(self) -> ComposeResult:
        """The question, a field for the name, and what the keys do."""
        with Vertical(id="first-admin-dialog"):
            yield Static(self._question, id="first-admin-question", markup=False)
            yield Static("Your name:", markup=False)
            yield Input(self._login, id="first-admin-name", max_length=200)
            yield Static("Enter: yes · Esc: no", id="first-admin-hint", markup=False)

    @on(Input.Submitted)
    def _accept(self, event: Input.Submitted) -> None:
        """Yes, with the name typed (the login when the field was emptied)."""
        event.stop()
        self.dismiss(event.value.strip() or self._login)

    def action_refuse(self) -> None:
        """No."""
        self.dismiss(None)
