"""Held documents: listing with reasons and age, release, rejection, approval requests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from cctui.domain.credit.held import (
    list_held_documents,
    reject_after_approval,
    reject_held_document,
    release_after_approval,
    release_held_document,
)
from cctui.domain.credit.transactions import check_new_document
from cctui.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from cctui.domain.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    AuditLog,
    CreditAction,
    CreditEvent,
    Customer,
    DocumentKind,
    HeldDocument,
    HeldStatus,
    Role,
)
from tests.factories import TODAY, make_customer, make_staff


@pytest.fixture
def staff(session):
    return {
        "agent": make_staff(session, "agent", Role.AGENT),
        "ctl": make_staff(session, "ctl", Role.CONTROLLER),
        "boss": make_staff(session, "boss", Role.SUPERVISOR, secret="pw"),
        "chief": make_staff(session, "chief", Role.SUPERVISOR, secret="pw2"),
    }


def hold_customer(session, name="Held Ltd", action=CreditAction.HOLD):
    return make_customer(
        session,
        name=name,
        credit_action=action,
        credit_action_event=CreditEvent.MANUAL,
        credit_action_since=datetime(2026, 11, 1, tzinfo=UTC),
    )


def hold(session, actor, customer, reference="SO-1", amount="100.00"):
    result = check_new_document(
        session,
        actor,
        customer_id=customer.id,
        kind=DocumentKind.ORDER,
        reference=reference,
        amount=amount,
        as_of=TODAY,
    )
    assert result.held_document_id is not None
    return result.held_document_id


def held_count(session, customer):
    session.refresh(customer)
    return customer.held_document_count


def audits(session, action):
    return session.scalars(
        select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
    ).all()


def set_created_at(session, held_id, when):
    session.execute(update(HeldDocument).where(HeldDocument.id == held_id).values(created_at=when))
    session.expire_all()


def test_list_shows_held_documents_oldest_first_with_reasons_and_age(session, staff):
    first = hold_customer(session, "First Ltd")
    second = hold_customer(session, "Second Ltd", action=CreditAction.PASSWORD)
    newer = hold(session, staff["agent"], first, "SO-NEW", "10.00")
    older = hold(session, staff["agent"], second, "SO-OLD", "1234.56")
    set_created_at(session, newer, datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    set_created_at(session, older, datetime(2026, 11, 3, 12, 0, tzinfo=UTC))

    views = list_held_documents(session, staff["ctl"], as_of=TODAY)

    assert [view.id for view in views] == [older, newer]
    view = views[0]
    assert view.customer_id == second.id
    assert view.customer_account == second.account
    assert view.customer_name == "Second Ltd"
    assert view.kind == DocumentKind.ORDER
    assert view.reference == "SO-OLD"
    assert view.amount == Decimal("1234.56")
    assert view.currency == "EUR"
    assert view.credit_action == CreditAction.PASSWORD
    assert view.reasons[0] == "Second Ltd is on Password since 2026-11-01 (manual settings)."
    assert isinstance(view.reasons, tuple)
    assert view.age_days == (TODAY - datetime(2026, 11, 3, 12, tzinfo=UTC).astimezone().date()).days
    assert (
        views[1].age_days
        == (TODAY - datetime(2026, 11, 20, 12, tzinfo=UTC).astimezone().date()).days
    )
    assert (view.age_days, views[1].age_days) in ((20, 3), (19, 2), (21, 4))
    assert view.needs_supervisor is True
    assert view.status == HeldStatus.HELD
    assert view.created_by == "agent"
    assert view.decided_by is None
    assert view.pending_approval_id is None

    only_first = list_held_documents(session, staff["ctl"], customer_id=first.id, as_of=TODAY)
    assert [view.id for view in only_first] == [newer]
    assert len(list_held_documents(session, staff["ctl"], limit=1, as_of=TODAY)) == 1


def test_list_filters_by_status(session, staff):
    customer = hold_customer(session)
    kept = hold(session, staff["agent"], customer, "SO-1")
    released = hold(session, staff["agent"], customer, "SO-2")
    release_held_document(session, staff["boss"], released, note="Paid in advance")

    assert [view.id for view in list_held_documents(session, staff["ctl"])] == [kept]
    done = list_held_documents(session, staff["ctl"], status=HeldStatus.RELEASED)
    assert [view.id for view in done] == [released]
    assert done[0].decided_by == "boss"
    assert done[0].decided_at is not None
    assert done[0].decision_note == "Paid in advance"
    assert len(list_held_documents(session, staff["ctl"], status=None)) == 2


def test_listing_needs_a_controller_and_a_sane_limit(session, staff):
    with pytest.raises(PermissionDenied, match="Only a controller or above may list"):
        list_held_documents(session, staff["agent"])
    with pytest.raises(ValidationError):
        list_held_documents(session, staff["ctl"], limit=0)


def test_a_supervisor_releases_at_once(session, staff):
    customer = hold_customer(session)
    held_id = hold(session, staff["agent"], customer)
    assert held_count(session, customer) == 1

    decision = release_held_document(session, staff["boss"], held_id, note="  Known customer  ")

    assert decision.status == HeldStatus.RELEASED
    assert decision.decided_by == "boss"
    assert decision.waits_for_approval is False
    assert decision.approval_request_id is None
    held = session.get(HeldDocument, held_id)
    assert held.status == HeldStatus.RELEASED
    assert held.decided_by_id == staff["boss"].id
    assert held.decided_at is not None
    assert held.decision_note == "Known customer"
    assert held_count(session, customer) == 0
    [row] = audits(session, "release_held_document")
    assert row.actor == "boss"
    assert row.entity == "held_document"
    assert row.entity_id == str(held_id)
    assert row.before["status"] == "held"
    assert row.after["status"] == "released"
    assert row.after["decision_note"] == "Known customer"


def test_a_controller_rejects_with_a_note(session, staff):
    customer = hold_customer(session)
    held_id = hold(session, staff["agent"], customer)

    with pytest.raises(ValidationError, match="Say why"):
        reject_held_document(session, staff["ctl"], held_id, note="   ")
    decision = reject_held_document(session, staff["ctl"], held_id, note="Customer in dispute")

    assert decision.status == HeldStatus.REJECTED
    held = session.get(HeldDocument, held_id)
    assert held.status == HeldStatus.REJECTED
    assert held.decided_by_id == staff["ctl"].id
    assert held.decision_note == "Customer in dispute"
    assert held_count(session, customer) == 0
    [row] = audits(session, "reject_held_document")
    assert row.actor == "ctl"
    assert row.before["status"] == "held"
    assert row.after["status"] == "rejected"


def test_agents_may_neither_release_nor_reject(session, staff):
    customer = hold_customer(session)
    held_id = hold(session, staff["agent"], customer)

    with pytest.raises(PermissionDenied, match="release a held document"):
        release_held_document(session, staff["agent"], held_id)
    with pytest.raises(PermissionDenied, match="reject a held document"):
        reject_held_document(session, staff["agent"], held_id, note="No")
    assert session.get(HeldDocument, held_id).status == HeldStatus.HELD
    assert held_count(session, customer) == 1


def test_a_controller_release_of_a_supervisor_document_waits_for_approval(session, staff):
    customer = hold_customer(session)
    held_id = hold(session, staff["agent"], customer)

    first = release_held_document(session, staff["ctl"], held_id, note="Big customer")
    second = release_held_document(session, staff["ctl"], held_id)

    assert first.status == HeldStatus.HELD
    assert first.waits_for_approval is True
    assert first.decided_by is None
    assert "waits for a supervisor's approval" in first.message
    assert second.approval_request_id == first.approval_request_id
    requests = session.scalars(select(ApprovalRequest)).all()
    assert len(requests) == 1
    request = requests[0]
    assert request.kind == ApprovalKind.HELD_RELEASE
    assert request.status == ApprovalStatus.PENDING
    assert request.customer_id == customer.id
    assert request.held_document_id == held_id
    assert request.requested_by_id == staff["ctl"].id
    assert request.note == "Big customer"
    assert session.get(HeldDocument, held_id).status == HeldStatus.HELD
    assert held_count(session, customer) == 1
    [row] = audits(session, "request_held_release")
    assert row.entity == "approval_request"
    assert row.entity_id == str(request.id)
    [view] = list_held_documents(session, staff["ctl"])
    assert view.pending_approval_id == request.id

    # What approvals.decide_approval does once a supervisor approves the request.
    release_after_approval(session, staff["boss"], held_id, "Approved")

    held = session.get(HeldDocument, held_id)
    assert held.status == HeldStatus.RELEASED
    assert held.decided_by_id == staff["boss"].id
    assert held.decision_note == "Approved"
    assert held_count(session, customer) == 0
    [row] = audits(session, "release_held_document")
    assert row.actor == "boss"
    assert row.after["by_approval"] is True


def test_refusing_the_approval_rejects_the_document(session, staff):
    customer = hold_customer(session)
    held_id = hold(session, staff["agent"], customer)
    release_held_document(session, staff["ctl"], held_id)

    reject_after_approval(session, staff["boss"], held_id, None)

    held = session.get(HeldDocument, held_id)
    assert held.status == HeldStatus.REJECTED
    assert held.decided_by_id == staff["boss"].id
    assert held_count(session, customer) == 0
    [row] = audits(session, "reject_held_document")
    assert row.after["by_approval"] is True


def test_deciding_after_approval_needs_a_supervisor(session, staff):
    customer = hold_customer(session)
    held_id = hold(session, staff["agent"], customer)

    with pytest.raises(PermissionDenied):
        release_after_approval(session, staff["ctl"], held_id, None)
    with pytest.raises(PermissionDenied):
        reject_after_approval(session, staff["ctl"], held_id, None)
    assert session.get(HeldDocument, held_id).status == HeldStatus.HELD


def test_a_supervisor_deciding_directly_closes_the_pending_request(session, staff):
    customer = hold_customer(session)
    released = hold(session, staff["agent"], customer, "SO-1")
    rejected = hold(session, staff["agent"], customer, "SO-2")
    release_request = release_held_document(session, staff["ctl"], released).approval_request_id
    reject_request = release_held_document(session, staff["ctl"], rejected).approval_request_id

    release_held_document(session, staff["boss"], released)
    reject_held_document(session, staff["chief"], rejected, note="Too risky")

    approved = session.get(ApprovalRequest, release_request)
    assert approved.status == ApprovalStatus.APPROVED
    assert approved.decided_by_id == staff["boss"].id
    assert approved.decided_at is not None
    refused = session.get(ApprovalRequest, reject_request)
    assert refused.status == ApprovalStatus.REJECTED
    assert refused.decided_by_id == staff["chief"].id
    assert held_count(session, customer) == 0
    row = audits(session, "release_held_document")[0]
    assert row.after["closed_approval_request_ids"] == [release_request]


def test_a_controller_releases_directly_when_no_supervisor_is_needed(session, staff):
    customer = hold_customer(session)
    held_id = hold(session, staff["agent"], customer)
    session.get(HeldDocument, held_id).needs_supervisor = False
    session.flush()

    decision = release_held_document(session, staff["ctl"], held_id)

    assert decision.status == HeldStatus.RELEASED
    assert decision.waits_for_approval is False
    assert session.scalars(select(ApprovalRequest)).all() == []
    assert held_count(session, customer) == 0


def test_a_decided_document_cannot_be_decided_again(session, staff):
    customer = hold_customer(session)
    held_id = hold(session, staff["agent"], customer, "SO-5")
    release_held_document(session, staff["boss"], held_id)

    with pytest.raises(ConflictError, match="already released by boss"):
        release_held_document(session, staff["chief"], held_id)
    with pytest.raises(ConflictError, match="order SO-5 was already released"):
        reject_held_document(session, staff["ctl"], held_id, note="Too late")
    with pytest.raises(ConflictError):
        release_after_approval(session, staff["chief"], held_id, None)
    with pytest.raises(ConflictError):
        reject_after_approval(session, staff["chief"], held_id, None)
    with pytest.raises(ConflictError):
        release_held_document(session, staff["ctl"], held_id)  # no request for a decided one
    held = session.get(HeldDocument, held_id)
    assert held.decided_by_id == staff["boss"].id
    assert held_count(session, customer) == 0
    assert session.scalars(select(ApprovalRequest)).all() == []
    assert len(audits(session, "release_held_document")) == 1
    assert audits(session, "reject_held_document") == []


def test_unknown_held_document(session, staff):
    with pytest.raises(NotFound, match="no held document with id 999"):
        release_held_document(session, staff["boss"], 999)
    with pytest.raises(NotFound):
        reject_held_document(session, staff["boss"], 999, note="x")


def test_counts_follow_holds_releases_and_rejections(session, staff):
    customer = hold_customer(session)
    other = hold_customer(session, "Other Ltd")
    ids = [hold(session, staff["agent"], customer, f"SO-{n}") for n in range(3)]
    hold(session, staff["agent"], other, "SO-X")
    assert held_count(session, customer) == 3

    release_held_document(session, staff["boss"], ids[0])
    assert held_count(session, customer) == 2
    reject_held_document(session, staff["ctl"], ids[1], note="Cancelled by customer")
    assert held_count(session, customer) == 1
    assert held_count(session, other) == 1


def test_two_supervisors_releasing_at_once_decide_it_once(db):
    with db.session() as setup:
        agent = make_staff(setup, "agent", Role.AGENT)
        bosses = [make_staff(setup, f"boss{n}", Role.SUPERVISOR) for n in range(2)]
        customer = hold_customer(setup)
        customer_id = customer.id
        held_id = hold(setup, agent, customer)

    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def release(boss):
        with db.sessionmaker() as session:
            barrier.wait()
            try:
                release_held_document(session, boss, held_id)
                session.commit()
                outcomes.append("released")
            except ConflictError:
                session.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=release, args=(boss,)) for boss in bosses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["conflict", "released"]
    with db.session() as check:
        assert len(audits(check, "release_held_document")) == 1
        customer = check.get(Customer, customer_id)
        assert customer.held_document_count == 0
