"""The call flow for agents: the six-key loop, leases between agents, the promise form."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from textual.pilot import Pilot
from textual.worker import NoActiveWorker, get_current_worker

from cctui.app import CctuiApp
from cctui.db.engine import Database
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    CallOutcome,
    Contact,
    Customer,
    DebtorLease,
    Invoice,
    Pool,
    Promise,
    Role,
    staff_pool,
)
from cctui.domain.pools import current_lease, next_debtor
from cctui.domain.workflow.call_desk import call_desk, take_next_debtor
from cctui.domain.workflow.calls import start_call
from cctui.domain.workflow.notes import add_note
from cctui.domain.workflow.promises import customer_promises, record_promise
from cctui.screens import SCREENS
from cctui.screens.call_flow import CallFlowScreen, format_elapsed
from cctui.widgets.forms.promise import PromiseForm
from tests.app_support import SIZE, TODAY, make_app, recording_app, screen_text, settle
from tests.factories import make_customer, make_invoice, make_staff

HOSTILE_NAMES = [
    "[bold]ACME[/]",
    "[@click=app.quit]x",
    "\x1b[31mred",
    "שלום עולם בע״מ",
    "株式会社テスト",
    "W" * 200,
]


@dataclass
class Book:
    """Two agents in one pool of three debtors (biggest first), and a pool-less agent."""

    ann: StaffIdentity
    bob: StaffIdentity
    loner: StaffIdentity
    debtors: list[int]
    """Customer ids, biggest overdue balance first."""


def small_book(db: Database, *, names: tuple[str, ...] = ("Alpha", "Bravo", "Charlie")) -> Book:
    with db.session() as session:
        ann = make_staff(session, "ann", Role.AGENT)
        bob = make_staff(session, "bob", Role.AGENT)
        loner = make_staff(session, "lone", Role.AGENT)
        pool = Pool(name="Team North")
        session.add(pool)
        session.flush()
        for agent in (ann, bob):
            session.execute(insert(staff_pool).values(staff_id=agent.id, pool_id=pool.id))
        ids = []
        for index, name in enumerate(names):
            customer = make_customer(
                session,
                name=name,
                pool_id=pool.id,
                phone=f"+44 20 7946 000{index}",
                contact_person=f"Contact {index}",
            )
            make_invoice(session, customer, f"{900 - 100 * index}.00", days_past_due=40 + index)
            ids.append(customer.id)
        make_customer(session, name="Not in the pool")  # nothing overdue, no pool
        return Book(ann, bob, loner, ids)


def call_screen(app: CctuiApp) -> CallFlowScreen:
    screen = app.screen
    assert isinstance(screen, CallFlowScreen)
    return screen


def lease_of(db: Database, staff_id: int) -> int | None:
    with db.session() as session:
        return session.scalar(
            select(DebtorLease.customer_id).where(DebtorLease.staff_id == staff_id)
        )


def calls_of(db: Database, customer_id: int) -> list[Contact]:
    with db.session() as session:
        return list(
            session.scalars(
                select(Contact).where(Contact.customer_id == customer_id).order_by(Contact.id)
            )
        )


def promises_of(db: Database, customer_id: int) -> list[Promise]:
    with db.session() as session:
        return list(session.scalars(select(Promise).where(Promise.customer_id == customer_id)))


def footer_keys(app: CctuiApp) -> set[str]:
    """The keys the footer offers now (only the bindings whose action applies)."""
    return {
        binding.key
        for (_node, binding, enabled, _tooltip) in app.active_bindings.values()
        if enabled and binding.show
    }


async def press(pilot: Pilot[Any], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


# --------------------------------------------------------------------------- the loop


async def test_the_six_key_loop_records_call_promise_and_moves_the_lease(db: Database) -> None:
    book = small_book(db)
    first, second = book.debtors[0], book.debtors[1]
    app = make_app(db, book.ann, start_screen="calls")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "No debtor on your desk" in screen_text(app)
        assert footer_keys(app) >= {"n"} and not footer_keys(app) & {"s", "c", "u", "p", "r"}

        await press(pilot, "n")  # 1: the next debtor
        text = screen_text(app)
        assert "Alpha" in text and "900.00 EUR" in text and "+44 20 7946 0000" in text
        assert "Contact 0" in text and "40 days overdue" in text and "Attention" in text
        assert "never called" in text and "yours until" in text
        assert lease_of(db, book.ann.id) == first
        assert {"n", "s", "p", "r"} <= footer_keys(app)
        assert not footer_keys(app) & {"c", "u"}

        await press(pilot, "s")  # 2: start the call
        assert re.search(r"ON CALL \d\d:\d\d", screen_text(app))
        assert footer_keys(app) >= {"c", "u", "p"} and not footer_keys(app) & {"n", "s", "r"}
        started = calls_of(db, first)
        assert len(started) == 1 and started[0].ended_at is None

        await press(pilot, "c")  # 3: end as contacted
        assert "Call ended: contacted" in screen_text(app)

        await press(pilot, "p")  # 4: the promise form, both fields filled in
        form = app.screen
        assert isinstance(form, PromiseForm)
        assert form.query_one("#promise-amount").value == "900.00"
        assert form.query_one("#promise-date").value == (TODAY + timedelta(days=7)).isoformat()

        await press(pilot, "enter")  # 5: accept both
        assert isinstance(app.screen, CallFlowScreen)
        assert "Promise recorded" in screen_text(app)
        assert f"900.00 EUR by {(TODAY + timedelta(days=7)).isoformat()}" in screen_text(app)

        await press(pilot, "n")  # 6: the next debtor
        assert "Bravo" in screen_text(app)

    (call,) = calls_of(db, first)
    assert call.outcome is CallOutcome.CONTACTED and call.staff_id == book.ann.id
    assert call.ended_at is not None and call.ended_at - call.started_at >= timedelta(0)
    (promise,) = promises_of(db, first)
    assert promise.amount == Decimal("900.00") and promise.currency == "EUR"
    assert promise.promised_on == TODAY + timedelta(days=7)
    assert promise.contact_id == call.id and promise.staff_id == book.ann.id
    assert lease_of(db, book.ann.id) == second
    with db.session() as session:
        assert session.scalar(select(DebtorLease).where(DebtorLease.customer_id == first)) is None
        customer = session.get(Customer, first)
        assert customer is not None and customer.last_call_outcome is CallOutcome.CONTACTED


async def test_unreachable_path_and_no_ending_a_call_never_started(db: Database) -> None:
    book = small_book(db)
    first = book.debtors[0]
    app = make_app(db, book.ann, start_screen="calls")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        await press(pilot, "c", "u")  # no call is running: nothing to end
        assert calls_of(db, first) == []
        assert "ON CALL" not in screen_text(app)

        await press(pilot, "s", "u")
        text = screen_text(app)
        assert "Call ended: unreachable" in text and "or s to try again" in text
        assert "unreachable" in text.split("Last call", 1)[1].splitlines()[0]
        await press(pilot, "c")  # already ended: c does nothing
        (call,) = calls_of(db, first)
        assert call.outcome is CallOutcome.UNREACHABLE and call.ended_at is not None
        assert promises_of(db, first) == []
        assert lease_of(db, book.ann.id) == first  # still on the debtor until n or r

        await press(pilot, "r")
        assert "Debtor released" in screen_text(app)
        assert lease_of(db, book.ann.id) is None
        assert not footer_keys(app) & {"s", "c", "u", "p", "r"}


async def test_a_running_call_and_lease_survive_a_restart(db: Database) -> None:
    book = small_book(db)
    with db.session() as session:
        leased = next_debtor(session, book.ann, as_of=TODAY)
        assert leased is not None
        call_id = start_call(session, book.ann, leased.customer_id)
    app = make_app(db, book.ann, start_screen="calls")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Alpha" in screen_text(app) and "ON CALL" in screen_text(app)
        assert footer_keys(app) >= {"c", "u"} and "n" not in footer_keys(app)
        await press(pilot, "c")
    (call,) = calls_of(db, book.debtors[0])
    assert call.id == call_id and call.outcome is CallOutcome.CONTACTED


# --------------------------------------------------------------------------- two agents


async def test_two_agents_in_two_apps_never_get_the_same_debtor(db: Database) -> None:
    book = small_book(db)
    ann_app = make_app(db, book.ann, start_screen="calls")
    bob_app = make_app(db, book.bob, start_screen="calls")
    async with ann_app.run_test(size=SIZE) as ann, bob_app.run_test(size=SIZE) as bob:
        await settle(ann)
        await settle(bob)
        await ann.press("n")
        await bob.press("n")
        await settle(ann)
        await settle(bob)
        ann_debtor = call_screen(ann_app).desk.debtor  # type: ignore[union-attr]
        bob_debtor = call_screen(bob_app).desk.debtor  # type: ignore[union-attr]
        assert ann_debtor is not None and bob_debtor is not None
        assert ann_debtor.id != bob_debtor.id
        assert {ann_debtor.id, bob_debtor.id} == set(book.debtors[:2])
        assert ann_debtor.name in screen_text(ann_app)
        assert bob_debtor.name in screen_text(bob_app)
        assert ann_debtor.name not in screen_text(bob_app)
    assert lease_of(db, book.ann.id) == ann_debtor.id
    assert lease_of(db, book.bob.id) == bob_debtor.id


async def test_a_debtor_claimed_on_another_connection_is_skipped(db: Database) -> None:
    """Bob's claim is not yet committed (its row is locked): Ann's app passes it by."""
    book = small_book(db)
    other = db.sessionmaker()
    try:
        claimed = next_debtor(other, book.bob, as_of=TODAY)
        assert claimed is not None and claimed.customer_id == book.debtors[0]
        app = make_app(db, book.ann, start_screen="calls")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "n")
            desk = call_screen(app).desk
            assert desk is not None and desk.debtor is not None
            assert desk.debtor.id == book.debtors[1]
            other.commit()
            await press(pilot, "n")  # Bob holds the first one now, for good
            desk = call_screen(app).desk
            assert desk is not None and desk.debtor is not None
            assert desk.debtor.id == book.debtors[2]
    finally:
        other.close()
    assert lease_of(db, book.bob.id) == book.debtors[0]
    assert lease_of(db, book.ann.id) == book.debtors[2]


# --------------------------------------------------------------------------- nobody left


async def test_no_debtor_left_says_so(db: Database) -> None:
    book = small_book(db, names=("Only One",))
    with db.session() as session:  # Bob is calling the only debtor
        assert next_debtor(session, book.bob, as_of=TODAY) is not None
    app = make_app(db, book.ann, start_screen="calls")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        text = screen_text(app)
        assert "Nobody is left to call in your pools" in text
        assert "Team North" in text
        assert "n" in footer_keys(app) and not footer_keys(app) & {"s", "p", "r"}
    assert lease_of(db, book.ann.id) is None


async def test_an_agent_without_a_pool_is_told_what_to_do(db: Database) -> None:
    book = small_book(db)
    app = recording_app(db, book.loner, start_screen="calls")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "You work no pool yet" in screen_text(app)
        assert "n" not in footer_keys(app)
        await press(pilot, "n")
        assert not [note for note in app.notes if note.get("severity") == "error"]
    assert lease_of(db, book.loner.id) is None


# --------------------------------------------------------------------------- the lease


async def test_the_lease_is_renewed_and_its_loss_is_reported(db: Database) -> None:
    book = small_book(db)
    app = make_app(db, book.ann, start_screen="calls")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        first = book.debtors[0]
        with db.session() as session:  # as if it were about to run out
            session.execute(
                update(DebtorLease)
                .where(DebtorLease.customer_id == first)
                .values(expires_at=DebtorLease.leased_at + timedelta(minutes=1))
            )
        call_screen(app)._renew_due()
        await settle(pilot)
        with db.session() as session:
            lease = session.get(DebtorLease, first)
            assert lease is not None
            assert lease.expires_at - lease.leased_at >= timedelta(minutes=15)

        with db.session() as session:  # a supervisor let the debtor go meanwhile
            session.execute(DebtorLease.__table__.delete())
        call_screen(app)._renew_due()
        await settle(pilot)
        assert "no longer holds" in screen_text(app)
        assert not footer_keys(app) & {"s", "p", "r"}


# --------------------------------------------------------------------------- promise form


async def test_promise_form_keeps_bad_text_and_shows_refusals(db: Database) -> None:
    book = small_book(db)
    first = book.debtors[0]
    app = make_app(db, book.ann, start_screen="calls")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "n", "p")
        form = app.screen
        assert isinstance(form, PromiseForm)
        amount = form.query_one("#promise-amount")
        amount.value = "12,34,5"
        await press(pilot, "enter")
        assert app.screen is form
        assert amount.value == "12,34,5"
        assert "'12,34,5' is not an amount" in screen_text(app)

        amount.value = "1e3"
        await press(pilot, "enter")
        assert app.screen is form and amount.value == "1e3"

        amount.value = "250.50"
        day = form.query_one("#promise-date")
        day.value = "30/11/2026"
        await press(pilot, "enter")
        assert app.screen is form and day.value == "30/11/2026"
        assert "YYYY-MM-DD" in screen_text(app)

        day.value = "2026-11-01"  # before today: the domain refuses
        await press(pilot, "enter")
        assert app.screen is form
        assert "today (2026-11-23) or later" in screen_text(app)
        assert amount.value == "250.50" and day.value == "2026-11-01"
        assert promises_of(db, first) == []

        await press(pilot, "escape")
        assert isinstance(app.screen, CallFlowScreen)
        assert promises_of(db, first) == []

        await press(pilot, "p")
        form = app.screen
        assert isinstance(form, PromiseForm)
        form.query_one("#promise-amount").value = "1,250.50"
        await press(pilot, "enter")
        assert isinstance(app.screen, CallFlowScreen)
    (promise,) = promises_of(db, first)
    assert promise.amount == Decimal("1250.50") and promise.contact_id is None


async def test_promise_form_reads_the_customer_itself(db: Database) -> None:
    """As the customer screen opens it: only the customer's id (and invoices) are given."""
    book = small_book(db)
    first = book.debtors[0]
    with db.session() as session:
        invoice_id = session.scalar(select(Invoice.id).where(Invoice.customer_id == first))
    outcomes: list[str | None] = []
    app = make_app(db, book.ann)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(PromiseForm(first, (invoice_id,)), outcomes.append)
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PromiseForm)
        assert form.query_one("#promise-amount").value == "900.00"
        assert "Alpha" in screen_text(app) and "1 chosen invoice" in screen_text(app)
        await press(pilot, "enter")
    assert outcomes and outcomes[0] is not None and "900.00 EUR by" in outcomes[0]
    with db.session() as session:
        (view,) = customer_promises(session, first)
        assert view.invoice_ids == (invoice_id,)


