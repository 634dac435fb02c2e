"""The daily aged-balance check: events, resets, expiry, snapshots, once a day."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cctui.domain.credit.rules import EVENT_RANK
from cctui.domain.daily_check import STEPS, daily_check_done, run_daily_check
from cctui.domain.daily_check_steps import ACTIONS_BY_SEVERITY, EVENTS_BY_RANK, StepContext
from cctui.domain.models import (
    AgingSnapshot,
    AuditLog,
    CreditAction,
    CreditEvent,
    CreditGroup,
    CreditLimitChange,
    Customer,
    DailyCheckRun,
    Role,
)
from tests.factories import TODAY, make_customer, make_invoice, make_policy, make_staff


def _action(session, customer: Customer) -> tuple[CreditAction, CreditEvent]:
    session.expire_all()
    fresh = session.get(Customer, customer.id)
    return fresh.credit_action, fresh.credit_action_event


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (30, (CreditAction.OK, CreditEvent.NONE)),
        (31, (CreditAction.REMIND, CreditEvent.AGED_ONCE)),
        (60, (CreditAction.REMIND, CreditEvent.AGED_ONCE)),
        (61, (CreditAction.PASSWORD, CreditEvent.AGED_TWICE)),
        (90, (CreditAction.PASSWORD, CreditEvent.AGED_TWICE)),
        (91, (CreditAction.HOLD, CreditEvent.AGED_THRICE)),
    ],
)
def test_aging_events_at_their_edges(session, days, expected):
    admin = make_staff(session, "admin", Role.ADMIN)
    customer = make_customer(session, policy=make_policy(session), credit_limit="1000")
    make_invoice(session, customer, "10.00", days_past_due=days)
    run_daily_check(session, admin, run_on=TODAY)
    assert _action(session, customer) == expected


@pytest.mark.parametrize(
    ("balance", "expected"),
    [
        ("1000.00", (CreditAction.OK, CreditEvent.NONE)),
        ("1000.01", (CreditAction.REMIND, CreditEvent.LIMIT_EXCEEDED)),
        ("1100.00", (CreditAction.REMIND, CreditEvent.LIMIT_EXCEEDED)),
        ("1100.01", (CreditAction.PASSWORD, CreditEvent.LIMIT_EXCEEDED_PERCENT)),
    ],
)
def test_limit_events_at_their_edges(session, balance, expected):
    admin = make_staff(session, "admin", Role.ADMIN)
    customer = make_customer(session, policy=make_policy(session), credit_limit="1000")
    make_invoice(session, customer, balance, days_past_due=-5)
    run_daily_check(session, admin, run_on=TODAY)
    assert _action(session, customer) == expected


def test_most_severe_action_wins_and_ties_go_to_the_later_event(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    policy = make_policy(
        session,
        action_limit_exceeded=CreditAction.HOLD,
        action_aged_once=CreditAction.REMIND,
        action_aged_thrice=CreditAction.HOLD,
    )
    over_and_old = make_customer(session, policy=policy, credit_limit="100")
    make_invoice(session, over_and_old, "500", days_past_due=40)
    hold_tie = make_customer(session, policy=policy, credit_limit="100")
    make_invoice(session, hold_tie, "500", days_past_due=100)
    run_daily_check(session, admin, run_on=TODAY)
    assert _action(session, over_and_old) == (CreditAction.HOLD, CreditEvent.LIMIT_EXCEEDED)
    assert _action(session, hold_tie) == (CreditAction.HOLD, CreditEvent.AGED_THRICE)


def test_reset_to_ok_and_manual_customers_untouched(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    policy = make_policy(session)
    paid_up = make_customer(
        session,
        policy=policy,
        credit_action=CreditAction.HOLD,
        credit_action_event=CreditEvent.AGED_THRICE,
    )
    manual = make_customer(session, credit_action=CreditAction.PASSWORD, credit_limit="0")
    make_invoice(session, manual, "999", days_past_due=200)
    manual_ok = make_customer(session, credit_limit="0")
    make_invoice(session, manual_ok, "999", days_past_due=200)
    result = run_daily_check(session, admin, run_on=TODAY)
    assert _action(session, paid_up) == (CreditAction.OK, CreditEvent.NONE)
    assert _action(session, manual) == (CreditAction.PASSWORD, CreditEvent.NONE)
    assert _action(session, manual_ok) == (CreditAction.OK, CreditEvent.NONE)
    assert result.changed["credit_actions_reset_to_ok"] == 1
    audit = session.scalars(select(AuditLog).where(AuditLog.action == "daily_credit_action")).one()
    assert audit.entity_id == str(paid_up.id)
    assert audit.before == {"credit_action": "hold", "event": "aged_thrice"}
    assert audit.after == {"credit_action": "ok", "event": "none"}


def test_temporary_limit_applies_before_its_expiry_and_is_removed_on_it(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    policy = make_policy(session)
    still_valid = make_customer(
        session,
        policy=policy,
        credit_limit="100",
        temp_credit_limit=Decimal("5000"),
        temp_limit_expires_on=TODAY + timedelta(days=1),
    )
    make_invoice(session, still_valid, "1000", days_past_due=-1)
    expiring = make_customer(
        session,
        policy=policy,
        credit_limit="100",
        temp_credit_limit=Decimal("5000"),
        temp_limit_expires_on=TODAY,
    )
    make_invoice(session, expiring, "1000", days_past_due=-1)
    result = run_daily_check(session, admin, run_on=TODAY)
    assert result.changed["temporary_limits_expired"] == 1
    assert _action(session, still_valid) == (CreditAction.OK, CreditEvent.NONE)
    assert _action(session, expiring) == (
        CreditAction.PASSWORD,
        CreditEvent.LIMIT_EXCEEDED_PERCENT,
    )
    fresh = session.get(Customer, expiring.id)
    assert fresh.temp_credit_limit is None and fresh.temp_limit_expires_on is None
    change = session.scalars(select(CreditLimitChange)).one()
    assert (change.old_limit, change.new_limit) == (Decimal("5000.00"), Decimal("100.00"))
    assert change.reason == f"Temporary limit expired on {TODAY.isoformat()}"


def test_credit_group_members_share_one_limit(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    policy = make_policy(session)
    group = CreditGroup(name="Holding", credit_limit=Decimal("1000"), currency="EUR")
    session.add(group)
    session.flush()
    first = make_customer(session, policy=policy, credit_limit="5000", credit_group_id=group.id)
    second = make_customer(session, policy=policy, credit_limit="5000", credit_group_id=group.id)
    make_invoice(session, first, "600", days_past_due=-1)
    make_invoice(session, second, "500", days_past_due=-1)
    run_daily_check(session, admin, run_on=TODAY)
    assert _action(session, first) == (CreditAction.REMIND, CreditEvent.LIMIT_EXCEEDED)
    assert _action(session, second) == (CreditAction.REMIND, CreditEvent.LIMIT_EXCEEDED)


def test_overdue_figures_move_with_the_date_and_snapshots_hold_the_bands(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    customer = make_customer(session, policy=make_policy(session), credit_limit="100000")
    for amount, days in (("1", -3), ("2", 0), ("4", 1), ("8", 30), ("16", 31), ("32", 90)):
        make_invoice(session, customer, amount, days_past_due=days, as_of=TODAY)
    make_invoice(session, customer, "64", days_past_due=91, as_of=TODAY)
    tomorrow = TODAY + timedelta(days=1)
    run_daily_check(session, admin, run_on=tomorrow)
    fresh = session.get(Customer, customer.id)
    session.refresh(fresh)
    # Tomorrow, the invoice due today is one day past due too.
    assert fresh.overdue_balance == Decimal("126.00")
    snapshot = session.get(AgingSnapshot, (tomorrow, customer.id))
    assert snapshot.balance == Decimal("127.00")
    assert snapshot.overdue == Decimal("126.00")
    assert snapshot.credit_limit == Decimal("100000.00")
    # days past due tomorrow: -2, 1, 2, 31, 32, 91, 92
    assert snapshot.bands == [
        Decimal("1.00"),
        Decimal("6.00"),
        Decimal("24.00"),
        Decimal("0.00"),
        Decimal("96.00"),
    ]


def test_a_second_run_the_same_day_changes_nothing(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    customer = make_customer(session, policy=make_policy(session), credit_limit="10")
    make_invoice(session, customer, "500", days_past_due=45)
    first = run_daily_check(session, admin, run_on=TODAY)
    session.commit()
    audit_rows = session.scalar(select(func.count()).select_from(AuditLog))
    session.expire_all()
    version = session.get(Customer, customer.id).version
    second = run_daily_check(session, make_staff(session, "late", Role.AGENT), run_on=TODAY)
    assert first.ran and not second.ran
    assert second.changed == first.changed
    assert second.started_by == "admin"
    assert session.scalar(select(func.count()).select_from(AuditLog)) == audit_rows
    session.expire_all()
    assert session.get(Customer, customer.id).version == version
    assert daily_check_done(session, TODAY) is not None
    assert daily_check_done(session, TODAY + timedelta(days=1)) is None


def test_every_step_repeated_changes_nothing(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    policy = make_policy(session)
    for days in (0, 31, 61, 91):
        customer = make_customer(
            session,
            policy=policy,
            credit_limit="50",
            temp_credit_limit=Decimal("70"),
            temp_limit_expires_on=TODAY,
        )
        make_invoice(session, customer, "60", days_past_due=days)
    run_daily_check(session, admin, run_on=TODAY)
    context = StepContext(run_on=TODAY, actor="admin", staff_id=admin.id)
    for _label, step in STEPS:
        assert set(step(session, context).values()) == {0}


def test_twenty_simultaneous_starts_give_one_run(db):
    with db.session() as session:
        staff = [make_staff(session, f"user{n:02d}", Role.AGENT) for n in range(20)]
        policy = make_policy(session)
        for days in range(0, 200, 10):
            customer = make_customer(session, policy=policy, credit_limit="10")
            make_invoice(session, customer, "100", days_past_due=days)
    barrier = threading.Barrier(len(staff))
    results = []
    errors = []

    def start(identity):
        try:
            with db.session() as session:
                barrier.wait(timeout=30)
                results.append(run_daily_check(session, identity, run_on=TODAY))
        except Exception as err:
            errors.append(err)

    threads = [threading.Thread(target=start, args=(identity,)) for identity in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(result.ran for result in results) == 1
    assert len({tuple(sorted(result.changed.items())) for result in results}) == 1
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(DailyCheckRun)) == 1
        assert (
            session.scalar(
                select(func.count()).select_from(AuditLog).where(AuditLog.action == "daily_check")
            )
            == 1
        )


def test_result_as_json_and_sentence(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    result = run_daily_check(session, admin, run_on=date(2026, 11, 2))
    assert result.as_json()["run_date"] == "2026-11-02"
    assert result.as_json()["ran"] is True
    assert "ran" in result.describe()


def test_the_sql_scores_match_the_enums():
    # SET_CREDIT_ACTIONS scores an event severity * 10 + rank and reads both back by position.
    assert [EVENT_RANK[CreditEvent(event)] for event in EVENTS_BY_RANK] == list(
        range(1, len(EVENTS_BY_RANK) + 1)
    )
    assert len(EVENTS_BY_RANK) < 10
    assert [CreditAction(action).severity for action in ACTIONS_BY_SEVERITY] == list(
        range(1, len(ACTIONS_BY_SEVERITY) + 1)
    )
