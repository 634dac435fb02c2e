"""The collection agency screen: buckets with totals, paging, hand-over, recall, unflag, roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import OptionList

from cctui.db.engine import Database
from cctui.domain.agency import (
    AgencyDetails,
    agency_invoices,
    create_agency,
    deactivate_agency,
    flag_for_collection,
    hand_over,
)
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import AgencyHandover, CollectionState, Invoice, Role
from cctui.screens.agency import AgencyScreen
from cctui.screens.agency_dialogs import HandOverScreen
from cctui.screens.invoice_dialogs import ReasonScreen
from cctui.screens.overview import OverviewScreen
from tests.app_support import SIZE, TODAY, make_app, recording_app, screen_text, settle
from tests.factories import make_customer, make_invoice, make_staff

HOSTILE_CUSTOMERS = ["[bold]ACME[/]", "[@click=app.quit]x", "\x1b[31mred", "שלום בע״מ"]
STERLING = "Sterling Recoveries Ltd"
EVIL = "[bold]Evil[/] Agency"
"""A hostile agency name; it sorts before Sterling (``[`` before ``s``)."""


@dataclass
class Book:
    """People, agencies and invoices of the agency tests."""

    controller: StaffIdentity
    agent: StaffIdentity
    sterling: int
    evil: int
    flagged: list[int]
    handed: list[int]


def add_book(session: Any, flagged: int = 70, handed: int = 5) -> Book:
    """Three agencies (one inactive), ``flagged`` invoices flagged (oldest first in id
    order) and ``handed`` more with Sterling since 2026-11-01; one USD customer."""
    admin = make_staff(session, "admin", Role.ADMIN)
    controller = make_staff(session, "ctrl", Role.CONTROLLER)
    agent = make_staff(session, "agent", Role.AGENT)
    sterling = create_agency(session, admin, details=AgencyDetails(name=STERLING))
    evil = create_agency(session, admin, details=AgencyDetails(name=EVIL))
    closed = create_agency(session, admin, details=AgencyDetails(name="Closed Collect"))
    deactivate_agency(session, admin, agency_id=closed.id)
    customers = [
        make_customer(session, account=f"A{i:03d}", name=name)
        for i, name in enumerate(["Alpha Ltd", *HOSTILE_CUSTOMERS])
    ]
    customers.append(make_customer(session, account="U001", name="Gamma Inc", currency="USD"))
    ids = []
    total = flagged + handed
    for i in range(total):
        customer = customers[i % len(customers)]
        amount = Decimal(100 + i) + Decimal("0.50")
        invoice = make_invoice(session, customer, amount, days_past_due=200 - i)
        invoice.number = f"AG-{i + 1:04d}"
        ids.append(invoice.id)
    session.flush()
    flag_for_collection(session, controller, ids)
    hand_over(
        session, controller, ids[flagged:], agency_id=sterling.id, handed_on=date(2026, 11, 1)
    )
    return Book(controller, agent, sterling.id, evil.id, ids[:flagged], ids[flagged:])


@pytest.fixture
def book(db: Database) -> Book:
    with db.session() as session:
        return add_book(session)


def agency_app(db: Database, user: StaffIdentity) -> Any:
    return recording_app(db, user, start_screen="agency")


def screen_of(app: Any) -> AgencyScreen:
    screen = app.screen
    assert isinstance(screen, AgencyScreen)
    return screen


def bucket_line(app: Any, name: str) -> str:
    """The line of the bucket list that starts with ``name``."""
    for line in screen_text(app).splitlines():
        if line.strip().startswith(name):
            return line.replace("\xa0", " ")
    raise AssertionError(f"no bucket line for {name!r}")


def handovers(db: Database) -> list[AgencyHandover]:
    with db.session() as session:
        return list(session.scalars(select(AgencyHandover).order_by(AgencyHandover.id)))


def states(db: Database, ids: list[int]) -> dict[int, CollectionState]:
    with db.session() as session:
        return {
            invoice_id: state
            for invoice_id, state in session.execute(
                select(Invoice.id, Invoice.collection_state).where(Invoice.id.in_(ids))
            )
        }


# --------------------------------------------------------------------------- buckets, paging


async def test_buckets_show_counts_and_totals(db: Database, book: Book) -> None:
    app = agency_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        text = screen_text(app)
        flagged = bucket_line(app, "Flagged, not handed over")
        assert " 70 " in flagged
        eur = sum(100 + i + 0.5 for i in range(70) if i % 6 != 5)
        assert f"EUR {eur:,.2f}" in flagged
        assert " 5 " in bucket_line(app, STERLING)
        assert " 0 " in bucket_line(app, EVIL)  # hostile agency name shown literally
        assert "Closed Collect (inactive)" in text
        assert "Flagged, not handed over  70 invoices (50 loaded)" in text
        assert "AG-0001" in text


async def test_invoices_are_paged_and_buckets_switch(
    db: Database, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AgencyScreen, "PAGE_SIZE", 20)
    app = agency_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        table = screen.table
        assert len(table.keys) == 20
        await pilot.press("right")
        assert app.focused is table
        for _ in range(6):
            await pilot.press("ctrl+end")
            await settle(pilot)
        with db.session() as session:
            page = agency_invoices(session, limit=1000, as_of=TODAY)
        assert table.keys == [row.invoice_id for row in page.rows] == book.flagged
        assert "70 invoices" in screen_text(app) and "loaded" not in screen_text(app)

        await pilot.press("left")
        assert app.focused is screen.buckets_table
        sterling_row = [b.agency_id for b in screen._buckets].index(book.sterling)
        await pilot.press(*["down"] * sterling_row)
        await settle(pilot)
        assert screen.bucket == book.sterling
        assert table.keys == book.handed
        await pilot.press("tab")
        assert app.focused is table
        await pilot.press("shift+tab")
        assert app.focused is screen.buckets_table
        assert "2026-11-01" in screen_text(app)


# --------------------------------------------------------------------------- hand-over


async def test_hand_over_marked_invoices(db: Database, book: Book) -> None:
    app = agency_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = screen_of(app).table
        await pilot.press("right", "space", "space")
        assert table.marked == book.flagged[:2]
        assert "2 marked" in screen_text(app)
        await pilot.press("h")
        assert isinstance(app.screen, HandOverScreen)
        text = screen_text(app)
        assert "Hand 2 invoices over to:" in text
        assert EVIL in text and STERLING in text
        offered = app.screen.query_one("#handover-agencies", OptionList)
        labels = [str(offered.get_option_at_index(i).prompt) for i in range(offered.option_count)]
        assert labels == [EVIL, STERLING]  # inactive agencies take no invoices
        assert TODAY.isoformat() in text
        await pilot.press("down", "enter", "enter")  # Sterling, then Enter in the date field
        await settle(pilot)
        assert isinstance(app.screen, AgencyScreen)
        assert any(
            note["message"] == f"Handed 2 invoices over to {STERLING} on {TODAY.isoformat()}."
            for note in app.notes
        )
        assert " 68 " in bucket_line(app, "Flagged, not handed over")
        assert " 7 " in bucket_line(app, STERLING)
        assert table.marked == []
        assert book.flagged[0] not in table.keys
    made = [h for h in handovers(db) if h.invoice_id in book.flagged[:2]]
    assert len(made) == 2
    assert all(h.agency_id == book.sterling and h.handed_on == TODAY for h in made)
    assert all(h.handed_by_id == book.controller.id for h in made)


async def test_hand_over_on_a_chosen_day_to_the_hostile_agency(db: Database, book: Book) -> None:
    app = agency_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("right", "h")
        await pilot.press("enter", *"20-11-2026", "enter")
        assert isinstance(app.screen, HandOverScreen)
        assert "Write the date as YYYY-MM-DD" in screen_text(app)
        await pilot.press("end", *["backspace"] * 10, *"2026-11-20", "tab", *"by phone", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AgencyScreen)
        assert any(EVIL in note["message"] for note in app.notes)
        assert " 1 " in bucket_line(app, EVIL)
    (made,) = [h for h in handovers(db) if h.invoice_id == book.flagged[0]]
    assert (made.agency_id, made.handed_on, made.note) == (
        book.evil,
        date(2026, 11, 20),
        "by phone",
    )


async def test_hand_over_cancelled_changes_nothing(db: Database, book: Book) -> None:
    app = agency_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("right", "space", "h", "escape")
        await settle(pilot)
        assert isinstance(app.screen, AgencyScreen)
        assert screen_of(app).table.marked == book.flagged[:1]
    assert len(handovers(db)) == 5


async def test_hand_over_outside_the_flagged_bucket_is_explained(db: Database, book: Book) -> None:
    app = agency_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        rows = [b.agency_id for b in screen._buckets].index(book.sterling)
        await pilot.press(*["down"] * rows)
        await settle(pilot)
        await pilot.press("right", "h")
        assert isinstance(app.screen, AgencyScreen)
        assert any("Only flagged invoices are handed over" in note["message"] for note in app.notes)


# --------------------------------------------------------------------------- recall, unflag


async def test_recall_from_an_agency(db: Database, book: Book) -> None:
    app = agency_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        rows = [b.agency_id for b in screen._buckets].index(book.sterling)
        await pilot.press(*["down"] * rows)
        await settle(pilot)
        await pilot.press("right", "down", "space")
        assert screen.table.marked == [book.handed[1]]
        await pilot.press("c")
        assert isinstance(app.screen, ReasonScreen)
        assert f"Recall 1 invoice from {STERLING}?" in screen_text(app)
        await pilot.press(*"paid directly", "enter")
        await settle(pilot)
        assert any(
            note["message"] == "Recalled 1 invoice; they are flagged again." for note in app.notes
        )
        assert " 4 " in bucket_line(app, STERLING)
        assert " 71 " in bucket_line(app, "Flagged, not handed over")
        assert screen.table.keys == [book.handed[0], *book.handed[2:]]
    (closed,) = [h for h in handovers(db) if h.invoice_id == book.handed[1]]
    assert closed.recalled_on == TODAY and closed.recalled_by_id == book.controller.id
    assert "paid directly" in (closed.note or "")
    assert states(db, [book.handed[1]]) == {book.handed[1]: CollectionState.FLAGGED}


async def test_unflag_flagged_invoices(db: Database, book: Book) -> None:
    app = agency_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("right", "space", "space", "u")
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert any(note["message"] == "Unflagged 2 invoices." for note in app.notes)
        assert " 68 " in bucket_line(app, "Flagged, not handed over")
    assert states(db, book.flagged[:2]) == {i: CollectionState.NONE for i in book.flagged[:2]}


async def test_a_refusal_of_the_domain_is_one_sentence(db: Database, book: Book) -> None:
    """Recalling on the app's day an invoice handed over on a later day: nothing changes,
    and the domain's sentence says why."""
    with db.session() as session:
        hand_over(
            session,
            book.controller,
            book.flagged[:1],
            agency_id=book.evil,
            handed_on=date(2026, 11, 30),
        )
    app = agency_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        rows = [b.agency_id for b in screen._buckets].index(book.evil)
        await pilot.press(*["down"] * rows)
        await settle(pilot)
        await pilot.press("right", "space", "c", "enter")
        await settle(pilot)
        assert "Nothing was recalled: AG-0001 is handed over after 2026-11-23." in [
            note["message"] for note in app.notes
        ]
        assert screen.table.keys == book.flagged[:1]
    assert states(db, book.flagged[:1]) == {book.flagged[0]: CollectionState.HANDED_OVER}


# --------------------------------------------------------------------------- roles


async def test_agent_is_not_offered_the_screen(db: Database, book: Book) -> None:
    app = agency_app(db, book.agent)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert any(
            note["message"] == "The Collection agency screen is for the controller role and above."
            for note in app.notes
        )


async def test_agent_cannot_hand_over_and_is_told_why(db: Database, book: Book) -> None:
    app = recording_app(db, book.agent)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.push_screen(AgencyScreen())
        await settle(pilot)
        await pilot.press("right", "space", "h")
        await settle(pilot)
        assert isinstance(app.screen, AgencyScreen)
        assert (
            "Only a controller or above may hand invoices over to a collection agency; "
            "agent is an agent."
        ) in [note["message"] for note in app.notes]
    assert len(handovers(db)) == 5


# --------------------------------------------------------------------------- reload, hostile


async def test_reload_keeps_cursor_and_marks(db: Database, book: Book) -> None:
    app = agency_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        await pilot.press("right", "down", "space", "down", "down")
        marked, current = screen.table.marked, screen.table.current_key
        with db.session() as session:
            flag_for_collection(
                session,
                book.controller,
                [make_invoice(session, make_customer(session), "9.99", days_past_due=5).id],
            )
        screen.reload()
        await settle(pilot)
        assert screen.table.marked == marked
        assert screen.table.current_key == current
        assert " 71 " in bucket_line(app, "Flagged, not handed over")
        assert app.focused is screen.table


async def test_hostile_names_show_literally(db: Database, book: Book) -> None:
    app = agency_app(db, book.controller)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[bold]ACME[/]" in text
        assert "[@click=app.quit]x" in text
        assert "[31mred" in text and "\x1b" not in text
        assert EVIL in text
        assert app.is_running


# --------------------------------------------------------------------------- snapshots


def _snapshot_app(db: Database) -> Any:
    with db.session() as session:
        book = add_book(session, flagged=12, handed=3)
    fixed = Database(db.engine, label="db.example.com:5432/cctui")
    return make_app(fixed, book.controller, start_screen="agency")


async def _settled_and_marked(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("right", "down", "space")
    await settle(pilot)


def test_snapshot_agency(db: Database, snap_compare: Any) -> None:
    assert snap_compare(_snapshot_app(db), terminal_size=SIZE, run_before=_settled_and_marked)


def test_snapshot_agency_no_color(
    db: Database, snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = _snapshot_app(db)
    assert app.no_color
    assert snap_compare(app, terminal_size=SIZE, run_before=_settled_and_marked)