async def test_promise_form_escape_returns_none(db: Database) -> None:
    book = small_book(db)
    outcomes: list[str | None] = []
    app = make_app(db, book.ann)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(PromiseForm(book.debtors[0]), outcomes.append)
        await settle(pilot)
        await press(pilot, "escape")
    assert outcomes == [None]
    assert promises_of(db, book.debtors[0]) == []


# --------------------------------------------------------------------------- hostile text


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
async def test_hostile_names_and_notes_show_literally(db: Database, hostile: str) -> None:
    book = small_book(db, names=(hostile,))
    first = book.debtors[0]
    with db.session() as session:
        session.execute(
            update(Customer).where(Customer.id == first).values(contact_person=hostile, phone="[/]")
        )
        add_note(session, book.ann, customer_id=first, body=hostile + " " + "N" * 3_700)
    app = make_app(db, book.ann, start_screen="calls")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        text = screen_text(app)
        shown = hostile.replace("\x1b", "")
        if len(shown) < 40 and shown.isascii():
            assert shown in text
        assert "[/]" in text
        assert "…" in text  # the long note is cut, not wrapped over the screen
        await press(pilot, "s", "c", "p")
        assert isinstance(app.screen, PromiseForm)
        if len(shown) < 40 and shown.isascii():
            assert shown in screen_text(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, CallFlowScreen)
        assert app.return_code is None  # [@click=app.quit] did not quit
    assert len(promises_of(db, first)) == 1


