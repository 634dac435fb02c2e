"""The one-line progress of the daily check the first login of the day started."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

BAR_WIDTH = 10
"""Cells of the progress bar."""


@dataclass(frozen=True)
class CheckProgress:
    """Where the running daily check is: the step's words and how many steps are done."""

    stage: str
    done: int
    total: int


def progress_text(progress: CheckProgress) -> Text:
    """``Daily check running: Dunning overdue invoices (4 of 7) [####------]``.

    The bar is made of ``#`` and ``-`` so it reads on any terminal, without colour.
    """
    total = max(progress.total, 1)
    filled = min(BAR_WIDTH, round(BAR_WIDTH * progress.done / total))
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    line = Text("Daily check running: ", style="bold")
    line.append(f"{progress.stage} ({min(progress.done + 1, total)} of {total}) [{bar}]")
    line.no_wrap = True
    line.overflow = "ellipsis"
    return line


class DailyCheckProgress(Widget):
    """Shows the app's :class:`CheckProgress` above the footer while the check runs.

    Hidden, taking no room, the rest of the time; the screen stays usable meanwhile.
    """

    DEFAULT_CSS = """
    DailyCheckProgress {
        dock: bottom;
        margin-bottom: 1;  /* above the one-line footer, which is docked at the bottom too */
        height: 1;
        width: 100%;
        background: $boost;
        padding: 0 1;
        display: none;
    }
    DailyCheckProgress.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.progress: CheckProgress | None = None

    def on_mount(self) -> None:
        """Show the check's progress if it is running as the screen opens."""
        progress = getattr(self.app, "daily_check_progress", None)
        self.show(progress if isinstance(progress, CheckProgress) else None)

    def show(self, progress: CheckProgress | None) -> None:
        """Show ``progress``, or hide when None (the check is not running)."""
        self.progress = progress
        self.set_class(progress is not None, "-shown")
        self.refresh()

    def render(self) -> RenderResult:
        """The progress line (empty while hidden)."""
        if self.progress is None:
            return Text("")
        return progress_text(self.progress)
