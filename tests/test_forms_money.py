"""The money forms: payment, write-off, waiver, dispute and hand-over, driven by the keyboard.

Each form is pushed over the start screen the way the customer screen pushes it, filled in
with key presses, saved with Enter or Ctrl+S, and the database is checked afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot

from cctui.db.engine import Database
from cctui.domain.agency.collection import flag_for_collection
from cctui.domain.errors import ValidationError
from cctui.domain.figures import refresh_balances
from cctui.domain.invoice_choices import allocated_invoice_numbers, customer_invoices
from cctui.domain.models import (
    AgencyHandover,
    CollectionAgency,
    CollectionState,
    Customer,
    Dispute,
    DisputeStatus,
    Invoice,
    Payment,
    PaymentAllocation,
    Role,
)
from cctui.domain.workflow.disputes import open_dispute
from cctui.widgets.date_input import parse_day
from cctui.widgets.forms.dispute import DisputeForm
from cctui.widgets.forms.hand_over import HandOverForm
from cctui.widgets.forms.invoice_form import InvoiceForm
from cctui.widgets.forms.payment import PaymentForm
from cctui.widgets.forms.waive import WaiveForm
from cctui.widgets.forms.write_off import WriteOffForm
from cctui.widgets.money_input import parse_money_input
from tests.app_support import SIZE, TODAY, make_app, recording_app, screen_text, settle
from tests.factories import make_customer, make_invoice, make_staff

HOSTILE = ["[bold]ACME[/]", "[@click=app.quit]x", "\x1b[31mred", "שלום עולם 株式会社"]


# --------------------------------------------------------------------------- data


class Book:
    """A controller, an agent, customer C001 and its invoices INV-1 (100, 40 days overdue),
    INV-2 (50, 10 days overdue) and INV-3 (80, due in 5 days): 230.00 EUR open."""

    def __init__(self, db: Database, *, name: str = "ACME Ltd", first: str = "INV-1") -> None:
        with db.session() as session:
            self.controller = make_staff(session, "ada", Role.CONTROLLER)
            self.agent = make_staff(session, "bob", Role.AGENT)
            customer = make_customer(session, name=name, account="C001")
            self.customer_id = customer.id
            ids = []
            for number, amount, days in ((first, "100.00", 40), ("INV-2", "50.00", 10)):
                invoice = make_invoice(session, customer, amount, days_past_due=days)
                invoice.number = number
                ids.append(invoice.id)
            third = make_invoice(session, customer, "80.00", days_past_due=-5)
            third.number = "INV-3"
            ids.append(third.id)
            session.flush()
            self.invoice_ids = tuple(ids)

    def open_amounts(self, db: Database) -> list[Decimal]:
        with db.session() as session:
            return [session.get_one(Invoice, i).open_amount for i in self.invoice_ids]

    def balance(self, db: Database) -> Decimal:
        with db.session() as session:
            return session.get_one(Customer, self.customer_id).balance

    def payments(self, db: Database) -> list[tuple[Decimal, date, str | None]]:
        with db.session() as session:
            return [
                (payment.amount, payment.received_on, payment.reference)
                for payment in session.scalars(select(Payment).order_by(Payment.id))
            ]

    def allocations(self, db: Database) -> list[tuple[int, Decimal]]:
        with db.session() as session:
            return [
                (row.invoice_id, row.amount)
                for row in session.scalars(select(PaymentAllocation).order_by(PaymentAllocation.id))
            ]


@pytest.fixture
def book(db: Database) -> Book:
    return Book(db)


async def open_form(pilot: Pilot[Any], form: InvoiceForm[Any], outcomes: list[str | None]) -> None:
    """Push ``form`` over the start screen and wait until it has read its invoices."""
    pilot.app.push_screen(form, outcomes.append)
    await settle(pilot)
    assert pilot.app.screen is form


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` key by key into the focused field."""
    await pilot.press(*[("space" if c == " " else c) for c in text])


async def save(pilot: Pilot[Any]) -> None:
    """Ctrl+S, then wait for the save."""
    await pilot.press("ctrl+s")
    await settle(pilot)