# --------------------------------------------------------------------------- units


def test_format_elapsed() -> None:
    assert format_elapsed(0) == "00:00"
    assert format_elapsed(-3) == "00:00"
    assert format_elapsed(61.9) == "01:01"
    assert format_elapsed(3723) == "62:03"


def test_call_desk_reads_lease_call_promises_and_pools(db: Database) -> None:
    book = small_book(db)
    with db.session() as session:
        empty = call_desk(session, book.ann, as_of=TODAY)
        assert empty.lease is None and empty.call is None and empty.pools == ("Team North",)
        desk = take_next_debtor(session, book.ann, as_of=TODAY)
        assert desk.debtor is not None and desk.debtor.id == book.debtors[0]
        assert not desk.none_left
        start_call(session, book.ann, book.debtors[0])
    with db.session() as session:
        desk = call_desk(session, book.ann, as_of=TODAY)
        assert desk.call is not None and desk.call.customer_id == book.debtors[0]
        loner = take_next_debtor(session, book.loner, as_of=TODAY)
        assert loner.pools == () and loner.lease is None and not loner.none_left
        assert current_lease(session, book.ann, as_of=TODAY) is not None
        first = book.debtors[0]
        for days, amount in ((20, "50.00"), (5, "70.00")):
            record_promise(
                session,
                book.ann,
                customer_id=first,
                amount=amount,
                promised_on=TODAY + timedelta(days=days),
                as_of=TODAY,
            )
    with db.session() as session:
        desk = call_desk(session, book.ann, as_of=TODAY)
        assert [p.amount for p in desk.promises] == [Decimal("70.00"), Decimal("50.00")]


