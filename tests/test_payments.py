"""Payments: partial allocation, NSF reversal, waiving and reinstating fees and interest."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from cctui.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from cctui.domain.figures import refresh_balances
from cctui.domain.ledger import post_credit_note, record_payment, write_off_invoice
from cctui.domain.models import (
    AuditLog,
    Customer,
    Invoice,
    Payment,
    PaymentAllocation,
    Role,
)
from cctui.domain.payments import reinstate_charges, reverse_payment, waive_charges
from tests.factories import TODAY, make_customer, make_invoice, make_staff
from tests.figures_check import assert_figures_true

D = Decimal


def _fresh(session, model, row_id):
    session.expire_all()
    return session.get(model, row_id)


def _three_invoices(session):
    """A customer owing 100 (60 days late), 50 (40 days late) and 80 (due in 10 days)."""
    customer = make_customer(session, credit_limit="100000")
    first = make_invoice(session, customer, "100.00", days_past_due=60)
    second = make_invoice(session, customer, "50.00", days_past_due=40)
    third = make_invoice(session, customer, "80.00", days_past_due=-10)
    return customer, first, second, third


def _charged(session, customer, amount, *, fee="0", interest="0", open_amount=None, days=20):
    """An invoice with fees and interest charged on top of its amount."""
    invoice = make_invoice(session, customer, amount, days_past_due=days)
    invoice.fee_amount = D(fee)
    invoice.interest_amount = D(interest)
    total = D(amount) + D(fee) + D(interest)
    invoice.open_amount = total if open_amount is None else D(open_amount)
    session.flush()
    refresh_balances(session, [customer.id], TODAY)
    return invoice


def _allocations(session, payment_id):
    rows = session.execute(
        select(PaymentAllocation.invoice_id, PaymentAllocation.amount).where(
            PaymentAllocation.payment_id == payment_id
        )
    )
    return {invoice_id: amount for invoice_id, amount in rows}


# --- partial payments -------------------------------------------------------------------


def test_partial_payment_spreads_oldest_first_over_several_invoices(session):
    clerk = make_staff(session, "clerk")
    customer, first, second, third = _three_invoices(session)
    paid = record_payment(
        session, clerk, customer_id=customer.id, amount="170.00", received_on=TODAY, as_of=TODAY
    )
    assert _allocations(session, paid.id) == {
        first.id: D("100.00"),
        second.id: D("50.00"),
        third.id: D("20.00"),
    }
    assert _fresh(session, Invoice, first.id).paid_on == TODAY
    assert _fresh(session, Invoice, second.id).paid_on == TODAY
    left = _fresh(session, Invoice, third.id)
    assert (left.open_amount, left.paid_on) == (D("60.00"), None)
    fresh = _fresh(session, Customer, customer.id)
    assert (fresh.balance, fresh.overdue_balance) == (D("60.00"), D("0.00"))
    assert fresh.oldest_due_on is None
    assert_figures_true(session)


def test_partial_payment_to_chosen_invoices_in_the_order_given(session):
    clerk = make_staff(session, "clerk")
    customer, first, second, third = _three_invoices(session)
    paid = record_payment(
        session,
        clerk,
        customer_id=customer.id,
        amount="100.00",
        received_on=TODAY,
        invoice_ids=[third.id, second.id],
        as_of=TODAY,
    )
    assert _allocations(session, paid.id) == {third.id: D("80.00"), second.id: D("20.00")}
    assert _fresh(session, Invoice, first.id).open_amount == D("100.00")
    assert _fresh(session, Invoice, second.id).open_amount == D("30.00")
    fresh = _fresh(session, Customer, customer.id)
    assert (fresh.balance, fresh.overdue_balance) == (D("130.00"), D("130.00"))
    assert_figures_true(session)


def test_several_partial_payments_settle_an_invoice_bit_by_bit(session):
    clerk = make_staff(session, "clerk")
    customer, first, second, _ = _three_invoices(session)
    for amount in ("30.00", "30.00", "40.00"):
        record_payment(
            session,
            clerk,
            customer_id=customer.id,
            amount=amount,
            received_on=TODAY - timedelta(days=1),
            invoice_ids=[first.id],
            as_of=TODAY,
        )
    paid = _fresh(session, Invoice, first.id)
    assert (paid.open_amount, paid.paid_on) == (D("0.00"), TODAY - timedelta(days=1))
    with pytest.raises(NotFound):
        record_payment(
            session,
            clerk,
            customer_id=customer.id,
            amount="1.00",
            received_on=TODAY,
            invoice_ids=[first.id],
        )
    with pytest.raises(ValidationError):
        record_payment(
            session,
            clerk,
            customer_id=customer.id,
            amount="50.01",
            received_on=TODAY,
            invoice_ids=[second.id],
        )
    assert_figures_true(session)


# --- NSF reversal -----------------------------------------------------------------------


def test_nsf_reversal_reopens_exactly_what_each_allocation_paid(session):
    clerk = make_staff(session, "clerk")
    customer, first, second, third = _three_invoices(session)
    bounced = record_payment(
        session, clerk, customer_id=customer.id, amount="170.00", received_on=TODAY, as_of=TODAY
    )
    record_payment(
        session, clerk, customer_id=customer.id, amount="30.00", received_on=TODAY, as_of=TODAY
    )
    assert _fresh(session, Invoice, third.id).open_amount == D("30.00")

    result = reverse_payment(session, clerk, bounced.id, reason="Cheque bounced", as_of=TODAY)

    assert result.reopened == (
        (first.id, D("100.00")),
        (second.id, D("50.00")),
        (third.id, D("20.00")),
    )
    assert (result.nsf_fee, result.fee_invoice_id) == (D("0.00"), None)
    opens = {
        invoice.id: (invoice.open_amount, invoice.paid_on)
        for invoice in (_fresh(session, Invoice, i.id) for i in (first, second, third))
    }
    assert opens == {
        first.id: (D("100.00"), None),
        second.id: (D("50.00"), None),
        third.id: (D("50.00"), None),
    }
    payment = _fresh(session, Payment, bounced.id)
    assert payment.reversed_at is not None
    assert payment.reversal_reason == "Cheque bounced"
    assert payment.nsf_fee == D("0.00")
    fresh = _fresh(session, Customer, customer.id)
    assert (fresh.balance, fresh.overdue_balance) == (D("200.00"), D("150.00"))
    assert fresh.oldest_due_on == first.due_on
    row = session.scalars(select(AuditLog).where(AuditLog.action == "reverse_payment")).one()
    assert row.entity_id == str(bounced.id)
    assert row.after["reopened"] == {
        str(first.id): "100.00",
        str(second.id): "50.00",
        str(third.id): "20.00",
    }
    assert row.before["invoices"][str(first.id)] == {"open_amount": "0.00", "paid_on": "2026-11-23"}
    assert_figures_true(session)


def test_nsf_fee_goes_onto_the_oldest_reopened_invoice(session):
    clerk = make_staff(session, "clerk")
    customer, first, second, third = _three_invoices(session)
    bounced = record_payment(
        session,
        clerk,
        customer_id=customer.id,
        amount="90.00",
        received_on=TODAY,
        invoice_ids=[third.id, second.id],
        as_of=TODAY,
    )
    result = reverse_payment(session, clerk, bounced.id, reason="NSF", nsf_fee="25.00", as_of=TODAY)
    assert result.fee_invoice_id == second.id  # the oldest of the two it paid
    charged = _fresh(session, Invoice, second.id)
    assert (charged.fee_amount, charged.open_amount) == (D("25.00"), D("75.00"))
    assert _fresh(session, Invoice, third.id).open_amount == D("80.00")
    assert _fresh(session, Invoice, first.id).fee_amount == D("0.00")
    assert _fresh(session, Payment, bounced.id).nsf_fee == D("25.00")
    assert _fresh(session, Customer, customer.id).balance == D("255.00")
    assert_figures_true(session)


def test_a_reversed_payment_cannot_be_reversed_again(session):
    clerk = make_staff(session, "clerk")
    customer, *_ = _three_invoices(session)
    paid = record_payment(
        session, clerk, customer_id=customer.id, amount="10.00", received_on=TODAY, as_of=TODAY
    )
    reverse_payment(session, clerk, paid.id, reason="Bounced", as_of=TODAY)
    with pytest.raises(ConflictError, match="already reversed"):
        reverse_payment(session, clerk, paid.id, reason="Bounced again", nsf_fee="5", as_of=TODAY)
    assert _fresh(session, Customer, customer.id).balance == D("230.00")
    assert_figures_true(session)


def test_reversal_refusals(session):
    clerk = make_staff(session, "clerk")
    agent = make_staff(session, "agent", Role.AGENT)
    customer, *_ = _three_invoices(session)
    paid = record_payment(
        session, clerk, customer_id=customer.id, amount="10.00", received_on=TODAY, as_of=TODAY
    )
    with pytest.raises(PermissionDenied):
        reverse_payment(session, agent, paid.id, reason="Bounced")
    with pytest.raises(ValidationError):
        reverse_payment(session, clerk, paid.id, reason="  ")
    with pytest.raises(ValidationError):
        reverse_payment(session, clerk, paid.id, reason="Bounced", nsf_fee="-1")
    with pytest.raises(NotFound):
        reverse_payment(session, clerk, 999_999, reason="Bounced")
    assert _fresh(session, Payment, paid.id).reversed_at is None


def test_reversal_after_a_write_off_reopens_only_what_was_paid(session):
    clerk = make_staff(session, "clerk")
    customer = make_customer(session, credit_limit="100000")
    invoice = make_invoice(session, customer, "100.00", days_past_due=90)
    paid = record_payment(
        session, clerk, customer_id=customer.id, amount="60.00", received_on=TODAY, as_of=TODAY
    )
    write_off_invoice(session, clerk, invoice_id=invoice.id, reason="Small rest", as_of=TODAY)
    reverse_payment(session, clerk, paid.id, reason="Bounced", nsf_fee="40.00", as_of=TODAY)
    fresh = _fresh(session, Invoice, invoice.id)
    assert (fresh.open_amount, fresh.written_off_amount, fresh.fee_amount) == (
        D("100.00"),
        D("40.00"),
        D("40.00"),
    )
    assert_figures_true(session)


# --- waive and reinstate ----------------------------------------------------------------


def test_waive_and_reinstate_round_trip(session):
    clerk = make_staff(session, "clerk")
    customer = make_customer(session, credit_limit="100000")
    invoice = _charged(session, customer, "100.00", fee="15.00", interest="5.00")
    assert _fresh(session, Customer, customer.id).balance == D("120.00")

    waived = waive_charges(session, clerk, invoice.id, reason="Goodwill", as_of=TODAY)
    assert (waived.fee, waived.interest, waived.open_amount) == (
        D("15.00"),
        D("5.00"),
        D("100.00"),
    )
    fresh = _fresh(session, Invoice, invoice.id)
    assert (fresh.fee_amount, fresh.interest_amount) == (D("0.00"), D("0.00"))
    assert (fresh.waived_fee_amount, fresh.waived_interest_amount) == (D("15.00"), D("5.00"))
    assert _fresh(session, Customer, customer.id).balance == D("100.00")
    assert_figures_true(session)

    back = reinstate_charges(session, clerk, invoice.id, reason="Goodwill withdrawn", as_of=TODAY)
    assert (back.fee, back.interest, back.open_amount) == (D("15.00"), D("5.00"), D("120.00"))
    fresh = _fresh(session, Invoice, invoice.id)
    assert (fresh.fee_amount, fresh.interest_amount, fresh.open_amount) == (
        D("15.00"),
        D("5.00"),
        D("120.00"),
    )
    assert (fresh.waived_fee_amount, fresh.waived_interest_amount) == (D("0.00"), D("0.00"))
    assert _fresh(session, Customer, customer.id).overdue_balance == D("120.00")
    actions = session.scalars(
        select(AuditLog.action).where(AuditLog.entity == "invoice").order_by(AuditLog.id)
    ).all()
    assert actions == ["waive_charges", "reinstate_charges"]
    assert_figures_true(session)


def test_waive_fees_only_then_interest_only(session):
    clerk = make_staff(session, "clerk")
    customer = make_customer(session, credit_limit="100000")
    invoice = _charged(session, customer, "100.00", fee="15.00", interest="5.00")
    fees = waive_charges(session, clerk, invoice.id, interest=False, reason="Fee in error")
    assert (fees.fee, fees.interest, fees.open_amount) == (D("15.00"), D("0.00"), D("105.00"))
    interest = waive_charges(session, clerk, invoice.id, fees=False, reason="Rate in error")
    assert (interest.fee, interest.interest, interest.open_amount) == (
        D("0.00"),
        D("5.00"),
        D("100.00"),
    )
    with pytest.raises(ConflictError, match="no unpaid fees or interest"):
        waive_charges(session, clerk, invoice.id, reason="Again")
    back = reinstate_charges(session, clerk, invoice.id, interest=False, reason="Fee was right")
    assert (back.fee, back.open_amount) == (D("15.00"), D("115.00"))
    assert _fresh(session, Invoice, invoice.id).waived_interest_amount == D("5.00")
    assert_figures_true(session)


def test_waive_only_the_unpaid_part_of_a_partly_paid_fee(session):
    clerk = make_staff(session, "clerk")
    customer = make_customer(session, credit_limit="100000")
    invoice = _charged(session, customer, "100.00", fee="10.00", interest="3.00")
    record_payment(
        session,
        clerk,
        customer_id=customer.id,
        amount="107.00",
        received_on=TODAY - timedelta(days=2),
        as_of=TODAY,
    )
    # 6.00 open: taken as charges (fee first); 4.00 of the fee and all interest were paid.
    result = waive_charges(session, clerk, invoice.id, reason="Settle the rest", as_of=TODAY)
    assert (result.fee, result.interest, result.open_amount) == (
        D("6.00"),
        D("0.00"),
        D("0.00"),
    )
    fresh = _fresh(session, Invoice, invoice.id)
    assert (fresh.fee_amount, fresh.waived_fee_amount) == (D("4.00"), D("6.00"))
    assert (fresh.interest_amount, fresh.waived_interest_amount) == (D("3.00"), D("0.00"))
    assert fresh.paid_on == TODAY - timedelta(days=2)  # the customer's last payment to it
    assert _fresh(session, Customer, customer.id).balance == D("0.00")
    assert_figures_true(session)

    back = reinstate_charges(session, clerk, invoice.id, reason="Customer must pay", as_of=TODAY)
    assert (back.fee, back.open_amount) == (D("6.00"), D("6.00"))
    fresh = _fresh(session, Invoice, invoice.id)
    assert (fresh.fee_amount, fresh.open_amount, fresh.paid_on) == (D("10.00"), D("6.00"), None)
    assert_figures_true(session)


def test_waiver_refusals(session):
    clerk = make_staff(session, "clerk")
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session, credit_limit="100000")
    plain = make_invoice(session, customer, "100.00", days_past_due=5)
    charged = _charged(session, customer, "50.00", fee="5.00")
    with pytest.raises(PermissionDenied):
        waive_charges(session, agent, charged.id, reason="Goodwill")
    with pytest.raises(PermissionDenied):
        reinstate_charges(session, agent, charged.id, reason="Goodwill")
    with pytest.raises(ValidationError):
        waive_charges(session, clerk, charged.id, reason="")
    with pytest.raises(ValidationError):
        waive_charges(session, clerk, charged.id, fees=False, interest=False, reason="x")
    with pytest.raises(ConflictError):
        waive_charges(session, clerk, plain.id, reason="Nothing charged")
    with pytest.raises(ConflictError, match="no waived"):
        reinstate_charges(session, clerk, charged.id, reason="Nothing waived")
    with pytest.raises(NotFound):
        waive_charges(session, clerk, 999_999, reason="Missing")
    note = post_credit_note(
        session,
        clerk,
        customer_id=customer.id,
        number="CN-1",
        amount="10.00",
        issued_on=TODAY,
        invoice_ids=[plain.id],
        as_of=TODAY,
    )
    with pytest.raises(ConflictError, match="credit note"):
        waive_charges(session, clerk, note.id, reason="Credit note")
    assert _fresh(session, Invoice, charged.id).open_amount == D("55.00")
    assert_figures_true(session)