def value_of(form: InvoiceForm[Any], selector: str) -> str:
    from textual.widgets import Input

    return form.query_one(selector, Input).value


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1234.50", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        (" 1,234,567.5 ", Decimal("1234567.50")),
        ("120", Decimal("120.00")),
        ("0.01", Decimal("0.01")),
    ],
)
def test_amounts_written_as_people_write_them_are_read_exactly(text: str, amount: Decimal) -> None:
    parsed = parse_money_input(text)
    assert parsed == amount and parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Type the amount"),
        ("1e3", "is not an amount"),
        ("nan", "is not an amount"),
        ("-5", "is not an amount"),
        ("12,34", "is not an amount"),
        ("1.234,50", "is not an amount"),
        ("1 234.50", "is not an amount"),
        ("€10", "is not an amount"),
        ("١٢٣", "is not an amount"),
        ("1.", "is not an amount"),
        ("12.345", "more than two decimal places"),
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("1,000,000,000,000.00", "too large"),
    ],
)
def test_anything_else_is_refused_with_a_sentence(text: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says) as refused:
        parse_money_input(text)
    message = str(refused.value)
    assert message.endswith(".") and "\n" not in message


def test_a_long_garbage_amount_is_cut_in_the_message() -> None:
    with pytest.raises(ValidationError) as refused:
        parse_money_input("x" * 500)
    assert len(str(refused.value)) < 120


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Type the date"),
        ("23.11.2026", "is not a date"),
        ("2026-W48-1", "is not a date"),
        ("20261123", "is not a date"),
        ("2026-02-30", "is not a date"),
        ("2026-11-24", "is after today"),
    ],
)
def test_dates_are_iso_days_up_to_today(text: str, says: str) -> None:
    assert parse_day(" 2026-11-23 ", latest=TODAY) == TODAY
    with pytest.raises(ValidationError, match=says):
        parse_day(text, latest=TODAY)


# --------------------------------------------------------------------------- read model


def test_the_forms_read_open_disputed_and_collection_invoices_only(db: Database) -> None:
    book = Book(db)
    with db.session() as session:
        customer = session.get_one(Customer, book.customer_id)
        paid = make_invoice(session, customer, "10.00", open_amount="0.00")
        paid.number = "PAID"
        waived = make_invoice(session, customer, "10.00", open_amount="0.00")
        waived.number = "WAIVED"
        waived.waived_fee_amount = Decimal("5.00")
        session.flush()
        open_dispute(session, book.agent, invoice_id=book.invoice_ids[1], reason="wrong")
        flag_for_collection(session, book.controller, [book.invoice_ids[2]])
        paid_id = paid.id
    with db.session() as session:
        read = customer_invoices(session, book.customer_id)
        assert [c.number for c in read.invoices] == ["INV-1", "INV-2", "WAIVED", "INV-3"]
        assert read.balance == Decimal("230.00") and not read.truncated
        assert read.invoices[1].dispute_reason == "wrong"
        assert read.invoices[3].collection_state == CollectionState.FLAGGED
        assert read.invoices[2].waived_charges == Decimal("5.00")
        asked = customer_invoices(session, book.customer_id, invoice_ids=(paid_id,))
        assert "PAID" in [c.number for c in asked.invoices]
        few = customer_invoices(session, book.customer_id, limit=2)
        assert len(few.invoices) == 2 and few.truncated


# --------------------------------------------------------------------------- payment


async def test_a_payment_goes_to_the_oldest_invoices_first(db: Database, book: Book) -> None:
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, PaymentForm(book.customer_id), outcomes)
        text = screen_text(app)
        assert "C001  balance 230.00 EUR  ACME Ltd" in text
        assert "INV-1" in text and "INV-3" in text
        await type_text(pilot, "1,20.00")  # a typo, fixed below
        await pilot.press(*["backspace"] * 7)
        await type_text(pilot, "120.00")
        await pilot.press("enter", "tab")  # Enter moves on; Tab keeps today's date
        await type_text(pilot, "BANK 42")
        await pilot.press("enter")  # the last box: saves
        await settle(pilot)
    assert outcomes == ["Payment of 120.00 EUR recorded and allocated to INV-1, INV-2."]
    assert book.payments(db) == [(Decimal("120.00"), TODAY, "BANK 42")]
    first, second, _ = book.invoice_ids
    assert book.allocations(db) == [(first, Decimal("100.00")), (second, Decimal("20.00"))]
    assert book.open_amounts(db) == [Decimal("0.00"), Decimal("30.00"), Decimal("80.00")]
    assert book.balance(db) == Decimal("110.00")


