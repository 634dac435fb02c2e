"""Rules the database itself holds: CHECK, UNIQUE, foreign keys and the optimistic lock."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from cctui.domain.models import (
    AgencyHandover,
    CollectionAgency,
    CollectionState,
    CreditPolicy,
    Customer,
    DailyCheckRun,
    Dispute,
    DunningStep,
    Invoice,
    Letter,
    LetterInvoice,
    LetterKind,
    Role,
    Staff,
)

TODAY = date(2026, 11, 23)


def _customer(session: Session, account: str = "C1", **overrides) -> Customer:
    values = {
        "account": account,
        "name": "Müller & Söhne GmbH",
        "currency": "EUR",
        "manual_settings": True,
    }
    values.update(overrides)
    customer = Customer(**values)
    session.add(customer)
    session.flush()
    return customer


def _invoice(session: Session, customer: Customer, number: str = "INV-1", **overrides) -> Invoice:
    values = {
        "customer_id": customer.id,
        "number": number,
        "issued_on": TODAY - timedelta(days=40),
        "due_on": TODAY - timedelta(days=10),
        "currency": "EUR",
        "amount": Decimal("100.00"),
        "open_amount": Decimal("100.00"),
    }
    values.update(overrides)
    invoice = Invoice(**values)
    session.add(invoice)
    session.flush()
    return invoice


def _refused(session: Session, statement: str, **params) -> None:
    """Run ``statement`` in a savepoint and assert the database refuses it."""
    with pytest.raises((IntegrityError, DataError)), session.begin_nested():
        session.execute(text(statement), params)


def test_money_is_numeric_and_exact(session):
    customer = _customer(session, credit_limit=Decimal("1234567.89"))
    session.expire_all()
    reloaded = session.get(Customer, customer.id)
    assert reloaded.credit_limit == Decimal("1234567.89")
    assert isinstance(reloaded.credit_limit, Decimal)
    column_type = session.execute(
        text(
            "SELECT data_type, numeric_scale FROM information_schema.columns"
            " WHERE table_name = 'invoice' AND column_name = 'open_amount'"
        )
    ).one()
    assert tuple(column_type) == ("numeric", 2)


def test_customer_checks(session):
    customer = _customer(session)
    for assignment in (
        "credit_limit = -1",
        "currency = 'eur'",
        "country = 'Germany'",
        "email = 'no-at-sign'",
        "risk_score = 101",
        "temp_credit_limit = 5000",  # a temporary limit needs an expiry date
        "manual_settings = false",  # neither a policy nor manual settings
        "overdue_balance = -0.01",
    ):
        _refused(session, f"UPDATE customer SET {assignment} WHERE id = :id", id=customer.id)


def test_account_and_login_are_unique(session):
    _customer(session, "C1")
    with pytest.raises(IntegrityError), session.begin_nested():
        _customer(session, "C1")
    session.add(Staff(login="ann", name="Ann", role=Role.AGENT))
    session.flush()
    _refused(session, "INSERT INTO staff (login, name, role) VALUES ('ann', 'Ann 2', 'agent')")
    _refused(session, "INSERT INTO staff (login, name, role) VALUES ('Bob', 'Bob', 'agent')")
    _refused(session, "INSERT INTO staff (login, name, role) VALUES ('eve', 'Eve', 'boss')")


def test_invoice_checks(session):
    invoice = _invoice(session, _customer(session))
    for assignment in (
        "open_amount = -1",
        "open_amount = 100.01",  # more than amount + fees + interest
        "amount = 0",
        "due_on = issued_on - 1",
        "currency = 'EURO'",
        "collection_state = 'handed_over'",  # without an agency
        "written_off_amount = 10",  # a write-off needs its date
    ):
        _refused(session, f"UPDATE invoice SET {assignment} WHERE id = :id", id=invoice.id)


def test_foreign_keys_hold(session):
    _refused(
        session,
        "INSERT INTO invoice (customer_id, number, issued_on, due_on, currency, amount,"
        " open_amount) VALUES (999999, 'X', current_date, current_date, 'EUR', 1, 1)",
    )


def test_policy_aging_thresholds_must_rise(session):
    session.add(
        CreditPolicy(
            code="STD", name="Standard", payment_terms_days=30, default_credit_limit=Decimal(5000)
        )
    )
    session.flush()
    _refused(session, "UPDATE credit_policy SET aged_twice_days = aged_once_days")


def test_one_open_dispute_and_one_open_handover_per_invoice(session):
    invoice = _invoice(session, _customer(session))
    session.add(Dispute(invoice_id=invoice.id, reason="Goods damaged"))
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(Dispute(invoice_id=invoice.id, reason="Again"))
        session.flush()
    agency = CollectionAgency(name="Inkasso Nord", commission_percent=Decimal("12.5"))
    session.add(agency)
    session.flush()
    session.add(AgencyHandover(invoice_id=invoice.id, agency_id=agency.id, handed_on=TODAY))
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(AgencyHandover(invoice_id=invoice.id, agency_id=agency.id, handed_on=TODAY))
        session.flush()
    invoice.collection_state = CollectionState.HANDED_OVER
    invoice.collection_agency_id = agency.id
    session.flush()


def test_an_invoice_is_on_one_letter_per_dunning_step(session):
    customer = _customer(session)
    invoice = _invoice(session, customer)
    step = DunningStep(step_no=1, name="First reminder", days_after_due=7)
    session.add(step)
    session.flush()
    for _ in range(2):
        letter = Letter(customer_id=customer.id, kind=LetterKind.REMINDER, dunning_step_id=step.id)
        session.add(letter)
        session.flush()
        session.add(
            LetterInvoice(
                letter_id=letter.id,
                invoice_id=invoice.id,
                dunning_step_id=step.id,
                open_amount=invoice.open_amount,
            )
        )
        if _ == 0:
            session.flush()
        else:
            with pytest.raises(IntegrityError):
                session.flush()


def test_one_daily_check_run_per_day(session):
    session.add(DailyCheckRun(run_on=TODAY))
    session.flush()
    _refused(session, "INSERT INTO daily_check_run (run_on) VALUES (:day)", day=TODAY)


def test_second_save_of_a_stale_customer_is_refused(db):
    with db.session() as first:
        customer = _customer(first, "C-LOCK")
        customer_id = customer.id
    with db.session() as alice, db.session() as bob:
        mine = alice.get(Customer, customer_id)
        theirs = bob.get(Customer, customer_id)
        mine.phone = "+49 30 1234567"
        alice.commit()
        theirs.phone = "+49 30 7654321"
        with pytest.raises(StaleDataError):
            bob.commit()
        bob.rollback()
    with db.session() as check:
        saved = check.get(Customer, customer_id)
        assert saved.phone == "+49 30 1234567"
        assert saved.version == 2
