"""Where cctui keeps its data, which database it talks to, and who is using it.

Every setting has a command-line option and an environment variable (prefix ``CCTUI_``);
the option wins over the variable, the variable over the default:

``--database-url`` / ``CCTUI_DATABASE_URL``
    The shared PostgreSQL server, e.g. ``postgresql://cc:secret@db.example.com/credit``.
    ``postgres://`` and ``postgresql://`` are accepted and used with psycopg 3. When neither is
    given but any of the libpq variables ``PGHOST``, ``PGHOSTADDR``, ``PGDATABASE``,
    ``PGSERVICE``, ``PGPORT`` or ``PGUSER`` is set, cctui connects the way ``psql`` would,
    with libpq reading those variables (and ``PGPASSWORD``, ``~/.pgpass``, ...). Otherwise
    cctui runs a private *embedded* PostgreSQL under the data directory.
``CCTUI_DATA_DIR``
    The data directory (default: the platform's user data directory, e.g.
    ``~/.local/share/cctui``); the embedded database lives in its ``pgdata`` folder.
``--user`` / ``CCTUI_USER``
    The staff login to act as (default: the operating-system login, which over SSH is the
    SSH user).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cctui.db.url import describe_url, normalise_url
from cctui.domain.errors import CctuiError

ENV_DATABASE_URL = "CCTUI_DATABASE_URL"
"""Environment variable naming the shared database server."""
ENV_DATA_DIR = "CCTUI_DATA_DIR"
"""Environment variable overriding the data directory."""
ENV_USER = "CCTUI_USER"
"""Environment variable naming the staff login to act as."""

LIBPQ_VARIABLES = ("PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE", "PGPORT", "PGUSER")
"""libpq variables whose presence means "use the server libpq would use"."""

LIBPQ_URL = "postgresql+psycopg://"
"""A URL with nothing in it: libpq fills in every part from the ``PG*`` environment."""


class ConfigError(CctuiError):
    """A setting cannot be worked out (for instance, no login name could be found)."""


@dataclass(frozen=True)
class DatabaseTarget:
    """Which PostgreSQL cctui uses.

    ``kind`` is ``"embedded"`` (a private server cctui starts itself in ``pgdata``) or
    ``"server"`` (a shared server someone else runs). ``url`` is the SQLAlchemy URL, always
    ``postgresql+psycopg://``; it is ``None`` for the embedded server until it is started.
    ``label`` names the database for people and messages (``"embedded (<pgdata>)"`` or
    ``"host:port/dbname"``) and never contains a password.
    """

    kind: Literal["embedded", "server"]
    url: str | None
    label: str
    pgdata: Path | None

    @property
    def is_embedded(self) -> bool:
        """True for the private embedded server."""
        return self.kind == "embedded"

    @classmethod
    def embedded(cls, pgdata: Path) -> DatabaseTarget:
        """The embedded server whose data directory is ``pgdata``."""
        return cls(kind="embedded", url=None, label=f"embedded ({pgdata})", pgdata=pgdata)

    @classmethod
    def server(cls, url: str) -> DatabaseTarget:
        """A shared server at ``url`` (any PostgreSQL URL; it is normalised to psycopg 3)."""
        normalised = normalise_url(url)
        return cls(kind="server", url=normalised, label=describe_url(normalised), pgdata=None)


@dataclass(frozen=True)
class Settings:
    """Everything cctui needs to know before it connects.

    ``data_dir`` is cctui's data directory (``CCTUI_DATA_DIR``), ``target`` the database to
    use, ``user`` the staff login to act as (``--user`` / ``CCTUI_USER`` / the OS login).
    """

    data_dir: Path
    target: DatabaseTarget
    user: str


def default_data_dir() -> Path:
    """The platform's per-user data directory for cctui (e.g. ``~/.local/share/cctui``)."""
    import platformdirs

    return platformdirs.user_data_path("cctui")


def resolve_settings(
    database_url: str | None = None,
    user: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Work out the settings from options, then ``environ`` (default ``os.environ``), then defaults.

    Database: ``database_url`` > ``CCTUI_DATABASE_URL`` > libpq ``PG*`` variables > the
    embedded server in ``<data_dir>/pgdata``. User: ``user`` > ``CCTUI_USER`` > OS login.
    Empty strings count as not set.
    """
    env = os.environ if environ is None else environ

    data_dir_text = env.get(ENV_DATA_DIR, "").strip()
    data_dir = Path(data_dir_text).expanduser() if data_dir_text else default_data_dir()
    data_dir = data_dir.absolute()

    url = (database_url or "").strip() or env.get(ENV_DATABASE_URL, "").strip()
    if url:
        target = DatabaseTarget.server(url)
    elif any(env.get(name, "").strip() for name in LIBPQ_VARIABLES):
        target = DatabaseTarget(kind="server", url=LIBPQ_URL, label=_libpq_label(env), pgdata=None)
    else:
        target = DatabaseTarget.embedded(data_dir / "pgdata")

    login = (user or "").strip() or env.get(ENV_USER, "").strip() or _os_login()
    return Settings(data_dir=data_dir, target=target, user=login)


def _os_login() -> str:
    """The operating-system login name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        raise ConfigError(
            "Cannot tell which login you are; pass --user LOGIN or set CCTUI_USER."
        ) from None


def _libpq_label(env: Mapping[str, str]) -> str:
    """``host:port/dbname`` as libpq would resolve them from the ``PG*`` variables."""
    service = env.get("PGSERVICE", "").strip()
    if service and not (env.get("PGHOST") or env.get("PGHOSTADDR")):
        return f"service {service}"
    host = env.get("PGHOST") or env.get("PGHOSTADDR") or "localhost"
    port = env.get("PGPORT") or "5432"
    database = env.get("PGDATABASE") or env.get("PGUSER") or _login_or_default(env)
    return f"{host}:{port}/{database}"


def _login_or_default(env: Mapping[str, str]) -> str:
    """The login libpq would use as the default database name."""
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if env.get(name):
            return env[name]
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "postgres"
