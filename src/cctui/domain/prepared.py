"""Read statements built once per process and fetched as plain rows.

The customer screen's panels run the same few statements over and over for other customers.
Building a SQLAlchemy statement and its cache key costs more than the database spends on such
a small read, and loading ORM entities costs more still. So a read model builds its statement
once per process, with a :func:`~sqlalchemy.bindparam` wherever a value goes (a builder
decorated with :func:`functools.cache`, taking only what changes the statement's shape), and
fetches plain rows with :func:`fetch`: SQLAlchemy's compiled cache then hits on every call and
nothing is built again.

A list read many times a second (the debtor queue's pages) goes one step further:
:func:`fetch_tuples` runs a :class:`~sqlalchemy.sql.expression.TextClause` compiled once to
psycopg's placeholders on the session's own psycopg connection and returns psycopg's tuples,
so SQLAlchemy builds no result metadata or rows for it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from sqlalchemy import Row, Select, TextClause
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    import psycopg

ReadStatement: TypeAlias = Select[*tuple[Any, ...]]
"""A prebuilt SELECT whose rows are read by column name."""

ReadRow: TypeAlias = Row[*tuple[Any, ...]]
"""One row of a :data:`ReadStatement`."""


def fetch(session: Session, statement: ReadStatement, **values: Any) -> Sequence[ReadRow]:
    """The rows ``statement`` returns with its bound parameters set to ``values``.

    They are read through the session's connection as plain rows: no ORM entities are loaded
    and the identity map is neither read nor changed. What the session holds unflushed is
    flushed first (unless autoflush is off), as the ORM would before a query.
    """
    _flush_as_a_query_would(session)
    return session.connection().execute(statement, values).all()


def _flush_as_a_query_would(session: Session) -> None:
    """Flush what ``session`` holds unflushed, unless its autoflush is off: a read past the
    ORM must see the session's own changes as an ORM query would."""
    if session.autoflush:
        session.flush()


def driver_connection(session: Session) -> psycopg.Connection[Any]:
    """The psycopg connection under ``session``'s transaction."""
    return cast("psycopg.Connection[Any]", session.connection().connection.driver_connection)


_DIALECT = PGDialect_psycopg()  # type: ignore[no-untyped-call]


@functools.lru_cache(maxsize=1024)
def driver_sql(statement: TextClause) -> str:
    """``statement`` as psycopg takes it: ``%(name)s`` placeholders, a literal ``%`` doubled.

    Cached by the statement object, so pass statements that are themselves built once.
    """
    return str(statement.compile(dialect=_DIALECT))


def fetch_tuples(
    session: Session, statement: TextClause, values: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """The rows of ``statement`` (built once, see :func:`driver_sql`) as psycopg's tuples.

    Run on the session's connection, in its transaction, after flushing what it holds
    unflushed (unless autoflush is off); every value in ``values`` is bound, never spliced.
    """
    _flush_as_a_query_would(session)
    with driver_connection(session).cursor() as cursor:
        cursor.execute(driver_sql(statement), values)
        return cursor.fetchall()
