"""Recalculate changed / all: maintained figures checked against the truth and corrected."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select, text

from cctui.cli import main
from cctui.db.engine import Database
from cctui.domain.errors import PermissionDenied
from cctui.domain.models import AuditLog, Customer, Promise, Role
from cctui.domain.recalc import FigureDifference, recalculate_figures
from tests.factories import TODAY, make_customer, make_invoice, make_staff


def corrupt(session, customer_id: int, assignments: str, *, flag: bool) -> None:
    """Break maintained figures behind the services' back (and flag the customer or not)."""
    session.execute(
        text(f"UPDATE customer SET {assignments}, figures_changed = :flag WHERE id = :id"),
        {"id": customer_id, "flag": flag},
    )
    session.expire_all()


def book(session):
    """Three customers with invoices; figures correct and no flags set."""
    customers = [make_customer(session) for _ in range(3)]
    make_invoice(session, customers[0], "100.00", days_past_due=10)
    make_invoice(session, customers[0], "50.00", days_past_due=-3)
    make_invoice(session, customers[1], "70.00", days_past_due=40)
    session.execute(text("UPDATE customer SET figures_changed = false"))
    session.expire_all()
    return customers


def test_changed_only_finds_flagged_customers_and_all_finds_every_one(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    first, second, third = book(session)
    corrupt(session, first.id, "balance = 1", flag=False)
    corrupt(session, second.id, "overdue_balance = 0, oldest_due_on = NULL", flag=True)
    corrupt(session, third.id, "held_document_count = 4", flag=False)

    changed = recalculate_figures(session, boss, all_customers=False, as_of=TODAY)

    assert changed.checked == 1
    assert changed.corrected == (
        FigureDifference(
            second.id, second.account, "overdue_balance", Decimal("0.00"), Decimal("70.00")
        ),
        FigureDifference(
            second.id, second.account, "oldest_due_on", None, TODAY - timedelta(days=40)
        ),
    )
    session.refresh(second)
    assert second.overdue_balance == Decimal("70.00")
    assert not second.figures_changed
    session.refresh(first)
    assert first.balance == Decimal("1.00")  # not flagged: left for "recalculate all"

    everything = recalculate_figures(session, boss, all_customers=True, as_of=TODAY)

    assert everything.checked == 3
    assert everything.corrected == (
        FigureDifference(first.id, first.account, "balance", Decimal("1.00"), Decimal("150.00")),
        FigureDifference(third.id, third.account, "held_document_count", 4, 0),
    )
    assert everything.corrected_customers == 2
    session.refresh(first)
    session.refresh(third)
    assert (first.balance, third.held_document_count) == (Decimal("150.00"), 0)

    again = recalculate_figures(session, boss, all_customers=True, as_of=TODAY)
    assert again.checked == 3 and again.corrected == ()


def test_changed_clears_the_flags_of_every_checked_customer(session):
    clerk = make_staff(session, "clerk")
    customers = [make_customer(session) for _ in range(4)]
    for customer in customers:
        make_invoice(session, customer, "10.00")  # refresh_balances flags them
    session.execute(
        text("UPDATE customer SET figures_changed = false WHERE id = :id"),
        {"id": customers[3].id},
    )

    report = recalculate_figures(session, clerk, all_customers=False, as_of=TODAY)

    assert (report.checked, report.corrected) == (3, ())
    flagged = session.scalars(select(Customer.id).where(Customer.figures_changed)).all()
    assert flagged == []
    assert recalculate_figures(session, clerk, all_customers=False, as_of=TODAY).checked == 0


def test_overdue_figures_follow_the_day_and_dates_and_promises_are_corrected(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    customer = make_customer(session)
    make_invoice(session, customer, "30.00", days_past_due=0)
    session.add(
        Promise(
            customer_id=customer.id,
            amount=Decimal("30.00"),
            currency="EUR",
            promised_on=TODAY + timedelta(days=5),
        )
    )
    session.flush()

    report = recalculate_figures(session, boss, all_customers=True, as_of=TODAY + timedelta(days=1))

    assert {item.column: (item.maintained, item.truth) for item in report.corrected} == {
        "overdue_balance": (Decimal("0.00"), Decimal("30.00")),
        "oldest_due_on": (None, TODAY),
        "next_promise_on": (None, TODAY + timedelta(days=5)),
    }
    session.refresh(customer)
    assert customer.next_promise_on == TODAY + timedelta(days=5)


def test_each_run_writes_one_audit_row(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    first, _, _ = book(session)
    corrupt(session, first.id, "balance = 2", flag=True)

    recalculate_figures(session, boss, all_customers=False, as_of=TODAY)
    recalculate_figures(session, boss, all_customers=True, as_of=TODAY)
    session.flush()

    rows = session.scalars(
        select(AuditLog).where(AuditLog.action == "recalculate_figures").order_by(AuditLog.id)
    ).all()
    assert [row.actor for row in rows] == ["boss", "boss"]
    assert rows[0].after["scope"] == "changed"
    assert rows[0].after["checked"] == 1
    assert rows[0].after["corrected"] == [
        {
            "customer_id": first.id,
            "account": first.account,
            "column": "balance",
            "maintained": "2.00",
            "truth": "150.00",
        }
    ]
    assert rows[1].after["scope"] == "all"
    assert (rows[1].after["checked"], rows[1].after["corrected"]) == (3, [])


def test_roles(session):
    agent = make_staff(session, "agent", Role.AGENT)
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    with pytest.raises(PermissionDenied, match="Only a controller or above may recalculate"):
        recalculate_figures(session, agent, all_customers=False)
    with pytest.raises(PermissionDenied, match="Only a supervisor or above may recalculate"):
        recalculate_figures(session, clerk, all_customers=True)
    assert recalculate_figures(session, clerk, all_customers=False).checked == 0
    assert not session.scalars(
        select(AuditLog).where(AuditLog.actor == "agent", AuditLog.action == "recalculate_figures")
    ).all()


# --- the command line -------------------------------------------------------------------


def run(args: list[str], env: dict[str, str | None]) -> Result:
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)  # type: ignore[arg-type]


@pytest.fixture
def cli_book(db: Database) -> dict[str, str]:
    """A committed book with staff, two customers and one broken figure; accounts by role."""
    with db.session() as session:
        make_staff(session, "boss", Role.SUPERVISOR)
        make_staff(session, "clerk", Role.CONTROLLER)
        good = make_customer(session)
        bad = make_customer(session)
        make_invoice(session, good, "10.00", days_past_due=5)
        make_invoice(session, bad, "20.00", days_past_due=5)
        session.execute(text("UPDATE customer SET figures_changed = false"))
        session.execute(text("UPDATE customer SET balance = 99 WHERE id = :id"), {"id": bad.id})
        return {"good": good.account, "bad": bad.account}


def test_cli_reports_nothing_to_correct(cli_env, cli_book):
    result = run(["--user", "clerk", "recalc", "--date", TODAY.isoformat()], env=cli_env)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Checked 0 customers; all maintained figures were right."


def test_cli_all_prints_a_table_of_differences_then_nothing(cli_env, cli_book):
    result = run(["--user", "boss", "recalc", "--all", "--date", TODAY.isoformat()], env=cli_env)

    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "Checked 2 customers; corrected 1 figure of 1 customer:"
    assert lines[1].split() == ["account", "column", "maintained", "truth"]
    assert lines[2].split() == [cli_book["bad"], "balance", "99.00", "20.00"]
    assert len(lines) == 3

    again = run(["--user", "boss", "recalc", "--all"], env=cli_env)
    assert again.stdout.strip() == "Checked 2 customers; all maintained figures were right."


def test_cli_json_is_one_object_on_one_line(cli_env, cli_book):
    result = run(
        ["--user", "boss", "recalc", "--all", "--json", "--date", TODAY.isoformat()], env=cli_env
    )

    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 1
    payload = json.loads(result.stdout)
    assert payload["checked"] == 2
    assert len(payload["corrected"]) == 1
    difference = payload["corrected"][0]
    assert difference["account"] == cli_book["bad"]
    assert (difference["column"], difference["maintained"], difference["truth"]) == (
        "balance",
        "99.00",
        "20.00",
    )
    assert isinstance(difference["customer_id"], int)

    again = run(["--user", "boss", "recalc", "--all", "--json"], env=cli_env)
    assert json.loads(again.stdout) == {"checked": 2, "corrected": []}


def test_cli_errors_are_one_sentence(cli_env, cli_book):
    for args, fragment in (
        (["--user", "nobody_here", "recalc"], "'nobody_here'"),
        (["--user", "clerk", "recalc", "--all"], "Only a supervisor or above"),
    ):
        result = run(args, env=cli_env)
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert fragment in lines[0]
        assert lines[0].endswith(".")
