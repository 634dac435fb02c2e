"""``cctui import payments``: allocated exactly as the ledger's record_payment allocates,
known payments left alone, bad values named, figures exact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from cctui.domain.importing import ImportRefused, run_import
from cctui.domain.ledger import record_payment
from cctui.domain.models import Invoice, Payment, PaymentAllocation
from tests.factories import TODAY, make_customer, make_invoice
from tests.figures_check import assert_figures_true
from tests.import_support import count, import_audits, importer, write_csv

HEADER = "account,reference,received_on,amount,currency,method,invoice"


@pytest.fixture
def book(session):
    """Two customers with three and two open invoices of different ages."""
    first = make_customer(session, account="C001")
    second = make_customer(session, account="C002")
    invoices = {
        "A": make_invoice(session, first, "100.00", days_past_due=90),
        "B": make_invoice(session, first, "250.00", days_past_due=30),
        "C": make_invoice(session, first, "75.50", days_past_due=5),
        "D": make_invoice(session, second, "500.00", days_past_due=60),
        "E": make_invoice(session, second, "40.00", days_past_due=10),
    }
    session.commit()
    return {"customers": {"C001": first.id, "C002": second.id}, "invoices": invoices}


def _file(tmp_path, book):
    numbers = {key: invoice.number for key, invoice in book["invoices"].items()}
    return write_csv(
        tmp_path / "payments.csv",
        HEADER,
        "C001,P1,2026-11-01,150.00,EUR,transfer,",
        f"C001,P2,2026-11-02,60.00,,cheque,{numbers['C']}",
        "C002,P3,2026-11-03,500.00,EUR,,",
        "C001,P4,2026-11-04,200.00,EUR,,",
        "C002,P5,2026-11-05,15.25,EUR,,",
    )


def _state(session):
    """Every invoice's open amount and paid date, and every allocation, by references."""
    invoices = {
        number: (open_amount, paid_on)
        for number, open_amount, paid_on in session.execute(
            select(Invoice.number, Invoice.open_amount, Invoice.paid_on)
        )
    }
    allocations = sorted(
        session.execute(
            select(
                Payment.reference,
                Invoice.number,
                PaymentAllocation.amount,
                PaymentAllocation.allocated_on,
            )
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
        ).all()
    )
    balances = sorted(
        (reference, amount, received_on, method)
        for reference, amount, received_on, method in session.execute(
            select(Payment.reference, Payment.amount, Payment.received_on, Payment.method)
        )
    )
    return invoices, allocations, balances


def test_allocation_equals_record_payment_on_the_same_data(session, book, tmp_path):
    actor = importer(session)
    session.commit()
    by_number = {invoice.number: invoice.id for invoice in book["invoices"].values()}
    rows = [
        ("C001", "P1", date(2026, 11, 1), "150.00", "transfer", None),
        ("C001", "P2", date(2026, 11, 2), "60.00", "cheque", book["invoices"]["C"].number),
        ("C002", "P3", date(2026, 11, 3), "500.00", None, None),
        ("C001", "P4", date(2026, 11, 4), "200.00", None, None),
        ("C002", "P5", date(2026, 11, 5), "15.25", None, None),
    ]
    savepoint = session.begin_nested()
    for account, reference, received_on, amount, method, number in rows:
        record_payment(
            session,
            actor,
            customer_id=book["customers"][account],
            amount=amount,
            received_on=received_on,
            reference=reference,
            method=method,
            invoice_ids=None if number is None else [by_number[number]],
            as_of=TODAY,
        )
    session.flush()
    expected = _state(session)
    savepoint.rollback()
    session.expire_all()
    assert count(session, Payment) == 0
    report = run_import(session, actor, "payments", _file(tmp_path, book), as_of=TODAY)
    assert (report.inserted, report.updated, report.unchanged) == (5, 0, 0)
    assert _state(session) == expected
    assert_figures_true(session)
    first = book["invoices"]["A"].number
    assert expected[0][first] == (Decimal("0.00"), date(2026, 11, 1))


def test_reimport_leaves_known_payments_alone(session, book, tmp_path):
    actor = importer(session)
    path = _file(tmp_path, book)
    run_import(session, actor, "payments", path, as_of=TODAY)
    session.commit()
    state = _state(session)
    again = run_import(session, actor, "payments", path, as_of=TODAY)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
    assert _state(session) == state
    assert len(import_audits(session, "payments")) == 2


def test_a_known_reference_with_another_amount_is_refused(session, book, tmp_path):
    actor = importer(session)
    run_import(session, actor, "payments", _file(tmp_path, book), as_of=TODAY)
    changed = write_csv(tmp_path / "changed.csv", HEADER, "C001,P1,2026-11-01,151.00,EUR,,")
    with pytest.raises(ImportRefused) as refused:
        run_import(session, actor, "payments", changed, as_of=TODAY)
    assert "an import never changes a payment" in refused.value.errors[0].message


def test_bad_payments_are_named_and_nothing_is_recorded(session, book, tmp_path):
    actor = importer(session)
    path = write_csv(
        tmp_path / "bad.csv",
        HEADER,
        "C001,P1,2026-11-01,10.00,EUR,,",
        "C404,P2,2026-11-01,10.00,EUR,,",
        "C001,P3,2026-11-01,10.00,GBP,,",
        "C001,P1,2026-11-01,10.00,EUR,,",
        "C001,P4,2026-11-01,10.00,EUR,,NOPE",
        "C002,P5,2026-11-01,9999.00,EUR,,",
        "C001,P6,2026/11/01,10.00,EUR,,",
    )
    with pytest.raises(ImportRefused) as refused:
        run_import(session, actor, "payments", path, as_of=TODAY)
    found = {(error.line, error.column) for error in refused.value.errors}
    assert found == {
        (3, "account"),
        (4, "currency"),
        (5, "reference"),
        (6, "invoice"),
        (8, "received_on"),
    }
    assert count(session, Payment) == 0
    # The allocation's own refusal comes once the rows are otherwise good.
    too_much = write_csv(tmp_path / "much.csv", HEADER, "C002,P5,2026-11-01,9999.00,EUR,,")
    with pytest.raises(ImportRefused) as refused:
        run_import(session, actor, "payments", too_much, as_of=TODAY)
    [error] = refused.value.errors
    assert error.column == "amount" and "more than the 540.00 open" in error.message


def test_skip_bad_records_the_rest_and_keeps_figures_exact(session, book, tmp_path):
    actor = importer(session)
    path = write_csv(
        tmp_path / "mixed.csv",
        HEADER,
        "C001,P1,2026-11-01,10.00,EUR,,",
        "C002,P2,2026-11-01,9999.00,EUR,,",
        "C002,P3,2026-11-02,40.00,EUR,,",
    )
    report = run_import(session, actor, "payments", path, skip_bad=True, as_of=TODAY)
    assert (report.inserted, report.rejected) == (2, 1)
    rejects = (tmp_path / "mixed.rejects.csv").read_text(encoding="utf-8").splitlines()
    assert len(rejects) == 2 and rejects[1].startswith("C002,P2,")
    assert_figures_true(session)


def test_dry_run_records_nothing(session, book, tmp_path):
    actor = importer(session)
    report = run_import(
        session, actor, "payments", _file(tmp_path, book), dry_run=True, as_of=TODAY
    )
    assert report.inserted == 5
    assert count(session, Payment) == 0 and count(session, PaymentAllocation) == 0
    assert session.get(Invoice, book["invoices"]["A"].id).open_amount == Decimal("100.00")
