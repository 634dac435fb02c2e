"""Live updates: changes committed anywhere reach the screens; a lost database shows a banner."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar
from unittest.mock import ANY

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, text
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input

from cctui.app import CctuiApp
from cctui.db.engine import Database
from cctui.db.listener import ChangeListener, connect_to
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role
from cctui.domain.workflow.notes import add_note
from cctui.live import listen_to_database
from cctui.messages import BookChanged
from cctui.screens.base import CctuiScreen
from cctui.widgets.database_banner import DatabaseBanner, DatabaseTrouble, banner_text
from tests.app_support import SIZE, make_app, recording_app, screen_text, settle
from tests.factories import make_customer, make_staff

# --------------------------------------------------------------------------- helpers


class ProbeScreen(CctuiScreen):
    """A screen that counts its reloads and keeps what is typed in a field."""

    HELP_TITLE = "Probe"
    SCREEN_NAME = "probe"
    watched: ClassVar[int | None] = None

    def __init__(self, customer_id: int | None = None, name: str | None = None) -> None:
        super().__init__(name=name)
        self.customer_id = customer_id
        self.reloads = 0
        self.changes: list[BookChanged] = []

    def compose_body(self) -> ComposeResult:
        yield Input(id="probe-input")

    def reload(self) -> None:
        self.reloads += 1

    def cares_about(self, customer_id: int | None, entity: str) -> bool:
        return self.customer_id is None or customer_id in (None, self.customer_id)

    def on_book_changed(self, message: BookChanged) -> None:
        self.changes.append(message)


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 8.0) -> None:
    """Wait (polling) until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)


async def started(pilot: Pilot[Any]) -> CctuiApp:
    """Wait for the app's listener to listen."""
    app = pilot.app
    assert isinstance(app, CctuiApp)
    await until(pilot, lambda: app.live.connected)
    return app


def add_notes(db: Database, agent: StaffIdentity, customer_id: int, count: int) -> None:
    """Add ``count`` notes, each committed on its own, as another session would."""
    for n in range(count):
        with db.session() as session:
            add_note(session, agent, customer_id=customer_id, body=f"note {n}")


@pytest.fixture
def book(db: Database) -> tuple[StaffIdentity, int, int]:
    """An agent and two customers."""
    with db.session() as session:
        agent = make_staff(session, "agent", Role.AGENT)
        first = make_customer(session).id
        second = make_customer(session).id
    return agent, first, second


@pytest.fixture
def admin(pg_server_url: str) -> Iterator[Engine]:
    """An autocommit connection to the server (not the test's database) for ALTER DATABASE."""
    engine = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def set_reachable(admin: Engine, db: Database, reachable: bool) -> None:
    """Let clients connect to the test's database, or refuse them and drop those connected."""
    name = db.engine.url.database
    with admin.connect() as connection:
        connection.exec_driver_sql(
            f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(reachable).lower()}'
        )
        if not reachable:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )


def listeners_connected(admin: Engine, db: Database) -> int:
    """How many listener connections the server has to the test's database."""
    with admin.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = :name AND application_name = 'cctui listener'"
                ),
                {"name": db.engine.url.database},
            ).scalar_one()
        )


def banner(app: CctuiApp) -> DatabaseBanner:
    return app.screen.query_one(DatabaseBanner)


# --------------------------------------------------------------------------- changes


async def test_a_change_committed_elsewhere_reaches_the_active_screen(
    db: Database, book: tuple[StaffIdentity, int, int]
) -> None:
    agent, customer_id, _ = book
    app = make_app(db, agent)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        probe = ProbeScreen()
        await app.push_screen(probe)
        await settle(pilot)
        add_notes(db, agent, customer_id, 1)
        await until(pilot, lambda: probe.reloads == 1, timeout=3.0)
        (message,) = probe.changes
        assert (message.customer_id, message.entity, message.action) == (
            customer_id,
            "note",
            "add_note",
        )
        assert not message.everything


