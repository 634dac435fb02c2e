"""Credit groups: customers linked so that they share one limit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from cctui.domain.credit.groups import (
    add_member,
    change_group_limit,
    create_group,
    group_position,
    list_groups,
    remove_member,
)
from cctui.domain.credit.position import credit_position
from cctui.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from cctui.domain.models import AuditLog, Role
from tests.factories import TODAY, make_customer, make_invoice, make_staff


def _audit(session, action):
    return session.scalars(
        select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
    ).all()


def test_members_share_one_limit_and_one_exposure(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    group = create_group(session, boss, name="Acme holding", credit_limit="1000", currency="eur")
    first = make_customer(session, credit_limit="5000")
    second = make_customer(session, credit_limit="5000")
    outsider = make_customer(session, credit_limit="5000")
    make_invoice(session, first, "600.00")
    make_invoice(session, second, "500.00")
    make_invoice(session, outsider, "900.00")

    add_member(session, boss, group.id, first.id, expected_version=first.version)
    add_member(session, boss, group.id, second.id)

    for member in (first, second):
        position = credit_position(session, member, TODAY)
        assert position.limit == Decimal("1000.00")
        assert position.exposure == Decimal("1100.00")
        assert position.available == Decimal("-100.00")
        assert position.group_name == "Acme holding"
    own = credit_position(session, outsider, TODAY)
    assert (own.limit, own.exposure, own.group_name) == (
        Decimal("5000.00"),
        Decimal("900.00"),
        None,
    )
    shared = group_position(session, group.id)
    assert shared.currency == "EUR"
    assert shared.limit == Decimal("1000.00")
    assert shared.exposure == Decimal("1100.00")
    assert shared.available == Decimal("-100.00")
    assert [(m.customer_id, m.balance) for m in shared.members] == sorted(
        [(first.id, Decimal("600.00")), (second.id, Decimal("500.00"))]
    )


def test_group_changes_are_audited(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    group = create_group(session, boss, name="Acme", credit_limit="1000", currency="EUR")
    customer = make_customer(session, credit_limit="300")
    make_invoice(session, customer, "400.00")
    add_member(session, boss, group.id, customer.id)
    change_group_limit(session, boss, group.id, "2500.50", "Parent guarantees")
    remove_member(session, boss, group.id, customer.id)

    (created,) = _audit(session, "create_credit_group")
    assert created.after == {"name": "Acme", "credit_limit": "1000.00", "currency": "EUR"}
    (added,) = _audit(session, "add_credit_group_member")
    assert added.entity == "customer"
    assert added.before == {"credit_group_id": None}
    assert added.after == {"credit_group_id": group.id, "group_name": "Acme"}
    (changed,) = _audit(session, "change_group_limit")
    assert changed.before == {"credit_limit": "1000.00"}
    assert changed.after == {"credit_limit": "2500.50", "reason": "Parent guarantees"}
    (removed,) = _audit(session, "remove_credit_group_member")
    assert removed.before == {"credit_group_id": group.id, "group_name": "Acme"}
    assert removed.after == {"credit_group_id": None}
    # Back on its own limit.
    position = credit_position(session, customer, TODAY)
    assert (position.limit, position.group_name) == (Decimal("300.00"), None)
    assert group_position(session, group.id).members == ()
    assert [g.credit_limit for g in list_groups(session)] == [Decimal("2500.50")]


def test_controllers_may_not_manage_groups(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    with pytest.raises(PermissionDenied) as refused:
        create_group(session, clerk, name="G", credit_limit="1", currency="EUR")
    assert str(refused.value) == (
        "Only a supervisor or above may create credit groups; clerk is a controller."
    )
    group = create_group(session, boss, name="G", credit_limit="1", currency="EUR")
    customer = make_customer(session)
    with pytest.raises(PermissionDenied, match="may change credit group limits"):
        change_group_limit(session, clerk, group.id, "2", "More")
    with pytest.raises(PermissionDenied, match="may change credit group members"):
        add_member(session, clerk, group.id, customer.id)
    add_member(session, boss, group.id, customer.id)
    with pytest.raises(PermissionDenied, match="may change credit group members"):
        remove_member(session, clerk, group.id, customer.id)


def test_member_currency_must_match_and_one_group_at_most(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    euros = create_group(session, boss, name="Euro group", credit_limit="1000", currency="EUR")
    other = create_group(session, boss, name="Other group", credit_limit="1000", currency="EUR")
    dollars = make_customer(session, currency="USD")
    with pytest.raises(ValidationError) as refused:
        add_member(session, boss, euros.id, dollars.id)
    assert str(refused.value) == (
        f"Customer {dollars.account} is in USD but credit group 'Euro group' is in EUR."
    )
    customer = make_customer(session)
    add_member(session, boss, euros.id, customer.id)
    with pytest.raises(ConflictError, match="already in group 'Euro group'"):
        add_member(session, boss, euros.id, customer.id)
    with pytest.raises(ConflictError, match="already in credit group 'Euro group'; remove it"):
        add_member(session, boss, other.id, customer.id)
    with pytest.raises(ConflictError, match="is not in credit group 'Other group'"):
        remove_member(session, boss, other.id, customer.id)


def test_group_validation_and_lookups(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    with pytest.raises(ValidationError, match="'EURO' is not a three-letter code"):
        create_group(session, boss, name="G", credit_limit="1", currency="EURO")
    with pytest.raises(ValidationError, match="The group credit limit '1,5,0' is not a number"):
        create_group(session, boss, name="G", credit_limit="1,5,0", currency="EUR")
    with pytest.raises(ValidationError, match="name must have 1 to 100 characters"):
        create_group(session, boss, name=" ", credit_limit="1", currency="EUR")
    group = create_group(session, boss, name="G", credit_limit="1", currency="EUR")
    with pytest.raises(ConflictError, match="named 'g' already exists"):
        create_group(session, boss, name="g", credit_limit="1", currency="EUR")
    with pytest.raises(ValidationError, match="must be zero or more"):
        change_group_limit(session, boss, group.id, "-1", "Oops")
    with pytest.raises(ValidationError, match="needs a reason"):
        change_group_limit(session, boss, group.id, "5", "")
    with pytest.raises(NotFound, match="no credit group with id 999999"):
        group_position(session, 999999)


def test_stale_customer_version_is_refused_when_joining(session):
    boss = make_staff(session, "boss", Role.SUPERVISOR)
    group = create_group(session, boss, name="G", credit_limit="1", currency="EUR")
    customer = make_customer(session)
    with pytest.raises(ConflictError, match="reload and try again"):
        add_member(session, boss, group.id, customer.id, expected_version=customer.version + 1)
    assert group_position(session, group.id).members == ()
