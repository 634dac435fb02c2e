"""The help screen: every key of the screen below it, with what it does."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from cctui.widgets.bindings_info import BindingEntry, screen_bindings
from cctui.widgets.safe_text import safe_text

SECTION_TITLES = {0: "Keys of this screen", 1: "More keys", 2: "Moving around"}
"""Headings of the help's sections, by ``BindingEntry.rank``."""


def bindings_table(entries: list[BindingEntry]) -> RenderableType:
    """The entries as a table per section: key, action, and what it does (wrapped)."""
    blocks: list[RenderableType] = []
    for rank, heading in SECTION_TITLES.items():
        section = [entry for entry in entries if entry.rank == rank]
        if not section:
            continue
        table = Table(
            box=None,
            show_header=False,
            padding=(0, 1),
            pad_edge=False,
            expand=True,
            title=Text(heading, style="bold"),
            title_justify="left",
        )
        table.add_column("key", no_wrap=True, min_width=10, max_width=16)
        table.add_column("action", ratio=2)
        table.add_column("details", ratio=3, style="dim")
        for entry in section:
            style = "" if entry.enabled else "dim"
            table.add_row(
                safe_text(entry.keys_display, style="bold" if entry.enabled else "dim"),
                safe_text(entry.description, style=style),
                safe_text(entry.tooltip),
            )
        if blocks:
            blocks.append(Text(""))
        blocks.append(table)
    return Group(*blocks)


class HelpScreen(ModalScreen[None]):
    """A modal list of the keys of ``screen`` (the screen it was opened over).

    Closed with Esc, q, ? or F1; the arrow keys scroll it when it is long.
    """

    BINDINGS = [
        Binding(
            "escape,q,question_mark,f1",
            "close",
            "Close help",
            tooltip="Close this help and return to the screen below.",
            id="help.close",
        ),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self._below = screen
        self._entries: list[BindingEntry] = []

    @property
    def below(self) -> Screen[object]:
        """The screen whose keys are listed."""
        return self._below

    @property
    def entries(self) -> list[BindingEntry]:
        """The bindings listed, in the order shown."""
        return list(self._entries)

    def compose(self) -> ComposeResult:
        """The title, the keys (scrollable) and the closing hint."""
        self._entries = screen_bindings(self._below)
        title = getattr(self._below, "HELP_TITLE", "") or type(self._below).__name__
        with Vertical(id="help-dialog") as dialog:
            dialog.border_title = "Help"
            yield Static(safe_text(title, style="bold"), id="help-title")
            with VerticalScroll(id="help-keys"):
                yield Static(bindings_table(self._entries), id="help-table")
            yield Static(
                Text("Esc, q or ? closes this help. Ctrl+P (or F2) finds any command."),
                id="help-hint",
            )

    def action_close(self) -> None:
        """Close the help screen."""
        self.dismiss(None)
