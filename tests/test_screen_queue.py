"""The debtor queue screen: order, paging as the cursor moves, sort, search, filters, text."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update
from textual.pilot import Pilot
from textual.widgets import Input

from cctui.app import CctuiApp
from cctui.db.engine import Database
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import CallOutcome, CreditAction, Customer, Role
from cctui.screens.queue import PAGE_SIZE, QueueScreen
from cctui.screens.queue_dialogs import QueueFilterScreen, SortScreen
from cctui.widgets.keyset_table import KeysetTable
from cctui.widgets.safe_text import plain
from tests.app_support import SIZE, TODAY, make_app, recording_app, screen_text, settle
from tests.factories import make_customer, make_invoice, make_staff

BOOK_SIZE = 250
"""Debtors in the paging book: more than two pages of the queue."""

MAX_ROWS = 2 * PAGE_SIZE
"""The most rows the table may hold."""

HOSTILE_NAMES = [
    "[bold]ACME[/]",
    "[@click=app.quit]x",
    "\x1b[31mred",
    "שירה מזרחי \u2013 הנדסה",
    "株式会社北斗化学",
]


def local(days_from_today: int, hour: int = 10) -> datetime:
    """A moment on a day relative to TODAY, in the local time zone."""
    return datetime.combine(TODAY + timedelta(days=days_from_today), time(hour)).astimezone()


def overdue_of(n: int) -> Decimal:
    """Distinct overdue balances, biggest for n = 0."""
    return Decimal("90000.00") - Decimal("311.17") * n


def add_paging_book(session: Any) -> StaffIdentity:
    """``BOOK_SIZE`` debtors (every fifth controlled by the user), three hidden by a
    follow-up, three with names to search for; returns the user (a controller)."""
    ada = make_staff(session, "ada")
    bob = make_staff(session, "bob")
    for n in range(BOOK_SIZE):
        colour: dict[str, Any] = {}
        if n % 3 == 0:
            colour = {
                "last_contacted_at": local(-2),
                "last_call_at": local(-2),
                "last_call_outcome": CallOutcome.CONTACTED,
            }
        elif n % 3 == 1:
            colour = {"last_call_at": local(-1), "last_call_outcome": CallOutcome.UNREACHABLE}
        make_customer(
            session,
            account=f"Q{n:04d}",
            name=f"Debtor {(n * 37) % BOOK_SIZE:03d}",
            overdue_balance=overdue_of(n),
            balance=overdue_of(n) + Decimal("100.00"),
            oldest_due_on=TODAY - timedelta(days=1 + n % 90),
            controller_id=ada.id if n % 5 == 0 else bob.id,
            **colour,
        )
    for n in range(3):
        make_customer(
            session,
            account=f"H{n}",
            name=f"Later Ltd {n}",
            overdue_balance=Decimal("99999.00") - n,
            balance=Decimal("99999.00"),
            oldest_due_on=TODAY - timedelta(days=5),
            follow_up_on=TODAY + timedelta(days=3),
        )
    for n, name in enumerate(["Zeppelin Air", "Zebra Holdings", "Zenith Works"]):
        make_customer(
            session,
            account=f"Z{n}",
            name=name,
            overdue_balance=Decimal("5.00") + n,
            balance=Decimal("5.00") + n,
            oldest_due_on=TODAY - timedelta(days=2),
        )
    return ada


def in_order() -> list[str]:
    """The accounts of the visible queue, biggest overdue balance first."""
    return [f"Q{n:04d}" for n in range(BOOK_SIZE)] + ["Z2", "Z1", "Z0"]


@pytest.fixture
def paging_user(db: Database) -> StaffIdentity:
    with db.session() as session:
        return add_paging_book(session)


def table_of(app: CctuiApp) -> KeysetTable[Any, Any]:
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    return screen.table


def current_account(app: CctuiApp) -> str:
    row = table_of(app).current_row
    assert row is not None
    return row.account


def shown_accounts(app: CctuiApp) -> list[str]:
    return [row.account for row in table_of(app).window.rows]


def status_line(app: CctuiApp) -> str:
    return screen_text(app).splitlines()[-2]


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys one by one, waiting for any page read each one starts."""
    for key in keys:
        await pilot.press(key)
        if table_of(pilot.app).busy:  # type: ignore[arg-type]
            await settle(pilot)
        assert table_of(pilot.app).row_count <= MAX_ROWS  # type: ignore[arg-type]
    await settle(pilot)


async def type_search(pilot: Pilot[Any], text: str) -> None:
    """Type into the search field and wait for the debounced search to finish."""
    await pilot.press(*text)
    await pilot.pause(0.4)
    await settle(pilot)


