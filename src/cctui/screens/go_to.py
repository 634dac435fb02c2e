"""The go-to menu: every screen offered to the user's role, each one key away."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cctui.screens import ScreenEntry
from cctui.widgets.safe_text import safe_text


class GoToScreen(ModalScreen[str | None]):
    """Pick a screen: press its key, or move to it and press Enter; Esc closes the menu.

    Dismisses with the screen's name, or None when closed without a choice.
    """

    DEFAULT_CSS = """
    GoToScreen {
        align: center middle;
    }
    #go-to-dialog {
        width: 40;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    #go-to-list {
        height: auto;
        max-height: 18;
        border: none;
    }
    #go-to-hint {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding(
            "escape,g",
            "close",
            "Close",
            tooltip="Close the menu and stay on this screen.",
            id="go-to.close",
        ),
    ]

    def __init__(self, entries: list[ScreenEntry], current: str | None = None) -> None:
        super().__init__()
        self._entries = entries
        self._current = current

    def compose(self) -> ComposeResult:
        """The list of screens, each with its key."""
        options = []
        for entry in self._entries:
            label = Text.assemble((f" {entry.key} ", "bold"), " ", safe_text(entry.title))
            if entry.name == self._current:
                label.append(" (here)", style="dim")
            options.append(Option(label, id=entry.name))
        with Vertical(id="go-to-dialog") as dialog:
            dialog.border_title = "Go to"
            yield OptionList(*options, id="go-to-list")
            yield Static(Text("Press a key, or ↑↓ and Enter. Esc closes."), id="go-to-hint")

    def on_key(self, event: events.Key) -> None:
        """A screen's key opens it at once."""
        for entry in self._entries:
            if event.character is not None and event.character == entry.key:
                event.stop()
                self.dismiss(entry.name)
                return

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
