"""``cctui export``: every list as CSV or JSON, streamed, and the round trip through import."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cctui.cli import main
from cctui.domain.agency import AgencyDetails, create_agency, flag_for_collection, hand_over
from cctui.domain.errors import PermissionDenied
from cctui.domain.export import export_customers, export_invoices
from cctui.domain.importing import CUSTOMERS, INVOICES
from cctui.domain.models import Customer, Role
from tests.factories import TODAY, make_customer, make_invoice, make_policy, make_staff

DAY = ["--date", TODAY.isoformat()]


@pytest.fixture
def book(db):
    with db.session() as session:
        admin = make_staff(session, "boss", Role.ADMIN)
        ann = make_staff(session, "ann", Role.CONTROLLER)
        make_staff(session, "agent", Role.AGENT)
        policy = make_policy(session, "STD")
        big = make_customer(
            session,
            account="C001",
            name='Big "Quoted", Ltd; \u00e9\u00e8 \u4e2d',
            policy=policy,
            controller_id=ann.id,
            phone="+44 1",
            country="GB",
            email="ap@big.example",
        )
        small = make_customer(session, account="C002", name="Small", credit_limit="0.00")
        old = make_invoice(session, big, "900.50", days_past_due=95)
        make_invoice(session, big, "100.00", days_past_due=5)
        make_invoice(session, small, "40.00", days_past_due=60)
        agency = create_agency(session, admin, details=AgencyDetails(name="Sterling"))
        flag_for_collection(session, ann, [old.id])
        hand_over(session, ann, [old.id], agency_id=agency.id, handed_on=TODAY)


def _run(cli_env, *args, user="boss"):
    env = dict(cli_env)
    env["CCTUI_USER"] = user
    return CliRunner().invoke(main, list(args), env=env)


def test_customers_csv_is_the_import_layout(cli_env, book):
    result = _run(cli_env, "export", "customers")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == list(CUSTOMERS.names)
    assert rows[0]["name"] == 'Big "Quoted", Ltd; \u00e9\u00e8 \u4e2d'
    assert rows[0]["credit_limit"] == "1000.00"
    assert rows[0]["credit_policy"] == "STD" and rows[0]["controller"] == "ann"
    assert rows[1]["credit_policy"] == "" and rows[1]["phone"] == ""


def test_customer_export_imported_again_changes_nothing(cli_env, book, db, tmp_path):
    out = tmp_path / "customers.csv"
    exported = _run(cli_env, "export", "customers", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert "Wrote 2 rows of customers" in exported.stderr
    with db.session() as session:
        versions = dict(session.execute(select(Customer.account, Customer.version)).all())
    again = _run(cli_env, "import", "customers", str(out), "--json")
    assert again.exit_code == 0, again.output
    counts = json.loads(again.stdout)
    assert (counts["inserted"], counts["updated"], counts["unchanged"]) == (0, 0, 2)
    with db.session() as session:
        assert dict(session.execute(select(Customer.account, Customer.version)).all()) == versions


def test_invoice_export_imported_again_changes_nothing(cli_env, book, tmp_path):
    out = tmp_path / "invoices.csv"
    assert _run(cli_env, "export", "invoices", "--out", str(out)).exit_code == 0
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == [*INVOICES.names, *INVOICES.ignored]
    again = _run(cli_env, "import", "invoices", str(out), "--json", *DAY)
    assert again.exit_code == 0, again.output
    counts = json.loads(again.stdout)
    assert (counts["inserted"], counts["updated"], counts["unchanged"]) == (0, 0, 3)


def test_invoices_json_has_exact_amounts_and_iso_dates(cli_env, book):
    result = _run(cli_env, "export", "invoices", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["amount"] for row in rows] == ["900.50", "100.00", "40.00"]
    assert rows[0]["collection_state"] == "handed_over"
    assert rows[0]["due_on"] == TODAY.replace(month=8, day=20).isoformat()
    assert rows[0]["paid_on"] is None


def test_queue_and_agency_exports(cli_env, book):
    queue = json.loads(_run(cli_env, "export", "queue", "--format", "json", *DAY).stdout)
    assert [row["account"] for row in queue] == ["C001", "C002"]
    assert queue[0]["overdue_balance"] == "1000.50"
    agency = _run(cli_env, "export", "agency", *DAY)
    assert agency.exit_code == 0, agency.output
    rows = list(csv.DictReader(io.StringIO(agency.stdout)))
    assert [(row["agency"], row["open_amount"]) for row in rows] == [("Sterling", "900.50")]


def test_agents_may_export_the_queue_only(cli_env, book):
    assert _run(cli_env, "export", "queue", user="agent").exit_code == 0
    refused = _run(cli_env, "export", "customers", user="agent")
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert refused.stderr.strip() == (
        "Error: Only a controller or above may export the customers; agent is an agent."
    )


def test_exports_stream_with_a_server_side_cursor(session):
    admin = make_staff(session, "boss", Role.ADMIN)
    customer = make_customer(session, account="C1")
    for _ in range(5):
        make_invoice(session, customer, "1.00")
    session.commit()
    rows = export_invoices(session, admin)
    first = next(rows)
    assert first.account == "C1"
    assert len(list(rows)) == 4
    with pytest.raises(PermissionDenied):
        export_customers(session, make_staff(session, "agent", Role.AGENT))