def queue_app(db: Database, user: StaffIdentity) -> CctuiApp:
    return make_app(db, user, start_screen="queue")


async def test_opens_on_the_biggest_overdue_first_with_a_count(
    db: Database, paging_user: StaffIdentity
) -> None:
    app = queue_app(db, paging_user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert shown_accounts(app) == in_order()[:PAGE_SIZE]
        text = screen_text(app)
        assert "Q0000" in text and "Later Ltd" not in text
        assert "Overdue ▼" in text
        assert "Showing: all debtors · by overdue balance ▼ desc" in text
        assert status_line(app).strip().startswith(f"Row 1 of {BOOK_SIZE + 3}")
        assert app.focused is table_of(app)


async def test_moving_down_reads_the_next_pages_and_up_the_previous_ones(
    db: Database, paging_user: StaffIdentity
) -> None:
    app = queue_app(db, paging_user)
    order = in_order()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *["pagedown"] * 12)  # 12 screens of 18 rows: past two pages
        table = table_of(app)
        position = table.position
        assert position is not None and position > PAGE_SIZE * 2
        assert current_account(app) == order[position]
        assert shown_accounts(app)[0] != order[0]  # the first page was let go
        assert status_line(app).strip().startswith(f"Row {position + 1} of {BOOK_SIZE + 3}")
        await press(pilot, "down")
        assert current_account(app) == order[position + 1]
        # Back up to the top, through the pages let go: every stop in its place.
        stops = 0
        while table.position:
            await press(pilot, "pageup" if table.position > 30 else "up")
            position = table.position
            assert position is not None
            assert current_account(app) == order[position]
            stops += 1
        assert stops > 12
        assert current_account(app) == order[0]
        assert shown_accounts(app)[0] == order[0]


async def test_end_reads_the_last_page_and_home_the_first(
    db: Database, paging_user: StaffIdentity
) -> None:
    app = queue_app(db, paging_user)
    order = in_order()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "end")
        assert current_account(app) == order[-1]
        assert "Zeppelin Air" in screen_text(app)
        # The row number after End depends on whether the count or the last page came
        # first; an open race (see the closing note) can leave it "?" for a while.
        assert (
            status_line(app)
            .strip()
            .startswith((f"Row {len(order)} of {len(order)}", f"Row ? of {len(order)}"))
        )
        assert shown_accounts(app) == order[-PAGE_SIZE:]
        await press(pilot, "pageup", "pageup")
        assert current_account(app) == order[-1 - 2 * 18]  # 18 rows a screen at 80x24
        await press(pilot, "home")
        assert current_account(app) == order[0]
        assert status_line(app).strip().startswith("Row 1 of")


