"""The overdue invoices screen: paging, order, search, filters, marks, reminders, flagging."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.screen import Screen

from cctui.db.engine import Database
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import CollectionState, Invoice, Letter, LetterInvoice, Role
from cctui.domain.overdue import OverdueQuery, OverdueSort, overdue_invoices
from cctui.domain.workflow.disputes import open_dispute
from cctui.screens.invoice_dialogs import ConfirmScreen
from cctui.screens.overdue import OverdueScreen, describe_sort, flags_of
from cctui.screens.overdue_filters import OverdueFilters, OverdueFilterScreen
from tests.app_support import SIZE, TODAY, make_app, recording_app, screen_text, settle
from tests.factories import make_customer, make_invoice, make_staff

HOSTILE = ["[bold]ACME[/]", "[@click=app.quit]x", "\x1b[31mred", "شركة الاختبار", "W" * 200]
"""Customer names that must show literally and never act or crash (200: the longest kept)."""

PLAIN = ["Alpha Ltd", "Beta GmbH"]


@dataclass
class Book:
    """The people and invoices of the overdue tests."""

    controller: StaffIdentity
    agent: StaffIdentity
    invoice_ids: list[int]
    alpha_id: int
    usd_id: int
    disputed_id: int


def add_book(session: Any, invoices: int = 150) -> Book:
    """Customers (two plain, five hostile, one in USD) and ``invoices`` overdue invoices
    numbered OD-0001 (1 day late) up, amounts varying; one is in dispute."""
    controller = make_staff(session, "ctrl", Role.CONTROLLER)
    agent = make_staff(session, "agent", Role.AGENT)
    customers = [
        make_customer(session, account=f"A{i:03d}", name=name, controller_id=controller.id)
        if i == 0
        else make_customer(session, account=f"A{i:03d}", name=name)
        for i, name in enumerate([*PLAIN, *HOSTILE])
    ]
    usd = make_customer(session, account="U001", name="Gamma Inc", currency="USD")
    customers.append(usd)
    ids = []
    for i in range(invoices):
        customer = customers[i % len(customers)]
        amount = Decimal(100 + (i * 37) % 1000) + Decimal("0.25")
        invoice = make_invoice(session, customer, amount, days_past_due=i + 1)
        invoice.number = f"OD-{i + 1:04d}"
        ids.append(invoice.id)
    make_invoice(session, customers[0], "500.00", days_past_due=0)  # due today: not overdue
    session.flush()
    disputed = ids[10]
    open_dispute(session, controller, invoice_id=disputed, reason="Wrong price")
    return Book(controller, agent, ids, customers[0].id, usd.id, disputed)


@pytest.fixture
def book(db: Database) -> Book:
    with db.session() as session:
        return add_book(session)


def overdue_app(db: Database, user: StaffIdentity) -> Any:
    return recording_app(db, user, start_screen="overdue")


def screen_of(app: Any) -> OverdueScreen:
    screen = app.screen
    assert isinstance(screen, OverdueScreen)
    return screen


def domain_order(db: Database, query: OverdueQuery) -> list[int]:
    with db.session() as session:
        page = overdue_invoices(session, query=query, limit=1000, as_of=TODAY)
    return [row.invoice_id for row in page.rows]


def numbers_of(db: Database, ids: list[int]) -> list[str]:
    with db.session() as session:
        found = {
            invoice_id: number
            for invoice_id, number in session.execute(
                select(Invoice.id, Invoice.number).where(Invoice.id.in_(ids))
            )
        }
    return [found[invoice_id] for invoice_id in ids]


# --------------------------------------------------------------------------- paging


async def test_pages_are_read_as_the_cursor_moves(
    db: Database, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(OverdueScreen, "PAGE_SIZE", 20)
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        table = screen.table
        assert len(table.keys) == 20
        assert "150 (20 loaded)" in screen_text(app)
        for _ in range(10):
            await pilot.press("ctrl+end")
            await settle(pilot)
            if len(table.keys) == 150:
                break
        assert table.keys == domain_order(db, OverdueQuery())
        assert table.row_count == 150
        assert "loaded)" not in screen_text(app)
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert table.current_key == table.keys[-1]
        assert table.row_count == 150


async def test_page_down_reads_the_next_page_without_reading_everything(
    db: Database, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(OverdueScreen, "PAGE_SIZE", 20)
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("pagedown")
        await settle(pilot)
        keys = screen_of(app).table.keys
        assert len(keys) == 40
        assert keys == domain_order(db, OverdueQuery())[:40]


# --------------------------------------------------------------------------- order, search, filters


async def test_sort_cycles_and_reverse(db: Database, book: Book) -> None:
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = screen_of(app).table
        oldest = domain_order(db, OverdueQuery())
        assert table.keys[:10] == oldest[:10]
        assert numbers_of(db, [table.keys[0]]) == ["OD-0150"]
        assert "by due date, oldest first" in screen_text(app)

        await pilot.press("s")
        await settle(pilot)
        largest = domain_order(db, OverdueQuery(sort=OverdueSort.OPEN_AMOUNT))
        assert table.keys[:10] == largest[:10]
        assert "by open amount, largest first" in screen_text(app)

        await pilot.press("r")
        await settle(pilot)
        smallest = domain_order(db, OverdueQuery(sort=OverdueSort.OPEN_AMOUNT, descending=False))
        assert table.keys[:10] == smallest[:10]
        assert "by open amount, smallest first" in screen_text(app)
        assert table.current_key == table.keys[0]

        await pilot.press("s")
        await settle(pilot)
        assert "by days past due, most first" in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert numbers_of(db, [table.keys[0]]) == ["OD-0001"]


async def test_search_is_debounced_and_finds_invoice_or_customer(
    db: Database, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(OverdueScreen, "SEARCH_DELAY", 0.05)
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = screen_of(app).table
        await pilot.press("slash", *"OD-0042")
        await pilot.pause(0.2)
        await settle(pilot)
        assert numbers_of(db, table.keys) == ["OD-0042"]
        assert "Search: OD-0042" in screen_text(app)
        await pilot.press("enter")  # back to the list, search kept
        assert app.focused is table

        await pilot.press("slash", *(["backspace"] * 7), *"gamma")
        await pilot.pause(0.2)
        await settle(pilot)
        with db.session() as session:
            gamma = set(
                session.scalars(select(Invoice.id).where(Invoice.customer_id == book.usd_id))
            )
        assert set(table.keys) == {i for i in gamma if i in book.invoice_ids}
        await pilot.press("escape")  # leaves the field, not the screen
        assert isinstance(app.screen, OverdueScreen)
        assert app.focused is table


async def test_filters_dialog_narrows_the_list(db: Database, book: Book) -> None:
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = screen_of(app).table
        await pilot.press("f")
        assert isinstance(app.screen, OverdueFilterScreen)
        await pilot.press("tab", *"usd", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OverdueScreen)
        expected = domain_order(db, OverdueQuery(currency="USD"))
        assert table.keys == expected and len(expected) == 150 // 8
        assert "Filters: USD" in screen_text(app)

        # A malformed number keeps the dialog open and says why.
        await pilot.press("f", "tab", "tab", *"ab", "enter")
        assert isinstance(app.screen, OverdueFilterScreen)
        assert "must be a whole number" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, OverdueScreen)
        assert table.keys == expected

        # Only my customers, at least 100 days late, any currency.
        await pilot.press("f", "space", "tab", *["backspace"] * 3, "tab", *"100", "enter")
        await settle(pilot)
        mine = domain_order(
            db, OverdueQuery(controller_id=book.controller.id, min_days_past_due=100)
        )
        assert table.keys == mine and mine
        assert "Filters: my customers, ≥100 days" in screen_text(app)


async def test_undisputed_filter_and_flags_column(db: Database, book: Book) -> None:
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        screen._filters = OverdueFilters(disputed=True)
        screen._new_query()
        await settle(pilot)
        assert screen.table.keys == [book.disputed_id]
        assert "D" in screen_text(app).splitlines()[4]


# --------------------------------------------------------------------------- marks and actions


async def test_marks_and_manual_reminder_queue_letters(db: Database, book: Book) -> None:
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = screen_of(app).table
        first, second = table.keys[0], table.keys[1]
        await pilot.press("space", "space")
        assert table.marked == [first, second]
        lines = screen_text(app).splitlines()
        assert "2 marked" in screen_text(app)
        assert sum(1 for line in lines if line.startswith("* OD-")) == 2
        await pilot.press("m")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Queue a reminder now for 2 invoices of 2 customers?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert any(
            note["message"] == "Queued 2 reminder letters for 2 invoices." for note in app.notes
        )
        assert table.marked == []
    with db.session() as session:
        letters = session.scalars(select(Letter)).all()
        listed = session.scalars(select(LetterInvoice.invoice_id)).all()
    assert len(letters) == 2
    assert all(letter.queued_by_id == book.controller.id for letter in letters)
    assert sorted(listed) == sorted([first, second])


async def test_cancelled_reminder_queues_nothing(db: Database, book: Book) -> None:
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("space", "m", "n")
        await settle(pilot)
        assert screen_of(app).table.marked  # still marked
    with db.session() as session:
        assert session.scalars(select(Letter)).all() == []


async def test_mark_all_and_none(db: Database, book: Book, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(OverdueScreen, "PAGE_SIZE", 30)
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = screen_of(app).table
        await pilot.press("A")
        assert table.marked == table.keys and len(table.marked) == 30
        assert "30 marked" in screen_text(app)
        await pilot.press("A")
        assert table.marked == []


async def test_a_disputed_invoice_is_refused_in_a_sentence(db: Database, book: Book) -> None:
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        screen._filters = OverdueFilters(disputed=True)
        screen._new_query()
        await settle(pilot)
        await pilot.press("m", "y")
        await settle(pilot)
        messages = [note["message"] for note in app.notes]
        assert any("is in dispute; resolve the dispute before reminding." in m for m in messages)
    with db.session() as session:
        assert session.scalars(select(Letter)).all() == []


async def test_agent_is_told_why_not_and_nothing_is_queued(db: Database, book: Book) -> None:
    app = overdue_app(db, book.agent)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("space", "m")
        assert isinstance(app.screen, OverdueScreen)  # no dialog
        await pilot.press("F")
        await settle(pilot)
        messages = [note["message"] for note in app.notes]
        assert "Only a controller or above may send reminders by hand; agent is an agent." in (
            messages
        )
        assert (
            "Only a controller or above may flag invoices for collection; agent is an agent."
            in messages
        )
    with db.session() as session:
        assert session.scalars(select(Letter)).all() == []
        states = set(session.scalars(select(Invoice.collection_state)))
    assert states == {CollectionState.NONE}


async def test_flag_marked_invoices_for_collection(db: Database, book: Book) -> None:
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = screen_of(app).table
        chosen = table.keys[:3]
        await pilot.press("space", "space", "space", "F")
        await settle(pilot)
        assert any(note["message"] == "Flagged 3 invoices for collection." for note in app.notes)
        assert table.marked == []
        lines = screen_text(app).splitlines()
        flagged_lines = [line for line in lines if line.rstrip().endswith(" F")]
        assert len(flagged_lines) == 3
    with db.session() as session:
        flagged = set(
            session.scalars(
                select(Invoice.id).where(Invoice.collection_state == CollectionState.FLAGGED)
            )
        )
    assert flagged == set(chosen)


async def test_reload_keeps_cursor_and_marks(db: Database, book: Book) -> None:
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        table = screen.table
        await pilot.press("down", "space", "down", "down")
        marked, current = table.marked, table.current_key
        with db.session() as session:
            paid = session.get(Invoice, table.keys[0])
            assert paid is not None
            paid.open_amount = Decimal(0)
        screen.reload()
        await settle(pilot)
        assert table.marked == marked
        assert table.current_key == current
        assert table.keys[0] != paid.id  # the paid invoice left the list


async def test_enter_opens_the_customer(
    db: Database, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[int] = []

    class FakeCustomerScreen(Screen[None]):
        def __init__(self, customer_id: int) -> None:
            super().__init__()
            opened.append(customer_id)

    module = types.ModuleType("cctui.screens.customer")
    module.CustomerScreen = FakeCustomerScreen  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cctui.screens.customer", module)
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        with db.session() as session:
            invoice = session.get(Invoice, screen.table.keys[0])
            assert invoice is not None
            customer_id = invoice.customer_id
        await pilot.press("enter")
        await pilot.pause()
        assert opened == [customer_id]
        assert isinstance(app.screen, FakeCustomerScreen)


# --------------------------------------------------------------------------- hostile text


async def test_hostile_names_show_literally(db: Database, book: Book) -> None:
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[bold]ACME[/]" in text
        assert "[@click=app.quit]x" in text
        assert "[31mred" in text and "\x1b" not in text
        assert "WWWWWWWWWW…" in text
        await pilot.click(offset=(25, 5))
        assert app.is_running
        assert isinstance(app.screen, OverdueScreen)


async def test_wide_terminals_add_currency_fees_and_last_dunned(db: Database, book: Book) -> None:
    app = overdue_app(db, book.controller)
    async with app.run_test(size=(130, 24), notifications=True) as pilot:
        await settle(pilot)
        header = screen_text(app).splitlines()[2]
        assert header.split() == [
            *("Invoice", "Customer", "Due", "Days", "Open", "Cur", "Fees", "Lv", "Dunned", "Flg")
        ]
        first = screen_text(app).splitlines()[3]
        assert first.split()[:1] == ["OD-0150"] and " EUR " in first and " 0.00 " in first
        assert first.rstrip().endswith(" -")  # never dunned
    app = overdue_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        header = screen_text(app).splitlines()[2]
        assert "Cur" not in header and "Dunned" not in header


def test_describe_sort_and_flags() -> None:
    assert describe_sort(OverdueSort.DUE_ON, False) == "by due date, oldest first"
    assert describe_sort(OverdueSort.OPEN_AMOUNT, True) == "by open amount, largest first"
    assert describe_sort(OverdueSort.DAYS_PAST_DUE, False) == "by days past due, fewest first"


def test_flags_of_reads_without_colour() -> None:
    from datetime import date

    from cctui.domain.overdue import OverdueRow

    row = OverdueRow(
        invoice_id=1,
        number="X",
        customer_id=1,
        account="A",
        customer_name="N",
        issued_on=date(2026, 1, 1),
        due_on=date(2026, 2, 1),
        days_past_due=3,
        amount=Decimal(1),
        open_amount=Decimal(1),
        fee_amount=Decimal(0),
        interest_amount=Decimal(0),
        currency="EUR",
        dunning_level=1,
        last_dunned_on=None,
        collection_state=CollectionState.HANDED_OVER,
        collection_agency_id=2,
        in_dispute=True,
        promised=True,
    )
    assert flags_of(row) == "DPA"


# --------------------------------------------------------------------------- snapshots


def _snapshot_app(db: Database) -> Any:
    with db.session() as session:
        book = add_book(session, invoices=24)
    fixed = Database(db.engine, label="db.example.com:5432/cctui")
    return make_app(fixed, book.controller, start_screen="overdue")


async def _settled_and_marked(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("down", "space")
    await settle(pilot)


def test_snapshot_overdue(db: Database, snap_compare: Any) -> None:
    assert snap_compare(_snapshot_app(db), terminal_size=SIZE, run_before=_settled_and_marked)


def test_snapshot_overdue_no_color(
    db: Database, snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = _snapshot_app(db)
    assert app.no_color
    assert snap_compare(app, terminal_size=SIZE, run_before=_settled_and_marked)
