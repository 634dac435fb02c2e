"""Approvals: a supervisor other than the requester decides limit raises and held releases."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from cctui.domain.credit.approvals import decide_approval, pending_approvals
from cctui.domain.credit.limits import change_credit_limit, credit_limit_history
from cctui.domain.errors import ConflictError, NotFound, PermissionDenied
from cctui.domain.figures import refresh_held_count
from cctui.domain.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    AuditLog,
    CreditAction,
    CreditLimitChange,
    DocumentKind,
    HeldDocument,
    HeldStatus,
    Role,
)
from tests.factories import TODAY, make_customer, make_staff

HELD_MODULE = importlib.util.find_spec("cctui.domain.credit.held") is not None


def _audit(session, action):
    return session.scalars(
        select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
    ).all()


@pytest.fixture
def people(session):
    return {
        "clerk": make_staff(session, "clerk", Role.CONTROLLER),
        "boss": make_staff(session, "boss", Role.SUPERVISOR),
        "chief": make_staff(session, "chief", Role.ADMIN),
    }


def test_raise_above_authority_waits_then_a_supervisor_approves(session, people):
    clerk, boss = people["clerk"], people["boss"]
    customer = make_customer(session, credit_limit="5000.00")

    asked = change_credit_limit(session, clerk, customer.id, "20000", "New warehouse")
    assert not asked.applied
    session.refresh(customer)
    assert customer.credit_limit == Decimal("5000.00")

    (waiting,) = pending_approvals(session, boss)
    assert waiting.id == asked.approval_request_id
    assert waiting.kind == ApprovalKind.CREDIT_LIMIT
    assert waiting.account == customer.account
    assert waiting.requested_by == "clerk"
    assert not waiting.mine
    assert waiting.credit_limit_change_id == asked.change_id
    assert waiting.summary == "Credit limit 5,000.00 EUR -> 20,000.00 EUR: New warehouse"

    decision = decide_approval(session, boss, asked.approval_request_id, approve=True, note="OK")

    assert decision.status == ApprovalStatus.APPROVED
    session.refresh(customer)
    assert customer.credit_limit == Decimal("20000.00")
    change = session.get(CreditLimitChange, asked.change_id)
    assert change.status == ApprovalStatus.APPROVED
    assert change.applied_at is not None
    request = session.get(ApprovalRequest, asked.approval_request_id)
    assert request.status == ApprovalStatus.APPROVED
    assert request.decided_by_id == boss.id
    assert request.decided_at is not None
    assert request.note == "OK"
    (history,) = credit_limit_history(session, customer.id)
    assert (history.old_limit, history.new_limit, history.status) == (
        Decimal("5000.00"),
        Decimal("20000.00"),
        ApprovalStatus.APPROVED,
    )
    assert history.requested_by == "clerk"
    (applied,) = _audit(session, "approve_credit_limit_change")
    assert applied.actor == "boss"
    assert applied.before["credit_limit"] == "5000.00"
    assert applied.after["credit_limit"] == "20000.00"
    (closed,) = _audit(session, "approve_request")
    assert closed.entity == "approval_request"
    assert closed.before == {"status": "pending"}
    assert closed.after["status"] == "approved"
    assert pending_approvals(session, boss) == []


def test_rejected_raise_changes_nothing(session, people):
    clerk, boss = people["clerk"], people["boss"]
    customer = make_customer(session, credit_limit="5000.00")
    asked = change_credit_limit(session, clerk, customer.id, "20000", "Please")

    decision = decide_approval(
        session, boss, asked.approval_request_id, approve=False, note="Pays late"
    )

    assert decision.status == ApprovalStatus.REJECTED
    session.refresh(customer)
    assert customer.credit_limit == Decimal("5000.00")
    change = session.get(CreditLimitChange, asked.change_id)
    assert change.status == ApprovalStatus.REJECTED
    assert change.applied_at is None
    request = session.get(ApprovalRequest, asked.approval_request_id)
    assert (request.status, request.note) == (ApprovalStatus.REJECTED, "Pays late")
    assert [h.status for h in credit_limit_history(session, customer.id)] == [
        ApprovalStatus.REJECTED
    ]
    (row,) = _audit(session, "reject_credit_limit_change")
    assert row.before == {"status": "pending"}
    assert row.after["status"] == "rejected"
    assert _audit(session, "reject_request")[0].after["note"] == "Pays late"
    with pytest.raises(ConflictError, match="was already rejected"):
        decide_approval(session, boss, asked.approval_request_id, approve=True)


def test_requester_may_not_decide_their_own_request(session, people):
    boss = people["boss"]
    capped = make_staff(session, "capped", Role.SUPERVISOR, approval_limit=Decimal("10000"))
    customer = make_customer(session, credit_limit="1000")
    asked = change_credit_limit(session, capped, customer.id, "15000", "Above my cap")
    assert not asked.applied
    (mine,) = pending_approvals(session, capped)
    assert mine.mine
    with pytest.raises(PermissionDenied) as refused:
        decide_approval(session, capped, asked.approval_request_id, approve=True)
    assert str(refused.value) == (
        f"capped asked for approval request {asked.approval_request_id} and may not decide "
        "it; another supervisor must."
    )
    decide_approval(session, boss, asked.approval_request_id, approve=True)
    session.refresh(customer)
    assert customer.credit_limit == Decimal("15000.00")


def test_controllers_may_not_see_or_decide_approvals(session, people):
    clerk, boss = people["clerk"], people["boss"]
    other = make_staff(session, "other", Role.CONTROLLER)
    customer = make_customer(session)
    asked = change_credit_limit(session, clerk, customer.id, "50000", "Please")
    with pytest.raises(PermissionDenied) as refused:
        pending_approvals(session, other)
    assert str(refused.value) == (
        "Only a supervisor or above may see requests waiting for approval; other is a controller."
    )
    with pytest.raises(PermissionDenied, match="may decide requests waiting for approval"):
        decide_approval(session, other, asked.approval_request_id, approve=True)
    assert session.get(ApprovalRequest, asked.approval_request_id).status == (
        ApprovalStatus.PENDING
    )
    assert len(pending_approvals(session, boss)) == 1


def test_an_approver_with_a_cap_cannot_approve_above_it(session, people):
    clerk, chief = people["clerk"], people["chief"]
    capped = make_staff(session, "capped", Role.SUPERVISOR, approval_limit=Decimal("20000"))
    customer = make_customer(session, credit_limit="1000")
    asked = change_credit_limit(session, clerk, customer.id, "30000", "Big")
    with pytest.raises(PermissionDenied) as refused:
        decide_approval(session, capped, asked.approval_request_id, approve=True)
    assert str(refused.value) == (
        "capped may approve credit limits up to 20,000.00 EUR, not 30,000.00 EUR."
    )
    # Rejecting needs no authority over the amount.
    decide_approval(session, capped, asked.approval_request_id, approve=False)
    again = change_credit_limit(session, clerk, customer.id, "30000", "Big, again")
    decide_approval(session, chief, again.approval_request_id, approve=True)
    session.refresh(customer)
    assert customer.credit_limit == Decimal("30000.00")


def test_lowering_needs_no_approval_and_approval_takes_the_current_old_limit(session, people):
    clerk, boss = people["clerk"], people["boss"]
    customer = make_customer(session, credit_limit="8000")
    asked = change_credit_limit(session, clerk, customer.id, "20000", "Raise")
    lowered = change_credit_limit(session, clerk, customer.id, "3000", "Cut meanwhile")
    assert lowered.applied
    assert lowered.approval_request_id is None
    assert len(pending_approvals(session, boss)) == 1
    decide_approval(session, boss, asked.approval_request_id, approve=True)
    history = credit_limit_history(session, customer.id)
    # Newest first; the approved raise now replaces the 3,000 that was set meanwhile.
    assert [(h.reason, h.old_limit, h.new_limit) for h in history] == [
        ("Cut meanwhile", Decimal("8000.00"), Decimal("3000.00")),
        ("Raise", Decimal("3000.00"), Decimal("20000.00")),
    ]
    session.refresh(customer)
    assert customer.credit_limit == Decimal("20000.00")


def test_approved_temporary_limit_applies_until_it_expires(session, people):
    clerk, boss = people["clerk"], people["boss"]
    customer = make_customer(session, credit_limit="1000")
    expires = TODAY + timedelta(days=5)
    asked = change_credit_limit(
        session,
        clerk,
        customer.id,
        "25000",
        "Season",
        temporary=True,
        expires_on=expires,
        as_of=TODAY,
    )
    assert pending_approvals(session, boss)[0].summary == (
        f"Temporary credit limit 1,000.00 EUR -> 25,000.00 EUR until {expires.isoformat()}: Season"
    )
    with pytest.raises(ConflictError, match=r"expired on .*; reject the request instead"):
        decide_approval(session, boss, asked.approval_request_id, approve=True, as_of=expires)
    decide_approval(
        session, boss, asked.approval_request_id, approve=True, as_of=TODAY + timedelta(days=1)
    )
    session.refresh(customer)
    assert customer.temp_credit_limit == Decimal("25000.00")
    assert customer.temp_limit_expires_on == expires
    assert customer.credit_limit == Decimal("1000.00")


def test_unknown_request(session, people):
    with pytest.raises(NotFound, match="no approval request with id 999999"):
        decide_approval(session, people["boss"], 999999, approve=True)


def _held_release_request(session, customer, requester):
    held = HeldDocument(
        customer_id=customer.id,
        document_kind=DocumentKind.ORDER,
        reference="SO-77",
        amount=Decimal("1200.00"),
        currency=customer.currency,
        credit_action=CreditAction.PASSWORD,
        reasons=["credit limit exceeded"],
        needs_supervisor=True,
        created_by_id=requester.id,
    )
    session.add(held)
    session.flush()
    refresh_held_count(session, customer.id)
    request = ApprovalRequest(
        kind=ApprovalKind.HELD_RELEASE,
        customer_id=customer.id,
        held_document_id=held.id,
        status=ApprovalStatus.PENDING,
        requested_by_id=requester.id,
    )
    session.add(request)
    session.flush()
    return held, request


@pytest.mark.skipif(not HELD_MODULE, reason="cctui.domain.credit.held is not written yet")
@pytest.mark.parametrize(
    ("approve", "status"), [(True, HeldStatus.RELEASED), (False, HeldStatus.REJECTED)]
)
def test_held_release_requests_are_dispatched(session, people, approve, status):
    clerk, boss = people["clerk"], people["boss"]
    customer = make_customer(session)
    held, request = _held_release_request(session, customer, clerk)
    session.refresh(customer)
    assert customer.held_document_count == 1
    (waiting,) = pending_approvals(session, boss)
    assert waiting.kind == ApprovalKind.HELD_RELEASE
    assert waiting.summary == "Release held order SO-77 of 1,200.00 EUR: credit limit exceeded"
    with pytest.raises(PermissionDenied):
        decide_approval(session, clerk, request.id, approve=approve)

    decide_approval(session, boss, request.id, approve=approve, note="Checked")

    session.refresh(held)
    session.refresh(request)
    session.refresh(customer)
    assert held.status == status
    assert held.decided_by_id == boss.id
    assert request.status == (ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED)
    assert request.decided_by_id == boss.id
    assert customer.held_document_count == 0
    assert len(_audit(session, "approve_request" if approve else "reject_request")) == 1