# --------------------------------------------------------------------------- snapshot


def test_snapshot_call_flow_no_color(
    db: Database, snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        book = small_book(db)
        first = book.debtors[0]
        with db.session() as session:
            session.execute(
                update(Customer)
                .where(Customer.id == first)
                .values(
                    account="C000101",  # the factories number accounts run-wide
                    last_call_at=datetime(2026, 11, 20, 14, 5, tzinfo=UTC),
                    last_call_outcome=CallOutcome.UNREACHABLE,
                )
            )
            add_note(session, book.ann, customer_id=first, body="Asked for a copy of INV-7.")
            # The next debtor ignores debtors called today only; the 20th is long past.
            assert next_debtor(session, book.ann, as_of=TODAY) is not None
            session.execute(
                update(DebtorLease)
                .where(DebtorLease.customer_id == first)
                .values(
                    leased_at=datetime(2099, 1, 1, 9, 45, tzinfo=UTC),
                    expires_at=datetime(2099, 1, 1, 10, 0, tzinfo=UTC),
                )
            )
        fixed = Database(db.engine, label="db.example.com:5432/cctui")
        app = make_app(fixed, book.ann, start_screen="calls")
        assert app.no_color
        assert snap_compare(app, terminal_size=SIZE, run_before=settle)
    finally:
        monkeypatch.undo()
        time.tzset()


async def test_go_to_n_opens_the_call_flow_for_agents(db: Database) -> None:
    entry = SCREENS["calls"]
    assert (entry.key, entry.title, entry.min_role) == ("n", "Next debtor (call flow)", Role.AGENT)
    book = small_book(db)
    app = make_app(db, book.ann)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "g", "n")
        assert isinstance(app.screen, CallFlowScreen)
        assert "No debtor on your desk" in screen_text(app)
        await press(pilot, "n")
        assert "Alpha" in screen_text(app)


