"""The base class of cctui's full screens: header, body, footer, live updates, worker errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.events import ScreenResume
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from cctui.messages import BookChanged
from cctui.widgets.daily_check_progress import DailyCheckProgress
from cctui.widgets.database_banner import DatabaseBanner
from cctui.widgets.key_footer import KeyFooter
from cctui.widgets.status_header import StatusHeader

if TYPE_CHECKING:
    from cctui.app import CctuiApp


class CctuiScreen(Screen[None]):
    """A full screen of cctui: the status header, the screen's body, and the footer of keys.

    Subclasses set ``HELP_TITLE`` and implement :meth:`compose_body`.

    **Workers.** Workers they start (on the screen itself, not on a child widget) should
    pass ``exit_on_error=False`` and a ``name`` that completes "Could not ..."
    (``name="read the book overview"``): when one fails, the screen forwards the failure
    to the app, whose single handler tells the user (``Worker.StateChanged`` does not
    bubble on its own). The screen may still react to the failure itself, for example to
    stop showing a loading indicator.

    **Live updates.** The app hears of every change committed to the book, by anyone,
    within a second, and posts :class:`~cctui.messages.BookChanged` to every screen. A
    screen takes part by defining two methods:

    - ``def reload(self) -> None``: re-read what the screen shows, in a thread worker,
      keeping the cursor position, the selection and anything typed (nothing is composed
      again). Screens without it are left alone.
    - ``def cares_about(self, customer_id: int | None, entity: str) -> bool``
      (optional; the default cares about everything): whether a change to that customer
      (None: no customer in particular, or several) or entity (``"customer"``,
      ``"invoice"``, ``"note"``, ``"promise"``, ``"letter"``, ``"book"`` for the whole
      book…) concerns what is on screen. A change of the whole book (entity ``"book"``:
      a daily check, whoever ran it) concerns every screen without asking.

    The current screen reloads at once (a burst of changes makes one call); a screen
    underneath (another screen or a dialog is on top) only notes it is out of date and
    reloads when it is shown again. When the database comes back after being lost every
    screen reloads, whatever it cares about. While it is lost, a one-line banner at the
    top of every screen says so; nothing is composed again, so what the user typed stays.
    """

    HELP_TITLE: ClassVar[str] = ""
    """The screen's name as the help screen and the palette show it."""
    SCREEN_NAME: ClassVar[str] = ""
    """Its name in :data:`cctui.screens.SCREENS` (``--screen NAME``), if registered."""

    _stale: bool = False
    """A change concerned this screen while it was not the current screen."""

    @property
    def cctui(self) -> CctuiApp:
        """The running app, typed."""
        return cast("CctuiApp", self.app)

    def compose(self) -> ComposeResult:
        """The database banner (hidden), the header, the body from :meth:`compose_body`,
        the daily check's progress (hidden unless it runs) and the footer."""
        yield DatabaseBanner()
        yield StatusHeader(self.cctui.header_info, clock=self.cctui.today)
        yield from self.compose_body()
        yield DailyCheckProgress()
        yield KeyFooter()

    def compose_body(self) -> ComposeResult:
        """The widgets between header and footer; implemented by each screen."""
        yield from ()

    def cares_about(self, customer_id: int | None, entity: str) -> bool:
        """Whether a change to ``customer_id`` / ``entity`` concerns this screen (yes).

        Screens showing one customer, or one kind of thing, say no to the rest.
        """
        return True

    def _reloader(self) -> Callable[[], None] | None:
        """The screen's ``reload`` method, when it has one."""
        reload = getattr(self, "reload", None)
        return cast("Callable[[], None]", reload) if callable(reload) else None

    @on(BookChanged)
    def _book_changed(self, message: BookChanged) -> None:
        """Reload now when current and concerned; else remember to reload when shown."""
        reload = self._reloader()
        if reload is None or not message.concerns(self.cares_about):
            return
        if self.app.screen is self:  # not is_current: that includes the screen beneath
            self._stale = False
            reload()
        else:
            self._stale = True

    @on(ScreenResume)
    def _reload_if_stale(self, event: ScreenResume) -> None:
        """Shown again after changes that concerned it: read them now."""
        reload = self._reloader()
        if self._stale and reload is not None:
            self._stale = False
            reload()

    @on(Worker.StateChanged)
    def _forward_worker_error(self, event: Worker.StateChanged) -> None:
        """Send a failed worker's state change on to the app's error handler."""
        if event.state is WorkerState.ERROR:
            self.app.post_message(Worker.StateChanged(event.worker, event.state))