async def test_a_burst_of_changes_makes_a_few_reloads(
    db: Database, book: tuple[StaffIdentity, int, int]
) -> None:
    agent, customer_id, _ = book
    app = make_app(db, agent)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        probe = ProbeScreen()
        await app.push_screen(probe)
        await settle(pilot)
        with db.session() as session:  # 50 changes in one transaction: one delivery
            for n in range(50):
                add_note(session, agent, customer_id=customer_id, body=f"bulk {n}")
        await until(pilot, lambda: probe.reloads == 1)
        assert len(probe.changes[0].changes) == 50
        # 50 commits in a row while the app is busy (this test holds its event loop): what
        # the listener hears meanwhile waits as one delivery, and a last burst may follow.
        add_notes(db, agent, customer_id, 50)
        await until(pilot, lambda: sum(len(m.changes) for m in probe.changes) == 100)
        await pilot.pause(0.5)
        assert 2 <= probe.reloads <= 3
        assert probe.reloads == len(probe.changes) == app.live.bursts


async def test_screens_underneath_reload_when_shown_again_and_only_if_concerned(
    db: Database, book: tuple[StaffIdentity, int, int]
) -> None:
    agent, first, second = book
    app = make_app(db, agent)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        below = ProbeScreen(first)
        above = ProbeScreen(second)
        await app.push_screen(below)
        await app.push_screen(above)
        await settle(pilot)
        add_notes(db, agent, first, 1)
        await until(pilot, lambda: len(below.changes) == 1 and len(above.changes) == 1)
        assert above.reloads == 0  # not its customer
        assert below.reloads == 0  # not the current screen: stale until shown
        add_notes(db, agent, second, 1)
        await until(pilot, lambda: above.reloads == 1)
        app.pop_screen()
        await until(pilot, lambda: below.reloads == 1)
        await pilot.pause(0.3)
        assert below.reloads == 1


async def test_the_dashboard_reloads_its_figures_when_the_book_changes(
    db: Database, book: tuple[StaffIdentity, int, int]
) -> None:
    agent, _, _ = book
    app = make_app(db, agent)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await settle(pilot)
        line = next(ln for ln in screen_text(app).splitlines() if "Customers" in ln)
        assert line.split()[:2] == ["Customers", "2"]
        with db.session() as session:
            customer_id = make_customer(session).id
            add_note(session, agent, customer_id=customer_id, body="a new customer's note")

        def customers() -> list[str]:
            found = [ln for ln in screen_text(app).splitlines() if "Customers" in ln]
            return found[0].split()[:2] if found else []

        await until(pilot, lambda: customers() == ["Customers", "3"])


# --------------------------------------------------------------------------- database lost


class SwitchableConnect:
    """A listener's ``connect`` that refuses while ``down`` (as a server that went away)."""

    def __init__(self, db: Database) -> None:
        self.real = connect_to(db)
        self.down = False
        self.connection: psycopg.Connection[Any] | None = None

    def __call__(self) -> psycopg.Connection[Any]:
        if self.down:
            raise psycopg.OperationalError(
                'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
            )
        self.connection = self.real()
        return self.connection


async def test_a_lost_connection_shows_the_banner_until_the_database_is_back(
    db: Database, book: tuple[StaffIdentity, int, int], admin: Engine
) -> None:
    agent, customer_id, _ = book
    switch = SwitchableConnect(db)

    def listen(db: Database, **callbacks: Any) -> ChangeListener:
        return ChangeListener(switch, delays=(30.0,), **callbacks)

    app = make_app(db, agent, listen=listen)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        probe = ProbeScreen(customer_id)
        await app.push_screen(probe)
        await settle(pilot)
        await pilot.press(*"halftyped")
        assert not banner(app).display
        assert "Retry database" not in screen_text(app)
        switch.down = True
        assert switch.connection is not None
        with admin.connect() as connection:  # the server drops the listener's connection
            connection.execute(
                text("SELECT pg_terminate_backend(:pid)"),
                {"pid": switch.connection.info.backend_pid},
            )
        await until(pilot, lambda: app.database_trouble is not None and banner(app).display)
        await until(pilot, lambda: "retrying in" in screen_text(app))
        shown = screen_text(app)
        assert "Database unavailable — retrying in 30 s (Ctrl+R retries now)" in shown
        assert banner(app).trouble == DatabaseTrouble("connection refused", ANY)
        await until(pilot, lambda: "^r Retry database" in screen_text(app))  # in the footer
        assert probe.reloads == 0
        switch.down = False
        await pilot.press("ctrl+r")  # no waiting 30 seconds
        await until(pilot, lambda: app.database_trouble is None and app.live.connected)
        assert not banner(app).display
        await until(pilot, lambda: probe.reloads == 1)
        assert probe.changes[-1].everything
        assert app.screen.query_one("#probe-input", Input).value == "halftyped"
        assert app.live.outages == 1


