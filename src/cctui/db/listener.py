"""Hearing about the book's changes as they are committed, and noticing the database go away.

A :class:`ChangeListener` holds a connection of its own (autocommit, ``LISTEN
cctui_changes``) on a background thread. It gathers each burst of notifications for a
moment and hands it over as one list of :class:`~cctui.domain.audit.BookChange`, so a
thousand changes committed together make a handful of deliveries, not a thousand.

When the connection drops (or :meth:`ChangeListener.check_now` finds the database gone)
it says so and tries again after 1, 2, 5 and then every 10 seconds, or at once when asked
(:meth:`ChangeListener.retry_now`); once the database answers it listens again and says the
database is back (changes made meanwhile were not heard: the receiver should re-read).

The callbacks run on the listener's thread; the receiver hands them over to its own.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import psycopg
from sqlalchemy.exc import DBAPIError

from cctui.db.engine import DatabaseUnavailable, connection_failure_reason
from cctui.domain.audit import CHANGES_CHANNEL, BookChange

if TYPE_CHECKING:
    from cctui.db.engine import Database

log = logging.getLogger(__name__)

RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0)
"""Seconds between attempts to reach a database that went away; the last one repeats."""
GATHER_SECONDS = 0.25
"""How long a burst of notifications is gathered after its first one arrives."""
POLL_SECONDS = 0.25
"""Longest wait for notifications before the thread looks at its stop and check flags."""
HEALTH_SECONDS = 15.0
"""A quiet connection is checked with ``SELECT 1`` this often (a dead peer sends nothing)."""
CONNECT_TIMEOUT = 5
"""Seconds the listener waits for the server at each attempt."""
STOP_SECONDS = 2.0
"""How long :meth:`ChangeListener.stop` waits for the thread to finish."""

UNREACHABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})
"""SQLSTATEs meaning the server is going, gone or full (besides class 08, connection)."""

Connect = Callable[[], "psycopg.Connection[Any]"]
"""Opens the listener's connection (autocommit)."""


def is_database_unreachable(error: BaseException | None) -> bool:
    """True when ``error`` says the database cannot be reached (not that a query failed)."""
    if isinstance(error, DatabaseUnavailable):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig
    if isinstance(error, psycopg.OperationalError):
        state = error.sqlstate
        return state is None or state.startswith("08") or state in UNREACHABLE_STATES
    return isinstance(error, psycopg.InterfaceError)


def failure_reason(error: BaseException) -> str:
    """libpq's reason for a lost or refused connection, in a few words."""
    if isinstance(error, DatabaseUnavailable) and error.__cause__ is not None:
        error = error.__cause__
    return connection_failure_reason(error)


def connect_to(database: Database) -> Connect:
    """A function opening a listener connection to the server and database ``database`` uses."""
    engine = database.engine
    _args, params = engine.dialect.create_connect_args(engine.url)
    params.pop("context", None)  # SQLAlchemy's adapters: the listener reads text only
    options: dict[str, Any] = {
        "connect_timeout": CONNECT_TIMEOUT,
        "application_name": "cctui listener",
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        **params,
    }

    def connect() -> psycopg.Connection[Any]:
        return psycopg.connect(autocommit=True, **options)

    return connect