async def test_a_payment_goes_to_the_ticked_invoices(db: Database, book: Book) -> None:
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, PaymentForm(book.customer_id), outcomes)
        await type_text(pilot, "130")
        await pilot.press("tab")
        await pilot.press(*["backspace"] * 10)
        await type_text(pilot, "2026-11-20")
        await pilot.press("tab", "tab")  # past the reference, to the allocation
        await pilot.press("right", "enter")  # "To the ticked invoices"
        await pilot.press("tab", "down", "space", "down", "space")  # tick INV-2 and INV-3
        assert "2 ticked, 130.00 EUR open" in screen_text(app)
        await save(pilot)
    assert outcomes == ["Payment of 130.00 EUR recorded and allocated to INV-2, INV-3."]
    _, second, third = book.invoice_ids
    assert book.allocations(db) == [(second, Decimal("50.00")), (third, Decimal("80.00"))]
    assert book.payments(db) == [(Decimal("130.00"), date(2026, 11, 20), None)]
    assert book.open_amounts(db) == [Decimal("100.00"), Decimal("0.00"), Decimal("0.00")]
    assert book.balance(db) == Decimal("100.00")


async def test_invoices_chosen_beneath_are_ticked_and_paid(db: Database, book: Book) -> None:
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    third = book.invoice_ids[2]
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, PaymentForm(book.customer_id, (third,)), outcomes)
        text = screen_text(app)
        assert "1 ticked, 80.00 EUR open" in text
        # chosen or not shows without colour (NO_COLOR terminals): a mark or a blank
        assert "▐ ▌ Oldest first" in text and "▐●▌ To the ticked invoices" in text
        assert "▐ ▌ INV-1 " in text and "▐X▌ INV-3 " in text
        await type_text(pilot, "80")
        await save(pilot)
    assert outcomes == ["Payment of 80.00 EUR recorded and allocated to INV-3."]
    assert book.allocations(db) == [(third, Decimal("80.00"))]


@pytest.mark.parametrize("typed", ["12,34", "1e3", "1.5.0", "abc", "-20", "12.345"])
async def test_a_malformed_amount_is_refused_in_the_form(
    db: Database, book: Book, typed: str
) -> None:
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        form = PaymentForm(book.customer_id)
        await open_form(pilot, form, outcomes)
        await type_text(pilot, typed)
        await pilot.press("tab", "tab")
        await type_text(pilot, "REF 1")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form
        assert "payment amount" in form.error_text
        assert "is not an amount" in screen_text(app) or "decimal places" in form.error_text
        assert value_of(form, "#payment-amount") == typed
        assert value_of(form, "#payment-reference") == "REF 1"
    assert outcomes == []
    assert book.payments(db) == []


async def test_a_refused_payment_keeps_the_form_and_what_was_typed(
    db: Database, book: Book
) -> None:
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        form = PaymentForm(book.customer_id)
        await open_form(pilot, form, outcomes)
        await type_text(pilot, "999.00")
        await save(pilot)
        assert app.screen is form
        assert (
            form.error_text
            == "✗ The payment of 999.00 is more than the 230.00 open on those invoices."
        )
        assert "more than the 230.00 open" in screen_text(app)
        assert value_of(form, "#payment-amount") == "999.00"
        # fixing the amount clears the refusal and saves
        await pilot.press(*["backspace"] * 6)
        await type_text(pilot, "9.00")
        await save(pilot)
    assert outcomes == ["Payment of 9.00 EUR recorded and allocated to INV-1."]


async def test_an_agent_may_not_record_a_payment(db: Database, book: Book) -> None:
    app = make_app(db, book.agent)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        form = PaymentForm(book.customer_id)
        await open_form(pilot, form, outcomes)
        await type_text(pilot, "10")
        await save(pilot)
        assert app.screen is form
        assert "record payments" in form.error_text
    assert book.payments(db) == []


