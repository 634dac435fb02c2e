"""The embedded PostgreSQL: start in a temp dir, connect, status, stop, reuse, lifetime."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from cctui.config import DatabaseTarget
from cctui.db.embedded import (
    embedded_status,
    running_info,
    session_pids,
    start_embedded,
    stop_embedded,
)
from cctui.db.engine import Database, make_engine

pytestmark = pytest.mark.database


@pytest.fixture
def pgdata() -> Iterator[Path]:
    """A data directory (two levels deep, to check parents are created), removed after."""
    base = Path(tempfile.mkdtemp(prefix="cctui-embedded-"))
    path = base / "data" / "pgdata"
    try:
        yield path
    finally:
        with contextlib.suppress(Exception):
            stop_embedded(path)
        shutil.rmtree(base, ignore_errors=True)


def _run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter (so its exit runs the wheel's cleanup)."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _current_database(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SELECT current_database()")).scalar_one())
    finally:
        engine.dispose()


def test_start_connect_status_stop_and_start_again(pgdata: Path) -> None:
    assert "no embedded database" in embedded_status(pgdata)
    assert stop_embedded(pgdata) is False

    url = start_embedded(pgdata, keep_running=False)
    assert url.startswith("postgresql+psycopg://postgres@/cctui?host=")
    assert _current_database(url) == "cctui"
    info = running_info(pgdata)
    assert info is not None
    status = embedded_status(pgdata)
    assert "is running" in status and str(info.pid) in status

    # A second start reuses the running server.
    assert start_embedded(pgdata, keep_running=False) == url
    again = running_info(pgdata)
    assert again is not None and again.pid == info.pid

    assert stop_embedded(pgdata) is True
    assert running_info(pgdata) is None
    assert "is stopped" in embedded_status(pgdata)
    assert stop_embedded(pgdata) is False

    # The same process can start it again (Database.open does), and the data is still there.
    db = Database.open(DatabaseTarget.embedded(pgdata))
    try:
        assert db.is_embedded
        assert db.label == f"embedded ({pgdata.resolve()})"
        with db.session() as session:
            assert session.execute(text("SELECT current_database()")).scalar_one() == "cctui"
    finally:
        db.dispose()


def test_a_server_started_by_the_app_stops_when_its_last_process_exits(pgdata: Path) -> None:
    code = (
        "from pathlib import Path; from cctui.db.embedded import start_embedded, running_info;"
        f"start_embedded(Path({str(pgdata)!r}), keep_running=False);"
        f"print(running_info(Path({str(pgdata)!r})).pid)"
    )
    pid = int(_run_python(code))
    assert pid > 0
    assert running_info(pgdata) is None
    assert session_pids(pgdata) == []


def test_a_kept_server_is_reused_and_never_stopped_by_the_app(pgdata: Path) -> None:
    start = (
        "from pathlib import Path; from cctui.db.embedded import start_embedded;"
        f"start_embedded(Path({str(pgdata)!r}), keep_running={{keep}})"
    )
    _run_python(start.format(keep=True))
    info = running_info(pgdata)
    assert info is not None
    assert "keeps running" in embedded_status(pgdata)

    _run_python(start.format(keep=False))  # an app session comes and goes
    after = running_info(pgdata)
    assert after is not None and after.pid == info.pid

    assert stop_embedded(pgdata) is True
    assert running_info(pgdata) is None


def test_app_sessions_share_a_server_until_the_last_one_exits(pgdata: Path) -> None:
    # This test process is the first app session; a second one joins and leaves.
    start_embedded(pgdata, keep_running=False)
    info = running_info(pgdata)
    assert info is not None
    assert os.getpid() in session_pids(pgdata)
    _run_python(
        "from pathlib import Path; from cctui.db.embedded import start_embedded, session_pids;"
        f"p = Path({str(pgdata)!r}); start_embedded(p, keep_running=False);"
        "import os; assert os.getpid() in session_pids(p)"
    )
    still = running_info(pgdata)
    assert still is not None and still.pid == info.pid  # the joiner did not stop it
    assert "stops when" in embedded_status(pgdata)


# The engine and its unit of work (on the per-test database of the shared test server).


def test_session_commits_on_success_and_rolls_back_on_error(db: Database) -> None:
    with db.session() as session:
        session.execute(text("CREATE TABLE t (n integer)"))
        session.execute(text("INSERT INTO t VALUES (1)"))
    with pytest.raises(RuntimeError), db.session() as session:
        session.execute(text("INSERT INTO t VALUES (2)"))
        raise RuntimeError("boom")
    with db.session() as session:
        assert session.execute(text("SELECT array_agg(n) FROM t")).scalar_one() == [1]


def test_a_missing_database_is_one_sentence_naming_it(pg_server_url: str) -> None:
    from sqlalchemy.engine import make_url

    from cctui.db.engine import DatabaseUnavailable

    url = make_url(pg_server_url).set(database="cctui_no_such_db")
    target = DatabaseTarget.server(url.render_as_string(hide_password=False))
    with pytest.raises(DatabaseUnavailable) as caught:
        Database.open(target)
    message = str(caught.value)
    assert message.startswith(f"Cannot reach the database at {target.label}: ")
    assert 'database "cctui_no_such_db" does not exist' in message
    assert message.endswith(".") and "\n" not in message
