"""Promises to pay: recording, cancelling, next promise date, and the daily evaluation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from cctui.domain.daily_check_steps import StepContext
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.ledger import record_payment
from cctui.domain.models import CallOutcome, Customer, Promise, PromiseStatus, Role
from cctui.domain.workflow.calls import end_call, start_call
from cctui.domain.workflow.promises import (
    cancel_promise,
    customer_promises,
    evaluate_promises,
    record_promise,
)
from tests.factories import TODAY, make_customer, make_invoice, make_staff
from tests.figures_check import assert_figures_true
from tests.workflow_support import audit_count, audit_rows

MADE_AT = "2026-11-23 12:00+00"
"""When the promises of the evaluation tests were made (the same date in every zone near)."""


def _next_promise(session, customer: Customer) -> date | None:
    session.expire_all()
    return session.get(Customer, customer.id).next_promise_on


def _made_today(session, *promise_ids: int) -> None:
    """Pin the promises' creation time to TODAY, whatever the clock says."""
    session.execute(
        text("UPDATE promise SET created_at = :at WHERE id = ANY(:ids)"),
        {"at": MADE_AT, "ids": list(promise_ids)},
    )
    session.expire_all()


def _evaluate(session, staff, day: date) -> dict[str, int]:
    return dict(evaluate_promises(session, StepContext(day, staff.login, staff.id)))


def _status(session, promise_id: int) -> tuple[PromiseStatus, date | None]:
    session.expire_all()
    promise = session.get(Promise, promise_id)
    return promise.status, promise.evaluated_on


def _pay(session, clerk, customer, amount: str, on: date, invoice_ids=None):
    return record_payment(
        session,
        clerk,
        customer_id=customer.id,
        amount=amount,
        received_on=on,
        invoice_ids=invoice_ids,
        as_of=TODAY,
    )


def test_record_list_and_cancel_promises(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session, currency="CHF")
    first = make_invoice(session, customer, "300.00", days_past_due=20)
    second = make_invoice(session, customer, "200.00", days_past_due=5)
    call = start_call(session, agent, customer.id)
    end_call(session, agent, call, outcome=CallOutcome.CONTACTED)

    late = record_promise(
        session,
        agent,
        customer_id=customer.id,
        amount="500",
        promised_on=TODAY + timedelta(days=10),
        invoice_ids=[second.id, first.id],
        contact_id=call,
        as_of=TODAY,
    )
    assert _next_promise(session, customer) == TODAY + timedelta(days=10)
    soon = record_promise(
        session,
        agent,
        customer_id=customer.id,
        amount=Decimal("50.00"),
        promised_on=TODAY,
        as_of=TODAY,
    )
    assert _next_promise(session, customer) == TODAY

    views = customer_promises(session, customer.id)
    assert [v.id for v in views] == [late, soon]
    assert views[0].amount == Decimal("500.00") and views[0].currency == "CHF"
    assert views[0].invoice_numbers == (first.number, second.number)  # by due date
    assert views[0].contact_id == call and views[0].recorded_by == "agent"
    assert views[1].invoice_ids == () and views[1].status == PromiseStatus.OPEN

    cancel_promise(session, agent, soon, reason="Paid by card instead", as_of=TODAY)
    assert _status(session, soon) == (PromiseStatus.CANCELLED, TODAY)
    assert _next_promise(session, customer) == TODAY + timedelta(days=10)
    with pytest.raises(ConflictError, match="already cancelled"):
        cancel_promise(session, agent, soon, as_of=TODAY)
    assert [v.id for v in customer_promises(session, customer.id, open_only=True)] == [late]
    cancel_promise(session, agent, late, as_of=TODAY)
    assert _next_promise(session, customer) is None

    recorded = audit_rows(session, "record_promise")
    assert [row.actor for row in recorded] == ["agent", "agent"]
    assert recorded[0].after["invoices"] == [second.number, first.number]
    assert recorded[0].after["amount"] == "500.00"
    cancelled = audit_rows(session, "cancel_promise")
    assert cancelled[0].after == {"status": "cancelled", "reason": "Paid by card instead"}
    assert_figures_true(session)