async def test_sort_dialog_and_reverse(db: Database, paging_user: StaffIdentity) -> None:
    app = queue_app(db, paging_user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert isinstance(app.screen, SortScreen)
        await pilot.press("down", "down", "enter")  # Overdue, Days overdue, Name
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        # "Debtor 000" is Q0000 (n * 37 % 250 == 0), "Debtor 001" is Q0223 (223 * 37 = 8251)
        assert shown_accounts(app)[:2] == ["Q0000", "Q0223"]
        text = screen_text(app)
        assert "Name ▲" in text and "by name ▲ asc" in text and "Overdue ▼" not in text
        await pilot.press("r")
        await settle(pilot)
        names = [row.name for row in table_of(app).window.rows]
        assert names[0] == "Zeppelin Air" and names == sorted(names, reverse=True)
        assert "Name ▼" in screen_text(app)
        await pilot.press("greater_than_sign")  # the column right of Name: Overdue
        await settle(pilot)
        assert current_account(app) == "Q0000" and "Overdue ▼" in screen_text(app)
        await pilot.press("greater_than_sign")  # then Days, most days overdue first
        await settle(pilot)
        assert "most days overdue first" in screen_text(app)
        days = [row.days_overdue for row in table_of(app).window.rows]
        assert days == sorted(days, reverse=True)
        await pilot.press("less_than_sign", "less_than_sign")
        await settle(pilot)
        assert "Name ▲" in screen_text(app)
        await pilot.press("s", "escape")  # Esc keeps the order
        await settle(pilot)
        assert "Name ▲" in screen_text(app)


async def test_search_narrows_as_you_type_and_escape_clears_it(
    db: Database, paging_user: StaffIdentity
) -> None:
    app = queue_app(db, paging_user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        search = app.screen.query_one("#queue-search", Input)
        assert app.focused is search
        await type_search(pilot, "z")  # one letter: names starting with it
        assert sorted(shown_accounts(app)) == ["Z0", "Z1", "Z2"]
        assert "Row 1 of 3" in status_line(app)
        await type_search(pilot, "ep")  # "zep": matches anywhere, best match first
        assert shown_accounts(app)[0] == "Z0"
        assert "Zeppelin Air" in screen_text(app) and "Zebra" not in screen_text(app)
        assert "best match first" in screen_text(app)
        assert app.focused is search
        await pilot.press("enter")
        assert app.focused is table_of(app)
        await pilot.press("slash")
        await type_search(pilot, "qqqq")
        assert shown_accounts(app) == []
        assert "No debtor matches" in status_line(app)
        await pilot.press("escape")
        await settle(pilot)
        assert search.value == ""
        assert app.focused is table_of(app)
        assert shown_accounts(app)[:3] == in_order()[:3]
        assert isinstance(app.screen, QueueScreen)  # Esc left the search, not the screen


async def test_mine_lists_only_the_users_customers(
    db: Database, paging_user: StaffIdentity
) -> None:
    app = queue_app(db, paging_user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        mine = [f"Q{n:04d}" for n in range(0, BOOK_SIZE, 5)]
        assert shown_accounts(app) == mine
        assert "Showing: mine" in screen_text(app)
        assert f"Row 1 of {len(mine)}" in status_line(app)
        await pilot.press("m")
        await settle(pilot)
        assert shown_accounts(app) == in_order()[:PAGE_SIZE]


async def test_filter_dialog_by_keyboard_shows_hidden_follow_ups(
    db: Database, paging_user: StaffIdentity
) -> None:
    app = queue_app(db, paging_user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        assert isinstance(app.screen, QueueFilterScreen)
        # pool, colour, ok, remind, password, hold, currency, then the follow-up box
        await pilot.press(*["tab"] * 7, "space", "f9")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert shown_accounts(app)[:3] == ["H0", "H1", "H2"]
        assert "follow-ups shown" in screen_text(app)
        assert "follow-up 2026-11-26" in status_line(app)
        assert f"of {BOOK_SIZE + 6}" in status_line(app)
        await pilot.press("x")  # clear every filter
        await settle(pilot)
        assert shown_accounts(app)[0] == "Q0000"


async def test_filter_dialog_colour_action_currency(
    db: Database, paging_user: StaffIdentity
) -> None:
    with db.session() as session:
        session.execute(
            update(Customer)
            .where(Customer.account.in_(["Q0001", "Q0004", "Q0003"]))
            .values(credit_action=CreditAction.HOLD)
        )
    app = queue_app(db, paging_user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        dialog = app.screen
        assert isinstance(dialog, QueueFilterScreen)
        dialog.query_one("#queue-filter-colour").value = "attention"  # type: ignore[attr-defined]
        dialog.query_one("#queue-filter-action-hold").value = True  # type: ignore[attr-defined]
        currency = dialog.query_one("#queue-filter-currency", Input)
        currency.value = "E1"
        await pilot.press("f9")
        assert app.screen is dialog  # a wrong currency keeps the dialog open
        assert "three-letter code" in screen_text(app)
        currency.value = "eur"
        await pilot.press("f9")
        await settle(pilot)
        # Q0003 is contacted (green), Q0001 and Q0004 need attention
        assert shown_accounts(app) == ["Q0001", "Q0004"]
        text = screen_text(app)
        assert "! attention · action hold · EUR" in text
        await pilot.press("f")
        await pilot.press("escape")  # cancel keeps the filters
        await settle(pilot)
        assert shown_accounts(app) == ["Q0001", "Q0004"]


def held_rows(app: CctuiApp) -> dict[str, Any]:
    """The accounts the ``DataTable`` itself holds, top to bottom, each with its row key."""
    table = table_of(app)
    column = table.shown_columns.index("account")
    return {table.get_row(row.key)[column].plain.strip(): row.key for row in table.ordered_rows}


async def test_pages_are_spliced_in_not_refilled(
    db: Database, paging_user: StaffIdentity, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Down to the last debtor and back up across every page boundary: at each stop the
    table holds a run of the queue in order (no gap, no duplicate, two pages at most), the
    cursor is on the debtor the status line names, the rows kept were not added again and
    the table was never cleared and filled again."""
    app = queue_app(db, paging_user)
    order = in_order()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        clears = []
        clear = table.clear
        monkeypatch.setattr(table, "clear", lambda *a, **k: clears.append(1) or clear(*a, **k))
        before = held_rows(app)
        spliced = 0
        for key, last in (("pagedown", len(order) - 1), ("pageup", 0)):
            while table.position != last:
                position = table.position
                assert position is not None
                await press(pilot, key)
                step = 18 if key == "pagedown" else -18  # 18 rows a screen at 80x24
                assert table.position == min(max(position + step, 0), len(order) - 1)
                held = held_rows(app)
                accounts = list(held)
                assert accounts == shown_accounts(app)
                offset = table.window.offset
                assert offset is not None and len(accounts) <= MAX_ROWS
                assert accounts == order[offset : offset + len(accounts)]
                assert current_account(app) == order[table.position]
                assert (
                    status_line(app).strip().startswith(f"Row {table.position + 1} of {len(order)}")
                )
                kept = before.keys() & held.keys()
                assert kept and all(held[account] is before[account] for account in kept)
                spliced += held.keys() != before.keys()
                before = held
        assert spliced == 3  # pages 2 and 3 on the way down, page 1 on the way up
        assert not clears


async def test_reload_keeps_the_cursor_on_the_same_customer(
    db: Database, paging_user: StaffIdentity
) -> None:
    app = queue_app(db, paging_user)
    order = in_order()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *["pagedown"] * 14)
        assert table_of(app).window.before_cursor is not None  # not from the top
        account = current_account(app)
        index = order.index(account)
        # Two debtors above the cursor leave the queue elsewhere (paid).
        with db.session() as session:
            session.execute(
                update(Customer)
                .where(Customer.account.in_([order[index - 1], order[index - 5]]))
                .values(overdue_balance=Decimal(0))
            )
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        screen.reload()
        await settle(pilot)
        assert current_account(app) == account
        assert order[index - 1] not in shown_accounts(app)
        assert f"of {BOOK_SIZE + 1}" in status_line(app)


async def test_enter_opens_the_customer(db: Database, paging_user: StaffIdentity) -> None:
    from cctui.screens.customer import CustomerScreen

    app = queue_app(db, paging_user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "down", "down")
        row = table_of(app).current_row
        assert row is not None
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.customer_id == row.id
        with db.session() as session:  # changed while the customer was open
            session.execute(
                update(Customer).where(Customer.id == row.id).values(name="Renamed While Open")
            )
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert current_account(app) == row.account
        assert "Renamed While Open" in screen_text(app)


async def test_go_to_q_opens_the_queue(db: Database, paging_user: StaffIdentity) -> None:
    app = make_app(db, paging_user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "q")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert app.return_code is None


class BrokenDatabase:
    """A database whose every session fails."""

    label = "db.example:5432/book"
    is_embedded = False

    def __init__(self) -> None:
        self.calls = 0

    @contextmanager
    def session(self) -> Iterator[Any]:
        self.calls += 1
        raise RuntimeError("[bold]boom[/]")
        yield  # pragma: no cover


async def test_a_failed_read_is_reported_once_and_f5_tries_again() -> None:
    user = StaffIdentity(id=1, login="ada", name="Ada", role=Role.CONTROLLER)
    broken = BrokenDatabase()
    app = recording_app(broken, user, start_screen="queue")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        errors = [note["message"] for note in app.notes if note.get("severity") == "error"]
        assert "Could not read the debtor queue: RuntimeError: [bold]boom[/]" in errors
        assert "could not be read" in status_line(app)
        assert not table_of(app).loading
        calls = broken.calls
        await pilot.press("f5")
        await settle(pilot)
        assert broken.calls > calls
        assert app.return_code is None and isinstance(app.screen, QueueScreen)


# --------------------------------------------------------------------------- text


def add_small_book(session: Any, names: list[str] | None = None) -> StaffIdentity:
    """Debtors with real invoices, one of each colour, fixed data for snapshots."""
    ada = make_staff(session, "ada")
    rows = [
        ("S001", "Acme Trading Ltd", "1500.00", 45, CallOutcome.UNREACHABLE, -1),
        ("S002", "Brown & Co", "980.40", 12, CallOutcome.CONTACTED, -3),
        ("S003", "Cobalt Inc", "420.00", 70, CallOutcome.DOCUMENT_CREATED, -5),
        ("S004", "Dunmore Farms", "77.10", 3, None, None),
    ]
    for n, (account, name, amount, days, outcome, called) in enumerate(rows):
        values: dict[str, Any] = {}
        if outcome is not None and called is not None:
            values = {"last_call_at": local(called), "last_call_outcome": outcome}
            if outcome is CallOutcome.CONTACTED:
                values["last_contacted_at"] = local(called)
        customer = make_customer(
            session,
            account=account,
            name=names[n] if names else name,
            controller_id=ada.id if n % 2 == 0 else None,
            next_call_on=TODAY + timedelta(days=n + 1) if n != 3 else None,
            credit_action=[CreditAction.HOLD, CreditAction.OK, CreditAction.REMIND][n % 3],
            **values,
        )
        make_invoice(session, customer, amount, days_past_due=days)
    return ada


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
async def test_hostile_names_show_literally(db: Database, hostile: str) -> None:
    with db.session() as session:
        user = add_small_book(session, names=[hostile, hostile * 2, "x" * 200, "Plain"])
    app = recording_app(db, user, start_screen="queue")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        text = screen_text(app)
        shown = hostile.replace("\x1b", "")
        assert shown[:10] in text
        assert "\x1b" not in text
        assert "xxxxxxxxxx…" in text  # the long name is cut, not wrapped
        await pilot.press("slash")
        app.screen.query_one("#queue-search", Input).value = plain(hostile)[:3]
        await pilot.pause(0.4)
        await settle(pilot)
        assert table_of(app).current_row is not None
        await pilot.press("escape")
        await press(pilot, "down", "down", "up")
        assert app.return_code is None
        assert isinstance(app.screen, QueueScreen)
        assert not [note for note in app.notes if note.get("severity") == "error"]


async def test_colour_shows_as_symbol_and_word_without_colour(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    with db.session() as session:
        user = add_small_book(session)
    app = queue_app(db, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.no_color
        text = screen_text(app)
        lines = {line.split()[2]: line for line in text.splitlines() if " S00" in line}
        assert lines["S001"].lstrip().startswith("! attn")  # unreachable
        assert lines["S002"].lstrip().startswith("+ cont")  # contacted 3 days ago
        assert lines["S003"].lstrip().startswith("- plain")  # called, not reached
        assert lines["S004"].lstrip().startswith("! attn")  # never contacted
        assert "! Attention: Unreachable at the last call" in status_line(app)
        await press(pilot, "down")
        assert "+ Contacted: Contacted on" in status_line(app)


async def test_wide_terminal_shows_more_columns(db: Database) -> None:
    with db.session() as session:
        user = add_small_book(session)
    app = queue_app(db, user)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        header = next(line for line in screen_text(app).splitlines() if "Status" in line)
        for title in ("Balance", "Cur", "Controller", "Last call", "Promise", "Postal", "Phone"):
            assert title in header, title
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        header = next(line for line in screen_text(app).splitlines() if "Status" in line)
        assert "Balance" not in header and "Next call" in header


# --------------------------------------------------------------------------- snapshots


def _snapshot_app(db: Database) -> CctuiApp:
    with db.session() as session:
        user = add_small_book(session)
    fixed = Database(db.engine, label="db.example.com:5432/cctui")
    return make_app(fixed, user, start_screen="queue")


async def _wait(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("down")
    await settle(pilot)


def test_snapshot_queue(db: Database, snap_compare: Any) -> None:
    assert snap_compare(_snapshot_app(db), terminal_size=SIZE, run_before=_wait)


def test_snapshot_queue_no_color(
    db: Database, snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = _snapshot_app(db)
    assert app.no_color
    assert snap_compare(app, terminal_size=SIZE, run_before=_wait)


def test_filter_line_and_sort_words() -> None:
    from cctui.domain.queue import ColourStatus, QueueQuery, QueueSort, SortDirection
    from cctui.screens.queue_columns import (
        QUEUE_COLUMNS,
        describe_filters,
        describe_sort,
        sort_arrow,
    )

    query = QueueQuery(
        controller_id=1,
        pool_id=7,
        colour=ColourStatus.NONE,
        credit_actions=(CreditAction.REMIND, CreditAction.HOLD),
        currency="EUR",
        include_hidden=True,
    )
    assert describe_filters(query, {7: "[b]DACH\x1b"}) == (
        "mine · pool [b]DACH · - plain · action remind/hold · EUR · follow-ups shown"
    )
    assert describe_filters(QueueQuery(), {}) == "all debtors"
    assert describe_sort(QueueQuery(search="novak")) == "best match first"
    assert describe_sort(QueueQuery(sort=QueueSort.NAME)) == "by name ▲ asc"
    days = next(column for column in QUEUE_COLUMNS if column.key == "days")
    assert sort_arrow(days, QueueSort.OLDEST_DUE, SortDirection.ASC) == "▼"
    assert sort_arrow(days, QueueSort.NAME, SortDirection.ASC) == ""
