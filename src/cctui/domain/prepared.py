"""Read statements built once per process and fetched as plain rows.

The customer screen's panels run the same few statements over and over for other customers.
Building a SQLAlchemy statement and its cache key costs more than the database spends on such
a small read, and loading ORM entities costs more still. So a read model builds its statement
once per process, with a :func:`~sqlalchemy.bindparam` wherever a value goes (a builder
decorated with :func:`functools.cache`, taking only what changes the statement's shape), and
fetches plain rows with :func:`fetch`: SQLAlchemy's compiled cache then hits on every call and
nothing is built again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from sqlalchemy import Row, Select
from sqlalchemy.orm import Session

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
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, values).all()
