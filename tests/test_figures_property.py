"""Maintained figures equal the truth after any sequence of postings (hypothesis).

Each example builds its book in a fresh transaction on the test's database and rolls it
back, so examples never see each other's rows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cctui.domain.ledger import post_credit_note, post_invoice, record_payment, write_off_invoice
from cctui.domain.models import Customer, Invoice, InvoiceKind, Role
from cctui.domain.recalc import recalculate_figures
from tests.factories import TODAY, make_customer, make_staff

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Op:
    """One posting: what, to which customer, how much (cents or a share), and when."""

    kind: str
    customer: int
    cents: int
    share: float
    days_ago: int
    terms: int


ops = st.lists(
    st.builds(
        Op,
        kind=st.sampled_from(["invoice", "invoice", "payment", "credit_note", "write_off"]),
        customer=st.integers(0, 2),
        cents=st.integers(1, 500_000),
        share=st.floats(0.01, 1.0),
        days_ago=st.integers(0, 200),
        terms=st.integers(0, 60),
    ),
    min_size=1,
    max_size=14,
)


def _open_total(session, customer_id: int) -> Decimal:
    """What the customer's invoices hold open now."""
    amounts = session.scalars(
        select(Invoice.open_amount).where(
            Invoice.customer_id == customer_id, Invoice.open_amount > 0
        )
    ).all()
    return sum(amounts, Decimal(0))


def _part(total: Decimal, share: float) -> Decimal:
    """A share of ``total`` in cents, at least one cent and at most ``total``."""
    part = (total * Decimal(str(share))).quantize(CENT)
    return min(max(part, CENT), total)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=ops, n_customers=st.integers(2, 3))
def test_maintained_figures_equal_the_truth_after_random_postings(db, sequence, n_customers):
    numbers = itertools.count(1)
    with db.sessionmaker() as session:
        try:
            clerk = make_staff(session, "clerk", Role.CONTROLLER)
            boss = make_staff(session, "boss", Role.SUPERVISOR)
            customers = [make_customer(session, credit_limit="1000000") for _ in range(n_customers)]
            expected = {customer.id: Decimal(0) for customer in customers}

            for op in sequence:
                customer = customers[op.customer % n_customers]
                on = TODAY - timedelta(days=op.days_ago)
                if op.kind == "invoice":
                    amount = Decimal(op.cents) / 100
                    post_invoice(
                        session,
                        clerk,
                        customer_id=customer.id,
                        number=f"I-{next(numbers)}",
                        amount=amount,
                        issued_on=on,
                        due_on=on + timedelta(days=op.terms),
                        as_of=TODAY,
                    )
                    expected[customer.id] += amount
                    continue
                open_total = _open_total(session, customer.id)
                if open_total == 0:
                    continue
                if op.kind == "payment":
                    amount = _part(open_total, op.share)
                    record_payment(
                        session,
                        clerk,
                        customer_id=customer.id,
                        amount=amount,
                        received_on=on,
                        as_of=TODAY,
                    )
                elif op.kind == "credit_note":
                    amount = _part(open_total, op.share)
                    post_credit_note(
                        session,
                        clerk,
                        customer_id=customer.id,
                        number=f"C-{next(numbers)}",
                        amount=amount,
                        issued_on=on,
                        as_of=TODAY,
                    )
                else:
                    victims = session.scalars(
                        select(Invoice)
                        .where(Invoice.customer_id == customer.id, Invoice.open_amount > 0)
                        .order_by(Invoice.id)
                    ).all()
                    victim = victims[op.cents % len(victims)]
                    amount = victim.open_amount
                    write_off_invoice(
                        session, clerk, invoice_id=victim.id, reason="Hopeless", as_of=TODAY
                    )
                expected[customer.id] -= amount

            report = recalculate_figures(session, boss, all_customers=True, as_of=TODAY)
            assert report.corrected == ()
            assert report.checked == n_customers

            for customer in customers:
                session.refresh(customer)
                invoices = session.scalars(
                    select(Invoice).where(Invoice.customer_id == customer.id)
                ).all()
                open_invoices = [
                    invoice
                    for invoice in invoices
                    if invoice.kind == InvoiceKind.INVOICE and invoice.open_amount > 0
                ]
                overdue = [invoice for invoice in open_invoices if invoice.due_on < TODAY]
                assert customer.balance == sum(
                    (invoice.open_amount for invoice in open_invoices), Decimal(0)
                )
                assert customer.balance == expected[customer.id]
                assert customer.overdue_balance == sum(
                    (invoice.open_amount for invoice in overdue), Decimal(0)
                )
                assert customer.oldest_due_on == min(
                    (invoice.due_on for invoice in overdue), default=None
                )
                notes = [item for item in invoices if item.kind == InvoiceKind.CREDIT_NOTE]
                assert all(note.open_amount == 0 for note in notes)
        finally:
            session.rollback()
    with db.session() as check:
        assert check.scalar(select(Customer.id).limit(1)) is None
