"""Migrations: up, down and up again; models match migrations; the schema check before start."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

import cctui
import cctui.domain.models  # (registers every table)
from cctui.config import DatabaseTarget
from cctui.db.engine import Database
from cctui.db.migrate import (
    SCHEMA_HEAD,
    SchemaBehind,
    current_revision,
    downgrade,
    ensure_schema,
    head_revision,
    migrations_dir,
    upgrade,
)
from cctui.domain.base import Base

REPO = Path(cctui.__file__).resolve().parents[2]


def _server_database(url: str) -> Database:
    return Database.open(DatabaseTarget.server(url))


def test_migrations_live_in_the_repository() -> None:
    assert migrations_dir() == REPO / "migrations"
    assert head_revision()


def test_schema_head_names_the_newest_migration() -> None:
    # ensure_schema trusts SCHEMA_HEAD to skip Alembic on a current database.
    assert head_revision() == SCHEMA_HEAD


def test_upgrade_downgrade_upgrade_on_an_empty_database(empty_database_url: str) -> None:
    db = _server_database(empty_database_url)
    try:
        assert current_revision(db) is None
        upgrade(db)
        assert current_revision(db) == head_revision()
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables

        downgrade(db, "base")
        assert current_revision(db) is None
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

        upgrade(db)
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()


def test_models_match_the_migrations(db: Database) -> None:
    # Everything the models declare (including the pg_trgm GIN indexes and the partial and
    # expression indexes) is compared; nothing needs to be skipped on PostgreSQL 15 or 18.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_concurrent_upgrades_wait_for_each_other(empty_database_url: str) -> None:
    db = _server_database(empty_database_url)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            upgrade(db)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()


def test_ensure_schema_on_a_server_behind_head_names_the_upgrade_command(
    empty_database_url: str,
) -> None:
    db = _server_database(empty_database_url)
    try:
        with pytest.raises(SchemaBehind) as caught:
            ensure_schema(db)
        message = str(caught.value)
        assert "`cctui db upgrade`" in message
        assert head_revision() in message
        assert "\n" not in message
        assert current_revision(db) is None  # a shared server is never migrated silently
    finally:
        db.dispose()


def test_ensure_schema_at_head_does_nothing(db: Database) -> None:
    ensure_schema(db)
    assert current_revision(db) == head_revision()


def test_ensure_schema_upgrades_the_embedded_database_silently(empty_database_url: str) -> None:
    db = Database(create_engine(empty_database_url), label="embedded (test)", is_embedded=True)
    try:
        ensure_schema(db)
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()


def test_ensure_schema_refuses_a_schema_newer_than_this_cctui(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    with pytest.raises(SchemaBehind) as caught:
        ensure_schema(db)
    assert "newer than this cctui" in str(caught.value)


def test_alembic_from_a_shell_uses_the_same_env(empty_database_url: str) -> None:
    env = {**os.environ, "CCTUI_DATABASE_URL": empty_database_url, "PYTHONWARNINGS": "ignore"}
    alembic = [sys.executable, "-m", "alembic", "-c", str(REPO / "alembic.ini")]
    subprocess.run([*alembic, "upgrade", "head"], env=env, check=True, capture_output=True)
    result = subprocess.run(
        [*alembic, "current"], env=env, check=True, capture_output=True, text=True, cwd="/"
    )
    assert f"{head_revision()} (head)" in result.stdout
