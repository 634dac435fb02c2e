"""Database URLs: normalise what users type to psycopg 3, hide passwords, describe a server."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cctui.domain.errors import CctuiError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

DRIVER = "postgresql+psycopg"
"""The SQLAlchemy dialect and driver cctui always uses (psycopg 3)."""

_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2", "pgsql")
_PASSWORD_IN_NETLOC = re.compile(r"(?P<head>://[^:/@?#]*:)(?P<password>[^@/?#]*)(?P<tail>@)")
_PASSWORD_IN_QUERY = re.compile(r"(?P<head>[?&]password=)(?P<password>[^&#]*)", re.IGNORECASE)
MASK = "***"
"""What a hidden password is shown as."""


class InvalidDatabaseUrl(CctuiError):
    """A database URL that is not a PostgreSQL URL cctui can use."""


def normalise_url(url: str) -> str:
    """Return ``url`` as a ``postgresql+psycopg://`` SQLAlchemy URL.

    ``postgres://``, ``postgresql://`` and ``postgresql+psycopg2://`` (which SQLAlchemy would
    otherwise give to psycopg 2) all become ``postgresql+psycopg://``; everything after the
    scheme (user, password, host, port, database, query options such as ``?host=/socket/dir``
    or ``?sslmode=require``) is kept as typed. Raises :class:`InvalidDatabaseUrl` for anything
    that is not a PostgreSQL URL.
    """
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in _SCHEMES:
        raise InvalidDatabaseUrl(
            f"The database URL {mask_password(text)!r} is not a PostgreSQL URL; "
            "write it as postgresql://user:password@host:port/database."
        )
    normalised = f"{DRIVER}://{rest}"
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(normalised)
    except (ArgumentError, ValueError) as err:
        raise InvalidDatabaseUrl(
            f"The database URL {mask_password(text)!r} cannot be read: {err}."
        ) from None
    return normalised


def mask_password(url: str) -> str:
    """Return ``url`` with any password (in the user part or a ``password=`` option) as ``***``.

    Works on URLs SQLAlchemy cannot parse too, so an error message never leaks a password.
    """
    masked = _PASSWORD_IN_NETLOC.sub(
        lambda m: m["head"] + (MASK if m["password"] else "") + m["tail"], url
    )
    return _PASSWORD_IN_QUERY.sub(lambda m: m["head"] + MASK, masked)


def describe_url(url: str | URL) -> str:
    """A short label for a server URL, ``host:port/database``, never showing a password.

    A unix-socket URL (``?host=/run/postgresql``) is labelled with the socket directory; parts
    left to libpq defaults are shown as libpq would fill them in (``localhost``, ``5432``).
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url) if isinstance(url, str) else url
    query_host = parsed.query.get("host")
    host = parsed.host or (query_host if isinstance(query_host, str) else None) or "localhost"
    query_port = parsed.query.get("port")
    port = parsed.port or (query_port if isinstance(query_port, str) else None) or 5432
    query_db = parsed.query.get("dbname")
    database = parsed.database or (query_db if isinstance(query_db, str) else None)
    database = database or parsed.username or "postgres"
    return f"{host}:{port}/{database}"
