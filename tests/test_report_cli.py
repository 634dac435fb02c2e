"""``cctui report …``: the working lists through the CLI, on a real database."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from cctui.cli import main
from cctui.cli.reports import running
from cctui.domain.agency import AgencyDetails, create_agency, flag_for_collection, hand_over
from cctui.domain.models import CreditAction, DocumentKind, HeldDocument, Role
from tests.factories import TODAY, make_customer, make_invoice, make_staff

DAY = ["--date", TODAY.isoformat()]


@pytest.fixture
def book(db):
    """Two controllers' debtors, a flagged and a handed-over invoice, one held order."""
    with db.session() as session:
        admin = make_staff(session, "boss", Role.ADMIN)
        ann = make_staff(session, "ann", Role.CONTROLLER)
        bob = make_staff(session, "bob", Role.CONTROLLER)
        make_staff(session, "agent", Role.AGENT)
        big = make_customer(session, name="Big [bold]Buyer[/] \x1b[31mLtd", controller_id=ann.id)
        small = make_customer(session, name="Small Shop", controller_id=bob.id)
        paid_up = make_customer(session, name="Paid Up Ltd", controller_id=ann.id)
        old = make_invoice(session, big, "900.50", days_past_due=95)
        make_invoice(session, big, "100.00", days_past_due=5)
        flagged = make_invoice(session, small, "40.00", days_past_due=60)
        make_invoice(session, paid_up, "70.00", days_past_due=0)
        agency = create_agency(session, admin, details=AgencyDetails(name="Sterling Recoveries"))
        flag_for_collection(session, ann, [old.id, flagged.id])
        hand_over(session, ann, [old.id], agency_id=agency.id, handed_on=TODAY)
        session.add(
            HeldDocument(
                customer_id=small.id,
                document_kind=DocumentKind.ORDER,
                reference="SO-77",
                amount=Decimal("1200.00"),
                currency="EUR",
                credit_action=CreditAction.HOLD,
                reasons=["credit limit exceeded"],
                created_by_id=bob.id,
            )
        )
        session.commit()
        return {"big": big.account, "small": small.account, "paid_up": paid_up.account}


def _run(cli_env, *args, user="ann"):
    env = dict(cli_env)
    env["CCTUI_USER"] = user
    return CliRunner().invoke(main, ["report", *args], env=env)


def _json(cli_env, *args, user="ann"):
    result = _run(cli_env, *args, "--format", "json", *DAY, user=user)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_queue_json_is_ordered_by_overdue_with_exact_amounts(cli_env, book):
    rows = _json(cli_env, "queue")
    assert [row["account"] for row in rows] == [book["big"], book["small"]]
    first = rows[0]
    assert first["overdue_balance"] == "1000.50"
    assert first["days_overdue"] == 95
    assert first["controller"] == "ann"
    assert first["colour"] in {"contacted", "attention", "none"}
    assert first["name"] == "Big [bold]Buyer[/] \x1b[31mLtd"


def test_queue_filters_and_direction(cli_env, book):
    assert [row["account"] for row in _json(cli_env, "queue", "--mine")] == [book["big"]]
    by_bob = _json(cli_env, "queue", "--controller", "bob")
    assert [row["account"] for row in by_bob] == [book["small"]]
    ascending = _json(cli_env, "queue", "--sort", "overdue_balance", "--asc")
    assert [row["account"] for row in ascending] == [book["small"], book["big"]]
    assert [row["account"] for row in _json(cli_env, "queue", "--search", "smal")] == [
        book["small"]
    ]


def test_queue_table_is_safe_for_the_terminal(cli_env, book):
    result = _run(cli_env, "queue", *DAY)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    header, _rule, *lines = result.stdout.splitlines()
    assert header.split()[:3] == ["Account", "Name", "Overdue"]
    assert "Phone" not in header
    assert len(lines) == 2
    assert "[bold]Buyer[/]" in lines[0]
    wide = _run(cli_env, "queue", "--wide", *DAY)
    assert "Phone" in wide.stdout.splitlines()[0]


def test_limit_pages_through_the_list(cli_env, book, monkeypatch):
    monkeypatch.setattr(running, "PAGE_SIZE", 1)
    assert len(_json(cli_env, "queue", "--limit", "1")) == 1
    assert len(_json(cli_env, "queue", "--all")) == 2
    assert len(_json(cli_env, "overdue", "--all")) == 3


def test_overdue_csv_lists_every_overdue_invoice(cli_env, book):
    result = _run(cli_env, "overdue", "--format", "csv", *DAY)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["days_past_due"] for row in rows] == ["95", "60", "5"]
    assert rows[0]["collection_state"] == "handed_over"
    assert rows[0]["open_amount"] == "900.50"
    at_least_60 = _json(cli_env, "overdue", "--min-days", "60", "--customer", book["small"])
    assert [row["days_past_due"] for row in at_least_60] == [60]


def test_agency_lists_and_totals(cli_env, book):
    flagged = _json(cli_env, "agency")
    assert [row["days_past_due"] for row in flagged] == [60]
    assert flagged[0]["handed_on"] is None
    handed = _json(cli_env, "agency", "--agency", "sterling recoveries")
    assert [row["open_amount"] for row in handed] == ["900.50"]
    assert handed[0]["handed_on"] == TODAY.isoformat()
    totals = {(row["agency"], row["currency"]): row for row in _json(cli_env, "agencies")}
    assert totals[("Sterling Recoveries", "EUR")]["open_total"] == "900.50"
    assert totals[("Flagged, not handed over", "EUR")]["invoice_count"] == 1


def test_held_documents_for_controllers_only(cli_env, book):
    held = _json(cli_env, "held")
    assert [(row["reference"], row["status"]) for row in held] == [("SO-77", "held")]
    refused = _run(cli_env, "held", user="agent")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: ")
    assert refused.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["queue", "--controller", "nobody"], "no staff member with the login 'nobody'"),
        (["queue", "--pool", "Nowhere"], "no pool called 'Nowhere'"),
        (["overdue", "--customer", "X1"], "no customer with the account 'X1'"),
        (["agency", "--agency", "Acme"], "no collection agency called 'Acme'"),
    ],
)
def test_unknown_names_are_one_sentence(cli_env, book, args, message):
    result = _run(cli_env, *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_mine_and_controller_together_is_a_usage_error(cli_env, book):
    result = _run(cli_env, "queue", "--mine", "--controller", "bob")
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_an_empty_list_says_so(cli_env, book):
    result = _run(cli_env, "queue", "--currency", "JPY", *DAY)
    assert result.exit_code == 0
    assert result.stderr == "Nothing to list.\n"
    assert _json(cli_env, "queue", "--currency", "JPY") == []