async def test_a_failure_goes_to_the_app_handler_and_the_form_stays(
    db: Database, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("connection lost")

    monkeypatch.setattr("cctui.widgets.forms.payment.record_payment", broken)
    app = recording_app(db, book.controller)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        form = PaymentForm(book.customer_id)
        await open_form(pilot, form, outcomes)
        await type_text(pilot, "10")
        await save(pilot)
        assert app.screen is form
        assert form.error_text.startswith("✗ Nothing was saved")
        errors = [note["message"] for note in app.notes if note.get("severity") == "error"]
        assert errors == ["Could not record the payment: RuntimeError: connection lost"]
        assert value_of(form, "#payment-amount") == "10"
    assert outcomes == []


async def test_ticking_nothing_is_refused(db: Database, book: Book) -> None:
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        form = PaymentForm(book.customer_id)
        await open_form(pilot, form, outcomes)
        await type_text(pilot, "10")
        await pilot.press("tab", "tab", "tab", "right", "enter")
        await save(pilot)
        assert "Tick the invoices" in form.error_text
    assert book.payments(db) == []


async def test_escape_cancels_without_saving(db: Database, book: Book) -> None:
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, PaymentForm(book.customer_id), outcomes)
        await type_text(pilot, "10")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, InvoiceForm)
    assert outcomes == [None]
    assert book.payments(db) == []


# --------------------------------------------------------------------------- write-off


async def test_a_controller_writes_off_the_chosen_invoice(db: Database, book: Book) -> None:
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    second = book.invoice_ids[1]
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, WriteOffForm(book.customer_id, (second,)), outcomes)
        assert "Writes off 50.00 EUR open" in screen_text(app)
        await pilot.press("tab")
        await type_text(pilot, "Insolvent")
        await pilot.press("enter")
        await settle(pilot)
    assert outcomes == ["Invoice INV-2 written off: 50.00 EUR."]
    assert book.open_amounts(db) == [Decimal("100.00"), Decimal("0.00"), Decimal("80.00")]
    assert book.balance(db) == Decimal("180.00")
    with db.session() as session:
        invoice = session.get_one(Invoice, second)
        assert invoice.write_off_reason == "Insolvent"
        assert invoice.written_off_amount == Decimal("50.00")


async def test_an_agent_writing_off_is_refused_in_the_form(db: Database, book: Book) -> None:
    app = make_app(db, book.agent)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        form = WriteOffForm(book.customer_id)
        await open_form(pilot, form, outcomes)
        await pilot.press("tab")
        await type_text(pilot, "Gone")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form
        assert form.error_text.startswith("✗ ") and "write off invoices" in form.error_text
        assert "write off invoices" in screen_text(app)
        assert value_of(form, "#write-off-reason") == "Gone"
    assert outcomes == []
    assert book.open_amounts(db) == [Decimal("100.00"), Decimal("50.00"), Decimal("80.00")]


async def test_a_write_off_needs_a_reason(db: Database, book: Book) -> None:
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        form = WriteOffForm(book.customer_id)
        await open_form(pilot, form, outcomes)
        await save(pilot)
        assert form.error_text == "✗ A write-off needs a reason."
    assert book.balance(db) == Decimal("230.00")


# --------------------------------------------------------------------------- waive


def add_charges(db: Database, invoice_id: int) -> None:
    """Charge a 10.00 fee and 5.00 interest on the invoice."""
    with db.session() as session:
        invoice = session.get_one(Invoice, invoice_id)
        invoice.fee_amount = Decimal("10.00")
        invoice.interest_amount = Decimal("5.00")
        invoice.open_amount += Decimal("15.00")
        session.flush()
        refresh_balances(session, [invoice.customer_id], TODAY)


async def test_fees_are_waived_then_reinstated(db: Database, book: Book) -> None:
    first = book.invoice_ids[0]
    add_charges(db, first)
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, WaiveForm(book.customer_id), outcomes)
        assert "Fees 10.00, interest 5.00 charged" in screen_text(app)
        # invoice, action, fees, interest (untick), reason
        await pilot.press("tab", "tab", "tab", "space", "tab")
        await type_text(pilot, "Goodwill")
        await pilot.press("enter")
        await settle(pilot)
        assert outcomes == [
            "Waived fees of 10.00 EUR and interest of 0.00 EUR on invoice INV-1; "
            "105.00 EUR is open on it now."
        ]
        with db.session() as session:
            invoice = session.get_one(Invoice, first)
            assert (invoice.fee_amount, invoice.waived_fee_amount) == (0, Decimal("10.00"))
            assert invoice.interest_amount == Decimal("5.00")
        assert book.balance(db) == Decimal("235.00")

        await open_form(pilot, WaiveForm(book.customer_id, (first,)), outcomes)
        await pilot.press("tab", "right", "enter")  # Reinstate
        await pilot.press("tab", "tab", "tab")
        await type_text(pilot, "Charged by mistake")
        await save(pilot)
    assert outcomes[1] == (
        "Reinstated fees of 10.00 EUR and interest of 0.00 EUR on invoice INV-1; "
        "115.00 EUR is open on it now."
    )
    assert book.balance(db) == Decimal("245.00")


