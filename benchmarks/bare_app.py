"""``python -m benchmarks.bare_app``: a Textual app showing one line, the start baseline."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static


class BareApp(App[None]):
    """A Textual app showing one line."""

    def compose(self) -> ComposeResult:
        """One Static."""
        yield Static("Hello")


if __name__ == "__main__":
    BareApp().run()
