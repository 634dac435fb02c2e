"""The first screen: what the app is doing while it opens its database, or why it cannot."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from cctui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from cctui.app import CctuiApp

FIRST_STEP = "Opening the database…"
"""What the screen says before the opener has said anything."""


class StartScreen(Screen[None]):
    """Shown at once when the app starts, while a worker opens the database.

    Starting the private database, checking its schema and finding the user take from a
    fraction of a second to several seconds; this screen says which step is running. When
    the database cannot be opened it says why, and ``r`` tries again (``q`` quits, as
    everywhere). The app replaces it with the dashboard once the database is open.
    """

    DEFAULT_CSS = """
    StartScreen {
        align: center middle;
    }
    #start-box {
        width: 64;
        max-width: 100%;
        height: auto;
        border: round $primary;
        padding: 0 1;
    }
    #start-title {
        text-style: bold;
    }
    #start-problem {
        color: $error;
        margin-top: 1;
    }
    #start-problem.-hidden {
        display: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "r",
            "retry",
            "Try again",
            tooltip="Try to open the database again.",
            id="start.retry",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._failed = False
        self.step_text = FIRST_STEP
        """What the step line says now."""
        self.problem_text = ""
        """Why the database could not be opened ("" while nothing went wrong)."""

    def compose(self) -> ComposeResult:
        """A box with the title, the step running and any problem; the keys below."""
        with Vertical(id="start-box"):
            yield Static("cctui · credit control", id="start-title", markup=False)
            yield Static(FIRST_STEP, id="start-step", markup=False)
            yield Static("", id="start-problem", classes="-hidden", markup=False)
        yield KeyFooter()

    def show_step(self, text: str) -> None:
        """Say what the app is doing now (the problem, if any, is cleared)."""
        self._failed = False
        self.step_text, self.problem_text = text, ""
        self.query_one("#start-step", Static).update(text)
        problem = self.query_one("#start-problem", Static)
        problem.update("")
        problem.add_class("-hidden")
        self.refresh_bindings()

    def show_failure(self, message: str) -> None:
        """Say why the database could not be opened, and offer to try again."""
        self._failed = True
        self.step_text, self.problem_text = "The app could not start.", message
        self.query_one("#start-step", Static).update(self.step_text)
        problem = self.query_one("#start-problem", Static)
        problem.update(message)
        problem.remove_class("-hidden")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer "Try again" only after a failure."""
        if action == "retry":
            return self._failed
        return True

    def action_retry(self) -> None:
        """Open the database again."""
        if not self._failed:
            return
        self.show_step(FIRST_STEP)
        app: CctuiApp = self.app  # type: ignore[assignment]
        app.open_database()
