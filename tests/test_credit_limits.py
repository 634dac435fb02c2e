"""Credit-limit adjustments, temporary limits, credit attributes and risk-based suggestions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from cctui.domain.book_settings import CONTROLLER_LIMIT_AUTHORITY, write_setting
from cctui.domain.credit.limits import (
    change_credit_limit,
    credit_limit_history,
    limit_authority,
    set_credit_attributes,
)
from cctui.domain.credit.position import credit_position
from cctui.domain.credit.risk import (
    apply_suggested_limit,
    risk_factor,
    set_risk_score,
    suggest_credit_limit,
)
from cctui.domain.errors import ConflictError, PermissionDenied, ValidationError
from cctui.domain.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    AuditLog,
    CreditLimitChange,
    Invoice,
    InvoiceKind,
    Role,
)
from tests.factories import TODAY, make_customer, make_invoice, make_policy, make_staff


def _audit(session, action):
    return session.scalars(
        select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
    ).all()


def _sale(session, customer, amount, issued_on, kind=InvoiceKind.INVOICE, number=None):
    value = Decimal(amount)
    invoice = Invoice(
        customer_id=customer.id,
        number=number or f"S-{customer.id}-{issued_on.isoformat()}-{kind.value}",
        kind=kind,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=30),
        currency=customer.currency,
        amount=value,
        open_amount=Decimal(0),
    )
    session.add(invoice)
    session.flush()
    return invoice


# --- permanent changes and authority -------------------------------------------------------


def test_controller_changes_a_limit_within_authority(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session, credit_limit="1000.00")

    result = change_credit_limit(
        session, clerk, customer.id, "8 000,00", "Good payer", expected_version=customer.version
    )

    assert result.applied
    assert result.approval_request_id is None
    session.refresh(customer)
    assert customer.credit_limit == Decimal("8000.00")
    assert customer.credit_limit_checked_on is not None
    change = session.get(CreditLimitChange, result.change_id)
    assert change.status == ApprovalStatus.APPROVED
    assert change.applied_at is not None
    assert (change.old_limit, change.new_limit) == (Decimal("1000.00"), Decimal("8000.00"))
    assert change.requested_by_id == clerk.id
    (row,) = _audit(session, "change_credit_limit")
    assert row.actor == "clerk"
    assert row.entity == "customer"
    assert row.entity_id == str(customer.id)
    assert row.before["credit_limit"] == "1000.00"
    assert row.after["credit_limit"] == "8000.00"
    assert row.after["reason"] == "Good payer"


def test_raise_above_authority_waits_and_applies_nothing(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session, credit_limit="5000.00")

    result = change_credit_limit(session, clerk, customer.id, "10000.01", "Big order coming")

    assert not result.applied
    session.refresh(customer)
    assert customer.credit_limit == Decimal("5000.00")
    change = session.get(CreditLimitChange, result.change_id)
    assert change.status == ApprovalStatus.PENDING
    assert change.applied_at is None
    request = session.get(ApprovalRequest, result.approval_request_id)
    assert request.kind == ApprovalKind.CREDIT_LIMIT
    assert request.credit_limit_change_id == change.id
    assert request.requested_by_id == clerk.id
    assert request.status == ApprovalStatus.PENDING
    assert _audit(session, "change_credit_limit") == []
    (row,) = _audit(session, "request_credit_limit_change")
    assert row.after["new_limit"] == "10000.01"
    assert row.after["authority"] == "10000.00"


def test_exactly_the_authority_needs_no_approval(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session, credit_limit="0")
    assert change_credit_limit(session, clerk, customer.id, "10000", "Up to authority").applied


def test_lowering_never_needs_approval(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session, credit_limit="50000.00")
    result = change_credit_limit(session, clerk, customer.id, "20000", "Risk went up")
    assert result.applied
    session.refresh(customer)
    assert customer.credit_limit == Decimal("20000.00")


def test_authority_comes_from_the_setting_or_the_staff_members_own_limit(session):
    admin = make_staff(session, "root", Role.ADMIN)
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    senior = make_staff(session, "senior", Role.CONTROLLER, approval_limit=Decimal("50000"))
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    capped = make_staff(session, "capped", Role.SUPERVISOR, approval_limit=Decimal("20000"))
    assert limit_authority(session, clerk) == Decimal("10000.00")
    assert limit_authority(session, senior) == Decimal("50000.00")
    assert limit_authority(session, boss) is None
    assert limit_authority(session, admin) is None
    assert limit_authority(session, capped) == Decimal("20000.00")

    write_setting(session, admin, CONTROLLER_LIMIT_AUTHORITY, "5000.00")
    customer = make_customer(session, credit_limit="0")
    assert not change_credit_limit(session, clerk, customer.id, "6000", "Asks").applied
    other = make_customer(session, credit_limit="0")
    assert change_credit_limit(session, senior, other.id, "40000", "Senior").applied
    third = make_customer(session, credit_limit="0")
    assert change_credit_limit(session, boss, third.id, "1000000", "Key account").applied
    fourth = make_customer(session, credit_limit="0")
    assert not change_credit_limit(session, capped, fourth.id, "30000", "Above cap").applied


def test_agents_may_not_change_limits_or_attributes(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session)
    with pytest.raises(PermissionDenied) as refused:
        change_credit_limit(session, agent, customer.id, "100", "Please")
    assert str(refused.value).startswith(
        "Only a controller or above may change credit limits; agent is a"
    )
    with pytest.raises(PermissionDenied, match="change credit attributes"):
        set_credit_attributes(
            session,
            agent,
            customer.id,
            insurance_amount="0",
            guarantee_amount="0",
            guarantee_note=None,
        )
    with pytest.raises(PermissionDenied, match="set risk scores"):
        set_risk_score(session, agent, customer.id, 10)
    assert session.scalars(select(CreditLimitChange)).all() == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "The credit limit 'abc' is not a number."),
        ("-5", "The credit limit must be zero or more, not '-5'."),
        ("12.345", "The credit limit '12.345' has more than two decimal places."),
        (10.5, "The credit limit must be given exactly, not as a float."),
        ("1e13", "The credit limit '1e13' is too large."),
    ],
)
def test_malformed_limits_are_refused_with_a_sentence(session, value, message):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    with pytest.raises(ValidationError) as refused:
        change_credit_limit(session, clerk, customer.id, value, "Typo")
    assert str(refused.value) == message


def test_a_limit_change_needs_a_reason(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    with pytest.raises(ValidationError, match="A credit-limit change needs a reason"):
        change_credit_limit(session, clerk, customer.id, "100", "  ")


def test_stale_version_is_refused(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session, credit_limit="1000")
    opened = customer.version
    change_credit_limit(session, clerk, customer.id, "2000", "First", expected_version=opened)
    with pytest.raises(ConflictError, match="since you opened it; reload and try again"):
        change_credit_limit(session, clerk, customer.id, "3000", "Second", expected_version=opened)
    session.refresh(customer)
    assert customer.credit_limit == Decimal("2000.00")


def test_only_one_raise_may_wait_per_customer(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session, credit_limit="1000")
    first = change_credit_limit(session, clerk, customer.id, "20000", "First ask")
    wanted = rf"already waiting .* \(request {first.approval_request_id}\)"
    with pytest.raises(ConflictError, match=wanted):
        change_credit_limit(session, clerk, customer.id, "30000", "Second ask")
    # Lowering still goes through at once.
    assert change_credit_limit(session, clerk, customer.id, "500", "Meanwhile").applied


# --- temporary limits -----------------------------------------------------------------------


def test_temporary_limit_applies_before_its_expiry_date_not_on_it(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session, credit_limit="1000.00")
    make_invoice(session, customer, "1500.00")
    expires = TODAY + timedelta(days=7)

    result = change_credit_limit(
        session,
        clerk,
        customer.id,
        "2000",
        "Christmas season",
        temporary=True,
        expires_on=expires,
        as_of=TODAY,
    )

    assert result.applied
    session.refresh(customer)
    assert customer.credit_limit == Decimal("1000.00")
    assert customer.temp_credit_limit == Decimal("2000.00")
    assert customer.temp_limit_expires_on == expires
    today = credit_position(session, customer, TODAY)
    assert (today.limit, today.temporary, today.available) == (
        Decimal("2000.00"),
        True,
        Decimal("500.00"),
    )
    last_day = credit_position(session, customer, expires - timedelta(days=1))
    assert last_day.limit == Decimal("2000.00")
    on_expiry = credit_position(session, customer, expires)
    assert (on_expiry.limit, on_expiry.temporary) == (Decimal("1000.00"), False)
    change = session.get(CreditLimitChange, result.change_id)
    assert change.temporary
    assert change.expires_on == expires
    assert change.old_limit == Decimal("1000.00")
    (row,) = _audit(session, "change_credit_limit")
    assert row.before["temp_credit_limit"] is None
    assert row.after["temp_credit_limit"] == "2000.00"
    assert row.after["temp_limit_expires_on"] == expires.isoformat()


def test_temporary_limit_old_value_is_the_valid_temporary_one(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(
        session,
        credit_limit="1000",
        temp_credit_limit=Decimal("3000"),
        temp_limit_expires_on=TODAY + timedelta(days=3),
    )
    result = change_credit_limit(
        session,
        clerk,
        customer.id,
        "2500",
        "Shorter",
        temporary=True,
        expires_on=TODAY + timedelta(days=10),
        as_of=TODAY,
    )
    assert session.get(CreditLimitChange, result.change_id).old_limit == Decimal("3000.00")


def test_temporary_limit_needs_a_future_expiry(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    with pytest.raises(ValidationError, match="needs an expiry date"):
        change_credit_limit(session, clerk, customer.id, "100", "x", temporary=True, as_of=TODAY)
    with pytest.raises(ValidationError) as refused:
        change_credit_limit(
            session, clerk, customer.id, "100", "x", temporary=True, expires_on=TODAY, as_of=TODAY
        )
    assert str(refused.value) == (
        f"A temporary credit limit must expire after {TODAY.isoformat()}, "
        f"not on {TODAY.isoformat()}."
    )
    with pytest.raises(ValidationError, match="Only a temporary credit limit has an expiry"):
        change_credit_limit(
            session, clerk, customer.id, "100", "x", expires_on=TODAY + timedelta(days=1)
        )


# --- history and attributes -----------------------------------------------------------------


def test_history_lists_every_change_newest_first(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session, credit_limit="1000")
    change_credit_limit(session, clerk, customer.id, "2000", "One")
    change_credit_limit(session, clerk, customer.id, "50000", "Two")
    change_credit_limit(session, clerk, customer.id, "1500", "Three")
    history = credit_limit_history(session, customer.id)
    assert [(h.reason, h.old_limit, h.new_limit, h.status) for h in history] == [
        ("Three", Decimal("2000.00"), Decimal("1500.00"), ApprovalStatus.APPROVED),
        ("Two", Decimal("2000.00"), Decimal("50000.00"), ApprovalStatus.PENDING),
        ("One", Decimal("1000.00"), Decimal("2000.00"), ApprovalStatus.APPROVED),
    ]
    assert {h.requested_by for h in history} == {"clerk"}
    assert history[1].applied_at is None


def test_credit_attributes_are_recorded_with_audit(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    attributes = set_credit_attributes(
        session,
        clerk,
        customer.id,
        insurance_amount="15000",
        guarantee_amount="2500.50",
        guarantee_note="  Parent company guarantee  ",
        expected_version=customer.version,
    )
    assert attributes.insurance_amount == Decimal("15000.00")
    assert attributes.guarantee_note == "Parent company guarantee"
    session.refresh(customer)
    assert customer.guarantee_amount == Decimal("2500.50")
    (row,) = _audit(session, "set_credit_attributes")
    assert row.before == {
        "insurance_amount": "0.00",
        "guarantee_amount": "0.00",
        "guarantee_note": None,
    }
    assert row.after == {
        "insurance_amount": "15000.00",
        "guarantee_amount": "2500.50",
        "guarantee_note": "Parent company guarantee",
    }
    with pytest.raises(ValidationError, match="The insurance amount 'x' is not a number"):
        set_credit_attributes(
            session,
            clerk,
            customer.id,
            insurance_amount="x",
            guarantee_amount="0",
            guarantee_note=None,
        )
    with pytest.raises(ConflictError, match="reload and try again"):
        set_credit_attributes(
            session,
            clerk,
            customer.id,
            insurance_amount="1",
            guarantee_amount="0",
            guarantee_note=None,
            expected_version=attributes.version - 1,
        )


# --- risk scores and suggestions ------------------------------------------------------------


def test_set_risk_score_validates_and_audits(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    set_risk_score(session, clerk, customer.id, 35, expected_version=customer.version)
    session.refresh(customer)
    assert customer.risk_score == 35
    (row,) = _audit(session, "set_risk_score")
    assert (row.before, row.after) == ({"risk_score": None}, {"risk_score": 35})
    for bad, message in [
        (101, "must be 0 to 100, not 101"),
        (-1, "must be 0 to 100, not -1"),
        ("high", "'high' is not a whole number"),
        (True, "whole number from 0 to 100"),
    ]:
        with pytest.raises(ValidationError, match=message):
            set_risk_score(session, clerk, customer.id, bad)
    with pytest.raises(ConflictError, match="reload and try again"):
        set_risk_score(session, clerk, customer.id, 10, expected_version=1)


@pytest.mark.parametrize(
    ("score", "factor"),
    [
        (0, "1.5"),
        (20, "1.5"),
        (21, "1.2"),
        (40, "1.2"),
        (41, "1.0"),
        (60, "1.0"),
        (61, "0.6"),
        (80, "0.6"),
        (81, "0.25"),
        (100, "0.25"),
        (None, "1.0"),
    ],
)
def test_risk_bands(score, factor):
    assert risk_factor(score) == Decimal(factor)


def _sales_customer(session, **overrides):
    customer = make_customer(
        session,
        credit_limit="5000",
        payment_terms_days=30,
        insurance_amount=Decimal("5000"),
        guarantee_amount=Decimal("1250"),
        **overrides,
    )
    _sale(session, customer, "12000", TODAY - timedelta(days=365))  # first day in
    _sale(session, customer, "36000", TODAY - timedelta(days=1))  # last day in
    _sale(session, customer, "99999", TODAY)  # issued on as_of: not before it
    _sale(session, customer, "77777", TODAY - timedelta(days=366))  # too old
    _sale(session, customer, "5000", TODAY - timedelta(days=10), kind=InvoiceKind.CREDIT_NOTE)
    return customer


@pytest.mark.parametrize(
    ("score", "suggested"),
    [
        # 48,000 a year -> 4,000 a month -> x (30+30)/30 = 8,000.
        (30, "10800.00"),  # 8,000 x 1.2 = 9,600 > 5,000 insured; + 1,250 = 10,850 -> 10,800
        (90, "6200.00"),  # 8,000 x 0.25 = 2,000 < 5,000 insured; + 1,250 = 6,250 -> 6,200
        (None, "9200.00"),  # 8,000 x 1.0; + 1,250 = 9,250 -> 9,200
        (0, "13200.00"),  # 8,000 x 1.5 = 12,000; + 1,250 = 13,250 -> 13,200
    ],
)
def test_suggested_limit_on_concrete_numbers(session, score, suggested):
    customer = _sales_customer(session, risk_score=score)
    suggestion = suggest_credit_limit(session, customer.id, as_of=TODAY)
    assert suggestion.annual_sales == Decimal("48000.00")
    assert suggestion.monthly_sales == Decimal("4000.00")
    assert suggestion.sales_based == Decimal("8000.00")
    assert suggestion.suggested == Decimal(suggested)
    assert suggestion.current_limit == Decimal("5000.00")
    assert "48,000.00 EUR" in suggestion.explanation
    assert suggestion.explanation.endswith(f"suggests {Decimal(suggested):,.2f} EUR.")


def test_suggestion_keeps_exact_arithmetic_until_rounding(session):
    customer = make_customer(session, payment_terms_days=45, risk_score=10)
    _sale(session, customer, "10000", TODAY - timedelta(days=100))
    suggestion = suggest_credit_limit(session, customer.id, as_of=TODAY)
    # 10,000 / 12 x 75 / 30 = 2,083.33...; x 1.5 = 3,125.00 exactly -> 3,100.
    assert suggestion.monthly_sales == Decimal("833.33")
    assert suggestion.sales_based == Decimal("2083.33")
    assert suggestion.factor == Decimal("1.5")
    assert suggestion.suggested == Decimal("3100.00")


def test_suggestion_without_sales_falls_back_to_securities(session):
    customer = make_customer(
        session, insurance_amount=Decimal("4321"), guarantee_amount=Decimal("0")
    )
    assert suggest_credit_limit(session, customer.id, as_of=TODAY).suggested == Decimal("4300.00")


def test_applying_a_suggestion_goes_through_the_approval_rules(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    customer = _sales_customer(session, risk_score=30)

    waiting = apply_suggested_limit(session, clerk, customer.id, as_of=TODAY)
    assert not waiting.applied
    change = session.get(CreditLimitChange, waiting.change_id)
    assert change.reason == "Suggested by risk score 30"
    assert change.new_limit == Decimal("10800.00")
    session.refresh(customer)
    assert customer.credit_limit == Decimal("5000.00")

    other = _sales_customer(session, risk_score=90, account="RISKY")
    applied = apply_suggested_limit(session, boss, other.id, as_of=TODAY)
    assert applied.applied
    session.refresh(other)
    assert other.credit_limit == Decimal("6200.00")
    assert _audit(session, "apply_suggested_credit_limit")[-1].after["suggested"] == "6200.00"


def test_applying_a_suggestion_needs_a_risk_score(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    with pytest.raises(ValidationError, match="has no risk score"):
        apply_suggested_limit(session, clerk, customer.id, as_of=TODAY)


def test_policy_customers_keep_their_limit_history_too(session):
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session, policy=make_policy(session), credit_limit="100")
    change_credit_limit(session, clerk, customer.id, "200", "Policy customer")
    assert [h.new_limit for h in credit_limit_history(session, customer.id)] == [Decimal("200.00")]
