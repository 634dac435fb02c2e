"""Follow-up dates: today or later, with a reason, optimistic version check, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cctui.domain.errors import ConflictError, ValidationError
from cctui.domain.models import Customer, Role
from cctui.domain.workflow.follow_up import clear_follow_up, set_follow_up
from tests.factories import TODAY, make_customer, make_staff
from tests.figures_check import assert_figures_true
from tests.workflow_support import audit_rows


def test_set_and_clear_a_follow_up(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session)
    seen = customer.version
    later = TODAY + timedelta(days=7)

    result = set_follow_up(
        session,
        agent,
        customer_id=customer.id,
        follow_up_on=later,
        reason="  Waiting for the insurer  ",
        expected_version=seen,
        as_of=TODAY,
    )
    assert result.follow_up_on == later and result.reason == "Waiting for the insurer"
    assert result.version == seen + 1
    session.expire_all()
    stored = session.get(Customer, customer.id)
    assert (stored.follow_up_on, stored.follow_up_reason) == (later, "Waiting for the insurer")

    today = set_follow_up(
        session,
        agent,
        customer_id=customer.id,
        follow_up_on=TODAY,
        reason="Call back today",
        expected_version=result.version,
        as_of=TODAY,
    )
    assert today.follow_up_on == TODAY

    cleared = clear_follow_up(
        session, agent, customer_id=customer.id, expected_version=today.version
    )
    assert (cleared.follow_up_on, cleared.reason) == (None, None)
    session.expire_all()
    assert session.get(Customer, customer.id).follow_up_on is None
    with pytest.raises(ConflictError, match="no follow-up date to clear"):
        clear_follow_up(session, agent, customer_id=customer.id)

    first, second = audit_rows(session, "set_follow_up")
    assert first.actor == "agent"
    assert first.before == {"follow_up_on": None, "follow_up_reason": None}
    assert first.after == {
        "follow_up_on": later.isoformat(),
        "follow_up_reason": "Waiting for the insurer",
    }
    assert second.before["follow_up_on"] == later.isoformat()
    (clear,) = audit_rows(session, "clear_follow_up")
    assert clear.before["follow_up_on"] == TODAY.isoformat()
    assert clear.after == {"follow_up_on": None, "follow_up_reason": None}
    assert_figures_true(session)


def test_follow_up_validation(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session)
    with pytest.raises(ValidationError, match="today \\(2026-11-23\\) or later"):
        set_follow_up(
            session,
            agent,
            customer_id=customer.id,
            follow_up_on=TODAY - timedelta(days=1),
            reason="Too late",
            as_of=TODAY,
        )
    with pytest.raises(ValidationError, match="needs a reason"):
        set_follow_up(
            session, agent, customer_id=customer.id, follow_up_on=TODAY, reason=" ", as_of=TODAY
        )
    assert audit_rows(session, "set_follow_up") == []


def test_a_stale_screen_is_refused(session):
    agent = make_staff(session, "agent", Role.AGENT)
    other = make_staff(session, "other", Role.CONTROLLER)
    customer = make_customer(session)
    seen = customer.version
    set_follow_up(
        session,
        other,
        customer_id=customer.id,
        follow_up_on=TODAY + timedelta(days=1),
        reason="Mine",
        expected_version=seen,
        as_of=TODAY,
    )
    with pytest.raises(ConflictError, match="Someone else changed customer"):
        set_follow_up(
            session,
            agent,
            customer_id=customer.id,
            follow_up_on=TODAY + timedelta(days=2),
            reason="Theirs",
            expected_version=seen,
            as_of=TODAY,
        )
    with pytest.raises(ConflictError, match="Someone else changed customer"):
        clear_follow_up(session, agent, customer_id=customer.id, expected_version=seen)
    session.expire_all()
    assert session.get(Customer, customer.id).follow_up_reason == "Mine"
