"""Test fixtures: a real PostgreSQL, a template database migrated once, a fresh clone per test.

The server is a private embedded PostgreSQL started once per run in a temporary directory
(deleted at the end), or the server named by ``CCTUI_TEST_DATABASE_URL`` (a URL to any database
on it that the user may connect to; the role needs CREATEDB). Every database a run creates is
named ``cctui_t_<pid>_<n>`` so two runs against one server never clash, and is dropped at the
end. Tests using these fixtures get the ``database`` marker automatically.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cctui.config import DatabaseTarget
from cctui.db.engine import Database
from cctui.db.url import normalise_url

TEST_DATABASE_URL_ENV = "CCTUI_TEST_DATABASE_URL"
DATABASE_FIXTURES = frozenset(
    {
        "pg_server_url",
        "template_database",
        "database_url",
        "empty_database_url",
        "db",
        "session",
        "cli_env",
        "embedded_cli_env",
    }
)
LIBPQ_ENV = ("PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE", "PGPORT", "PGUSER")

_names = itertools.count(1)


SCREEN_TEST_MODULES = frozenset(
    {"test_app_shell", "test_every_screen", "test_forms_money", "test_daily_check_progress"}
)
"""Pilot-test modules besides ``test_screen_*``: they drive the app through its screens."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a database fixture with ``database``, and every pilot test
    of the screens with ``screen``."""
    for item in items:
        if DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)
        module = item.path.stem
        if module.startswith("test_screen_") or module in SCREEN_TEST_MODULES:
            item.add_marker(pytest.mark.screen)


def unique_database_name() -> str:
    """A database name no other test run uses at the same time: ``cctui_t_<pid>_<n>``."""
    return f"cctui_t_{os.getpid()}_{next(_names)}"


def url_for_database(server_url: str, name: str) -> str:
    """``server_url`` pointing at database ``name`` instead."""
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _admin_engine(server_url: str) -> Engine:
    """An autocommit engine for CREATE/DROP DATABASE (shared by the tests and the clone pool)."""
    return create_engine(server_url, isolation_level="AUTOCOMMIT", pool_size=2, max_overflow=2)


def _create_database(admin: Engine, name: str, template: str | None = None) -> None:
    """CREATE DATABASE ``name``, cloned from ``template`` by file copy when given (PG 15+)."""
    with admin.connect() as connection:
        if template is None:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            return
        version = int(connection.exec_driver_sql("SHOW server_version_num").scalar_one())
        strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}')


def _drop_database(admin: Engine, name: str) -> None:
    """DROP DATABASE ``name``, disconnecting whoever is still connected."""
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _skip_durability(server_url: str) -> None:
    """Turn off fsync on the throwaway test server: cloning a database then costs no flushes."""
    admin = _admin_engine(server_url)
    try:
        with admin.connect() as connection:
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                connection.exec_driver_sql(f"ALTER SYSTEM SET {setting} = off")
            connection.exec_driver_sql("SELECT pg_reload_conf()")
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A server-level SQLAlchemy URL: ``CCTUI_TEST_DATABASE_URL`` or a private embedded server."""
    configured = os.environ.get(TEST_DATABASE_URL_ENV, "").strip()
    if configured:
        yield normalise_url(configured)
        return
    from cctui.db.embedded import get_server, socket_url

    base = Path(tempfile.mkdtemp(prefix="cctui-test-pg-"))
    server = get_server(base / "pgdata", cleanup_mode="delete")
    try:
        url = socket_url(server.get_postmaster_info(), database="postgres")
        _skip_durability(url)
        yield url
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def _admin(pg_server_url: str) -> Iterator[Engine]:
    """The engine creating and dropping the run's databases."""
    admin = _admin_engine(pg_server_url)
    yield admin
    admin.dispose()


@pytest.fixture(scope="session")
def template_database(pg_server_url: str, _admin: Engine) -> Iterator[str]:
    """Name of a database migrated to head once per run; each test gets a copy of it."""
    from cctui.db.migrate import upgrade

    name = unique_database_name()
    _create_database(_admin, name)
    try:
        database = Database(
            create_engine(url_for_database(pg_server_url, name)), label=f"template {name}"
        )
        try:
            upgrade(database)
        finally:
            database.dispose()
        yield name
    finally:
        _drop_database(_admin, name)


