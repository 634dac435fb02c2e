"""Credit policies: create, change, list; customers on a policy or on manual settings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from cctui.domain.credit.policies import (
    assign_policy,
    create_policy,
    get_policy,
    list_policies,
    set_manual_settings,
    update_policy,
)
from cctui.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from cctui.domain.models import AuditLog, CreditAction, CreditEvent, Role
from tests.factories import make_customer, make_policy, make_staff


def _audit(session, action):
    return session.scalars(
        select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
    ).all()


def _new_policy(session, actor, code="GOLD", **overrides):
    values = {
        "code": code,
        "name": "Gold customers",
        "payment_terms_days": 45,
        "default_credit_limit": "25000",
    }
    values.update(overrides)
    return create_policy(session, actor, **values)


def test_supervisor_creates_a_policy_with_an_audit_row(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    policy = _new_policy(
        session,
        boss,
        discount_percent="2.5",
        discount_days=10,
        overdue_interest_percent="8",
        limit_exceeded_percent="15",
        aged_once_days=20,
        aged_twice_days=40,
        aged_thrice_days=70,
        action_aged_thrice="hold",
    )
    assert policy.code == "GOLD"
    assert policy.payment_terms_days == 45
    assert policy.default_credit_limit == Decimal("25000.00")
    assert policy.discount_percent == Decimal("2.500")
    assert policy.limit_exceeded_percent == Decimal("15.000")
    assert policy.action_aged_thrice == CreditAction.HOLD
    assert policy.customers == 0
    (row,) = _audit(session, "create_credit_policy")
    assert row.actor == "boss"
    assert row.entity == "credit_policy"
    assert row.entity_id == str(policy.id)
    assert row.before is None
    assert row.after["code"] == "GOLD"
    assert row.after["default_credit_limit"] == "25000.00"
    assert row.after["action_aged_thrice"] == "hold"


def test_controller_may_not_create_or_change_policies(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    with pytest.raises(PermissionDenied) as refused:
        _new_policy(session, clerk)
    assert str(refused.value) == (
        "Only a supervisor or above may create credit policies; clerk is a controller."
    )
    policy = make_policy(session)
    with pytest.raises(PermissionDenied, match="change credit policies"):
        update_policy(session, clerk, policy.id, name="Renamed")
    assert _audit(session, "create_credit_policy") == []


def test_policy_codes_are_unique(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    _new_policy(session, boss, code="GOLD")
    with pytest.raises(ConflictError, match="'gold' already exists"):
        _new_policy(session, boss, code="gold")
    other = _new_policy(session, boss, code="SILVER")
    with pytest.raises(ConflictError, match="'GOLD' already exists"):
        update_policy(session, boss, other.id, code="GOLD")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("payment_terms_days", 366, "payment terms in days must be 0 to 365, not 366"),
        ("payment_terms_days", -1, "payment terms in days must be 0 to 365, not -1"),
        ("payment_terms_days", "thirty", "'thirty' is not a whole number"),
        ("default_credit_limit", "12.345", "has more than two decimal places"),
        ("default_credit_limit", "-5", "must be zero or more"),
        ("default_credit_limit", 1.5, "not as a float"),
        ("default_credit_limit", "lots", "'lots' is not a number"),
        ("discount_percent", "100.5", "discount must be 0 to 100 %"),
        ("overdue_interest_percent", "-1", "interest must be 0 to 100 %"),
        ("limit_exceeded_percent", "0", "must be more than 0 to 100 %"),
        ("discount_percent", "1.2345", "more than three decimal places"),
        ("aged_once_days", 0, "aged-once threshold must be 1 to 3650"),
        ("action_limit_exceeded", "maybe", "must be one of ok, remind, password, hold"),
        ("code", "  ", "policy code must have 1 to 20 characters"),
    ],
)
def test_malformed_policy_values_are_refused(session, field, value, message):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    with pytest.raises(ValidationError, match=message):
        _new_policy(session, boss, **{field: value})


def test_aged_thresholds_must_rise_strictly(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    with pytest.raises(ValidationError) as refused:
        _new_policy(session, boss, aged_once_days=30, aged_twice_days=30, aged_thrice_days=90)
    assert str(refused.value) == (
        "The aged once, twice and thrice thresholds must rise strictly, not 30, 30, 90 days."
    )
    policy = _new_policy(session, boss)
    with pytest.raises(ValidationError, match="must rise strictly, not 30, 60, 50 days"):
        update_policy(session, boss, policy.id, aged_thrice_days=50)


def test_update_policy_audits_and_gives_new_terms_to_followers(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    policy = make_policy(session, payment_terms_days=30)
    follower = make_customer(session, policy=policy, payment_terms_days=30)
    manual = make_customer(session, payment_terms_days=30)
    version = follower.version

    view = update_policy(session, boss, policy.id, payment_terms_days=60, name="Slow payers")

    assert view.payment_terms_days == 60
    assert view.name == "Slow payers"
    assert view.customers == 1
    session.refresh(follower)
    session.refresh(manual)
    assert follower.payment_terms_days == 60
    assert follower.version == version + 1
    assert manual.payment_terms_days == 30
    (row,) = _audit(session, "update_credit_policy")
    assert row.before == {"name": "Policy STD", "payment_terms_days": 30}
    assert row.after == {
        "name": "Slow payers",
        "payment_terms_days": 60,
        "customers_given_terms": 1,
    }


def test_update_policy_refuses_unknown_fields_and_policies(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    policy = make_policy(session)
    with pytest.raises(ValidationError, match="no field 'colour'"):
        update_policy(session, boss, policy.id, colour="red")
    with pytest.raises(NotFound, match="no credit policy with id 999999"):
        update_policy(session, boss, 999999, name="X")


def test_list_policies_by_code_with_follower_counts(session):
    silver = make_policy(session, "SILVER")
    gold = make_policy(session, "GOLD")
    make_customer(session, policy=silver)
    make_customer(session, policy=silver)
    make_customer(session, policy=gold)
    make_customer(session)
    policies = list_policies(session)
    assert [(p.code, p.customers) for p in policies] == [("GOLD", 1), ("SILVER", 2)]
    assert get_policy(session, silver.id).customers == 2


def test_controller_assigns_a_policy_and_the_customer_takes_its_terms(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    policy = make_policy(session, payment_terms_days=14)
    customer = make_customer(session, payment_terms_days=60)
    assert customer.manual_settings

    assign_policy(session, clerk, customer.id, policy.id, expected_version=customer.version)

    session.refresh(customer)
    assert customer.credit_policy_id == policy.id
    assert not customer.manual_settings
    assert customer.payment_terms_days == 14
    (row,) = _audit(session, "assign_credit_policy")
    assert row.entity == "customer"
    assert row.before["manual_settings"] is True
    assert row.before["credit_policy_id"] is None
    assert row.before["payment_terms_days"] == 60
    assert row.after["credit_policy_id"] == policy.id
    assert row.after["payment_terms_days"] == 14
    assert row.after["policy_code"] == "STD"


def test_assign_policy_refusals(session):
    agent = make_staff(session, "agent", Role.AGENT)
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    policy = make_policy(session)
    customer = make_customer(session)
    with pytest.raises(PermissionDenied, match="Only a controller or above may assign"):
        assign_policy(session, agent, customer.id, policy.id)
    with pytest.raises(NotFound, match="no credit policy"):
        assign_policy(session, clerk, customer.id, 999999)
    with pytest.raises(NotFound, match="no customer"):
        assign_policy(session, clerk, 999999, policy.id)
    stale = customer.version
    assign_policy(session, clerk, customer.id, policy.id, expected_version=stale)
    with pytest.raises(ConflictError) as refused:
        assign_policy(session, clerk, customer.id, policy.id, expected_version=stale)
    assert str(refused.value) == (
        f"Someone else changed customer {customer.account} since you opened it; "
        "reload and try again."
    )


def test_supervisor_puts_a_customer_on_manual_settings(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    policy = make_policy(session)
    customer = make_customer(session, policy=policy)

    set_manual_settings(
        session, boss, customer.id, CreditAction.HOLD, "  Bankruptcy rumours  ", customer.version
    )

    session.refresh(customer)
    assert customer.manual_settings
    assert customer.credit_policy_id is None
    assert customer.credit_action == CreditAction.HOLD
    assert customer.credit_action_event == CreditEvent.MANUAL
    (row,) = _audit(session, "set_manual_credit_settings")
    assert row.before["manual_settings"] is False
    assert row.before["credit_action"] == "ok"
    assert row.after["credit_action"] == "hold"
    assert row.after["credit_action_event"] == "manual"
    assert row.after["reason"] == "Bankruptcy rumours"


def test_manual_settings_refusals(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    customer = make_customer(session, policy=make_policy(session))
    with pytest.raises(PermissionDenied) as refused:
        set_manual_settings(session, clerk, customer.id, CreditAction.OK, "Trusted")
    assert str(refused.value) == (
        "Only a supervisor or above may put customers on manual credit settings; "
        "clerk is a controller."
    )
    with pytest.raises(ValidationError, match="needs a reason"):
        set_manual_settings(session, boss, customer.id, CreditAction.OK, "   ")
    with pytest.raises(ValidationError, match="must be one of"):
        set_manual_settings(session, boss, customer.id, "never", "Reason")
    with pytest.raises(ConflictError, match="reload and try again"):
        set_manual_settings(
            session, boss, customer.id, CreditAction.REMIND, "Reason", customer.version + 1
        )
    assert _audit(session, "set_manual_credit_settings") == []