class GatedDatabase:
    """The test database, but after :meth:`hold` the screen's reads of the desk wait for
    :meth:`release`: a read still running when the agent presses a key."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._gate = threading.Event()
        self._gate.set()
        self.waiting = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    def hold(self) -> None:
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    @contextmanager
    def session(self) -> Iterator[Any]:
        try:
            reading = get_current_worker().name == "read your debtor"
        except NoActiveWorker:
            reading = False
        if reading and not self._gate.is_set():
            self.waiting.set()
            self._gate.wait(timeout=10)
        with self._db.session() as session:
            yield session


async def test_a_refresh_in_flight_never_swallows_a_key(db: Database) -> None:
    """A live update re-reads the desk; the agent's next key still acts at once."""
    book = small_book(db)
    gated = GatedDatabase(db)
    app = make_app(gated, book.ann, start_screen="calls")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        gated.hold()
        call_screen(app).reload()  # this read hangs until released
        assert await asyncio.to_thread(gated.waiting.wait, 10)
        await pilot.press("s")
        for _ in range(100):
            if "ON CALL" in screen_text(app):
                break
            await pilot.pause(0.05)
        on_call = "ON CALL" in screen_text(app)
        gated.release()
        await settle(pilot)
        assert on_call
        assert "ON CALL" in screen_text(app)  # the late read did not undo the step
    (call,) = calls_of(db, book.debtors[0])
    assert call.ended_at is None


class FailingDatabase:
    """A database whose every session fails."""

    label = "db.example:5432/book"
    is_embedded = False

    @contextmanager
    def session(self) -> Iterator[Any]:
        raise RuntimeError("[bold]boom[/]")
        yield  # pragma: no cover


async def test_a_desk_that_cannot_be_read_is_reported_once(db: Database) -> None:
    book = small_book(db)
    app = recording_app(FailingDatabase(), book.ann, start_screen="calls")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)

        def ours() -> list[str]:  # the start screen underneath fails to read too
            return [
                note["message"]
                for note in app.notes
                if note.get("severity") == "error" and "debtor" in note["message"]
            ]

        assert ours() == ["Could not read your debtor: RuntimeError: [bold]boom[/]"]
        assert "Your desk could not be read" in screen_text(app)
        await press(pilot, "n")
        assert "! Could not claim the next debtor." in screen_text(app)
        assert ours()[1:] == ["Could not claim the next debtor: RuntimeError: [bold]boom[/]"]
        assert app.return_code is None