class ClonePool:
    """Fresh copies of the template database, made ahead of time on a background thread.

    Cloning costs about half a second on these machines; making the next copies while a
    test runs hides most of it. Used copies are dropped on the same thread.
    """

    READY = 2

    def __init__(self, admin: Engine, template: str) -> None:
        self._admin = admin
        self._template = template
        self._ready: queue.Queue[str] = queue.Queue(maxsize=self.READY)
        self._to_drop: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._work, name="clone-pool", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                self._drop_pending()
                if self._ready.full():
                    time.sleep(0.01)
                    continue
                name = unique_database_name()
                _create_database(self._admin, name, template=self._template)
                self._ready.put(name)
            except BaseException as error:  # surfaced to the test that waits for a clone
                self._errors.append(error)
                return

    def _drop_pending(self) -> None:
        while True:
            try:
                name = self._to_drop.get_nowait()
            except queue.Empty:
                return
            _drop_database(self._admin, name)

    def take(self) -> str:
        """The name of a fresh database; blocks until one is ready."""
        while True:
            if self._errors:
                raise RuntimeError("could not clone the template database") from self._errors[0]
            try:
                return self._ready.get(timeout=0.05)
            except queue.Empty:
                continue

    def give_back(self, name: str) -> None:
        """Drop ``name`` later, on the pool's thread."""
        self._to_drop.put(name)

    def close(self) -> None:
        """Stop making copies and drop every database the pool still holds."""
        self._stop.set()
        self._thread.join()
        while not self._ready.empty():
            self._to_drop.put(self._ready.get_nowait())
        self._drop_pending()


@pytest.fixture(scope="session")
def _clone_pool(template_database: str, _admin: Engine) -> Iterator[ClonePool]:
    """The background maker of fresh databases for this run."""
    pool = ClonePool(_admin, template_database)
    yield pool
    pool.close()


@pytest.fixture
def database_url(pg_server_url: str, _clone_pool: ClonePool) -> Iterator[str]:
    """URL of a fresh database at the head revision, dropped after the test."""
    name = _clone_pool.take()
    try:
        yield url_for_database(pg_server_url, name)
    finally:
        _clone_pool.give_back(name)


@pytest.fixture
def empty_database_url(pg_server_url: str, _admin: Engine) -> Iterator[str]:
    """URL of a fresh, never-migrated database, dropped after the test."""
    name = unique_database_name()
    _create_database(_admin, name)
    try:
        yield url_for_database(pg_server_url, name)
    finally:
        _drop_database(_admin, name)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A :class:`cctui.db.engine.Database` on this test's fresh database."""
    database = Database.open(DatabaseTarget.server(database_url))
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """A session in a unit of work on this test's database, committed at the end.

    A test that provoked a database error on purpose (``pytest.raises(IntegrityError)``)
    leaves the session needing a rollback: then it is rolled back instead of committed.
    """
    unit_of_work = db.sessionmaker()
    try:
        yield unit_of_work
        if unit_of_work.is_active:
            unit_of_work.commit()
        else:
            unit_of_work.rollback()
    finally:
        unit_of_work.close()


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path) -> dict[str, str | None]:
    """Environment for CliRunner/subprocess: this test's database and a temp data directory."""
    return {
        "CCTUI_DATABASE_URL": database_url,
        "CCTUI_DATA_DIR": str(tmp_path / "data"),
        "CCTUI_USER": None,
    }


@pytest.fixture
def embedded_cli_env(tmp_path: Path) -> Iterator[dict[str, str | None]]:
    """Environment for the CLI on a private embedded server in a temp dir (stopped after)."""
    data_dir = tmp_path / "data"
    env: dict[str, str | None] = {name: None for name in LIBPQ_ENV}
    env.update({"CCTUI_DATABASE_URL": None, "CCTUI_DATA_DIR": str(data_dir), "CCTUI_USER": None})
    yield env
    from cctui.db.embedded import stop_embedded

    with contextlib.suppress(Exception):
        stop_embedded(data_dir / "pgdata")
