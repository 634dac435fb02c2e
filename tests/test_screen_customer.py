"""The customer detail screen: header, open-action bar, facts, the seven tabs and its forms."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input, TabbedContent

from cctui.db.engine import Database
from cctui.domain.credit.limits import change_credit_limit
from cctui.domain.customer_detail import (
    customer_approvals,
    customer_header,
    customer_letters,
    unpaid_invoices,
)
from cctui.domain.errors import NotFound
from cctui.domain.models import (
    CallOutcome,
    Customer,
    InvoiceKind,
    Letter,
    LetterKind,
    LetterStatus,
    Note,
    NoteKind,
    OpenDone,
    Role,
    Todo,
)
from cctui.domain.workflow.action_types import add_action_type
from cctui.domain.workflow.calls import end_call, start_call
from cctui.domain.workflow.disputes import open_dispute
from cctui.domain.workflow.notes import add_action, add_note
from cctui.domain.workflow.promises import record_promise
from cctui.domain.workflow.todos import add_todo
from cctui.screens.customer import CustomerScreen
from cctui.widgets.customer.header import ActionBar
from cctui.widgets.forms.follow_up import FollowUpForm
from cctui.widgets.forms.note import ActionForm, NoteForm
from cctui.widgets.forms.todo import TodoForm
from tests.app_support import SIZE, TODAY, make_app, recording_app, screen_text, settle
from tests.factories import make_customer, make_invoice, make_staff

HOSTILE_NAMES = [
    "[bold]ACME[/]",
    "[@click=app.quit]x",
    "\x1b[31mred",
    "شركة الأمل للتجارة",
    "Z" * 10_000,
]


# --------------------------------------------------------------------------- data


def _book(db: Database, *, name: str = "Brightwater Supplies Ltd") -> dict[str, Any]:
    """A controller, and one customer with something in every tab."""
    with db.session() as session:
        admin = make_staff(session, "admin", Role.ADMIN)
        ctl = make_staff(session, "dgarcia", Role.CONTROLLER)
        kind = add_action_type(session, admin, code="SEND_PO", name="Send the purchase order")
        add_action_type(session, admin, code="CALL_US", name="Call us back")
        customer = make_customer(
            session,
            account="T000001",
            name=name,
            contact_person="Mia Chen",
            phone="+44 20 7946 0000",
            email="ap@brightwater.example",
            credit_limit="5000.00",
        )
        overdue = make_invoice(session, customer, "1200.00", days_past_due=40)
        later = make_invoice(session, customer, "300.00", days_past_due=-10)
        make_invoice(session, customer, "99.00", days_past_due=5, open_amount="0")  # paid
        overdue.number, later.number = "INV-1001", "INV-1002"  # fixed, for the snapshots
        session.flush()
        customer_id = customer.id
        add_note(session, ctl, customer_id=customer_id, body="Spoke to accounts payable")
        add_todo(
            session,
            ctl,
            customer_id=customer_id,
            description="Check the remittance",
            due_on=TODAY + timedelta(days=3),
            as_of=TODAY,
        )
        call = start_call(session, ctl, customer_id)
        end_call(session, ctl, call, outcome=CallOutcome.UNREACHABLE, note="No answer", as_of=TODAY)
        record_promise(
            session,
            ctl,
            customer_id=customer_id,
            amount="500.00",
            promised_on=TODAY + timedelta(days=7),
            invoice_ids=[overdue.id],
            as_of=TODAY,
        )
        change_credit_limit(session, ctl, customer_id, "6000.00", "Good payer lately", as_of=TODAY)
        session.add(
            Letter(
                customer_id=customer_id,
                kind=LetterKind.REMINDER,
                queued_on=TODAY - timedelta(days=2),
            )
        )
        session.flush()
        return {
            "admin": admin,
            "user": ctl,
            "customer_id": customer_id,
            "action_type_id": kind.id,
            "overdue": overdue.number,
            "overdue_id": overdue.id,
            "later": later.number,
        }


@pytest.fixture
def book(db: Database) -> dict[str, Any]:
    return _book(db)


async def _open(pilot: Pilot[Any], customer_id: int) -> CustomerScreen:
    screen = CustomerScreen(customer_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


async def _type(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)


# --------------------------------------------------------------------------- domain


def test_customer_header_reads_the_facts_and_open_actions(
    db: Database, book: dict[str, Any]
) -> None:
    with db.session() as session:
        header = customer_header(session, book["customer_id"])
        assert header.account == "T000001" and header.contact_person == "Mia Chen"
        assert not header.has_open_action and header.open_actions == ()
        version = header.version
        add_action(
            session,
            book["user"],
            customer_id=book["customer_id"],
            action_type_id=book["action_type_id"],
        )
    with db.session() as session:
        header = customer_header(session, book["customer_id"])
    assert header.has_open_action and header.open_action_count == 1
    assert header.open_actions[0].type_name == "Send the purchase order"
    assert header.version >= version
    with db.session() as session, pytest.raises(NotFound):
        customer_header(session, 999_999)


def test_unpaid_invoices_lists_every_open_one_with_flags(
    db: Database, book: dict[str, Any]
) -> None:
    with db.session() as session:
        open_dispute(session, book["user"], invoice_id=book["overdue_id"], reason="Wrong price")
    with db.session() as session:
        invoices = unpaid_invoices(session, book["customer_id"], as_of=TODAY)
    assert [invoice.number for invoice in invoices] == [book["overdue"], book["later"]]
    first, second = invoices
    assert first.overdue and first.days_past_due == 40 and first.in_dispute and first.promised
    assert not second.overdue and second.days_past_due == -10 and not second.in_dispute
    assert first.kind is InvoiceKind.INVOICE and first.open_amount == Decimal("1200.00")


def test_customer_letters_and_approvals(db: Database, book: dict[str, Any]) -> None:
    with db.session() as session:
        letters = customer_letters(session, book["customer_id"])
        approvals = customer_approvals(session, book["customer_id"])
    assert len(letters) == 1
    assert letters[0].status is LetterStatus.QUEUED and letters[0].currency == "EUR"
    assert letters[0].invoice_count == 0
    assert approvals == []  # the raise was within the controller's authority

    with db.session() as session:
        junior = make_staff(session, "junior", Role.CONTROLLER, approval_limit=Decimal("1000"))
        change_credit_limit(session, junior, book["customer_id"], "9000", "Big order", as_of=TODAY)
    with db.session() as session:
        approvals = customer_approvals(session, book["customer_id"])
    assert [(a.status.value, a.summary, a.requested_by) for a in approvals] == [
        ("pending", "Credit limit 6,000.00 -> 9,000.00 EUR", "junior")
    ]


# --------------------------------------------------------------------------- opening


async def test_opens_by_id_with_header_facts_and_unpaid_invoices(
    db: Database, book: dict[str, Any]
) -> None:
    app = make_app(db, book["user"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, book["customer_id"])
        text = screen_text(app)
        for expected in (
            "T000001",
            "Brightwater Supplies Ltd",
            "Mia Chen",
            "+44 20 7946 0000",
            "Credit action",
            "Balance 1,500.00 EUR",
            "Overdue 1,200.00",
            "1 Invoices",
            "7 Letters",
            book["overdue"],
            book["later"],
            "40d",
            "promised",
        ):
            assert expected in text, expected
        assert "Open action" not in text
        assert not app.screen.query_one(ActionBar).is_shown
        # s hides the fact box (more rows for the tab) and shows it again.
        await pilot.press("s")
        assert "Balance" not in screen_text(app) and book["later"] in screen_text(app)
        await pilot.press("s")
        assert "Balance 1,500.00 EUR" in screen_text(app)


async def test_opens_by_account_from_the_command_line(db: Database, book: dict[str, Any]) -> None:
    app = make_app(db, book["user"], start_screen="customer", customer="T000001")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.customer_id == book["customer_id"]
        assert book["overdue"] in screen_text(app)


async def test_customer_alone_opens_the_customer_screen(db: Database, book: dict[str, Any]) -> None:
    app = make_app(db, book["user"], customer="T000001")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "Brightwater Supplies Ltd" in screen_text(app)


async def test_an_unknown_account_says_so_and_shows_the_start_screen(
    db: Database, book: dict[str, Any]
) -> None:
    app = recording_app(db, book["user"], customer="NOPE[/]")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert not isinstance(app.screen, CustomerScreen)
        assert len(app.screen_stack) == 1
        messages = [note["message"] for note in app.notes]
        assert (
            "There is no customer with the account 'NOPE[/]'; showing the start screen instead."
            in messages
        )
        assert all(note.get("markup") is False for note in app.notes if "NOPE" in note["message"])


# --------------------------------------------------------------------------- tabs


async def test_each_tab_shows_its_rows(db: Database, book: dict[str, Any]) -> None:
    app = make_app(db, book["user"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, book["customer_id"])
        expected = {
            "2": ["Spoke to accounts payable", "note", "dgarcia"],
            "3": ["Check the remittance", (TODAY + timedelta(days=3)).isoformat(), "open"],
            "4": ["UNREACHABLE", "No answer", "dgarcia"],
            "5": ["500.00", (TODAY + timedelta(days=7)).isoformat(), "open", book["overdue"]],
            "6": ["Credit limit 6,000.00 EUR", "Good payer lately", "Held documents"],
            "7": ["reminder", "queued", (TODAY - timedelta(days=2)).isoformat()],
        }
        for key, words in expected.items():
            await pilot.press(key)
            await settle(pilot)
            text = screen_text(app)
            for word in words:
                assert word in text, (key, word)
        assert screen.active_tab == "letters"
        # Left and right move between tabs, wrapping around.
        await pilot.press("right")
        assert screen.active_tab == "charts"
        await pilot.press("right")
        assert screen.active_tab == "invoices"
        await pilot.press("left", "left", "left")
        await settle(pilot)
        assert screen.active_tab == "credit"
        assert app.screen.query_one(TabbedContent).active == "tab-credit"


async def test_each_tab_is_read_only_when_first_shown(db: Database, book: dict[str, Any]) -> None:
    app = make_app(db, book["user"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, book["customer_id"])
        assert screen._loaded == {"invoices"}
        await pilot.press("4")
        await settle(pilot)
        assert screen._loaded == {"invoices", "calls"}


# --------------------------------------------------------------------------- notes, actions


async def test_add_a_note_and_an_action_then_close_the_action(
    db: Database, book: dict[str, Any]
) -> None:
    app = recording_app(db, book["user"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await _open(pilot, book["customer_id"])
        await pilot.press("2")
        await settle(pilot)

        await pilot.press("n")
        assert isinstance(app.screen, NoteForm)
        await _type(pilot, "Promised to check")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert "Note saved." in [note["message"] for note in app.notes]
        assert "Promised to check" in screen_text(app)

        await pilot.press("c")
        assert isinstance(app.screen, ActionForm)
        await settle(pilot)
        # Open the list; the types are by name: "Call us back", then "Send the purchase order".
        await pilot.press("enter", "down", "down", "enter")
        await pilot.press("tab")
        await _type(pilot, "Sign the PO")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        text = screen_text(app)
        assert "! Open action: Send the purchase order: Sign the PO" in text
        assert screen.query_one(ActionBar).is_shown
        assert "ACTION" in text

        with db.session() as session:
            rows = session.scalars(
                select(Note).where(Note.customer_id == book["customer_id"]).order_by(Note.id)
            ).all()
            assert [(row.kind, row.body, row.status) for row in rows] == [
                (NoteKind.NOTE, "Spoke to accounts payable", OpenDone.OPEN),
                (NoteKind.NOTE, "Promised to check", OpenDone.OPEN),
                (NoteKind.ACTION, "Sign the PO", OpenDone.OPEN),
            ]
            action_id = rows[-1].id

        # The newest (the action) is first in the notes tab: d marks it done.
        await pilot.press("ctrl+home")
        await pilot.press("d")
        await settle(pilot)
        await settle(pilot)
        with db.session() as session:
            closed = session.get(Note, action_id)
            assert closed is not None and closed.status is OpenDone.DONE
            assert closed.done_by_id == book["user"].id
        assert not screen.query_one(ActionBar).is_shown
        assert "Open action" not in screen_text(app)
        assert "Action marked done." in [note["message"] for note in app.notes]

        # Done again on the same row is refused in one sentence.
        await pilot.press("d")
        await settle(pilot)
        assert app.notes[-1]["message"] == "This action was already closed by dgarcia."


async def test_an_empty_note_is_refused_in_the_form(db: Database, book: dict[str, Any]) -> None:
    app = make_app(db, book["user"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, book["customer_id"])
        await pilot.press("n")
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NoteForm)
        assert form.error_text == "A note needs some text."
        await pilot.press("escape")
        assert isinstance(app.screen, CustomerScreen)
    with db.session() as session:
        assert len(session.scalars(select(Note)).all()) == 1


async def test_the_red_bar_follows_actions_changed_elsewhere(
    db: Database, book: dict[str, Any]
) -> None:
    app = make_app(db, book["user"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, book["customer_id"])
        assert not screen.query_one(ActionBar).is_shown
        with db.session() as session:
            for _ in range(3):
                add_action(
                    session,
                    book["admin"],
                    customer_id=book["customer_id"],
                    action_type_id=book["action_type_id"],
                )
        screen.reload()
        await settle(pilot)
        assert screen.query_one(ActionBar).is_shown
        assert "! Open action: Send the purchase order  (+2 more)" in screen_text(app)


# --------------------------------------------------------------------------- follow-up, to-do


async def test_set_and_clear_the_follow_up_date(db: Database, book: dict[str, Any]) -> None:
    app = make_app(db, book["user"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, book["customer_id"])
        await pilot.press("f")
        assert isinstance(app.screen, FollowUpForm)
        await _type(pilot, "+14")
        await pilot.press("tab")
        await _type(pilot, "Waiting for the audit")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        day = TODAY + timedelta(days=14)
        assert f"Follow-up {day.isoformat()}: Waiting for the audit" in screen_text(app)
        with db.session() as session:
            customer = session.get(Customer, book["customer_id"])
            assert customer is not None
            assert customer.follow_up_on == day
            assert customer.follow_up_reason == "Waiting for the audit"

        # Clear it: the form opens with the date; emptying it and saving clears.
        await pilot.press("f")
        form = app.screen
        assert isinstance(form, FollowUpForm)
        assert form.query_one("#follow-up-date", Input).value == day.isoformat()
        form.query_one("#follow-up-date", Input).value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "No follow-up date" in screen_text(app)
        with db.session() as session:
            customer = session.get(Customer, book["customer_id"])
            assert customer is not None and customer.follow_up_on is None


async def test_a_follow_up_in_the_past_is_refused_and_kept(
    db: Database, book: dict[str, Any]
) -> None:
    app = make_app(db, book["user"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, book["customer_id"])
        await pilot.press("f")
        await _type(pilot, "2026-01-01")
        await pilot.press("tab")
        await _type(pilot, "Too late")
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FollowUpForm)
        assert "must be today (2026-11-23) or later" in form.error_text
        assert form.query_one("#follow-up-reason", Input).value == "Too late"


async def test_a_follow_up_on_a_customer_changed_meanwhile_is_refused_and_the_text_stays(
    db: Database, book: dict[str, Any]
) -> None:
    app = make_app(db, book["user"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, book["customer_id"])
        await pilot.press("f")
        form = app.screen
        assert isinstance(form, FollowUpForm)
        await _type(pilot, "+7")
        await pilot.press("tab")
        await _type(pilot, "Call after the holidays")
        # Someone else (another connection) changes the customer before the save.
        with db.session() as other:
            customer = other.get(Customer, book["customer_id"])
            assert customer is not None
            customer.phone = "+44 20 7946 9999"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form
        assert form.error_text == (
            "Someone else changed customer T000001 since you opened it; reload and try again."
        )
        assert form.query_one("#follow-up-date", Input).value == "+7"
        assert form.query_one("#follow-up-reason", Input).value == "Call after the holidays"
        assert "Someone else changed customer" in screen_text(app)
        with db.session() as session:
            customer = session.get(Customer, book["customer_id"])
            assert customer is not None and customer.follow_up_on is None

        # Closing the form reads the customer again: the next try saves.
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f")
        await _type(pilot, "+7")
        await pilot.press("tab")
        await _type(pilot, "Call after the holidays")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
    with db.session() as session:
        customer = session.get(Customer, book["customer_id"])
        assert customer is not None and customer.follow_up_on == TODAY + timedelta(days=7)
        assert customer.phone == "+44 20 7946 9999"


async def test_without_a_customer_the_screen_says_how_to_open_one(
    db: Database, book: dict[str, Any]
) -> None:
    app = recording_app(db, book["user"], start_screen="customer")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert not isinstance(app.screen, CustomerScreen)
        assert (
            "No customer was named: open one from the debtor queue; "
            "showing the start screen instead." in [note["message"] for note in app.notes]
        )


def test_every_customer_binding_has_an_id_a_description_and_a_tooltip() -> None:
    from textual.binding import Binding

    from cctui.widgets.forms.customer_form import CustomerForm

    for cls in (CustomerScreen, CustomerForm):
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.id and binding.description and binding.tooltip, binding


async def test_add_a_todo_and_mark_it_done(db: Database, book: dict[str, Any]) -> None:
    app = make_app(db, book["user"])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, book["customer_id"])
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("t")
        assert isinstance(app.screen, TodoForm)
        await _type(pilot, "Send a copy invoice")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "Send a copy invoice" in screen_text(app)
        with db.session() as session:
            todo = session.scalars(
                select(Todo).where(Todo.description == "Send a copy invoice")
            ).one()
            assert todo.due_on == TODAY + timedelta(days=7)
            assert todo.assigned_to_id == book["user"].id
        # The earliest due (the remittance check) is first: mark it done.
        await pilot.press("ctrl+home", "d")
        await settle(pilot)
        await settle(pilot)
        with db.session() as session:
            first = session.scalars(
                select(Todo).where(Todo.description == "Check the remittance")
            ).one()
            assert first.status is OpenDone.DONE


# --------------------------------------------------------------------------- money forms


async def test_invoice_forms_open_on_the_invoice_under_the_cursor(
    db: Database, book: dict[str, Any]
) -> None:
    app = make_app(db, book["user"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, book["customer_id"])
        assert screen.selected_invoice_ids() == (book["overdue_id"],)
        for key, form_name in (
            ("w", "WriteOffForm"),
            ("v", "WaiveForm"),
            ("x", "DisputeForm"),
            ("a", "HandOverForm"),
            ("dollar_sign", "PaymentForm"),
            ("p", "PromiseForm"),
        ):
            await pilot.press(key)
            await settle(pilot)
            form = app.screen
            assert type(form).__name__ == form_name, key
            assert form.customer_id == book["customer_id"]  # type: ignore[attr-defined]
            if form_name not in ("PaymentForm", "PromiseForm"):
                assert tuple(form.invoice_ids) == (book["overdue_id"],)  # type: ignore[attr-defined]
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen


# --------------------------------------------------------------------------- hostile text


@pytest.mark.parametrize("hostile", HOSTILE_NAMES, ids=["markup", "click", "ansi", "rtl", "long"])
async def test_hostile_names_and_notes_show_literally(db: Database, hostile: str) -> None:
    # The longest a name (200) and a note (4,000) may be; the 10,000 characters are cut.
    data = _book(db, name=hostile[:200])
    with db.session() as session:
        add_note(session, data["user"], customer_id=data["customer_id"], body=hostile[:4000])
        add_action(
            session,
            data["user"],
            customer_id=data["customer_id"],
            action_type_id=data["action_type_id"],
            body=hostile[:4000],
        )
    app = make_app(db, data["user"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, data["customer_id"])
        await pilot.press("2")
        await settle(pilot)
        text = screen_text(app)
        shown = hostile.replace("\x1b", "")[:40]
        assert shown in text
        assert "\x1b" not in text
        assert screen.query_one(ActionBar).is_shown
        await pilot.click(ActionBar)
        await pilot.click("#customer-header")
        assert app.return_code is None
        assert app.screen is screen


# --------------------------------------------------------------------------- snapshots


def _snapshot_app(db: Database) -> Any:
    data = _book(db)
    with db.session() as session:
        add_action(
            session,
            data["user"],
            customer_id=data["customer_id"],
            action_type_id=data["action_type_id"],
            body="Send the signed purchase order for INV 1200",
        )
    fixed = Database(db.engine, label="db.example.com:5432/cctui")
    return make_app(fixed, data["user"], start_screen="customer", customer="T000001")


async def _wait(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await settle(pilot)


def test_snapshot_customer(db: Database, snap_compare: Any) -> None:
    assert snap_compare(_snapshot_app(db), terminal_size=SIZE, run_before=_wait)


def test_snapshot_customer_no_color(
    db: Database, snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = _snapshot_app(db)
    assert app.no_color
    assert snap_compare(app, terminal_size=SIZE, run_before=_wait)