async def test_waiving_nothing_is_refused(db: Database, book: Book) -> None:
    add_charges(db, book.invoice_ids[0])
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        form = WaiveForm(book.customer_id)
        await open_form(pilot, form, outcomes)
        await pilot.press("tab", "tab", "space", "tab", "space", "tab")
        await type_text(pilot, "x")
        await save(pilot)
        assert form.error_text == "✗ Tick fees, interest or both."
    assert book.balance(db) == Decimal("245.00")


# --------------------------------------------------------------------------- dispute


def disputes(db: Database) -> list[tuple[int, DisputeStatus, str, str | None]]:
    with db.session() as session:
        return [
            (d.invoice_id, d.status, d.reason, d.resolution)
            for d in session.scalars(select(Dispute).order_by(Dispute.id))
        ]


async def test_an_agent_opens_a_dispute_and_a_controller_resolves_it(
    db: Database, book: Book
) -> None:
    second = book.invoice_ids[1]
    outcomes: list[str | None] = []
    app = make_app(db, book.agent)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, DisputeForm(book.customer_id, (second,)), outcomes)
        assert "Saving opens a dispute" in screen_text(app)
        await pilot.press("tab")
        await type_text(pilot, "Goods damaged")
        await pilot.press("enter")
        await settle(pilot)
    assert outcomes == ["Dispute opened on invoice INV-2."]
    assert disputes(db) == [(second, DisputeStatus.OPEN, "Goods damaged", None)]

    app = make_app(db, book.controller)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, DisputeForm(book.customer_id, (second,)), outcomes)
        text = screen_text(app)
        assert "In dispute: Goods damaged. Saving resolves this dispute." in text
        assert "Resolution" in text
        await pilot.press("tab")
        await type_text(pilot, "Credit note sent")
        await save(pilot)
    assert outcomes[1] == "Dispute on invoice INV-2 resolved."
    assert disputes(db) == [(second, DisputeStatus.RESOLVED, "Goods damaged", "Credit note sent")]


async def test_an_agent_may_not_resolve_a_dispute(db: Database, book: Book) -> None:
    second = book.invoice_ids[1]
    with db.session() as session:
        open_dispute(session, book.agent, invoice_id=second, reason="late")
    outcomes: list[str | None] = []
    app = make_app(db, book.agent)
    async with app.run_test(size=SIZE) as pilot:
        form = DisputeForm(book.customer_id, (second,))
        await open_form(pilot, form, outcomes)
        await pilot.press("tab")
        await type_text(pilot, "ok")
        await save(pilot)
        assert app.screen is form and "resolve disputes" in form.error_text
    assert disputes(db)[0][1] == DisputeStatus.OPEN


# --------------------------------------------------------------------------- hand-over


def add_agency(db: Database, name: str, *, active: bool = True) -> int:
    with db.session() as session:
        agency = CollectionAgency(name=name, active=active)
        session.add(agency)
        session.flush()
        return agency.id


def collection(db: Database, ids: Sequence[int]) -> list[tuple[CollectionState, int | None]]:
    with db.session() as session:
        return [
            (invoice.collection_state, invoice.collection_agency_id)
            for invoice in (session.get_one(Invoice, i) for i in ids)
        ]


async def test_flagged_invoices_are_handed_over_and_recalled(db: Database, book: Book) -> None:
    add_agency(db, "Old Agency", active=False)
    agency = add_agency(db, "[b]Collecto[/]")
    first, second, _ = book.invoice_ids
    with db.session() as session:
        flag_for_collection(session, book.controller, [first, second])
    outcomes: list[str | None] = []
    app = make_app(db, book.controller)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, HandOverForm(book.customer_id, (first,)), outcomes)
        text = screen_text(app)
        assert "[b]Collecto[/]" in text and "Old Agency" not in text
        assert "INV-3" not in text  # not flagged
        await pilot.press("tab", "tab", "tab")  # past action, agency, date: the list
        await pilot.press("down", "space")  # tick INV-2 too
        await pilot.press("tab")
        await type_text(pilot, "file 7")
        await pilot.press("enter")
        await settle(pilot)
        assert outcomes == ["INV-1, INV-2 handed over to [b]Collecto[/] on 2026-11-23."]
        assert collection(db, [first, second]) == [(CollectionState.HANDED_OVER, agency)] * 2

        await open_form(pilot, HandOverForm(book.customer_id, (second,)), outcomes)
        assert "With an agency" in screen_text(app)  # recall, as INV-2 is with one
        await save(pilot)
    assert outcomes[1] == "INV-2 recalled from the agency on 2026-11-23."
    assert collection(db, [first, second]) == [
        (CollectionState.HANDED_OVER, agency),
        (CollectionState.FLAGGED, None),
    ]
    with db.session() as session:
        handovers = session.scalars(select(AgencyHandover).order_by(AgencyHandover.id)).all()
        assert [(h.invoice_id, h.note, h.recalled_on) for h in handovers] == [
            (first, "file 7", None),
            (second, "file 7", TODAY),
        ]


