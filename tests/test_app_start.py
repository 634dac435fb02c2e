"""The app's start: the start screen at once, the database opened behind it, then the
dashboard; a database that cannot be opened, a retry, an unknown login on a private database."""

from __future__ import annotations

import subprocess
import sys
import threading
from functools import partial
from typing import Any

import pytest
from textual.pilot import Pilot

from cctui.app import AppContext, CctuiApp, Opening
from cctui.cli import app_cmd
from cctui.cli.common import CliState
from cctui.db.engine import Database, DatabaseUnavailable
from cctui.domain.identity import StaffIdentity, UnknownLogin
from cctui.screens.first_admin import FirstAdminScreen
from cctui.screens.overview import OverviewScreen
from cctui.screens.start import FIRST_STEP, StartScreen
from tests.app_support import SIZE, TODAY, drain, screen_text, settle
from tests.test_app_shell import add_book


@pytest.fixture
def user(db: Database) -> StaffIdentity:
    with db.session() as session:
        return add_book(session)


def _context(db: Database, user: StaffIdentity) -> AppContext:
    return AppContext(db=db, user=user, today=lambda: TODAY, daily_check_at_start=False)


async def _until(pilot: Pilot[Any], condition: Any, pauses: int = 200) -> None:
    """Pause until ``condition()`` holds (the opener runs in a thread)."""
    for _ in range(pauses):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never got there")


async def test_the_start_screen_shows_first_then_the_dashboard(
    db: Database, user: StaffIdentity
) -> None:
    release = threading.Event()
    steps_told = threading.Event()

    def opener(opening: Opening) -> AppContext:
        opening.step("Checking the database's schema…")
        steps_told.set()
        release.wait(10)
        return _context(db, user)

    app = CctuiApp(opener=opener)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, StartScreen)
        assert not app.opened
        await _until(pilot, lambda: app.screen.step_text != FIRST_STEP)
        await pilot.pause()
        assert "Checking the database's schema…" in screen_text(app)
        await pilot.press("g")  # nothing to go to yet: the key does nothing
        assert isinstance(app.screen, StartScreen)
        release.set()
        await _until(pilot, lambda: isinstance(app.screen, OverviewScreen))
        await settle(pilot)
        assert app.opened and app.user == user
        text = screen_text(app)
        assert "Ada Lovelace" in text and "1,550.00" in text
        assert len(app.screen_stack) == 1  # nothing to go back to from the dashboard


async def test_a_database_that_cannot_be_opened_is_explained_and_r_tries_again(
    db: Database, user: StaffIdentity
) -> None:
    attempts: list[int] = []

    def opener(opening: Opening) -> AppContext:
        attempts.append(1)
        if len(attempts) == 1:
            raise DatabaseUnavailable(
                "The database at db.example.com:5432/[bold]cctui[/] cannot be reached: "
                "connection refused."
            )
        return _context(db, user)

    app = CctuiApp(opener=opener)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, StartScreen)
        await _until(pilot, lambda: screen.problem_text != "")
        await pilot.pause()
        text = screen_text(app)
        assert "The app could not start." in text
        assert "[bold]cctui[/]" in text  # shown literally
        assert "r Try again" in text
        await pilot.press("r")
        await _until(pilot, lambda: isinstance(app.screen, OverviewScreen))
        await settle(pilot)
        assert len(attempts) == 2
        assert "Ada Lovelace" in screen_text(app)


async def test_q_quits_while_the_database_is_being_opened(
    db: Database, user: StaffIdentity
) -> None:
    release = threading.Event()

    def opener(opening: Opening) -> AppContext:
        release.wait(10)
        return _context(db, user)

    app = CctuiApp(opener=opener)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        release.set()
    assert app.return_code == 0


async def test_an_unknown_login_is_asked_on_the_screen_whether_to_become_admin(
    db: Database, user: StaffIdentity
) -> None:
    answers: list[str | None] = []

    def opener(opening: Opening) -> AppContext:
        answers.append(opening.ask_first_admin("Make 'eve' its first admin?", "eve"))
        return _context(db, user)

    app = CctuiApp(opener=opener)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, FirstAdminScreen))
        await pilot.pause()
        assert "Make 'eve' its first admin?" in screen_text(app)
        await pilot.press("ctrl+a", "ctrl+k", *"Eve Example", "enter")
        await _until(pilot, lambda: isinstance(app.screen, OverviewScreen))
        await settle(pilot)
    assert answers == ["Eve Example"]


