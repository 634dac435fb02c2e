"""No lost update: postings to one customer from many connections at once keep it exact.

Each round starts several threads at one barrier; each posts an invoice or a payment to
the SAME customer in its own session and commits. After every round the customer's
maintained balance must equal the sum of its invoices' open amounts (a lost update shows
as a balance computed from a snapshot that missed another thread's posting).
"""

from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import func, select

from cctui.db.engine import Database
from cctui.domain.identity import StaffIdentity
from cctui.domain.ledger import post_invoice, record_payment
from cctui.domain.models import Customer, Invoice, Payment, Role
from tests.factories import TODAY, make_customer, make_invoice, make_staff

THREADS = 6
ROUNDS = 8
INVOICE = Decimal("100.00")
PAYMENT = Decimal("30.00")


def _post(db: Database, clerk: StaffIdentity, customer_id: int, worker: int, round_: int) -> None:
    """Even workers post an invoice, odd ones record a payment; then commit."""
    with db.session() as session:
        if worker % 2 == 0:
            post_invoice(
                session,
                clerk,
                customer_id=customer_id,
                number=f"W{worker}-{round_}",
                amount=INVOICE,
                issued_on=TODAY,
                as_of=TODAY,
            )
        else:
            record_payment(
                session,
                clerk,
                customer_id=customer_id,
                amount=PAYMENT,
                received_on=TODAY,
                as_of=TODAY,
            )


def _run_round(db: Database, clerk: StaffIdentity, customer_id: int, round_: int) -> None:
    """Start every worker at once and wait for all of them; re-raise the first error."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            barrier.wait(timeout=30)
            _post(db, clerk, customer_id, worker, round_)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    if errors:
        raise errors[0]


def _assert_exact(db: Database, customer_id: int, round_: int) -> None:
    """The maintained balance and overdue balance equal the sums over the invoices."""
    with db.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        open_total, overdue_total = session.execute(
            select(
                func.coalesce(func.sum(Invoice.open_amount), 0),
                func.coalesce(func.sum(Invoice.open_amount).filter(Invoice.due_on < TODAY), 0),
            ).where(Invoice.customer_id == customer_id)
        ).one()
        assert (customer.balance, customer.overdue_balance) == (open_total, overdue_total), (
            f"lost update in round {round_}"
        )


def test_concurrent_invoices_and_payments_to_one_customer_lose_nothing(db: Database) -> None:
    with db.session() as session:
        clerk = make_staff(session, "clerk", Role.CONTROLLER)
        customer = make_customer(session, credit_limit="1000000")
        make_invoice(session, customer, "10000.00", days_past_due=10)
        customer_id = customer.id

    for round_ in range(ROUNDS):
        _run_round(db, clerk, customer_id, round_)
        _assert_exact(db, customer_id, round_)

    posted = THREADS // 2 * ROUNDS
    paid = (THREADS - THREADS // 2) * ROUNDS
    with db.session() as session:
        invoices = session.scalar(select(func.count()).where(Invoice.customer_id == customer_id))
        payments = session.scalar(select(func.count()).where(Payment.customer_id == customer_id))
        balance = session.scalar(select(Customer.balance).where(Customer.id == customer_id))
    assert (invoices, payments) == (1 + posted, paid)
    assert balance == Decimal("10000.00") + posted * INVOICE - paid * PAYMENT