async def test_an_unreachable_database_shows_the_banner_and_workers_say_it_once(
    db: Database, book: tuple[StaffIdentity, int, int], admin: Engine
) -> None:
    agent, _, _ = book
    app = recording_app(db, agent)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await started(pilot)
            await settle(pilot)
            set_reachable(admin, db, False)
            await until(pilot, lambda: app.database_trouble is not None)
            await until(pilot, lambda: "Database unavailable" in screen_text(app))
            assert not app.live.connected
            for _ in range(3):  # the user asks for the figures again and again
                await pilot.press("r")
                await settle(pilot)
            errors = [note for note in app.notes if note.get("severity") == "error"]
            assert len(errors) == 1
            assert "could not read the dashboard" in errors[0]["message"]
            assert app.database_trouble is not None
            set_reachable(admin, db, True)
            await pilot.press("ctrl+r")
            await until(pilot, lambda: app.database_trouble is None and app.live.connected)
            await settle(pilot)
            assert "Database unavailable" not in screen_text(app)
            assert "Customers" in screen_text(app)  # the dashboard read its figures again
            assert "could not be read" not in screen_text(app)
    finally:
        set_reachable(admin, db, True)


async def test_a_worker_failure_with_the_database_still_there_hides_the_banner_again(
    db: Database, book: tuple[StaffIdentity, int, int]
) -> None:
    agent, _, _ = book
    app = recording_app(db, agent)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await settle(pilot)
        reads = 0

        def flaky(*args: Any, **kwargs: Any) -> Any:
            nonlocal reads
            reads += 1
            raise psycopg.OperationalError("server closed the connection unexpectedly")

        app.screen.run_worker(flaky, thread=True, name="read the dashboard", exit_on_error=False)
        await until(pilot, lambda: app.live.outages == 1)
        await until(pilot, lambda: app.database_trouble is None)
        assert app.live.connected
        assert len([n for n in app.notes if n.get("severity") == "error"]) == 1
        assert reads == 1  # no reload loop: the check passed, the user retries if they like


# --------------------------------------------------------------------------- lifetime


async def test_the_app_quits_cleanly_with_the_listener_running(
    db: Database, book: tuple[StaffIdentity, int, int], admin: Engine
) -> None:
    agent, _, _ = book
    app = make_app(db, agent)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert listeners_connected(admin, db) == 1
        listener = app.live._listener
        assert listener is not None and listener._thread is not None
        await pilot.press("q")
    assert app.return_code == 0
    assert not listener._thread.is_alive()
    deadline = time.monotonic() + 5  # the server ends a closed connection's backend soon after
    while listeners_connected(admin, db) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listeners_connected(admin, db) == 0


def test_no_listener_without_a_database_server() -> None:
    assert listen_to_database(object(), on_changes=print, on_lost=print, on_back=print,
                              on_checked=print) is None  # fmt: skip


def test_banner_reads_without_colour_and_counts_down() -> None:
    trouble = DatabaseTrouble("connection refused", retry_at=100.0)
    assert banner_text(trouble, 95.2).plain == (
        "Database unavailable — retrying in 5 s (Ctrl+R retries now): connection refused"
    )
    assert "retrying now" in banner_text(trouble, 100.5).plain
    hostile = DatabaseTrouble("[bold]x[/] \x1b[31m", retry_at=None)
    assert banner_text(hostile, 0).plain == (
        "Database unavailable — trying to reconnect now (Ctrl+R retries now): [bold]x[/] [31m"
    )


async def test_every_screen_has_the_banner_hidden_while_the_database_answers(
    db: Database, book: tuple[StaffIdentity, int, int]
) -> None:
    agent, _, _ = book
    app = make_app(db, agent, listen=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(ProbeScreen())
        for screen in app.screen_stack:
            assert not screen.query_one(DatabaseBanner).display
        assert not app.live.connected