def test_promise_rules(session):
    agent = make_staff(session, "agent", Role.AGENT)
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    stranger = make_customer(session)
    mine = make_invoice(session, customer, "100.00", days_past_due=3)
    paid = make_invoice(session, customer, "40.00", days_past_due=9)
    _pay(session, clerk, customer, "40.00", TODAY, [paid.id])
    theirs = make_invoice(session, stranger, "80.00")
    their_call = start_call(session, agent, stranger.id)

    def promise(**overrides):
        values = {
            "customer_id": customer.id,
            "amount": "10.00",
            "promised_on": TODAY,
            "as_of": TODAY,
        }
        values.update(overrides)
        return record_promise(session, agent, **values)

    with pytest.raises(ValidationError, match="more than zero"):
        promise(amount="0")
    with pytest.raises(ValidationError, match="more than two decimal places"):
        promise(amount="1.005")
    with pytest.raises(ValidationError, match="today \\(2026-11-23\\) or later"):
        promise(promised_on=TODAY - timedelta(days=1))
    with pytest.raises(NotFound, match=f"not open invoices of {customer.account}: {theirs.id}"):
        promise(invoice_ids=[mine.id, theirs.id])
    with pytest.raises(NotFound, match=f"not open invoices of {customer.account}: {paid.id}"):
        promise(invoice_ids=[paid.id])
    with pytest.raises(NotFound, match="no call"):
        promise(contact_id=their_call)
    with pytest.raises(NotFound, match="no customer"):
        promise(customer_id=999_999)
    with pytest.raises(NotFound, match="no promise"):
        cancel_promise(session, agent, 999_999)
    assert customer_promises(session, customer.id) == []
    assert audit_rows(session, "record_promise") == []


def test_kept_by_payments_received_by_the_date(session):
    agent = make_staff(session, "agent", Role.AGENT)
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    make_invoice(session, customer, "1000.00", days_past_due=30)
    due = TODAY + timedelta(days=5)
    promise_id = record_promise(
        session, agent, customer_id=customer.id, amount="100", promised_on=due, as_of=TODAY
    )
    _made_today(session, promise_id)
    _pay(session, clerk, customer, "60.00", TODAY)  # the day it was made counts
    _pay(session, clerk, customer, "40.00", due)  # and the promised day itself

    # Not judged on its own date: the customer has until the end of it.
    assert _evaluate(session, clerk, due) == {"promises_kept": 0, "promises_broken": 0}
    assert _status(session, promise_id) == (PromiseStatus.OPEN, None)

    day_after = due + timedelta(days=1)
    assert _evaluate(session, clerk, day_after) == {"promises_kept": 1, "promises_broken": 0}
    assert _status(session, promise_id) == (PromiseStatus.KEPT, day_after)
    assert _next_promise(session, customer) is None
    (row,) = audit_rows(session, "evaluate_promise")
    assert row.actor == "clerk" and row.staff_id == clerk.id
    assert row.entity == "promise" and row.entity_id == str(promise_id)
    assert row.before == {"status": "open"}
    assert row.after == {"status": "kept", "paid": "100.00", "evaluated_on": day_after.isoformat()}
    assert_figures_true(session)


def test_broken_when_payments_fall_short_or_outside_the_window(session):
    agent = make_staff(session, "agent", Role.AGENT)
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    make_invoice(session, customer, "1000.00", days_past_due=30)
    due = TODAY + timedelta(days=5)
    short = record_promise(
        session, agent, customer_id=customer.id, amount="100", promised_on=due, as_of=TODAY
    )
    _made_today(session, short)
    _pay(session, clerk, customer, "20.00", TODAY - timedelta(days=1))  # before it was made
    _pay(session, clerk, customer, "99.99", due)
    _pay(session, clerk, customer, "50.00", due + timedelta(days=1))  # too late

    run_on = due + timedelta(days=2)
    assert _evaluate(session, clerk, run_on) == {"promises_kept": 0, "promises_broken": 1}
    assert _status(session, short) == (PromiseStatus.BROKEN, run_on)
    (row,) = audit_rows(session, "evaluate_promise")
    assert row.after["status"] == "broken" and row.after["paid"] == "99.99"
    assert_figures_true(session)


