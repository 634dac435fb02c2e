"""The app shell: overview, header, help, palette, keys, worker errors, hostile text, snapshots."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Footer

from cctui.app import CctuiApp, describe_worker_error
from cctui.db.engine import Database, DatabaseUnavailable
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    Customer,
    DailyCheckRun,
    Invoice,
    Role,
    RunStatus,
    Staff,
)
from cctui.domain.overview import BookOverview, book_overview
from cctui.screens import SCREENS, START_SCREEN
from cctui.screens.help import HelpScreen
from cctui.screens.overview import OverviewScreen, describe_daily_check
from cctui.widgets.status_header import HeaderInfo, StatusHeader, header_text
from tests.app_support import (
    SIZE,
    TODAY,
    drain,
    make_app,
    recording_app,
    screen_text,
    settle,
)

HOSTILE_NAMES = ["[bold]ACME[/]", "[@click=app.quit]x", "\x1b[31mred"]


# --------------------------------------------------------------------------- data


def add_book(session: Any, *, user_name: str = "Ada Lovelace") -> StaffIdentity:
    """A small fixed book; returns the identity of the controller using the app."""
    ada = Staff(login="ada", name=user_name, role=Role.CONTROLLER)
    session.add_all(
        [
            ada,
            Staff(login="bob", name="Bob Agent", role=Role.AGENT),
            Staff(login="zed", name="Zed Gone", role=Role.AGENT, active=False),
        ]
    )
    acme = Customer(account="C001", name="ACME Ltd", currency="EUR", manual_settings=True)
    brown = Customer(account="C002", name="Brown & Co", currency="EUR", manual_settings=True)
    cobalt = Customer(account="C003", name="Cobalt Inc", currency="USD", manual_settings=True)
    session.add_all([acme, brown, cobalt])
    session.flush()

    def invoice(
        number: str, customer: Customer, currency: str, amount: str, open_: str, due: date
    ) -> Invoice:
        return Invoice(
            number=number,
            customer_id=customer.id,
            currency=currency,
            amount=Decimal(amount),
            open_amount=Decimal(open_),
            issued_on=date(2026, 9, 1),
            due_on=due,
        )

    session.add_all(
        [
            invoice("INV-1", acme, "EUR", "1000.00", "1000.00", date(2026, 10, 1)),  # overdue
            invoice("INV-2", acme, "EUR", "500.00", "250.00", date(2026, 12, 15)),  # not yet due
            invoice("INV-3", brown, "EUR", "200.00", "0.00", date(2026, 10, 1)),  # paid
            invoice("INV-4", cobalt, "USD", "1234.56", "1234.56", date(2026, 11, 22)),  # overdue
            invoice("INV-5", brown, "EUR", "300.00", "300.00", TODAY),  # due today: not overdue
        ]
    )
    finished = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    session.add_all(
        [
            DailyCheckRun(run_on=date(2026, 11, 21), status=RunStatus.DONE, finished_at=finished),
            DailyCheckRun(
                run_on=date(2026, 11, 22),
                status=RunStatus.FAILED,
                finished_at=finished,
                error="boom",
            ),
        ]
    )
    session.flush()
    return StaffIdentity(id=ada.id, login=ada.login, name=ada.name, role=ada.role)


@pytest.fixture
def user(db: Database) -> StaffIdentity:
    with db.session() as session:
        return add_book(session)


# --------------------------------------------------------------------------- domain


def test_book_overview_reads_the_figures(db: Database, user: StaffIdentity) -> None:
    with db.session() as session:
        overview = book_overview(session, as_of=TODAY)
    assert overview == BookOverview(
        customers=3,
        open_invoices=4,
        open_amount={"EUR": Decimal("1550.00"), "USD": Decimal("1234.56")},
        overdue_amount={"EUR": Decimal("1000.00"), "USD": Decimal("1234.56")},
        overdue_debtors=2,
        staff=2,
        last_daily_check=date(2026, 11, 21),
        as_of=TODAY,
    )
    assert all(isinstance(v, Decimal) for v in overview.open_amount.values())
    assert list(overview.open_amount) == ["EUR", "USD"]


def test_book_overview_of_an_empty_book(db: Database) -> None:
    with db.session() as session:
        overview = book_overview(session)
    assert overview.customers == overview.open_invoices == overview.overdue_debtors == 0
    assert dict(overview.open_amount) == {} and dict(overview.overdue_amount) == {}
    assert overview.last_daily_check is None
    assert isinstance(overview.as_of, date)  # the database's CURRENT_DATE


def test_describe_daily_check() -> None:
    assert describe_daily_check(None, TODAY) == "never run"
    assert describe_daily_check(TODAY, TODAY) == "2026-11-23 (today)"
    assert "yesterday" in describe_daily_check(date(2026, 11, 22), TODAY)
    assert "2 days ago" in describe_daily_check(date(2026, 11, 21), TODAY)


# --------------------------------------------------------------------------- header


@pytest.mark.parametrize("width", [40, 60, 78, 120])
def test_header_fits_and_keeps_role_and_date(width: int) -> None:
    info = HeaderInfo(
        name="Maximiliane Theodora Wolkenstein-Rodenegg",
        login="maximiliane.wolkenstein",
        role="supervisor",
        database="embedded (/home/maximiliane/.local/share/cctui/pgdata)",
    )
    text = header_text(info, TODAY, width).plain
    assert len(text) <= width
    assert text.startswith("cctui")
    if width >= 50:
        assert text.endswith("2026-11-23")
        assert "supervisor" in text
    if width >= 78:
        assert "embed" in text and "ata)" in text  # the label loses its middle


def test_header_shows_hostile_text_literally() -> None:
    info = HeaderInfo(name="[bold]ACME[/]", login="x", role="agent", database="\x1b[31mdb")
    text = header_text(info, TODAY, 78)
    assert "[bold]ACME[/]" in text.plain and "[31mdb" in text.plain
    assert "\x1b" not in text.plain


# --------------------------------------------------------------------------- app


def test_overview_is_registered_as_the_start_screen() -> None:
    assert START_SCREEN == "dashboard" and START_SCREEN in SCREENS


async def test_starts_on_the_overview_with_figures(db: Database, user: StaffIdentity) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert len(app.screen_stack) == 1
        text = screen_text(app)
        for expected in (
            "Dashboard",
            "Customers",
            "Open invoices",
            "EUR",
            "1,550.00",
            "1,234.56",
            "1,000.00",
            "Overdue debtors",
            "2026-11-21 (2 days ago, not yet run today)",
        ):
            assert expected in text, expected
        assert not app.screen.query_one("#overview-figures").loading


async def test_header_shows_user_role_database_and_date(db: Database, user: StaffIdentity) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = app.screen.query_one(StatusHeader).plain_text
        assert header.startswith("cctui")
        assert "Ada Lovelace (ada, controller)" in header
        assert "2026-11-23" in header
        label_start = db.label[:10]
        assert label_start in header
        first_line = screen_text(app).splitlines()[0]
        assert "Ada Lovelace" in first_line and "2026-11-23" in first_line


async def test_footer_shows_the_screen_keys(db: Database, user: StaffIdentity) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one(Footer)
        last_line = screen_text(app).splitlines()[-1]
        for expected in ("q", "Quit", "?", "Help", "Refresh", "^p"):
            assert expected in last_line, expected
        assert "Back" not in last_line  # nothing to go back to


async def test_help_lists_every_binding_and_closes(db: Database, user: StaffIdentity) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        overview = app.screen
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.below is overview
        rows = {entry.description: entry.keys_display for entry in app.screen.entries}
        assert rows["Quit"] == "q, F10, ^q"
        assert rows["Help"] == "?, F1"
        assert rows["Refresh"] == "r, F5"
        assert rows["Commands"] == "^p, F2"
        assert "Use the terminal's own colours" in rows
        assert "Back" not in rows  # nothing to go back to
        panes = {"Figures", "Charts"}  # the dashboard's tabs, 1 and 2
        assert [e.description for e in app.screen.entries if e.description not in panes][:3] == [
            "Refresh",
            "Quit",
            "Help",
        ]
        shown = screen_text(app)
        for expected in ("Dashboard", "r, F5", "Refresh", "Read the figures", "q, F10"):
            assert expected in shown, expected
        await pilot.press("escape")
        assert app.screen is overview
        assert "Back" not in screen_text(app).splitlines()[-1]
        # q and ? close the help too, without quitting.
        for key in ("q", "question_mark", "f1"):
            await pilot.press("f1")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press(key)
            assert app.screen is overview
        assert app.return_code is None


async def _palette_prompts(pilot: Pilot[Any], query: str) -> list[str]:
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    await pilot.press(*query)
    prompts: list[str] = []
    for _ in range(40):
        await asyncio.sleep(0.05)
        await pilot.pause()
        command_list = palette.query_one(CommandList)
        prompts = [
            str(command_list.get_option_at_index(i).prompt).splitlines()[0]
            for i in range(command_list.option_count)
        ]
        if prompts:
            break
    return prompts


async def test_palette_finds_quit_and_quits(db: Database, user: StaffIdentity) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        prompts = await _palette_prompts(pilot, "quit")
        assert prompts and prompts[0] == "Quit"
        await pilot.press("enter")
        await pilot.pause()
        assert app.return_code == 0


async def test_palette_finds_screen_actions_and_app_commands(
    db: Database, user: StaffIdentity
) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        assert "Refresh" in await _palette_prompts(pilot, "refresh")
        await pilot.press("escape")
        await pilot.press("f2")
        assert "Use the terminal's own colours" in await _palette_prompts(pilot, "own colours")
        await pilot.press("escape")
        await pilot.press("f2")
        assert "Change theme" in await _palette_prompts(pilot, "theme")


async def test_q_quits(db: Database, user: StaffIdentity) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0


async def test_f10_quits(db: Database, user: StaffIdentity) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await pilot.pause()
        assert app.return_code == 0


@pytest.mark.parametrize("signal_name", ["SIGHUP", "SIGTERM"])
async def test_a_hang_up_or_stop_signal_quits_cleanly(
    db: Database, user: StaffIdentity, signal_name: str
) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        os.kill(os.getpid(), getattr(signal, signal_name))
        for _ in range(20):
            await pilot.pause(0.05)
            if app.return_code is not None:
                break
        assert app.return_code == 0
    loop = asyncio.get_running_loop()
    assert not loop.remove_signal_handler(getattr(signal, signal_name))


def test_every_cctui_binding_has_an_id() -> None:
    from textual.binding import Binding

    from cctui.screens.base import CctuiScreen

    classes = [CctuiApp, HelpScreen, OverviewScreen, CctuiScreen]
    for cls in classes:
        for binding in cls.__dict__.get("BINDINGS", []):
            assert isinstance(binding, Binding) and binding.id, (cls.__name__, binding)


async def test_keymap_rebinds_by_id(db: Database, user: StaffIdentity) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.set_keymap({"help": "h", "quit": "x"})
        await pilot.press("q")  # no longer bound
        assert app.return_code is None
        await pilot.press("h")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("x")
        await pilot.pause()
        assert app.return_code == 0


async def test_escape_on_the_start_screen_does_nothing(db: Database, user: StaffIdentity) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, OverviewScreen)
        assert app.return_code is None


async def test_escape_goes_back_from_a_pushed_screen(db: Database, user: StaffIdentity) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.screen
        await app.push_screen(OverviewScreen())
        await settle(pilot)
        assert "Back" in screen_text(app).splitlines()[-1]
        await pilot.press("escape")
        assert app.screen is first


async def test_refresh_reads_the_figures_again(db: Database, user: StaffIdentity) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with db.session() as session:
            session.add(Customer(account="C004", name="Dyna", currency="EUR", manual_settings=True))
        await pilot.press("r")
        await settle(pilot)
        assert "Customers" in screen_text(app)
        line = next(ln for ln in screen_text(app).splitlines() if "Customers" in ln)
        assert line.split()[:2] == ["Customers", "4"]


async def test_terminal_colours_toggle(db: Database, user: StaffIdentity) -> None:
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.theme
        await pilot.press("ctrl+t")
        assert app.theme == "ansi-dark"
        await pilot.press("ctrl+t")
        assert app.theme == before


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
async def test_hostile_staff_name_is_shown_literally(db: Database, hostile: str) -> None:
    with db.session() as session:
        user = add_book(session, user_name=hostile)
    app = make_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = hostile.replace("\x1b", "")
        text = screen_text(app)
        assert shown in text.splitlines()[0]  # header
        assert shown in text  # overview
        assert "\x1b" not in text
        await pilot.click(StatusHeader)  # a [@click=...] name must not be a live action
        await pilot.press("question_mark")
        await pilot.press("escape")
        assert app.return_code is None
        assert isinstance(app.screen, OverviewScreen)


async def test_unknown_screen_opens_the_overview_and_says_so(
    db: Database, user: StaffIdentity
) -> None:
    app = recording_app(db, user, start_screen="payroll")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        messages = [note["message"] for note in app.notes]
        assert "The payroll screen is not available in this version." in messages
        assert "not available" in screen_text(app)


async def test_hostile_screen_name_is_reported_literally(db: Database, user: StaffIdentity) -> None:
    app = recording_app(db, user, start_screen="[@click=app.quit]x")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert app.notes[0]["message"] == (
            "The [@click=app.quit]x screen is not available in this version."
        )
        assert app.notes[0]["markup"] is False
        assert app.return_code is None


async def test_customer_without_screen_opens_the_customer_screen(
    db: Database, user: StaffIdentity
) -> None:
    from cctui.screens.customer import CustomerScreen

    app = recording_app(db, user, customer="C001")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "ACME Ltd" in screen_text(app) and "INV-1" in screen_text(app)
        assert not [n for n in app.notes if n.get("severity") in ("warning", "error")]


class BrokenDatabase:
    """A database whose every session fails the way the given error says."""

    def __init__(self, error: BaseException, label: str = "db.example:5432/book") -> None:
        self.error = error
        self.label = label
        self.is_embedded = False
        self.calls = 0

    @contextmanager
    def session(self) -> Iterator[Any]:
        self.calls += 1
        raise self.error
        yield  # pragma: no cover


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            DatabaseUnavailable("Cannot reach the database at db.example:5432/book: timeout."),
            "Cannot reach the database at db.example:5432/book: timeout.",
        ),
        (
            OperationalError("SELECT 1", {}, Exception("connection refused\nDETAIL: x")),
            "The database at db.example:5432/book could not read the dashboard: connection refused",
        ),
        (
            RuntimeError("[bold]boom[/] \x1b[31m"),
            "Could not read the dashboard: RuntimeError: [bold]boom[/] [31m",
        ),
    ],
)
async def test_worker_errors_reach_one_handler_with_a_clear_message(
    error: BaseException, expected: str
) -> None:
    user = StaffIdentity(id=1, login="ada", name="Ada", role=Role.ADMIN)
    broken = BrokenDatabase(error)
    app = recording_app(broken, user)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        errors = [note for note in app.notes if note.get("severity") == "error"]
        assert len(errors) == 1
        assert errors[0]["message"] == expected
        assert errors[0]["markup"] is False
        assert "could not be read" in screen_text(app)
        assert not app.screen.query_one("#overview-figures").loading
        await pilot.press("r")
        await settle(pilot)
        assert broken.calls == 2
        assert len([n for n in app.notes if n.get("severity") == "error"]) == 2
        assert app.return_code is None


def test_describe_worker_error_truncates_long_messages() -> None:
    class FakeWorker:
        name = "do it"
        error = ValueError("x" * 1000)

    text = describe_worker_error(FakeWorker(), "here")  # type: ignore[arg-type]
    assert len(text) <= 300 and text.endswith("…")


# --------------------------------------------------------------------------- snapshots


def _snapshot_app(db: Database, user: StaffIdentity) -> CctuiApp:
    """The app on a database with a fixed label (the real one names a temporary directory)."""
    fixed = Database(db.engine, label="db.example.com:5432/cctui")
    return make_app(fixed, user)


async def _wait_for_figures(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def test_snapshot_overview(db: Database, user: StaffIdentity, snap_compare: Any) -> None:
    assert snap_compare(_snapshot_app(db, user), terminal_size=SIZE, run_before=_wait_for_figures)


def test_snapshot_overview_no_color(
    db: Database, user: StaffIdentity, snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = _snapshot_app(db, user)
    assert app.no_color
    assert snap_compare(app, terminal_size=SIZE, run_before=_wait_for_figures)


def test_snapshot_help(db: Database, user: StaffIdentity, snap_compare: Any) -> None:
    assert snap_compare(
        _snapshot_app(db, user),
        terminal_size=SIZE,
        run_before=_wait_for_figures,
        press=["question_mark"],
    )


async def test_first_login_of_the_day_runs_the_daily_check(
    db: Database, user: StaffIdentity
) -> None:
    from cctui.domain.daily_check import daily_check_done

    app = recording_app(db, user, daily_check_at_start=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await drain(pilot)
        messages = [note["message"] for note in app.notes]
        assert any(message.startswith("Running today's daily check") for message in messages)
        assert f"The daily check of {TODAY.isoformat()} ran" in messages[-1]
        assert f"{TODAY.isoformat()} (today)" in screen_text(app)
    with db.session() as session:
        assert daily_check_done(session, TODAY) is not None


async def test_a_later_login_the_same_day_does_not_run_it_again(
    db: Database, user: StaffIdentity
) -> None:
    first = recording_app(db, user, daily_check_at_start=True)
    async with first.run_test(size=SIZE, notifications=True) as pilot:
        await drain(pilot)
    second = recording_app(db, user, daily_check_at_start=True)
    async with second.run_test(size=SIZE, notifications=True) as pilot:
        await drain(pilot)
        assert not any("daily check" in note["message"] for note in second.notes)
