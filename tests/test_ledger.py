"""Postings keep the maintained customer figures exact and raise limit events at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from cctui.domain.errors import ConflictError, PermissionDenied, ValidationError
from cctui.domain.ledger import post_credit_note, post_invoice, record_payment, write_off_invoice
from cctui.domain.models import AuditLog, CreditAction, CreditEvent, Invoice, Role
from tests.factories import TODAY, make_customer, make_invoice, make_policy, make_staff


def test_invoice_payment_and_write_off_keep_balances_exact(session):
    clerk = make_staff(session, "clerk")
    customer = make_customer(session, policy=make_policy(session), credit_limit="100000")
    old = post_invoice(
        session,
        clerk,
        customer_id=customer.id,
        number="A-1",
        amount="100.00",
        issued_on=TODAY - timedelta(days=60),
        as_of=TODAY,
    )
    post_invoice(
        session,
        clerk,
        customer_id=customer.id,
        number="A-2",
        amount="50.00",
        issued_on=TODAY,
        as_of=TODAY,
    )
    session.refresh(customer)
    assert customer.balance == Decimal("150.00")
    assert customer.overdue_balance == Decimal("100.00")
    assert customer.oldest_due_on == TODAY - timedelta(days=30)

    record_payment(
        session, clerk, customer_id=customer.id, amount="120", received_on=TODAY, as_of=TODAY
    )
    session.refresh(customer)
    assert customer.balance == Decimal("30.00")
    assert customer.overdue_balance == Decimal("0.00")
    assert session.get(Invoice, old.id).paid_on == TODAY

    remaining = session.scalar(select(Invoice).where(Invoice.number == "A-2"))
    write_off_invoice(session, clerk, invoice_id=remaining.id, reason="Small balance", as_of=TODAY)
    session.refresh(customer)
    assert customer.balance == Decimal("0.00")
    assert customer.figures_changed
    actions = session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["post_invoice", "post_invoice", "record_payment", "write_off_invoice"]


def test_new_invoice_over_the_limit_raises_the_policy_action(session):
    clerk = make_staff(session, "clerk")
    customer = make_customer(session, policy=make_policy(session), credit_limit="1000")
    posted = post_invoice(
        session,
        clerk,
        customer_id=customer.id,
        number="B-1",
        amount="1050.00",
        issued_on=TODAY,
        as_of=TODAY,
    )
    assert posted.action_change is not None
    session.refresh(customer)
    assert customer.credit_action == CreditAction.REMIND
    assert customer.credit_action_event == CreditEvent.LIMIT_EXCEEDED
    post_invoice(
        session,
        clerk,
        customer_id=customer.id,
        number="B-2",
        amount="100.00",
        issued_on=TODAY,
        as_of=TODAY,
    )
    session.refresh(customer)
    assert customer.credit_action == CreditAction.PASSWORD
    assert customer.credit_action_event == CreditEvent.LIMIT_EXCEEDED_PERCENT


def test_manual_customer_is_never_changed_by_a_limit_event(session):
    clerk = make_staff(session, "clerk")
    customer = make_customer(session, credit_limit="10")
    post_invoice(
        session,
        clerk,
        customer_id=customer.id,
        number="C-1",
        amount="5000",
        issued_on=TODAY,
        as_of=TODAY,
    )
    session.refresh(customer)
    assert customer.credit_action == CreditAction.OK


def test_overpayment_duplicate_numbers_and_bad_amounts_are_refused(session):
    clerk = make_staff(session, "clerk")
    customer = make_customer(session)
    make_invoice(session, customer, "10.00")
    with pytest.raises(ValidationError, match=r"more than the 10\.00 open"):
        record_payment(session, clerk, customer_id=customer.id, amount="10.01", received_on=TODAY)
    with pytest.raises(ValidationError, match="not a number"):
        record_payment(session, clerk, customer_id=customer.id, amount="1O", received_on=TODAY)
    with pytest.raises(ValidationError, match="two decimal places"):
        record_payment(session, clerk, customer_id=customer.id, amount="1.001", received_on=TODAY)
    post_invoice(session, clerk, customer_id=customer.id, number="D-1", amount="1", issued_on=TODAY)
    with pytest.raises(ConflictError, match="already exists"):
        post_invoice(
            session, clerk, customer_id=customer.id, number="D-1", amount="1", issued_on=TODAY
        )


def test_credit_note_lowers_the_chosen_invoice_and_is_closed(session):
    clerk = make_staff(session, "clerk")
    customer = make_customer(session)
    first = make_invoice(session, customer, "100.00", days_past_due=10)
    second = make_invoice(session, customer, "80.00", days_past_due=5)
    post_credit_note(
        session,
        clerk,
        customer_id=customer.id,
        number="CN-1",
        amount="30.00",
        issued_on=TODAY,
        invoice_ids=[second.id],
        as_of=TODAY,
    )
    session.refresh(first)
    session.refresh(second)
    session.refresh(customer)
    assert (first.open_amount, second.open_amount) == (Decimal("100.00"), Decimal("50.00"))
    assert customer.balance == Decimal("150.00")


def test_an_agent_may_not_post(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session)
    with pytest.raises(PermissionDenied, match="Only a controller or above may post invoices"):
        post_invoice(
            session, agent, customer_id=customer.id, number="E-1", amount="1", issued_on=TODAY
        )
