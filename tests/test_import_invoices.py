"""``cctui import invoices``: the layout, every kind of bad value, upsert, dry run, figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from cctui.domain.errors import PermissionDenied
from cctui.domain.importing import ImportFailed, ImportRefused, run_import
from cctui.domain.models import Customer, Invoice, Role
from tests.factories import TODAY, make_customer, make_staff
from tests.figures_check import assert_figures_true
from tests.import_support import count, import_audits, importer, write_csv

HEADER = "number,account,issued_on,due_on,amount,currency,description"


@pytest.fixture
def book(session):
    """Two customers in EUR and one in GBP."""
    first = make_customer(session, account="C001", payment_terms_days=14)
    second = make_customer(session, account="C002")
    pounds = make_customer(session, account="C003", currency="GBP")
    session.commit()
    return {"first": first.id, "second": second.id, "pounds": pounds.id}


def _good(tmp_path, name="invoices.csv"):
    return write_csv(
        tmp_path / name,
        HEADER,
        "INV-1,C001,2026-09-01,2026-10-01,1000.50,EUR,September",
        "INV-2,C001,2026-11-01,,250.00,EUR,",
        "INV-3,C002,2026-08-01,2026-08-31,99.99,EUR,Old one",
        "INV-4,C003,2026-11-20,2026-12-20,10.00,GBP,Not yet due",
    )


def _invoice(session, number):
    return session.scalar(select(Invoice).where(Invoice.number == number))


def test_good_file_inserts_every_invoice_and_figures_are_exact(session, book, tmp_path):
    actor = importer(session)
    report = run_import(session, actor, "invoices", _good(tmp_path), as_of=TODAY)
    assert (report.inserted, report.updated, report.unchanged, report.rejected) == (4, 0, 0, 0)
    assert report.delimiter == ","
    first = _invoice(session, "INV-1")
    assert first.amount == Decimal("1000.50") and first.open_amount == Decimal("1000.50")
    assert first.description == "September"
    second = _invoice(session, "INV-2")
    assert second.due_on.isoformat() == "2026-11-15"  # issue date + the customer's 14 days
    assert second.description is None
    customer = session.get(Customer, book["first"])
    assert customer.balance == Decimal("1250.50")
    assert customer.overdue_balance == Decimal("1250.50")  # both fell due before TODAY
    assert customer.oldest_due_on.isoformat() == "2026-10-01"
    assert_figures_true(session)
    [audit] = import_audits(session, "invoices")
    assert audit.after["inserted"] == 4 and audit.actor == "importer"


def test_reimport_of_the_same_file_changes_nothing(session, book, tmp_path):
    actor = importer(session)
    path = _good(tmp_path)
    run_import(session, actor, "invoices", path, as_of=TODAY)
    session.commit()
    versions = dict(session.execute(select(Customer.id, Customer.version)).all())
    again = run_import(session, actor, "invoices", path, as_of=TODAY)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert dict(session.execute(select(Customer.id, Customer.version)).all()) == versions


def test_changed_amount_moves_the_open_amount_by_as_much(session, book, tmp_path):
    actor = importer(session)
    run_import(session, actor, "invoices", _good(tmp_path), as_of=TODAY)
    invoice = _invoice(session, "INV-1")
    invoice.open_amount = Decimal("400.50")  # 600 paid
    session.flush()
    changed = write_csv(
        tmp_path / "changed.csv",
        HEADER,
        "INV-1,C001,2026-09-01,2026-10-01,1100.50,EUR,September",
    )
    report = run_import(session, actor, "invoices", changed, as_of=TODAY)
    assert (report.inserted, report.updated) == (0, 1)
    invoice = _invoice(session, "INV-1")
    assert invoice.amount == Decimal("1100.50")
    assert invoice.open_amount == Decimal("500.50")
    too_low = write_csv(
        tmp_path / "low.csv", HEADER, "INV-1,C001,2026-09-01,2026-10-01,500.00,EUR,September"
    )
    with pytest.raises(ImportRefused) as refused:
        run_import(session, actor, "invoices", too_low, as_of=TODAY)
    assert "already paid" in str(refused.value.errors[0])
    assert refused.value.errors[0].column == "amount"


def test_dry_run_changes_nothing(session, book, tmp_path):
    actor = importer(session)
    before = count(session, Invoice)
    report = run_import(session, actor, "invoices", _good(tmp_path), dry_run=True, as_of=TODAY)
    assert report.dry_run and report.inserted == 4
    assert "nothing was changed" in report.message
    assert count(session, Invoice) == before
    assert session.get(Customer, book["first"]).balance == Decimal("0.00")
    assert import_audits(session, "invoices") == []


BAD_ROWS = [
    ("INV-9,C001,2026-13-01,,10.00,EUR,", "issued_on", "is not a real date"),
    ("INV-9,C001,01/09/2026,,10.00,EUR,", "issued_on", "YYYY-MM-DD"),
    ('INV-9,C001,2026-09-01,,"12,50",EUR,', "amount", "decimal point"),
    ("INV-9,C001,2026-09-01,,1e3,EUR,", "amount", "not an amount"),
    ("INV-9,C001,2026-09-01,,abc,EUR,", "amount", "not an amount"),
    ("INV-9,C001,2026-09-01,,-5.00,EUR,", "amount", "negative"),
    ("INV-9,C001,2026-09-01,,0.00,EUR,", "amount", "more than 0"),
    ("INV-9,C001,2026-09-01,,1.001,EUR,", "amount", "not an amount"),
    ("INV-9,C001,2026-09-01,,10.00,XYZ,", "currency", "ISO 4217"),
    ("INV-9,C001,2026-09-01,,10.00,GBP,", "currency", "not the currency of C001"),
    ("INV-9,C404,2026-09-01,,10.00,EUR,", "account", "no customer has the account"),
    ("INV-9,C001,2026-09-01,2026-08-01,10.00,EUR,", "due_on", "before the issue date"),
    (",C001,2026-09-01,,10.00,EUR,", "number", "required"),
]


@pytest.mark.parametrize(("row", "column", "words"), BAD_ROWS)
def test_every_bad_value_is_named_and_nothing_is_imported(
    session, book, tmp_path, row, column, words
):
    actor = importer(session)
    path = write_csv(tmp_path / "bad.csv", HEADER, "INV-8,C001,2026-09-01,,5.00,EUR,", row)
    with pytest.raises(ImportRefused) as refused:
        run_import(session, actor, "invoices", path, as_of=TODAY)
    [error] = refused.value.errors
    assert (error.file, error.line, error.column) == ("bad.csv", 3, column)
    assert words in error.message
    assert str(error).startswith(f"bad.csv line 3, column {column}: ")
    assert count(session, Invoice) == 0


def test_duplicate_numbers_in_the_file_name_both_lines(session, book, tmp_path):
    actor = importer(session)
    path = write_csv(
        tmp_path / "dup.csv",
        HEADER,
        "INV-1,C001,2026-09-01,,5.00,EUR,",
        "INV-2,C001,2026-09-01,,5.00,EUR,",
        "INV-1,C002,2026-09-01,,7.00,EUR,",
    )
    with pytest.raises(ImportRefused) as refused:
        run_import(session, actor, "invoices", path, as_of=TODAY)
    [error] = refused.value.errors
    assert (error.line, error.column) == (4, "number")
    assert "already on line 2" in error.message


def test_an_invoice_never_moves_to_another_customer(session, book, tmp_path):
    actor = importer(session)
    run_import(session, actor, "invoices", _good(tmp_path), as_of=TODAY)
    moved = write_csv(tmp_path / "moved.csv", HEADER, "INV-1,C002,2026-09-01,,5.00,EUR,")
    with pytest.raises(ImportRefused) as refused:
        run_import(session, actor, "invoices", moved, as_of=TODAY)
    assert "belongs to another customer" in refused.value.errors[0].message


def test_skip_bad_imports_the_good_rows_and_writes_the_rejects(session, book, tmp_path):
    actor = importer(session)
    path = write_csv(
        tmp_path / "mixed.csv",
        HEADER,
        "INV-1,C001,2026-09-01,,5.00,EUR,good",
        "INV-2,C404,2026-09-01,,5.00,EUR,unknown customer",
        "INV-3,C001,2026-02-30,,5.00,EUR,bad date",
        "INV-4,C002,2026-09-01,,7.00,EUR,good",
    )
    report = run_import(session, actor, "invoices", path, skip_bad=True, as_of=TODAY)
    assert (report.inserted, report.rejected) == (2, 2)
    assert report.rejects_file == str(tmp_path / "mixed.rejects.csv")
    rejects = (tmp_path / "mixed.rejects.csv").read_text(encoding="utf-8").splitlines()
    assert rejects[0] == f"{HEADER},error"
    assert rejects[1].startswith("INV-2,C404,2026-09-01,,5.00,EUR,unknown customer,account: ")
    assert rejects[2].startswith("INV-3,C001,2026-02-30,")
    assert "is not a real date" in rejects[2]
    assert {invoice.number for invoice in session.scalars(select(Invoice))} == {"INV-1", "INV-4"}
    assert_figures_true(session)


def test_semicolons_and_a_bom_are_read(session, book, tmp_path):
    actor = importer(session)
    path = write_csv(
        tmp_path / "semi.csv",
        HEADER.replace(",", ";"),
        "INV-1;C001;2026-09-01;;5.00;EUR;a, b and c",
        bom=True,
    )
    report = run_import(session, actor, "invoices", path, as_of=TODAY)
    assert report.delimiter == ";" and "semicolon-separated" in report.message
    assert _invoice(session, "INV-1").description == "a, b and c"


def test_latin1_bytes_are_refused_naming_the_line(session, book, tmp_path):
    actor = importer(session)
    path = write_csv(
        tmp_path / "latin.csv",
        HEADER,
        "INV-1,C001,2026-09-01,,5.00,EUR,plain",
        "INV-2,C001,2026-09-01,,5.00,EUR,Caf\u00e9",
        encoding="latin-1",
    )
    with pytest.raises(ImportFailed, match=r"latin.csv is not UTF-8: line 3 holds the byte 0xe9"):
        run_import(session, actor, "invoices", path, as_of=TODAY)
    assert count(session, Invoice) == 0


def test_header_problems_are_refused(session, book, tmp_path):
    actor = importer(session)
    missing = write_csv(tmp_path / "missing.csv", "number,account,issued_on,currency", "X,C001,,")
    with pytest.raises(ImportFailed, match="required column amount is missing"):
        run_import(session, actor, "invoices", missing, as_of=TODAY)
    extra = write_csv(
        tmp_path / "extra.csv", HEADER + ",colour", "INV-1,C001,2026-09-01,,5,EUR,,red"
    )
    with pytest.raises(ImportFailed, match="'colour' is not a column of the invoices layout"):
        run_import(session, actor, "invoices", extra, as_of=TODAY)
    empty = write_csv(tmp_path / "empty.csv", "")
    with pytest.raises(ImportFailed, match="empty"):
        run_import(session, actor, "invoices", empty, as_of=TODAY)


def test_only_supervisors_and_admins_import(session, book, tmp_path):
    controller = make_staff(session, "ctl", Role.CONTROLLER)
    with pytest.raises(PermissionDenied):
        run_import(session, controller, "invoices", _good(tmp_path), as_of=TODAY)


def test_progress_is_reported_stage_by_stage(session, book, tmp_path):
    actor = importer(session)
    seen = []
    run_import(
        session,
        actor,
        "invoices",
        _good(tmp_path),
        as_of=TODAY,
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    stages = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert stages == ["Checking rows", "Checking against the book", "Saving"]
    assert all(done <= total for _, done, total in seen)
    assert seen[-1][1] == seen[-1][2]
