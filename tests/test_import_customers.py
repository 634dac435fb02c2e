"""``cctui import customers``: upsert by account, what empty and missing columns mean,
bad values, dry run, and the re-import that changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from cctui.domain.importing import CUSTOMERS, ImportFailed, ImportRefused, run_import
from cctui.domain.models import CreditLimitChange, Customer, Role
from tests.factories import TODAY, make_customer, make_invoice, make_policy, make_staff
from tests.import_support import count, import_audits, importer, write_csv

HEADER = ",".join(CUSTOMERS.names)


def _row(account="C001", name="Acme Ltd", **values):
    row = dict.fromkeys(CUSTOMERS.names, "")
    row.update(account=account, name=name, currency="EUR")
    row.update(values)
    return ",".join(row[name] for name in CUSTOMERS.names)


def _customer(session, account):
    return session.scalar(select(Customer).where(Customer.account == account))


@pytest.fixture
def setup(session):
    policy = make_policy(session, "STD", payment_terms_days=21)
    make_staff(session, "dgarcia", Role.CONTROLLER)
    session.commit()
    return policy


def test_new_customers_take_the_file_and_the_policy_defaults(session, setup, tmp_path):
    actor = importer(session)
    path = write_csv(
        tmp_path / "customers.csv",
        HEADER,
        _row(
            "C001",
            "Acme Ltd",
            credit_policy="STD",
            controller="DGarcia",
            country="GB",
            email="ap@acme.example",
            phone="+44 1",
        ),
        _row(
            "C002",
            "Manual & Sons",
            credit_limit="2500.00",
            payment_terms_days="60",
            delivery="email",
        ),
    )
    report = run_import(session, actor, "customers", path, as_of=TODAY)
    assert (report.inserted, report.updated, report.unchanged) == (2, 0, 0)
    acme = _customer(session, "C001")
    assert acme.credit_policy_id == setup.id and not acme.manual_settings
    assert acme.payment_terms_days == 21
    assert acme.credit_limit == Decimal("10000.00")
    assert acme.country == "GB" and acme.email == "ap@acme.example"
    assert acme.controller_id is not None
    manual = _customer(session, "C002")
    assert manual.manual_settings and manual.credit_policy_id is None
    assert (manual.credit_limit, manual.payment_terms_days) == (Decimal("2500.00"), 60)
    assert manual.delivery.value == "email"
    assert import_audits(session, "customers")[0].after["inserted"] == 2


def test_update_changes_only_what_differs_and_reimport_is_a_no_op(session, setup, tmp_path):
    actor = importer(session)
    existing = make_customer(
        session, account="C001", name="Old Name", phone="123", credit_limit="1000.00", city="Leeds"
    )
    session.commit()
    path = write_csv(
        tmp_path / "c.csv",
        "account,name,currency,phone,credit_limit",
        "C001,New Name,EUR,,1500.00",
        "C002,Second,EUR,555,",
    )
    report = run_import(session, actor, "customers", path, as_of=TODAY)
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 0)
    session.commit()
    updated = session.get(Customer, existing.id)
    assert updated.name == "New Name"
    assert updated.phone is None  # present and empty: cleared
    assert updated.city == "Leeds"  # not in the file: left alone
    assert updated.credit_limit == Decimal("1500.00")
    assert updated.version == 2
    [change] = session.scalars(select(CreditLimitChange)).all()
    assert (change.old_limit, change.new_limit) == (Decimal("1000.00"), Decimal("1500.00"))
    again = run_import(session, actor, "customers", path, as_of=TODAY)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert session.get(Customer, existing.id).version == 2
    assert count(session, CreditLimitChange) == 1


def test_dry_run_changes_nothing(session, setup, tmp_path):
    actor = importer(session)
    path = write_csv(tmp_path / "c.csv", HEADER, _row("C001"), _row("C002"))
    before = count(session, Customer)
    report = run_import(session, actor, "customers", path, dry_run=True, as_of=TODAY)
    assert report.inserted == 2 and report.dry_run
    assert count(session, Customer) == before


BAD = [
    ({"currency": "EURO"}, "currency", "ISO 4217"),
    ({"currency": "ABC"}, "currency", "ISO 4217"),
    ({"country": "XX"}, "country", "ISO 3166"),
    ({"email": "nobody"}, "email", "not an e-mail address"),
    ({"credit_limit": "-1.00"}, "credit_limit", "negative"),
    ({"credit_limit": '"1,000.00"'}, "credit_limit", "decimal point"),
    ({"payment_terms_days": "400"}, "payment_terms_days", "between 0 and 365"),
    ({"payment_terms_days": "3.5"}, "payment_terms_days", "whole number"),
    ({"delivery": "fax"}, "delivery", "mail, email"),
    ({"credit_policy": "NOPE"}, "credit_policy", "no credit policy has the code"),
    ({"controller": "ghost"}, "controller", "no staff member has the login"),
    ({"name": ""}, "name", "required"),
    ({"name": "x" * 201}, "name", "at most 200"),
]


@pytest.mark.parametrize(("values", "column", "words"), BAD)
def test_bad_values_are_named(session, setup, tmp_path, values, column, words):
    actor = importer(session)
    path = write_csv(tmp_path / "bad.csv", HEADER, _row("C001"), _row("C002", **values))
    with pytest.raises(ImportRefused) as refused:
        run_import(session, actor, "customers", path, as_of=TODAY)
    [error] = refused.value.errors
    assert (error.line, error.column) == (3, column)
    assert words in error.message
    assert count(session, Customer) == 0


def test_duplicate_accounts_and_currency_changes_are_refused(session, setup, tmp_path):
    actor = importer(session)
    owing = make_customer(session, account="C009")
    make_invoice(session, owing, "10.00")
    session.commit()
    path = write_csv(
        tmp_path / "c.csv", HEADER, _row("C001"), _row("C001"), _row("C009", currency="GBP")
    )
    with pytest.raises(ImportRefused) as refused:
        run_import(session, actor, "customers", path, as_of=TODAY)
    messages = {(error.line, error.column): error.message for error in refused.value.errors}
    assert "already on line 2" in messages[(3, "account")]
    assert "its currency cannot change" in messages[(4, "currency")]


def test_a_wrong_row_width_is_named(session, setup, tmp_path):
    actor = importer(session)
    path = write_csv(tmp_path / "w.csv", "account,name,currency", "C1,Name,EUR,extra")
    with pytest.raises(ImportRefused) as refused:
        run_import(session, actor, "customers", path, as_of=TODAY)
    assert "has 4 values where the header names 3 columns" in str(refused.value.errors[0])


def test_header_is_matched_without_case_and_blanks(session, setup, tmp_path):
    actor = importer(session)
    path = write_csv(tmp_path / "c.csv", " Account ; NAME ;Currency", "C1;Name;EUR")
    report = run_import(session, actor, "customers", path, as_of=TODAY)
    assert report.inserted == 1 and report.delimiter == ";"
    missing = write_csv(tmp_path / "m.csv", "account,name", "C1,Name")
    with pytest.raises(ImportFailed, match="required column currency is missing"):
        run_import(session, actor, "customers", missing, as_of=TODAY)
