"""What waits for a supervisor: limit raises above authority and held-document releases.

An approval request is made by the service that needed it
(:func:`cctui.domain.credit.limits.change_credit_limit` for a raise above the requester's
authority, :func:`cctui.domain.credit.held.release_held_document` for a held document that
needs a supervisor). A supervisor or admin other than the requester approves or rejects it
here; the decision is dispatched to the service owning the subject, and the request is
closed in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.credit.limits import apply_limit_change, reject_limit_change
from cctui.domain.editing import lock_customer, show_money
from cctui.domain.errors import ConflictError, NotFound, PermissionDenied
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    CreditLimitChange,
    Customer,
    HeldDocument,
    Role,
    Staff,
)


@dataclass(frozen=True)
class PendingApproval:
    """A request waiting for a supervisor, with what it asks in one line."""

    id: int
    kind: ApprovalKind
    customer_id: int
    account: str
    customer_name: str
    requested_by: str | None
    """Login of who asked."""
    requested_at: datetime
    mine: bool
    """True when the person looking asked for it (they may not decide it)."""
    summary: str
    credit_limit_change_id: int | None
    held_document_id: int | None


@dataclass(frozen=True)
class ApprovalDecision:
    """The outcome of :func:`decide_approval`."""

    request_id: int
    kind: ApprovalKind
    status: ApprovalStatus
    customer_id: int


def _limit_summary(change: CreditLimitChange, currency: str) -> str:
    old = "none" if change.old_limit is None else show_money(change.old_limit, currency)
    what = "Temporary credit limit" if change.temporary else "Credit limit"
    until = (
        f" until {change.expires_on.isoformat()}"
        if change.temporary and change.expires_on is not None
        else ""
    )
    return f"{what} {old} -> {show_money(change.new_limit, currency)}{until}: {change.reason}"


def _held_summary(held: HeldDocument) -> str:
    return (
        f"Release held {held.document_kind.value} {held.reference} of "
        f"{show_money(held.amount, held.currency)}: {'; '.join(held.reasons)}"
    )


def pending_approvals(session: Session, actor: StaffIdentity) -> list[PendingApproval]:
    """Every request waiting for a decision, oldest first (supervisors and admins)."""
    require_role(actor, Role.SUPERVISOR, "see requests waiting for approval")
    requester = aliased(Staff)
    rows = session.execute(
        select(ApprovalRequest, Customer, requester.login, CreditLimitChange, HeldDocument)
        .join(Customer, Customer.id == ApprovalRequest.customer_id)
        .outerjoin(requester, requester.id == ApprovalRequest.requested_by_id)
        .outerjoin(
            CreditLimitChange, CreditLimitChange.id == ApprovalRequest.credit_limit_change_id
        )
        .outerjoin(HeldDocument, HeldDocument.id == ApprovalRequest.held_document_id)
        .where(ApprovalRequest.status == ApprovalStatus.PENDING)
        .order_by(ApprovalRequest.requested_at, ApprovalRequest.id)
    )
    pending: list[PendingApproval] = []
    for request, customer, login, change, held in rows:
        if change is not None:
            summary = _limit_summary(change, customer.currency)
        elif held is not None:
            summary = _held_summary(held)
        else:
            summary = request.kind.value
        pending.append(
            PendingApproval(
                id=request.id,
                kind=request.kind,
                customer_id=customer.id,
                account=customer.account,
                customer_name=customer.name,
                requested_by=login,
                requested_at=request.requested_at,
                mine=request.requested_by_id == actor.id,
                summary=summary,
                credit_limit_change_id=request.credit_limit_change_id,
                held_document_id=request.held_document_id,
            )
        )
    return pending


def decide_approval(
    session: Session,
    actor: StaffIdentity,
    request_id: int,
    *,
    approve: bool,
    note: str | None = None,
    as_of: date | None = None,
) -> ApprovalDecision:
    """Approve or reject a waiting request (supervisors and admins, never the requester).

    A credit-limit request applies or rejects its pending limit change; a held-release
    request releases or rejects its held document. The request records who decided, when,
    and the note.
    """
    require_role(actor, Role.SUPERVISOR, "decide requests waiting for approval")
    customer_id = session.scalar(
        select(ApprovalRequest.customer_id).where(ApprovalRequest.id == request_id)
    )
    if customer_id is None:
        raise NotFound(f"There is no approval request with id {request_id}.")
    # The customer first, as every service changing its credit does, then the request.
    lock_customer(session, customer_id)
    request = session.scalar(
        select(ApprovalRequest)
        .where(ApprovalRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if request is None:
        raise NotFound(f"There is no approval request with id {request_id}.")
    if request.status != ApprovalStatus.PENDING:
        raise ConflictError(
            f"Approval request {request_id} was already {request.status.value}; "
            "there is nothing left to decide."
        )
    if request.requested_by_id == actor.id:
        raise PermissionDenied(
            f"{actor.login} asked for approval request {request_id} and may not decide it; "
            "another supervisor must."
        )
    remark = (note or "").strip() or None
    _dispatch(session, actor, request, approve=approve, note=remark, as_of=as_of)
    status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    request.status = status
    request.decided_by_id = actor.id
    request.decided_at = datetime.now(UTC)
    request.note = remark
    session.flush()
    audit(
        session,
        actor,
        action="approve_request" if approve else "reject_request",
        entity="approval_request",
        entity_id=request.id,
        before={"status": ApprovalStatus.PENDING},
        after={
            "status": status,
            "kind": request.kind,
            "customer_id": request.customer_id,
            "note": remark,
        },
    )
    return ApprovalDecision(request.id, request.kind, status, request.customer_id)


def _dispatch(
    session: Session,
    actor: StaffIdentity,
    request: ApprovalRequest,
    *,
    approve: bool,
    note: str | None,
    as_of: date | None,
) -> None:
    """Carry the decision out on the request's subject."""
    if request.kind == ApprovalKind.CREDIT_LIMIT:
        if request.credit_limit_change_id is None:
            raise ConflictError(f"Approval request {request.id} names no credit-limit change.")
        if approve:
            apply_limit_change(session, actor, request.credit_limit_change_id, as_of=as_of)
        else:
            reject_limit_change(session, actor, request.credit_limit_change_id)
        return
    if request.held_document_id is None:
        raise ConflictError(f"Approval request {request.id} names no held document.")
    from cctui.domain.credit import held  # written alongside; imported when first needed

    if approve:
        held.release_after_approval(session, actor, request.held_document_id, note)
    else:
        held.reject_after_approval(session, actor, request.held_document_id, note)
