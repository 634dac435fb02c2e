"""Dunning: the ladder, the daily run, reminders by hand, invoices by mail, the letters queue."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from cctui.db.engine import Database
from cctui.domain.book_settings import DUNNING_MIN_OVERDUE, write_setting
from cctui.domain.daily_check_steps import StepContext
from cctui.domain.dunning.letters import queued_letters
from cctui.domain.dunning.mail import invoices_for_mail, queue_mail_invoices
from cctui.domain.dunning.manual import queue_manual_reminder
from cctui.domain.dunning.run import run_dunning
from cctui.domain.dunning.steps import (
    create_dunning_step,
    list_dunning_steps,
    update_dunning_step,
)
from cctui.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.ledger import post_credit_note, post_invoice, record_payment
from cctui.domain.models import (
    AgingSnapshot,
    AuditLog,
    CollectionState,
    Customer,
    Delivery,
    Dispute,
    DisputeStatus,
    DunningStep,
    Invoice,
    Letter,
    LetterInvoice,
    LetterKind,
    LetterStatus,
    LetterTemplate,
    Promise,
    PromiseInvoice,
    PromiseStatus,
    Role,
)
from tests.factories import TODAY, make_customer, make_invoice, make_staff
from tests.figures_check import assert_figures_true

D = Decimal
NOTHING = {"letters_queued": 0, "invoices_dunned": 0, "fees_charged": 0, "flagged_for_agency": 0}


def _template(session, code: str, kind: LetterKind) -> LetterTemplate:
    template = LetterTemplate(code=code, kind=kind, name=code, subject=code, body="Dear {name}")
    session.add(template)
    session.flush()
    return template


def _ladder(session) -> tuple[StaffIdentity, dict[int, DunningStep]]:
    """Steps 1 (7 days, no fee), 2 (21 days, 5.00) and 3 (45 days, 10.00, agency)."""
    admin = make_staff(session, "admin", Role.ADMIN)
    first = _template(session, "R1", LetterKind.REMINDER)
    second = _template(session, "R2", LetterKind.REMINDER)
    agency = _template(session, "AG", LetterKind.AGENCY)
    create_dunning_step(
        session,
        admin,
        step_no=1,
        name="First reminder",
        days_after_due=7,
        letter_template_id=first.id,
    )
    create_dunning_step(
        session,
        admin,
        step_no=2,
        name="Second reminder",
        days_after_due=21,
        fee="5.00",
        letter_template_id=second.id,
    )
    create_dunning_step(
        session,
        admin,
        step_no=3,
        name="Collection notice",
        days_after_due=45,
        fee="10.00",
        letter_template_id=agency.id,
        hands_to_agency=True,
    )
    steps = {step.step_no: step for step in session.scalars(select(DunningStep))}
    return admin, steps


def _run(session, actor: StaffIdentity, day=TODAY):
    return dict(run_dunning(session, StepContext(run_on=day, actor=actor.login, staff_id=actor.id)))


def _invoice(session, invoice_id) -> Invoice:
    session.expire_all()
    return session.get(Invoice, invoice_id)


def _letters(session) -> list[Letter]:
    session.expire_all()
    return list(session.scalars(select(Letter).order_by(Letter.customer_id, Letter.id)))


def _lines(session, letter_id) -> dict[int, tuple[int | None, Decimal]]:
    rows = session.execute(
        select(
            LetterInvoice.invoice_id, LetterInvoice.dunning_step_id, LetterInvoice.open_amount
        ).where(LetterInvoice.letter_id == letter_id)
    )
    return {invoice_id: (step_id, amount) for invoice_id, step_id, amount in rows}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# --- the ladder -------------------------------------------------------------------------


def test_steps_are_listed_in_order_and_kept_consistent(session):
    admin, steps = _ladder(session)
    listed = list_dunning_steps(session)
    assert [(s.step_no, s.days_after_due, s.fee, s.hands_to_agency) for s in listed] == [
        (1, 7, D("0.00"), False),
        (2, 21, D("5.00"), False),
        (3, 45, D("10.00"), True),
    ]
    assert [s.letter_template_code for s in listed] == ["R1", "R2", "AG"]
    with pytest.raises(ConflictError, match="already a dunning step 2"):
        create_dunning_step(session, admin, step_no=2, name="Dup", days_after_due=30)
    with pytest.raises(ConflictError, match="already applies at 21"):
        create_dunning_step(session, admin, step_no=4, name="Dup", days_after_due=21)
    with pytest.raises(ConflictError, match="out of order"):
        create_dunning_step(session, admin, step_no=4, name="Early", days_after_due=30)
    reminder = session.scalar(select(LetterTemplate).where(LetterTemplate.code == "R1"))
    with pytest.raises(ValidationError, match="kind agency"):
        create_dunning_step(
            session,
            admin,
            step_no=4,
            name="Agency",
            days_after_due=90,
            hands_to_agency=True,
            letter_template_id=reminder.id,
        )
    with pytest.raises(ValidationError):
        create_dunning_step(session, admin, step_no=4, name=" ", days_after_due=90)
    with pytest.raises(ValidationError):
        create_dunning_step(session, admin, step_no=4, name="Fee", days_after_due=90, fee="-1")
    clerk = make_staff(session, "clerk")
    with pytest.raises(PermissionDenied):
        create_dunning_step(session, clerk, step_no=4, name="Late", days_after_due=90)

    changed = update_dunning_step(
        session,
        admin,
        steps[2].id,
        step_no=2,
        name="Second",
        days_after_due=28,
        fee="7.50",
        letter_template_id=None,
        hands_to_agency=False,
    )
    assert (changed.days_after_due, changed.fee, changed.letter_template_id) == (
        28,
        D("7.50"),
        None,
    )
    row = session.scalars(select(AuditLog).where(AuditLog.action == "update_dunning_step")).one()
    assert (row.before["days_after_due"], row.after["days_after_due"]) == (21, 28)
    assert _count(session, AuditLog) == 4


def test_a_step_with_letters_keeps_its_number(session):
    admin, steps = _ladder(session)
    customer = make_customer(session)
    make_invoice(session, customer, "100.00", days_past_due=10)
    _run(session, admin)
    with pytest.raises(ConflictError, match="cannot change"):
        update_dunning_step(
            session,
            admin,
            steps[1].id,
            step_no=9,
            name="Moved",
            days_after_due=99,
            fee="0",
            letter_template_id=None,
            hands_to_agency=False,
        )
    update_dunning_step(
        session,
        admin,
        steps[1].id,
        step_no=1,
        name="First",
        days_after_due=5,
        fee="1.00",
        letter_template_id=None,
        hands_to_agency=False,
    )
    assert session.get(DunningStep, steps[1].id).days_after_due == 5


# --- the daily run ----------------------------------------------------------------------


def test_one_letter_per_customer_per_step_holding_all_its_invoices(session):
    admin, steps = _ladder(session)
    paper = make_customer(session, delivery=Delivery.MAIL)
    email = make_customer(session, delivery=Delivery.EMAIL)
    a1 = make_invoice(session, paper, "100.00", days_past_due=10)
    a2 = make_invoice(session, paper, "40.00", days_past_due=15)
    a3 = make_invoice(session, paper, "60.00", days_past_due=30)
    b1 = make_invoice(session, email, "20.00", days_past_due=8)
    not_yet = make_invoice(session, email, "500.00", days_past_due=6)
    not_due = make_invoice(session, email, "70.00", days_past_due=-3)

    assert _run(session, admin) == {
        "letters_queued": 3,
        "invoices_dunned": 4,
        "fees_charged": 1,
        "flagged_for_agency": 0,
    }
    letters = _letters(session)
    assert [(x.customer_id, x.dunning_step_id, x.kind) for x in letters] == [
        (paper.id, steps[1].id, LetterKind.REMINDER),
        (paper.id, steps[2].id, LetterKind.REMINDER),
        (email.id, steps[1].id, LetterKind.REMINDER),
    ]
    first, second, other = letters
    assert _lines(session, first.id) == {
        a1.id: (steps[1].id, D("100.00")),
        a2.id: (steps[1].id, D("40.00")),
    }
    assert _lines(session, second.id) == {a3.id: (steps[2].id, D("65.00"))}  # fee included
    assert _lines(session, other.id) == {b1.id: (steps[1].id, D("20.00"))}
    assert (first.template_id, second.template_id) == (
        steps[1].letter_template_id,
        steps[2].letter_template_id,
    )
    assert (first.delivery, other.delivery) == (Delivery.MAIL, Delivery.EMAIL)
    assert {(x.status, x.queued_on, x.queued_by_id) for x in letters} == {
        (LetterStatus.QUEUED, TODAY, admin.id)
    }
    assert (first.fee, second.fee, other.fee) == (D("0.00"), D("5.00"), D("0.00"))

    charged = _invoice(session, a3.id)
    assert (charged.dunning_level, charged.fee_amount, charged.open_amount) == (
        2,
        D("5.00"),
        D("65.00"),
    )
    assert charged.last_dunned_on == TODAY
    assert [_invoice(session, i.id).dunning_level for i in (a1, a2, b1)] == [1, 1, 1]
    assert [_invoice(session, i.id).dunning_level for i in (not_yet, not_due)] == [0, 0]
    assert session.get(Customer, paper.id).balance == D("205.00")
    audit = session.scalars(
        select(AuditLog).where(AuditLog.action == "queue_dunning_letter").order_by(AuditLog.id)
    ).all()
    assert sorted(int(row.entity_id) for row in audit) == sorted(x.id for x in letters)
    by_letter = {int(row.entity_id): row for row in audit}
    assert by_letter[second.id].before == {
        "invoices": {
            str(a3.id): {
                "dunning_level": 0,
                "open_amount": "60.00",
                "fee_amount": "0.00",
                "collection_state": "none",
            }
        }
    }
    assert by_letter[second.id].after["fee"] == "5.00"
    assert by_letter[second.id].after["invoices"][str(a3.id)]["open_amount"] == "65.00"
    assert_figures_true(session)


def test_repeating_the_day_changes_nothing(session):
    admin, _ = _ladder(session)
    customer = make_customer(session)
    make_invoice(session, customer, "100.00", days_past_due=10)
    make_invoice(session, customer, "100.00", days_past_due=50)
    first = _run(session, admin)
    assert first["letters_queued"] == 2
    session.commit()
    snapshot = (
        _count(session, Letter),
        _count(session, LetterInvoice),
        _count(session, AuditLog),
        session.scalar(select(func.sum(Invoice.open_amount))),
        session.get(Customer, customer.id).figures_changed,
    )
    assert _run(session, admin) == NOTHING
    session.expire_all()
    assert (
        _count(session, Letter),
        _count(session, LetterInvoice),
        _count(session, AuditLog),
        session.scalar(select(func.sum(Invoice.open_amount))),
        session.get(Customer, customer.id).figures_changed,
    ) == snapshot


def test_invoices_climb_step_by_step_and_pay_each_fee_once(session):
    admin, _steps = _ladder(session)
    customer = make_customer(session)
    invoice = make_invoice(session, customer, "100.00", days_past_due=8)
    assert _run(session, admin)["invoices_dunned"] == 1
    assert _run(session, admin, TODAY + timedelta(days=10))["invoices_dunned"] == 0
    later = TODAY + timedelta(days=13)  # 21 days past due
    assert _run(session, admin, later) == {
        "letters_queued": 1,
        "invoices_dunned": 1,
        "fees_charged": 1,
        "flagged_for_agency": 0,
    }
    assert _run(session, admin, later + timedelta(days=1)) == NOTHING
    fresh = _invoice(session, invoice.id)
    assert (fresh.dunning_level, fresh.fee_amount, fresh.last_dunned_on) == (2, D("5.00"), later)

    # Even if its level were set back, an invoice never gets a step's letter (or fee) twice.
    fresh.dunning_level = 1
    session.flush()
    assert _run(session, admin, later + timedelta(days=2)) == NOTHING
    assert _invoice(session, invoice.id).fee_amount == D("5.00")
    assert _count(session, LetterInvoice) == 2
    assert_figures_true(session, later + timedelta(days=2))


def test_an_invoice_skipping_steps_goes_straight_to_the_highest_reached(session):
    admin, steps = _ladder(session)
    customer = make_customer(session)
    late = make_invoice(session, customer, "300.00", days_past_due=50)
    assert _run(session, admin) == {
        "letters_queued": 1,
        "invoices_dunned": 1,
        "fees_charged": 1,
        "flagged_for_agency": 1,
    }
    (letter,) = _letters(session)
    assert (letter.kind, letter.dunning_step_id, letter.fee) == (
        LetterKind.AGENCY,
        steps[3].id,
        D("10.00"),
    )
    assert letter.template_id == steps[3].letter_template_id
    fresh = _invoice(session, late.id)
    assert (fresh.dunning_level, fresh.fee_amount, fresh.open_amount) == (
        3,
        D("10.00"),
        D("310.00"),
    )
    assert fresh.collection_state == CollectionState.FLAGGED
    assert_figures_true(session)


def test_agency_step_flags_only_invoices_not_yet_flagged(session):
    admin, _ = _ladder(session)
    customer = make_customer(session)
    fresh_one = make_invoice(session, customer, "100.00", days_past_due=46)
    by_hand = make_invoice(session, customer, "100.00", days_past_due=60)
    by_hand.collection_state = CollectionState.FLAGGED
    session.flush()
    counts = _run(session, admin)
    assert (counts["letters_queued"], counts["invoices_dunned"]) == (1, 2)
    assert counts["flagged_for_agency"] == 1
    assert {_invoice(session, i.id).collection_state for i in (fresh_one, by_hand)} == {
        CollectionState.FLAGGED
    }


def test_customers_below_the_minimum_overdue_are_not_dunned(session):
    admin, _ = _ladder(session)
    below = make_customer(session)
    at = make_customer(session)
    make_invoice(session, below, "9.99", days_past_due=30)
    make_invoice(session, below, "500.00", days_past_due=-5)  # not overdue: does not count
    make_invoice(session, at, "10.00", days_past_due=30)
    counts = _run(session, admin)
    assert (counts["letters_queued"], counts["invoices_dunned"]) == (1, 1)
    assert [x.customer_id for x in _letters(session)] == [at.id]

    write_setting(session, admin, DUNNING_MIN_OVERDUE, "5.00")
    assert _run(session, admin)["invoices_dunned"] == 1
    assert {x.customer_id for x in _letters(session)} == {below.id, at.id}


def test_open_disputes_pause_dunning_until_resolved(session):
    admin, _ = _ladder(session)
    customer = make_customer(session)
    disputed = make_invoice(session, customer, "100.00", days_past_due=30)
    resolved = make_invoice(session, customer, "100.00", days_past_due=30)
    session.add_all(
        [
            Dispute(invoice_id=disputed.id, reason="Wrong price", opened_by_id=admin.id),
            Dispute(
                invoice_id=resolved.id,
                reason="Late delivery",
                status=DisputeStatus.RESOLVED,
                resolved_at=datetime(2026, 11, 1, tzinfo=UTC),
                resolution="Delivered",
            ),
        ]
    )
    session.flush()
    assert _run(session, admin)["invoices_dunned"] == 1
    assert _invoice(session, disputed.id).dunning_level == 0
    assert _invoice(session, resolved.id).dunning_level == 2

    dispute = session.scalar(select(Dispute).where(Dispute.invoice_id == disputed.id))
    dispute.status = DisputeStatus.RESOLVED
    dispute.resolved_at = datetime(2026, 11, 23, tzinfo=UTC)
    session.flush()
    assert _run(session, admin)["invoices_dunned"] == 1
    assert _invoice(session, disputed.id).dunning_level == 2


def test_live_promises_pause_their_invoices_or_all_of_the_customer(session):
    admin, _ = _ladder(session)
    named = make_customer(session)
    promised = make_invoice(session, named, "100.00", days_past_due=30)
    other = make_invoice(session, named, "100.00", days_past_due=30)
    whole = make_customer(session)
    covered = make_invoice(session, whole, "100.00", days_past_due=30)
    broken = make_customer(session)
    after_broken = make_invoice(session, broken, "100.00", days_past_due=30)

    def promise(customer, status=PromiseStatus.OPEN):
        row = Promise(
            customer_id=customer.id,
            amount=D("50.00"),
            currency=customer.currency,
            promised_on=TODAY + timedelta(days=3),
            status=status,
            evaluated_on=None if status == PromiseStatus.OPEN else TODAY,
        )
        session.add(row)
        session.flush()
        return row

    session.add(PromiseInvoice(promise_id=promise(named).id, invoice_id=promised.id))
    promise(whole)
    session.add(
        PromiseInvoice(
            promise_id=promise(broken, PromiseStatus.BROKEN).id, invoice_id=after_broken.id
        )
    )
    session.flush()
    counts = _run(session, admin)
    assert counts["invoices_dunned"] == 2
    levels = {i.id: _invoice(session, i.id).dunning_level for i in (promised, other, covered)}
    assert levels == {promised.id: 0, other.id: 2, covered.id: 0}
    assert _invoice(session, after_broken.id).dunning_level == 2


def test_paid_or_credited_invoices_leave_dunning(session):
    admin, _ = _ladder(session)
    clerk = make_staff(session, "clerk")
    customer = make_customer(session, credit_limit="100000")
    paid = make_invoice(session, customer, "100.00", days_past_due=10)
    credited = make_invoice(session, customer, "80.00", days_past_due=10)
    kept = make_invoice(session, customer, "60.00", days_past_due=10)
    assert _run(session, admin)["invoices_dunned"] == 3
    record_payment(
        session,
        clerk,
        customer_id=customer.id,
        amount="100.00",
        received_on=TODAY,
        invoice_ids=[paid.id],
        as_of=TODAY,
    )
    post_credit_note(
        session,
        clerk,
        customer_id=customer.id,
        number="CN-1",
        amount="80.00",
        issued_on=TODAY,
        invoice_ids=[credited.id],
        as_of=TODAY,
    )
    later = TODAY + timedelta(days=11)
    assert _run(session, admin, later)["invoices_dunned"] == 1
    assert [_invoice(session, i.id).dunning_level for i in (paid, credited, kept)] == [1, 1, 2]
    assert _count(session, Letter) == 2
    assert_figures_true(session, later)


def _run_in_threads(db: Database, actor: StaffIdentity, step, n: int = 2) -> list[dict]:
    """Run ``step`` for TODAY in ``n`` sessions started at one barrier; commit each."""
    barrier = threading.Barrier(n)
    results: list[dict] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with db.session() as own:
                barrier.wait(timeout=30)
                results.append(dict(step(own, StepContext(TODAY, actor.login, actor.id))))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_concurrent_runs_queue_nothing_twice(db, session):
    admin, _steps = _ladder(session)
    customers = [make_customer(session) for _ in range(6)]
    invoices = []
    for n, customer in enumerate(customers):
        invoices.append(make_invoice(session, customer, "100.00", days_past_due=10 + n))
        invoices.append(make_invoice(session, customer, "50.00", days_past_due=25))
    session.commit()

    results = _run_in_threads(db, admin, run_dunning, n=3)
    assert sum(r["letters_queued"] for r in results) == 12
    assert sum(r["invoices_dunned"] for r in results) == 12
    assert sum(r["fees_charged"] for r in results) == 6

    session.expire_all()
    assert _count(session, Letter) == 12
    assert _count(session, LetterInvoice) == 12
    fees = session.scalars(select(Invoice.fee_amount).order_by(Invoice.id)).all()
    assert sorted(fees) == [D("0.00")] * 6 + [D("5.00")] * 6
    assert _run(session, admin) == NOTHING
    assert_figures_true(session)


def test_a_run_racing_a_line_already_written_lets_the_database_refuse_it(db, session):
    """Another transaction puts the invoice on a step letter but has not committed: the run
    waits on the unique index, then skips the invoice (no fee) and keeps no empty letter."""
    admin, steps = _ladder(session)
    customer = make_customer(session)
    raced = make_invoice(session, customer, "100.00", days_past_due=10)
    session.commit()

    elsewhere = make_customer(session)  # so the other transaction holds no lock on ours
    session.commit()
    waited = False
    with db.session() as other:
        letter = Letter(
            customer_id=elsewhere.id,
            kind=LetterKind.REMINDER,
            dunning_step_id=steps[1].id,
            queued_on=TODAY,
        )
        other.add(letter)
        other.flush()
        other.add(
            LetterInvoice(
                letter_id=letter.id,
                invoice_id=raced.id,
                dunning_step_id=steps[1].id,
                open_amount=D("100.00"),
            )
        )
        other.flush()
        results: list[dict] = []
        runner = threading.Thread(
            target=lambda: results.extend(_run_in_threads(db, admin, run_dunning, n=1))
        )
        runner.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # wait until the run blocks on our index entry
            waiting = other.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'"
                )
            ).scalar_one()
            if waiting:
                waited = True
                break
            time.sleep(0.02)
        # leaving the block commits the other transaction; the run then finds the conflict
    runner.join(timeout=30)
    assert waited
    assert results == [NOTHING]
    session.expire_all()
    assert _count(session, Letter) == 1  # only the other transaction's letter
    fresh = _invoice(session, raced.id)
    assert (fresh.fee_amount, fresh.dunning_level) == (D("0.00"), 0)
    assert_figures_true(session)


# --- reminders by hand ------------------------------------------------------------------


def test_manual_reminder_queues_one_letter_per_customer_now(session):
    admin, steps = _ladder(session)
    clerk = make_staff(session, "clerk")
    first = make_customer(session)
    second = make_customer(session, delivery=Delivery.EMAIL)
    a1 = make_invoice(session, first, "100.00", days_past_due=3)
    a2 = make_invoice(session, first, "40.00", days_past_due=-5)
    b1 = make_invoice(session, second, "70.00", days_past_due=2)

    ids = queue_manual_reminder(session, clerk, [b1.id, a1.id, a2.id, a1.id], as_of=TODAY)
    letters = _letters(session)
    assert ids == [x.id for x in letters]
    assert [(x.customer_id, x.kind, x.fee, x.dunning_step_id) for x in letters] == [
        (first.id, LetterKind.REMINDER, D("0.00"), None),
        (second.id, LetterKind.REMINDER, D("0.00"), None),
    ]
    assert letters[0].template_id == steps[1].letter_template_id  # the default reminder
    assert (letters[0].delivery, letters[1].delivery) == (Delivery.MAIL, Delivery.EMAIL)
    assert {x.queued_by_id for x in letters} == {clerk.id}
    assert _lines(session, letters[0].id) == {
        a1.id: (None, D("100.00")),
        a2.id: (None, D("40.00")),
    }
    assert [_invoice(session, i.id).dunning_level for i in (a1, a2, b1)] == [0, 0, 0]
    assert [_invoice(session, i.id).fee_amount for i in (a1, a2, b1)] == [D("0.00")] * 3
    rows = session.scalars(select(AuditLog).where(AuditLog.action == "queue_manual_reminder"))
    assert sorted(int(row.entity_id) for row in rows) == sorted(ids)

    # The same invoices are not queued twice while the letter waits to be printed.
    with pytest.raises(ConflictError, match="already on letter"):
        queue_manual_reminder(session, clerk, [a1.id], as_of=TODAY)
    # A reminder by hand does not stop the ladder (and its letter is a separate one).
    assert _run(session, admin, TODAY + timedelta(days=10))["invoices_dunned"] == 2
    assert_figures_true(session, TODAY + timedelta(days=10))


def test_manual_reminder_refusals(session):
    _admin, _ = _ladder(session)
    clerk = make_staff(session, "clerk")
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session, credit_limit="100000")
    invoice = make_invoice(session, customer, "100.00", days_past_due=3)
    paid = make_invoice(session, customer, "10.00", days_past_due=3, open_amount="0")
    disputed = make_invoice(session, customer, "10.00", days_past_due=3)
    session.add(Dispute(invoice_id=disputed.id, reason="Wrong"))
    agency = session.scalar(select(LetterTemplate).where(LetterTemplate.code == "AG"))
    session.flush()
    with pytest.raises(PermissionDenied):
        queue_manual_reminder(session, agent, [invoice.id])
    with pytest.raises(ValidationError):
        queue_manual_reminder(session, clerk, [])
    with pytest.raises(NotFound):
        queue_manual_reminder(session, clerk, [invoice.id, 999_999])
    with pytest.raises(ConflictError, match="is paid"):
        queue_manual_reminder(session, clerk, [invoice.id, paid.id])
    with pytest.raises(ConflictError, match="in dispute"):
        queue_manual_reminder(session, clerk, [disputed.id])
    with pytest.raises(ValidationError, match="kind reminder"):
        queue_manual_reminder(session, clerk, [invoice.id], template_id=agency.id)
    assert _count(session, Letter) == 0


# --- invoices by mail -------------------------------------------------------------------


def test_mail_invoices_are_queued_once_each(session):
    clerk = make_staff(session, "clerk")
    paper = make_customer(session, delivery=Delivery.MAIL, credit_limit="100000")
    email = make_customer(session, delivery=Delivery.EMAIL, credit_limit="100000")
    posted = [
        post_invoice(
            session,
            clerk,
            customer_id=customer.id,
            number=number,
            amount="10.00",
            issued_on=TODAY,
            as_of=TODAY,
        ).id
        for customer, number in ((paper, "M-1"), (paper, "M-2"), (email, "E-1"))
    ]
    listed = invoices_for_mail(session, limit=10)
    assert [(row.id, row.letter_id) for row in listed] == [(posted[0], None), (posted[1], None)]

    context = StepContext(TODAY, clerk.login, clerk.id)
    assert queue_mail_invoices(session, context) == {"mail_invoices_queued": 2}
    assert queue_mail_invoices(session, context) == {"mail_invoices_queued": 0}
    letters = _letters(session)
    assert [(x.kind, x.delivery, x.customer_id) for x in letters] == [
        (LetterKind.INVOICE, Delivery.MAIL, paper.id)
    ] * 2
    assert [set(_lines(session, x.id)) for x in letters] == [{posted[0]}, {posted[1]}]
    page = invoices_for_mail(session, limit=1)
    assert [(row.id, row.letter_id) for row in page] == [(posted[0], letters[0].id)]
    assert [row.id for row in invoices_for_mail(session, limit=1, after_id=page[0].id)] == [
        posted[1]
    ]
    audit = session.scalars(select(AuditLog).where(AuditLog.action == "queue_mail_invoice")).all()
    assert len(audit) == 2

    # A cancelled letter puts its invoice back in the queue; a printed invoice leaves it.
    letters[0].status = LetterStatus.CANCELLED
    session.get(Invoice, posted[1]).printed_at = datetime(2026, 11, 23, 12, tzinfo=UTC)
    session.flush()
    assert queue_mail_invoices(session, context) == {"mail_invoices_queued": 1}
    assert [row.id for row in invoices_for_mail(session)] == [posted[0]]
    with pytest.raises(ValidationError):
        invoices_for_mail(session, limit=0)


def test_concurrent_mail_runs_queue_each_invoice_once(db, session):
    clerk = make_staff(session, "clerk")
    paper = make_customer(session, delivery=Delivery.MAIL)
    for _ in range(5):
        invoice = make_invoice(session, paper, "10.00")
        invoice.delivery_by_mail = True
    session.commit()
    results = _run_in_threads(db, clerk, queue_mail_invoices, n=3)
    assert sum(r["mail_invoices_queued"] for r in results) == 5
    session.expire_all()
    assert _count(session, Letter) == 5
    assert _count(session, LetterInvoice) == 5


# --- the letters queue ------------------------------------------------------------------


def test_queued_letters_with_customer_step_count_and_total(session):
    admin, _steps = _ladder(session)
    clerk = make_staff(session, "clerk")
    customer = make_customer(session)
    make_invoice(session, customer, "100.00", days_past_due=10)
    make_invoice(session, customer, "40.00", days_past_due=12)
    make_invoice(session, customer, "60.00", days_past_due=30)
    manual_for = make_invoice(session, customer, "25.00", days_past_due=1)
    _run(session, admin)
    (manual,) = queue_manual_reminder(session, clerk, [manual_for.id], as_of=TODAY)

    letters = queued_letters(session)
    assert [(x.step_no, x.invoice_count, x.total_open, x.fee) for x in letters] == [
        (1, 2, D("140.00"), D("0.00")),
        (2, 1, D("65.00"), D("5.00")),
        (None, 1, D("25.00"), D("0.00")),
    ]
    assert letters[0].account == customer.account
    assert letters[0].step_name == "First reminder"
    assert (letters[0].queued_by, letters[2].queued_by) == ("admin", "clerk")
    assert letters[2].id == manual
    page = queued_letters(session, limit=2)
    assert [x.id for x in queued_letters(session, after_id=page[-1].id)] == [manual]
    assert queued_letters(session, kind=LetterKind.AGENCY) == []
    with pytest.raises(ValidationError):
        queued_letters(session, limit=5000)


def test_without_steps_the_run_does_nothing(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    customer = make_customer(session)
    make_invoice(session, customer, "100.00", days_past_due=400)
    assert _run(session, admin) == NOTHING
    assert _count(session, Letter) == 0


# --- inside the daily check -------------------------------------------------------------


def test_the_daily_check_judges_promises_then_duns_and_queues_mail(session):
    """One daily check: a promise broken yesterday no longer pauses dunning, a live one
    does, a handed-over invoice is the agency's, a paper invoice is queued to mail."""
    from cctui.domain.agency import AgencyDetails, create_agency, flag_for_collection, hand_over
    from cctui.domain.daily_check import run_daily_check
    from cctui.domain.workflow.promises import record_promise

    admin, _steps = _ladder(session)
    agent = make_staff(session, "agent", Role.AGENT)
    broke = make_customer(session, name="Broke Promise Ltd")
    broke_invoice = make_invoice(session, broke, "100.00", days_past_due=30)
    keeps = make_customer(session, name="Still Promising Ltd")
    kept_invoice = make_invoice(session, keeps, "100.00", days_past_due=30)
    agency_case = make_customer(session, name="With The Agency Ltd")
    handed = make_invoice(session, agency_case, "300.00", days_past_due=60)
    paper = make_customer(session, name="Paper Please Ltd", delivery=Delivery.MAIL)
    mailed = make_invoice(session, paper, "12.00")
    mailed.delivery_by_mail = True
    week_ago = TODAY - timedelta(days=7)
    record_promise(
        session, agent, customer_id=broke.id, amount="100.00",
        promised_on=TODAY - timedelta(days=1), as_of=week_ago,
    )  # fmt: skip
    record_promise(
        session, agent, customer_id=keeps.id, amount="100.00",
        promised_on=TODAY + timedelta(days=2), as_of=TODAY,
    )  # fmt: skip
    agency = create_agency(session, admin, details=AgencyDetails(name="Sterling Recoveries"))
    flag_for_collection(session, admin, [handed.id])
    hand_over(session, admin, [handed.id], agency_id=agency.id, handed_on=TODAY)

    result = run_daily_check(session, admin, run_on=TODAY)

    assert result.ran
    changed = dict(result.changed)
    assert changed["promises_broken"] == 1
    assert changed["promises_kept"] == 0
    assert changed["letters_queued"] == 1
    assert changed["invoices_dunned"] == 1
    assert changed["fees_charged"] == 1
    assert changed["mail_invoices_queued"] == 1
    assert "dunning letters queued (1)" in result.describe()
    letters = _letters(session)
    assert [(x.customer_id, x.kind) for x in letters] == [
        (broke.id, LetterKind.REMINDER),
        (paper.id, LetterKind.INVOICE),
    ]
    assert _invoice(session, broke_invoice.id).dunning_level == 2
    # The day's snapshot comes after dunning: it holds the fee charged that day.
    snapshot = session.scalar(
        select(AgingSnapshot.balance).where(
            AgingSnapshot.customer_id == broke.id, AgingSnapshot.snapshot_on == TODAY
        )
    )
    assert snapshot == D("105.00")
    assert _invoice(session, kept_invoice.id).dunning_level == 0
    assert _invoice(session, handed.id).dunning_level == 0
    assert_figures_true(session)

    again = run_daily_check(session, admin, run_on=TODAY)
    assert not again.ran
    assert _count(session, Letter) == 2