async def test_escape_refuses_to_become_admin(db: Database, user: StaffIdentity) -> None:
    def opener(opening: Opening) -> AppContext:
        if opening.ask_first_admin("Make 'eve' its first admin?", "eve") is None:
            raise UnknownLogin("eve")
        return _context(db, user)

    app = CctuiApp(opener=opener)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, FirstAdminScreen))
        await pilot.press("escape")
        screen = app.screen_stack[0]
        assert isinstance(screen, StartScreen)
        await _until(pilot, lambda: screen.problem_text != "")
        assert "No active staff member has the login 'eve'" in screen.problem_text


def test_identify_user_asks_through_the_callback_on_a_private_database(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "is_embedded", True)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    asked: list[tuple[str, str]] = []

    def ask(question: str, login: str) -> str | None:
        asked.append((question, login))
        return "Eve Example"

    identity = app_cmd.identify_user(db, "eve", ask=ask)
    assert identity.login == "eve" and identity.name == "Eve Example"
    assert asked and "first admin" in asked[0][0] and asked[0][1] == "eve"
    with pytest.raises(UnknownLogin):
        app_cmd.identify_user(db, "mallory", ask=lambda question, login: None)


async def test_cctui_app_opens_the_database_named_on_the_command_line(
    database_url: str, db: Database, user: StaffIdentity
) -> None:
    opener = partial(
        app_cmd.open_app_context,
        CliState(database_url=database_url, user="ada"),
        screen="queue",
        customer=None,
        demo=False,
    )
    app = CctuiApp(opener=opener)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: getattr(app.screen, "SCREEN_NAME", None) == "queue", pauses=500)
        await drain(pilot)
        assert app.user.login == "ada"
        assert isinstance(app.screen_stack[0], OverviewScreen)
    app.db.dispose()


def test_the_first_frame_needs_no_database_library() -> None:
    """``cctui app`` draws its start screen before SQLAlchemy, psycopg or a model loads."""
    code = (
        "import sys\n"
        "from cctui.cli import load_command\n"
        "load_command('app')\n"
        "import cctui.app, cctui.screens.start\n"
        "late = ['sqlalchemy', 'psycopg', 'cctui.domain.models', 'cctui.screens.overview']\n"
        "loaded = [name for name in late if name in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def _refused(opening: Opening) -> AppContext:
    raise DatabaseUnavailable(
        "Cannot reach the database at db.example.com:5432/cctui: connection refused."
    )


def test_snapshot_start_screen_with_a_database_down(snap_compare: Any) -> None:
    async def failed(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, StartScreen)
        await _until(pilot, lambda: screen.problem_text != "")
        await settle(pilot)

    assert snap_compare(CctuiApp(opener=_refused), terminal_size=SIZE, run_before=failed)


async def test_demo_data_loaded_at_start_is_told_in_a_notification(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_cmd, "DEMO_CUSTOMERS", 5)
    opener = partial(
        app_cmd.open_app_context,
        CliState(database_url=database_url, user="tester"),
        screen=None,
        customer=None,
        demo=True,
    )
    app = CctuiApp(opener=opener)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, OverviewScreen), pauses=1000)
        await drain(pilot)
        notices = [notification.message for notification in app._notifications]
        assert any(notice.startswith("Loaded 5 customers") for notice in notices), notices
        assert app.user.login == "tester"
    app.db.dispose()


async def test_what_start_up_and_a_screens_first_opening_made_is_frozen(
    db: Database, user: StaffIdentity, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from cctui.app import SETTLED_SECONDS

    freezes: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1))
    app = CctuiApp(_context(db, user))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(freezes) >= 1  # at start
        await pilot.pause(SETTLED_SECONDS + 0.3)
        assert len(freezes) == 2  # and once the dashboard has read its figures
        app.open_screen("queue")
        await settle(pilot)
        assert len(freezes) == 2
        await pilot.pause(SETTLED_SECONDS + 0.3)
        assert len(freezes) == 3  # the queue's module and first page
        await pilot.press("escape")
        app.open_screen("queue")  # a second opening imports nothing new
        await settle(pilot)
        await pilot.pause(SETTLED_SECONDS + 0.3)
        assert len(freezes) == 3
