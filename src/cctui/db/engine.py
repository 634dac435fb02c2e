"""One engine and one session factory per process, and the unit of work around them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from cctui.domain.errors import CctuiError

if TYPE_CHECKING:
    from cctui.config import DatabaseTarget

POOL_SIZE = 5
"""Connections kept open per process (the UI, a worker or two, the listener)."""
MAX_OVERFLOW = 5
"""Extra connections allowed in bursts beyond ``POOL_SIZE``."""
CONNECT_TIMEOUT = 10
"""Seconds to wait for a server before giving up (unless the URL says otherwise)."""

_LIBPQ_PREFIXES = re.compile(
    r"^(?:connection failed:\s*)?"
    r"(?:connection to server (?:at|on) .*? failed:\s*)?"
    r"(?:(?:FATAL|ERROR):\s+)?",
    re.IGNORECASE,
)


class DatabaseUnavailable(CctuiError):
    """The database cannot be reached; the message names the server and the cause."""


def unavailable_message(label: str, err: BaseException) -> str:
    """One sentence naming the server ``label`` and libpq's reason, e.g.

    ``Cannot reach the database at 127.0.0.1:5999/test: connection refused.``
    """
    return f"Cannot reach the database at {label}: {connection_failure_reason(err)}."


def connection_failure_reason(err: BaseException) -> str:
    """The first line of libpq's reason for a failed connection, without its prefixes."""
    original = getattr(err, "orig", None) or err
    text = ""
    for line in str(original).splitlines():
        if line.strip():
            text = line.strip()
            break
    reason = _LIBPQ_PREFIXES.sub("", text).strip().rstrip(".")
    if not reason:
        return type(original).__name__
    return reason[0].lower() + reason[1:] if reason[:2] != reason[:2].upper() else reason


class Database:
    """A connected database: one SQLAlchemy engine and one session factory.

    Build it with :meth:`open` (which starts the embedded server when that is the target and
    checks the server answers) or, in tests, straight from an engine. ``label`` names the
    database for messages (never with a password), ``is_embedded`` says whether it is the
    private embedded server, ``url`` is the SQLAlchemy URL (it may hold a password: show it
    only through :func:`cctui.db.url.mask_password`).
    """

    engine: Engine
    label: str
    is_embedded: bool
    url: str
    sessionmaker: sessionmaker[Session]

    def __init__(self, engine: Engine, *, label: str, is_embedded: bool = False) -> None:
        self.engine = engine
        self.label = label
        self.is_embedded = is_embedded
        self.url = engine.url.render_as_string(hide_password=False)
        self.sessionmaker = sessionmaker(bind=engine, expire_on_commit=False)

    @classmethod
    def open(cls, target: DatabaseTarget) -> Database:
        """Connect to ``target`` (starting the embedded server if needed) and check it answers.

        Raises :class:`DatabaseUnavailable` with one sentence naming the server and the cause.
        """
        if target.kind == "embedded":
            from cctui.db.embedded import start_embedded

            if target.pgdata is None:
                raise DatabaseUnavailable("The embedded database has no data directory set.")
            url = start_embedded(target.pgdata, keep_running=False)
        elif target.url is None:
            raise DatabaseUnavailable(f"No URL is set for the database at {target.label}.")
        else:
            url = target.url
        database = cls(make_engine(url), label=target.label, is_embedded=target.is_embedded)
        database.check()
        return database

    def check(self) -> None:
        """Open one connection and run ``SELECT 1``; raise :class:`DatabaseUnavailable` if not."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except DBAPIError as err:
            self.engine.dispose()
            raise DatabaseUnavailable(unavailable_message(self.label, err)) from err

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends normally, rolls back on any exception.

        A connection lost on the way is reported as :class:`DatabaseUnavailable`.
        """
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except OperationalError as err:
            session.rollback()
            if err.connection_invalidated:
                raise DatabaseUnavailable(unavailable_message(self.label, err)) from err
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection (the embedded server's lifetime is not affected)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.label!r}, embedded={self.is_embedded})"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """The engine cctui uses for ``url``: psycopg 3, pre-ping, a small pool.

    ``connect_timeout`` and ``application_name`` are added unless the URL sets them;
    ``kwargs`` go to :func:`sqlalchemy.create_engine`.
    """
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
    if "application_name" not in parsed.query:
        connect_args["application_name"] = "cctui"
    options: dict[str, Any] = {
        "pool_pre_ping": True,
        "pool_size": POOL_SIZE,
        "max_overflow": MAX_OVERFLOW,
        "connect_args": connect_args,
    }
    if "poolclass" in kwargs:  # NullPool and friends take no pool sizes
        del options["pool_size"], options["max_overflow"]
    options.update(kwargs)
    return create_engine(parsed, **options)
