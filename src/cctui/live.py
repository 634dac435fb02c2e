"""Live updates for the app: changes heard from the database reach the screens, and the
banner shows while the database is away.

:class:`LiveUpdates` runs a :class:`~cctui.db.listener.ChangeListener` for the app. Each
burst of changes it hears becomes one :class:`~cctui.messages.BookChanged` posted to every
screen (the screens decide whether to reload: see :class:`cctui.screens.base.CctuiScreen`).
When the listener loses the database, or a worker fails because the database cannot be
reached, every screen's :class:`~cctui.widgets.database_banner.DatabaseBanner` shows until
the database answers again; then every screen is told to re-read.

Bursts heard while the app is busy (its messages not yet handled) merge into one, so a
slow screen never falls behind by a queue of reloads.

The listener's callbacks run on its thread; each is handed to the app as a
:class:`ListenerReport` message (``post_message`` is thread-safe, and the app handles it in
its own context, where timers and ``self.app`` work). Never ``call_from_thread``: it would
block the listener for ever if the app ended first.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from textual.message import Message

from cctui.domain.changes import BookChange
from cctui.messages import BookChanged
from cctui.widgets.database_banner import DatabaseBanner, DatabaseTrouble

if TYPE_CHECKING:
    from textual.app import App

    from cctui.db.listener import ChangeListener


class ListenerFactory(Protocol):
    """Builds the app's change listener for its database, or None when it cannot listen."""

    def __call__(
        self,
        db: Any,
        *,
        on_changes: Callable[[list[BookChange]], None],
        on_lost: Callable[[str, float | None], None],
        on_back: Callable[[], None],
        on_checked: Callable[[], None],
    ) -> ChangeListener | None:
        """The listener (not started yet)."""
        ...


def listen_to_database(
    db: Any,
    *,
    on_changes: Callable[[list[BookChange]], None],
    on_lost: Callable[[str, float | None], None],
    on_back: Callable[[], None],
    on_checked: Callable[[], None],
) -> ChangeListener | None:
    """The app's usual listener: its own connection to ``db``'s server and database.

    ``db.check`` also runs before the database counts as back, so the connections the
    screens' workers use are known to work too. None for a stand-in without a server.
    """
    from cctui.db.engine import Database
    from cctui.db.listener import ChangeListener, connect_to

    if not isinstance(db, Database):
        return None
    return ChangeListener(
        connect_to(db),
        probe=db.check,
        on_changes=on_changes,
        on_lost=on_lost,
        on_back=on_back,
        on_checked=on_checked,
    )


class ListenerReport(Message, bubble=False):
    """Something the change listener reported, to handle on the app's thread."""

    def __init__(self, handler: Callable[..., None], args: tuple[Any, ...]) -> None:
        super().__init__()
        self.handler = handler
        self.args = args

    def handle(self) -> None:
        """Run the handler with the listener's arguments."""
        self.handler(*self.args)


class LiveUpdates:
    """The app's side of the change listener: messages to the screens and the banner."""

    def __init__(self, app: App[Any], factory: ListenerFactory | None) -> None:
        self._app = app
        self._factory = factory
        self._listener: ChangeListener | None = None
        self._said: set[str] = set()
        self._lock = threading.Lock()
        self._pending: list[BookChange] = []
        self.trouble: DatabaseTrouble | None = None
        """Why the database cannot be reached now, or None while it answers."""
        self.bursts = 0
        """How many bursts of changes were posted to the screens."""
        self.outages = 0
        """How many times the banner was shown."""

    @property
    def connected(self) -> bool:
        """True while the listener is connected and listening."""
        return self._listener is not None and self._listener.listening.is_set()

    def start(self, db: Any) -> None:
        """Start listening to ``db`` (call on the app's event loop, once it runs)."""
        if self._factory is None or self._listener is not None:
            return
        listener = self._factory(
            db,
            on_changes=self._changes_heard,
            on_lost=self._from_thread(self._lost),
            on_back=self._from_thread(self._back),
            on_checked=self._from_thread(self._checked),
        )
        if listener is None:
            return
        self._listener = listener
        listener.start()

    def stop(self) -> None:
        """Stop listening; returns once the listener has closed its connection (or 2 s)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()

    def retry_now(self) -> None:
        """Try to reach the database at once (Ctrl+R on the banner)."""
        if self._listener is not None:
            self._listener.retry_now()

    def worker_failed(self, error: BaseException | None, message: str) -> bool:
        """A worker failed with ``error``; True when its ``message`` needs no new notification.

        A failure to reach the database shows the banner and has the listener check the
        database at once. Its notification is shown once per outage: the same words again
        (the user retrying, screens reloading) would only stack up.
        """
        if self._listener is None:
            return False
        from cctui.db.listener import failure_reason, is_database_unreachable

        if not is_database_unreachable(error):
            return False
        if self.trouble is None and error is not None:
            self._show(DatabaseTrouble(failure_reason(error)))
            self._listener.check_now()
        if message in self._said:
            return True
        self._said.add(message)
        return False

    # -------------------------------------------------------------- from the listener

    def _from_thread(self, handler: Callable[..., None]) -> Callable[..., None]:
        """``handler`` run on the app's thread, whatever thread calls it."""

        def call(*args: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the app's event loop closed meanwhile
                self._app.post_message(ListenerReport(partial(self._if_running, handler), args))

        return call

    def _if_running(self, handler: Callable[..., None], *args: Any) -> None:
        if self._listener is not None and self._app.is_running:
            handler(*args)

    def _changes_heard(self, changes: list[BookChange]) -> None:
        """(Listener thread) Queue a burst; bursts heard while the app is busy merge."""
        with self._lock:
            first = not self._pending
            self._pending.extend(changes)
        if first:
            self._from_thread(self._deliver)()

    def _deliver(self) -> None:
        """Post everything heard so far to every screen, as one message each."""
        with self._lock:
            changes, self._pending = self._pending, []
        if not changes:
            return
        self.bursts += 1
        for screen in self._app.screen_stack:
            screen.post_message(BookChanged.burst(changes))

    def _lost(self, reason: str, retry_at: float | None) -> None:
        self._show(DatabaseTrouble(reason, retry_at))

    def _back(self) -> None:
        self._show(None)
        for screen in self._app.screen_stack:
            screen.post_message(BookChanged.reconnected())

    def _checked(self) -> None:
        """A check found the database answering: the failure that caused it was passing."""
        self._show(None)

    def _show(self, trouble: DatabaseTrouble | None) -> None:
        """Show (or hide) the banner of every open screen."""
        if trouble is not None and self.trouble is None:
            self.outages += 1
        self.trouble = trouble
        if trouble is None:
            self._said.clear()
        for screen in self._app.screen_stack:
            for banner in screen.query(DatabaseBanner):
                banner.show(trouble)
        self._app.refresh_bindings()  # Ctrl+R shows in the footer only while it is away
