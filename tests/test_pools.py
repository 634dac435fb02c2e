"""Pools: the criteria vocabulary, who manages pools, members, assignment, audit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from cctui.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from cctui.domain.models import AuditLog, CreditAction, Customer, Role
from cctui.domain.pools import (
    KEEP,
    add_pool_member,
    assign_customer_pool,
    create_pool,
    delete_pool,
    get_pool,
    list_pools,
    pools_of,
    remove_pool_member,
    update_pool,
)
from cctui.domain.queue import QueueQuery, queue_page
from cctui.domain.queue.criteria import PoolCriteria, parse_criteria
from tests.factories import TODAY, make_customer, make_staff


def test_criteria_vocabulary_parses_to_canonical_json():
    parsed = parse_criteria(
        {
            "countries": ["de", "AT", "DE"],
            "currency": "eur",
            "postal_prefixes": ["80", "81"],
            "credit_actions": ["HOLD"],
            "min_overdue": "1000",
            "max_overdue": 5000,
            "min_days_overdue": 30,
        }
    )
    assert parsed == PoolCriteria(
        countries=("DE", "AT"),
        currencies=("EUR",),
        postal_prefixes=("80", "81"),
        credit_actions=(CreditAction.HOLD,),
        min_overdue=Decimal("1000.00"),
        max_overdue=Decimal("5000.00"),
        min_days_overdue=30,
    )
    assert parsed.as_json() == {
        "countries": ["DE", "AT"],
        "currencies": ["EUR"],
        "postal_prefixes": ["80", "81"],
        "credit_actions": ["hold"],
        "min_overdue": "1000.00",
        "max_overdue": "5000.00",
        "min_days_overdue": 30,
    }
    assert parse_criteria(None) is None


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({}, "at least one criterion"),
        ({"country": ["DE"]}, "do not know country"),
        ({"countries": "DE"}, "must be a list"),
        ({"countries": []}, "at least one value"),
        ({"countries": ["Germany"]}, "not a country code"),
        ({"currencies": ["EURO"]}, "not a currency code"),
        ({"currency": "EUR", "currencies": ["EUR"]}, "either currency or currencies"),
        ({"credit_actions": ["block"]}, "not a credit action"),
        ({"min_overdue": 10.5}, "amount written as text"),
        ({"min_overdue": "-1"}, "zero or more"),
        ({"min_overdue": "10", "max_overdue": "5"}, "above max_overdue"),
        ({"min_days_overdue": "30"}, "whole number of days"),
        (["DE"], "JSON object"),
    ],
)
def test_criteria_refuse_what_they_do_not_know(criteria, message):
    with pytest.raises(ValidationError, match=message):
        parse_criteria(criteria)


def test_criteria_select_customers_in_sql(session):
    pool = create_pool(
        session,
        make_staff(session, "sue", Role.SUPERVISOR),
        name="Big and old in Bavaria",
        criteria={
            "countries": ["DE"],
            "postal_prefixes": ["8"],
            "min_overdue": "1000",
            "min_days_overdue": 30,
            "credit_actions": ["hold", "password"],
        },
    )
    base = {
        "country": "DE",
        "postal_code": "80331",
        "overdue_balance": Decimal("1500.00"),
        "balance": Decimal("1500.00"),
        "oldest_due_on": TODAY - timedelta(days=30),
        "credit_action": CreditAction.HOLD,
    }
    match = make_customer(session, **base)
    misses = [
        make_customer(session, **{**base, "country": "AT"}),
        make_customer(session, **{**base, "postal_code": "10115"}),
        make_customer(session, **{**base, "overdue_balance": Decimal("999.99")}),
        make_customer(session, **{**base, "oldest_due_on": TODAY - timedelta(days=29)}),
        make_customer(session, **{**base, "credit_action": CreditAction.REMIND}),
    ]
    rows = queue_page(session, query=QueueQuery(pool_id=pool.id), as_of=TODAY).rows
    assert [row.id for row in rows] == [match.id]
    assert len(misses) == 5


def test_only_supervisors_manage_pools(session):
    controller = make_staff(session, "carl", Role.CONTROLLER)
    supervisor = make_staff(session, "sue", Role.SUPERVISOR)
    with pytest.raises(PermissionDenied, match="Only a supervisor or above may create pools"):
        create_pool(session, controller, name="Mine")
    pool = create_pool(session, supervisor, name="West", criteria={"countries": ["GB"]})
    for call in (
        lambda: update_pool(session, controller, pool.id, name="East"),
        lambda: delete_pool(session, controller, pool.id),
        lambda: add_pool_member(session, controller, pool.id, controller.id),
        lambda: remove_pool_member(session, controller, pool.id, controller.id),
        lambda: assign_customer_pool(
            session, controller, customer_id=make_customer(session).id, pool_id=pool.id
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_pool_lifecycle_with_members_and_audit(session):
    admin = make_staff(session, "ada", Role.ADMIN)
    agent = make_staff(session, "al", Role.AGENT)
    other = make_staff(session, "bo", Role.AGENT)
    pool = create_pool(session, admin, name="  North   Team ", description="  Up north ")
    assert (pool.name, pool.description, pool.criteria) == ("North Team", "Up north", None)
    with pytest.raises(ConflictError, match="already a pool called North Team"):
        create_pool(session, admin, name="North Team")
    south = create_pool(session, admin, name="South")
    with pytest.raises(ConflictError, match="already a pool called North Team"):
        update_pool(session, admin, south.id, name="north  team".title())
    delete_pool(session, admin, south.id)

    pool = add_pool_member(session, admin, pool.id, agent.id)
    pool = add_pool_member(session, admin, pool.id, agent.id)  # twice changes nothing
    pool = add_pool_member(session, admin, pool.id, other.id)
    assert pool.member_logins == ("al", "bo")
    assert [p.name for p in pools_of(session, agent.id)] == ["North Team"]

    pool = update_pool(session, admin, pool.id, criteria={"currencies": ["SEK"]})
    assert pool.criteria == {"currencies": ["SEK"]}
    assert pool.description == "Up north"
    pool = update_pool(session, admin, pool.id, description=None, criteria=KEEP, name="Nord")
    assert (pool.name, pool.description, pool.criteria) == ("Nord", None, {"currencies": ["SEK"]})
    pool = update_pool(session, admin, pool.id, criteria=None)
    assert pool.criteria is None
    with pytest.raises(ValidationError):
        update_pool(session, admin, pool.id, criteria={"bogus": 1})

    pool = remove_pool_member(session, admin, pool.id, other.id)
    assert pool.member_ids == (agent.id,)

    customer = make_customer(session)
    version = assign_customer_pool(
        session, admin, customer_id=customer.id, pool_id=pool.id, expected_version=1
    )
    assert version == 2
    with pytest.raises(ConflictError, match="since you opened it"):
        assign_customer_pool(
            session, admin, customer_id=customer.id, pool_id=None, expected_version=1
        )
    with pytest.raises(ConflictError, match="still has 1 customers assigned"):
        delete_pool(session, admin, pool.id)
    assign_customer_pool(session, admin, customer_id=customer.id, pool_id=None)
    assert session.get(Customer, customer.id).pool_id is None
    delete_pool(session, admin, pool.id)
    assert list_pools(session) == []
    with pytest.raises(NotFound, match="no pool with id"):
        get_pool(session, pool.id)

    actions = session.scalars(
        select(AuditLog.action).where(AuditLog.actor == "ada").order_by(AuditLog.id)
    ).all()
    assert actions == [
        "create_pool",
        "create_pool",
        "delete_pool",
        "add_pool_member",
        "add_pool_member",
        "update_pool",
        "update_pool",
        "update_pool",
        "remove_pool_member",
        "assign_pool",
        "assign_pool",
        "delete_pool",
    ]