class ChangeListener:
    """Listens for the book's changes on its own connection, on a background thread.

    ``connect`` opens the connection; ``probe`` (optional) is also run before the database
    counts as reachable again, so that the connections everyone else uses are checked
    too (``Database.check``). Callbacks:

    - ``on_changes(changes)``: a burst of changes, in the order they were committed;
    - ``on_lost(reason, retry_at)``: the database cannot be reached; ``retry_at`` is when
      (``time.monotonic()``) the next attempt is made, None when it is being made now;
    - ``on_back()``: listening again after the database was lost;
    - ``on_checked()``: a :meth:`check_now` found the database answering.
    """

    def __init__(
        self,
        connect: Connect,
        *,
        on_changes: Callable[[list[BookChange]], None],
        on_lost: Callable[[str, float | None], None],
        on_back: Callable[[], None],
        on_checked: Callable[[], None] | None = None,
        probe: Callable[[], None] | None = None,
        delays: Sequence[float] = RETRY_DELAYS,
        gather: float = GATHER_SECONDS,
    ) -> None:
        self._connect = connect
        self._probe = probe
        self._on_changes = on_changes
        self._on_lost = on_lost
        self._on_back = on_back
        self._on_checked = on_checked
        self._delays = tuple(delays) or RETRY_DELAYS
        self._gather = gather
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._check = threading.Event()
        self._connection: psycopg.Connection[Any] | None = None
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()
        """Set while the listener is connected and listening."""

    def start(self) -> None:
        """Start the listener's thread (it connects there, never here)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="cctui-listener", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = STOP_SECONDS) -> bool:
        """Stop listening and close the connection; True when the thread has finished.

        A thread still waiting for a server that does not answer is left to finish on its
        own (it is a daemon thread and reports nothing more).
        """
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def retry_now(self) -> None:
        """Try to reach the database at once instead of waiting for the next attempt."""
        self._wake.set()

    def check_now(self) -> None:
        """Check at once that the database still answers (someone saw it fail).

        While the database is already lost this changes nothing: the next attempt checks.
        """
        self._check.set()

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        failures = 0
        lost = False
        try:
            while not self._stop.is_set():
                if self._connection is None:
                    try:
                        self._open()
                    except Exception as err:  # any failure to connect means: not reachable
                        self._close()
                        delay = self._delays[min(failures, len(self._delays) - 1)]
                        failures += 1
                        lost = True
                        self._report(self._on_lost, failure_reason(err), time.monotonic() + delay)
                        self._sleep(delay)
                        continue
                    failures = 0
                    self._check.clear()
                    if lost:
                        lost = False
                        self._report(self._on_back)
                try:
                    self._listen()
                except Exception as err:
                    self._close()
                    if self._stop.is_set():
                        break
                    lost = True
                    self._report(self._on_lost, failure_reason(err), None)
        finally:
            self._close()

    def _open(self) -> None:
        """Connect, LISTEN, and run the probe; raise when any of it fails."""
        connection = self._connect()
        self._connection = connection
        connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        if self._probe is not None:
            self._probe()
        self.listening.set()

    def _close(self) -> None:
        self.listening.clear()
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    def _sleep(self, seconds: float) -> None:
        """Wait ``seconds`` or until woken (retry now, check now, stop)."""
        self._wake.wait(seconds)
        self._wake.clear()

    def _listen(self) -> None:
        """Wait a moment for notifications and deliver them; check health when due.

        Raises when the connection fails.
        """
        connection = self._connection
        assert connection is not None
        last_health = time.monotonic()
        while not self._stop.is_set():
            if self._check.is_set() or time.monotonic() - last_health > HEALTH_SECONDS:
                asked = self._check.is_set()
                self._check.clear()
                self._wake.clear()
                connection.execute("SELECT 1")
                if asked and self._probe is not None:
                    self._probe()
                last_health = time.monotonic()
                if asked and self._on_checked is not None:
                    self._report(self._on_checked)
            first = list(connection.notifies(timeout=POLL_SECONDS, stop_after=1))
            if not first:
                continue
            burst = first + list(connection.notifies(timeout=self._gather))
            changes = [
                change
                for change in (BookChange.from_payload(notify.payload) for notify in burst)
                if change is not None
            ]
            if changes:
                self._report(self._on_changes, changes)

    def _report(self, callback: Callable[..., None], *args: Any) -> None:
        """Call a callback unless stopping; its failures are logged, never kill the thread."""
        if self._stop.is_set():
            return
        try:
            callback(*args)
        except Exception:
            log.exception("a change listener callback failed")
