"""The base class of cctui's full screens: header, body, footer, and worker errors sent up."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from cctui.widgets.status_header import StatusHeader

if TYPE_CHECKING:
    from cctui.app import CctuiApp


class CctuiScreen(Screen[None]):
    """A full screen of cctui: the status header, the screen's body, and the footer of keys.

    Subclasses set ``HELP_TITLE`` and implement :meth:`compose_body`. Workers they start
    (on the screen itself, not on a child widget) should pass ``exit_on_error=False`` and
    a ``name`` that completes "Could not ..." (``name="read the book overview"``): when
    one fails, the screen forwards the failure to the app, whose single handler tells
    the user (``Worker.StateChanged`` does not bubble on its own). The screen may still
    react to the failure itself, for example to stop showing a loading indicator.
    """

    HELP_TITLE: ClassVar[str] = ""
    """The screen's name as the help screen and the palette show it."""
    SCREEN_NAME: ClassVar[str] = ""
    """Its name in :data:`cctui.screens.SCREENS` (``--screen NAME``), if registered."""

    @property
    def cctui(self) -> CctuiApp:
        """The running app, typed."""
        return cast("CctuiApp", self.app)

    def compose(self) -> ComposeResult:
        """The header, the body from :meth:`compose_body`, and the footer."""
        yield StatusHeader(self.cctui.header_info, clock=self.cctui.today)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        """The widgets between header and footer; implemented by each screen."""
        yield from ()

    @on(Worker.StateChanged)
    def _forward_worker_error(self, event: Worker.StateChanged) -> None:
        """Send a failed worker's state change on to the app's error handler."""
        if event.state is WorkerState.ERROR:
            self.app.post_message(Worker.StateChanged(event.worker, event.state))