def test_a_reversed_payment_does_not_keep_a_promise(session):
    agent = make_staff(session, "agent", Role.AGENT)
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    make_invoice(session, customer, "500.00", days_past_due=30)
    promise_id = record_promise(
        session, agent, customer_id=customer.id, amount="100", promised_on=TODAY, as_of=TODAY
    )
    _made_today(session, promise_id)
    bounced = _pay(session, clerk, customer, "100.00", TODAY)
    session.execute(
        text("UPDATE payment SET reversed_at = now(), reversal_reason = 'NSF' WHERE id = :id"),
        {"id": bounced.id},
    )
    assert _evaluate(session, clerk, TODAY + timedelta(days=1))["promises_broken"] == 1


def test_kept_when_all_its_invoices_are_paid(session):
    agent = make_staff(session, "agent", Role.AGENT)
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    first = make_invoice(session, customer, "30.00", days_past_due=40)
    second = make_invoice(session, customer, "20.00", days_past_due=10)
    other = make_invoice(session, customer, "900.00", days_past_due=10)
    covered = record_promise(
        session,
        agent,
        customer_id=customer.id,
        amount="500",
        promised_on=TODAY + timedelta(days=2),
        invoice_ids=[first.id, second.id],
        as_of=TODAY,
    )
    half = record_promise(
        session,
        agent,
        customer_id=customer.id,
        amount="950",
        promised_on=TODAY + timedelta(days=2),
        invoice_ids=[first.id, other.id],
        as_of=TODAY,
    )
    _made_today(session, covered, half)
    # 50.00 paid: far below either amount, but every invoice of the first promise is paid.
    _pay(session, clerk, customer, "50.00", TODAY + timedelta(days=1), [first.id, second.id])

    run_on = TODAY + timedelta(days=3)
    assert _evaluate(session, clerk, run_on) == {"promises_kept": 1, "promises_broken": 1}
    assert _status(session, covered) == (PromiseStatus.KEPT, run_on)
    assert _status(session, half) == (PromiseStatus.BROKEN, run_on)
    assert_figures_true(session)


def test_evaluation_moves_next_promise_dates_and_repeating_it_changes_nothing(session):
    agent = make_staff(session, "agent", Role.AGENT)
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    payer, debtor, patient = (make_customer(session) for _ in range(3))
    for customer in (payer, debtor, patient):
        make_invoice(session, customer, "100.00", days_past_due=15)
    ids = [
        record_promise(
            session, agent, customer_id=c.id, amount="100", promised_on=TODAY, as_of=TODAY
        )
        for c in (payer, debtor)
    ]
    later = record_promise(
        session,
        agent,
        customer_id=debtor.id,
        amount="10",
        promised_on=TODAY + timedelta(days=9),
        as_of=TODAY,
    )
    waiting = record_promise(
        session,
        agent,
        customer_id=patient.id,
        amount="10",
        promised_on=TODAY + timedelta(days=1),
        as_of=TODAY,
    )
    _made_today(session, *ids, later, waiting)
    _pay(session, clerk, payer, "100.00", TODAY)
    assert _next_promise(session, debtor) == TODAY

    run_on = TODAY + timedelta(days=1)
    assert _evaluate(session, clerk, run_on) == {"promises_kept": 1, "promises_broken": 1}
    assert _next_promise(session, payer) is None
    assert _next_promise(session, debtor) == TODAY + timedelta(days=9)
    assert _next_promise(session, patient) == TODAY + timedelta(days=1)  # due today: open
    assert _status(session, waiting) == (PromiseStatus.OPEN, None)

    rows_before = audit_count(session)
    versions = {c.id: c.version for c in session.query(Customer)}
    assert _evaluate(session, clerk, run_on) == {"promises_kept": 0, "promises_broken": 0}
    assert audit_count(session) == rows_before
    assert {c.id: c.version for c in session.query(Customer)} == versions
    assert_figures_true(session)


def test_closed_promises_are_never_judged_again(session):
    agent = make_staff(session, "agent", Role.AGENT)
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    make_invoice(session, customer, "100.00", days_past_due=15)
    promise_id = record_promise(
        session, agent, customer_id=customer.id, amount="100", promised_on=TODAY, as_of=TODAY
    )
    cancel_promise(session, agent, promise_id, as_of=TODAY)
    assert _evaluate(session, clerk, TODAY + timedelta(days=5)) == {
        "promises_kept": 0,
        "promises_broken": 0,
    }
    assert _status(session, promise_id) == (PromiseStatus.CANCELLED, TODAY)
    with pytest.raises(ConflictError, match="already cancelled"):
        cancel_promise(session, agent, promise_id)
