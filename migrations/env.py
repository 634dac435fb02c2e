"""Alembic environment for cctui.

cctui runs migrations through :mod:`cctui.db.migrate`, which hands its connection over in
``config.attributes["connection"]``. From a shell (``alembic upgrade head``) the database is
``-x url=...``, else ``sqlalchemy.url`` from alembic.ini, else the one cctui itself would use
(:func:`cctui.config.resolve_settings`: CCTUI_DATABASE_URL, PG* variables, embedded server).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import cctui.domain.models  # noqa: F401  (registers every table on Base.metadata)
from cctui.config import DatabaseTarget, resolve_settings
from cctui.db.engine import Database
from cctui.domain.base import Base

config = context.config
target_metadata = Base.metadata

CONFIGURE_OPTIONS = {
    "target_metadata": target_metadata,
    "compare_type": True,
    "compare_server_default": True,
    "include_schemas": False,
    "transaction_per_migration": True,
}


def _shell_target() -> DatabaseTarget:
    """The database to migrate when Alembic runs from a shell."""
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if url:
        return DatabaseTarget.server(url)
    return resolve_settings().target


def run_migrations_offline() -> None:
    """Write the migration SQL to stdout (``alembic upgrade head --sql``)."""
    target = _shell_target()
    context.configure(
        url=target.url or "postgresql+psycopg://",
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **CONFIGURE_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    """Run the migrations on ``connection``, one transaction per migration."""
    context.configure(connection=connection, **CONFIGURE_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations against a live database."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    db = Database.open(_shell_target())
    try:
        with db.engine.connect() as shell_connection:
            _run_on(shell_connection)
            shell_connection.commit()
    finally:
        db.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