async def test_without_an_active_agency_nothing_is_handed_over(db: Database, book: Book) -> None:
    first = book.invoice_ids[0]
    with db.session() as session:
        flag_for_collection(session, book.controller, [first])
    outcomes: list[str | None] = []
    app = make_app(db, book.controller)
    async with app.run_test(size=SIZE) as pilot:
        form = HandOverForm(book.customer_id, (first,))
        await open_form(pilot, form, outcomes)
        await save(pilot)
        assert "There is no active collection agency" in form.error_text
    assert collection(db, [first]) == [(CollectionState.FLAGGED, None)]


async def test_an_agent_handing_over_is_refused(db: Database, book: Book) -> None:
    add_agency(db, "Collecto")
    first = book.invoice_ids[0]
    with db.session() as session:
        flag_for_collection(session, book.controller, [first])
    outcomes: list[str | None] = []
    app = make_app(db, book.agent)
    async with app.run_test(size=SIZE) as pilot:
        form = HandOverForm(book.customer_id, (first,))
        await open_form(pilot, form, outcomes)
        await save(pilot)
        assert app.screen is form
        assert "hand invoices over to a collection agency" in form.error_text
    assert collection(db, [first]) == [(CollectionState.FLAGGED, None)]


# --------------------------------------------------------------------------- hostile text


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_hostile_names_and_numbers_show_literally(db: Database, hostile: str) -> None:
    number = hostile[:32]
    book = Book(db, name=hostile, first=number)
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        form = PaymentForm(book.customer_id)
        await open_form(pilot, form, outcomes)
        text = screen_text(app)
        assert hostile.replace("\x1b", "")[:20] in text
        await type_text(pilot, "100")
        await save(pilot)
        assert app.is_running
    assert outcomes == [
        f"Payment of 100.00 EUR recorded and allocated to {number.replace(chr(27), '')}."
    ]


async def test_the_longest_name_and_a_long_dispute_reason_fit(db: Database) -> None:
    book = Book(db, name="N" * 200)  # the longest name the book stores
    with db.session() as session:
        open_dispute(session, book.agent, invoice_id=book.invoice_ids[0], reason="[/]" * 1300)
    app = make_app(db, book.controller)
    outcomes: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, DisputeForm(book.customer_id), outcomes)
        text = screen_text(app)
        assert "C001  balance 230.00 EUR  NNNN" in text
        assert "In dispute:" in text and "[/][/][/]" in text and "…. Saving resolves" in text
        assert "Resolution" in text and "Tab next" in text  # nothing cut off


def test_payment_outcome_numbers_are_read_in_allocation_order(db: Database, book: Book) -> None:
    from cctui.domain.ledger import record_payment

    with db.session() as session:
        posted = record_payment(
            session,
            book.controller,
            customer_id=book.customer_id,
            amount="60.00",
            received_on=TODAY,
            invoice_ids=[book.invoice_ids[1], book.invoice_ids[0]],
            as_of=TODAY,
        )
        assert allocated_invoice_numbers(session, posted.id) == ("INV-2", "INV-1")


# --------------------------------------------------------------------------- snapshot


def test_snapshot_payment_form_no_color(
    db: Database, book: Book, snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    fixed = Database(db.engine, label="db.example.com:5432/cctui")
    app = make_app(fixed, book.controller)
    assert app.no_color

    async def fill(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await open_form(pilot, PaymentForm(book.customer_id, (book.invoice_ids[1],)), [])
        await type_text(pilot, "12,34")
        await save(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=fill)
