"""Run the Alembic migrations programmatically, and check the schema before the app starts.

The migrations live in ``<repo>/migrations`` (an editable install) or in the packaged
``cctui/_migrations`` (a wheel). ``migrations/env.py`` reuses the connection handed to it in
``config.attributes["connection"]``, so these functions never open a second engine.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

import cctui
from cctui.db.engine import Database
from cctui.domain.errors import CctuiError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# Alembic is imported inside the functions that need it: an app start whose schema is
# current (the usual case) checks SCHEMA_HEAD with one query and never loads Alembic.

SCHEMA_HEAD = "0006"
"""The newest migration's revision. A new migration updates it (a test compares it with
the scripts), so that checking a current schema needs no Alembic."""

MIGRATION_LOCK_KEY = 0x6363_7475_69_6D67
"""Advisory-lock key held while migrating, so two processes never migrate at once."""


class SchemaBehind(CctuiError):
    """The database schema is not the one this cctui was built for (behind, or ahead of it)."""


def migrations_dir() -> Path:
    """The directory holding ``env.py`` and ``versions/``.

    ``<repo>/migrations`` next to ``src/`` when it exists (editable install), else the copy
    packaged into the wheel as ``cctui/_migrations``.
    """
    repo = Path(cctui.__file__).resolve().parents[2] / "migrations"
    if (repo / "env.py").is_file():
        return repo
    return Path(str(resources.files("cctui") / "_migrations"))


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic :class:`Config` without an ini file, pointing at :func:`migrations_dir`.

    ``connection``, when given, is handed to ``env.py`` through ``config.attributes``.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def _script_directory() -> ScriptDirectory:
    """The migration scripts (read once per process)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision among the migration scripts."""
    head = _script_directory().get_current_head()
    if head is None:
        raise SchemaBehind("This cctui has no migrations to build the database with.")
    return head


def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for a database never migrated."""
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_known_revision(revision: str) -> bool:
    """True when ``revision`` is one of this cctui's migration scripts."""
    from alembic.script.revision import ResolutionError
    from alembic.util.exc import CommandError

    try:
        return _script_directory().get_revision(revision) is not None
    except (ResolutionError, CommandError):
        return False


def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (default: the newest), one transaction each."""
    from alembic import command

    _run(db, lambda config: command.upgrade(config, revision))


def downgrade(db: Database, revision: str) -> None:
    """Migrate the database down to ``revision`` (``"base"`` removes every table)."""
    from alembic import command

    _run(db, lambda config: command.downgrade(config, revision))


def _run(db: Database, action: Callable[[Config], None]) -> None:
    """Run an Alembic command on one connection while holding the migration advisory lock."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()
        try:
            action(alembic_config(connection))
            connection.commit()
        finally:
            # A broken connection has lost the lock already; keep the original error.
            with contextlib.suppress(DBAPIError):
                connection.rollback()
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                connection.commit()


def _recorded_revision(db: Database) -> str | None:
    """The revision in ``alembic_version`` read with plain SQL (None: no such table or row)."""
    with db.engine.connect() as connection:
        if connection.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL")):
            version = connection.scalar(text("SELECT version_num FROM alembic_version LIMIT 1"))
            return None if version is None else str(version)
    return None


def ensure_schema(db: Database) -> None:
    """Make sure the schema is the one this cctui needs before anything else touches it.

    The embedded database is upgraded silently. A shared server behind the newest revision
    raises :class:`SchemaBehind` naming ``cctui db upgrade`` (whoever manages the server runs
    it). A database migrated by a newer cctui raises :class:`SchemaBehind` saying this cctui
    is older.
    """
    if _recorded_revision(db) == SCHEMA_HEAD:
        return
    head = head_revision()
    current = current_revision(db)
    if current == head:
        return
    if current is not None and not is_known_revision(current):
        raise SchemaBehind(
            f"The database at {db.label} has schema revision {current}, which is newer than "
            f"this cctui (it knows up to {head}); use the newer cctui that upgraded it."
        )
    if db.is_embedded:
        upgrade(db)
        return
    where = f"schema revision {current}" if current is not None else "an empty schema"
    raise SchemaBehind(
        f"The database at {db.label} has {where} but this cctui needs revision {head}; "
        "run `cctui db upgrade` (or ask whoever manages the database to)."
    )
