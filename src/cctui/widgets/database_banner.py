"""The one-line banner every screen shows while the database cannot be reached."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from rich.text import Text
from textual.app import RenderResult
from textual.timer import Timer
from textual.widget import Widget

from cctui.widgets.safe_text import plain

DASH = "—"


@dataclass(frozen=True)
class DatabaseTrouble:
    """Why the database cannot be reached and when the next attempt is made.

    ``retry_at`` is a ``time.monotonic()`` time; None while an attempt is being made.
    """

    reason: str
    retry_at: float | None = None


def banner_text(trouble: DatabaseTrouble, now: float) -> Text:
    """The banner's words, e.g. ``Database unavailable — retrying in 5 s (Ctrl+R retries now)``.

    The reason comes last, so a narrow terminal cuts it rather than what to do.
    """
    if trouble.retry_at is None:
        when = "trying to reconnect now"
    else:
        seconds = math.ceil(trouble.retry_at - now)
        when = f"retrying in {seconds} s" if seconds > 0 else "retrying now"
    line = Text(f"Database unavailable {DASH} {when} (Ctrl+R retries now)", style="bold")
    reason = plain(trouble.reason)
    if reason:
        line.append(f": {reason}")
    line.no_wrap = True
    line.overflow = "ellipsis"
    return line


class DatabaseBanner(Widget):
    """Shows :class:`DatabaseTrouble` on one line at the top of the screen, or nothing.

    Docked at the top below the header (docked widgets overlap; the margin moves it down).

    Hidden (taking no room) while the database answers; counts down to the next attempt.
    A plain ``Widget``, not a ``Static``, so screens' ``query_one(Static)`` never finds it.
    """

    DEFAULT_CSS = """
    DatabaseBanner {
        dock: top;
        margin-top: 1;  /* under the one-line header, which is docked at the top too */
        height: 1;
        width: 100%;
        background: $error;
        color: $text;
        text-style: bold;
        padding: 0 1;
        display: none;
    }
    DatabaseBanner.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trouble: DatabaseTrouble | None = None
        self._ticker: Timer | None = None

    def on_mount(self) -> None:
        """Show the app's database trouble, if there is one as the screen opens."""
        trouble = getattr(self.app, "database_trouble", None)
        self.show(trouble if isinstance(trouble, DatabaseTrouble) else None)

    def show(self, trouble: DatabaseTrouble | None) -> None:
        """Show ``trouble`` (counting down to its next attempt), or hide when None."""
        self.trouble = trouble
        self.set_class(trouble is not None, "-shown")
        if trouble is None:
            if self._ticker is not None:
                self._ticker.stop()
                self._ticker = None
            self.refresh()
            return
        self.refresh()
        if self._ticker is None:
            self._ticker = self.set_interval(1.0, self.refresh)

    def render(self) -> RenderResult:
        """The banner's line (empty while hidden)."""
        if self.trouble is None:
            return Text("")
        return banner_text(self.trouble, time.monotonic())
