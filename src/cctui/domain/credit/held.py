"""Held documents: listing them with their reasons and age, releasing or rejecting them.

A transaction stopped by a Password or Hold credit action waits as a held document (seed
001: "review the reasons for the hold … release sales orders"). A supervisor releases it at
once; a controller asking to release one that needs a supervisor raises an approval request
that a supervisor decides in :mod:`cctui.domain.credit.approvals`, which then calls
:func:`release_after_approval` or :func:`reject_after_approval`. Every decision locks the
customer, recounts its held documents and writes an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.editing import lock_customer, today
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.figures import refresh_held_count
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    CreditAction,
    Customer,
    DocumentKind,
    HeldDocument,
    HeldStatus,
    Role,
    Staff,
)
from cctui.domain.prepared import ReadStatement, fetch

MAX_LIST = 1000
"""The most held documents one call lists."""


@dataclass(frozen=True)
class HeldDocumentView:
    """A held document as the list of held documents shows it."""

    id: int
    customer_id: int
    customer_account: str
    customer_name: str
    kind: DocumentKind
    reference: str
    amount: Decimal
    currency: str
    credit_action: CreditAction
    reasons: tuple[str, ...]
    age_days: int
    """Whole days from the day it was held to ``as_of``."""
    needs_supervisor: bool
    status: HeldStatus
    created_by: str | None
    """Login of whoever entered the transaction."""
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    pending_approval_id: int | None
    """The approval request waiting for a supervisor to release it, if any."""


@dataclass(frozen=True)
class HeldDecision:
    """What became of a request to release or reject a held document.

    When a controller asks to release a document that needs a supervisor, ``status`` stays
    HELD, ``waits_for_approval`` is True and ``approval_request_id`` names the request.
    """

    held_document_id: int
    status: HeldStatus
    decided_by: str | None
    approval_request_id: int | None
    waits_for_approval: bool
    message: str


def _clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    cleaned = note.strip()
    return cleaned or None


def _describe(held: HeldDocument) -> str:
    return f"{held.document_kind.value} {held.reference}"


@cache
def _list_statement(by_status: bool, by_customer: bool) -> ReadStatement:
    """Held documents oldest first, with customer, logins and any pending release request;
    filtered on the bound ``status`` and ``customer_id`` when asked."""
    creator = aliased(Staff)
    decider = aliased(Staff)
    pending = (
        select(ApprovalRequest.id)
        .where(
            ApprovalRequest.held_document_id == HeldDocument.id,
            ApprovalRequest.kind == ApprovalKind.HELD_RELEASE,
            ApprovalRequest.status == ApprovalStatus.PENDING,
        )
        .order_by(ApprovalRequest.id)
        .limit(1)
        .correlate(HeldDocument)
        .scalar_subquery()
    )
    query = (
        select(
            HeldDocument.id,
            HeldDocument.customer_id,
            HeldDocument.document_kind,
            HeldDocument.reference,
            HeldDocument.amount,
            HeldDocument.currency,
            HeldDocument.credit_action,
            HeldDocument.reasons,
            HeldDocument.needs_supervisor,
            HeldDocument.status,
            HeldDocument.created_at,
            HeldDocument.decided_at,
            HeldDocument.decision_note,
            Customer.account,
            Customer.name,
            creator.login.label("created_by"),
            decider.login.label("decided_by"),
            pending.label("pending_approval_id"),
        )
        .join(Customer, Customer.id == HeldDocument.customer_id)
        .outerjoin(creator, creator.id == HeldDocument.created_by_id)
        .outerjoin(decider, decider.id == HeldDocument.decided_by_id)
        .order_by(HeldDocument.created_at, HeldDocument.id)
        .limit(bindparam("limit"))
    )
    if by_status:
        query = query.where(HeldDocument.status == bindparam("status"))
    if by_customer:
        query = query.where(HeldDocument.customer_id == bindparam("customer_id"))
    return query


def list_held_documents(
    session: Session,
    actor: StaffIdentity,
    *,
    status: HeldStatus | None = HeldStatus.HELD,
    customer_id: int | None = None,
    limit: int = 100,
    as_of: date | None = None,
) -> list[HeldDocumentView]:
    """Held documents (those still held unless ``status`` says otherwise; None: all), oldest
    first, with customer, reasons, age in days on ``as_of`` and any pending release request.
    """
    require_role(actor, Role.CONTROLLER, "list held documents")
    if not 1 <= limit <= MAX_LIST:
        raise ValidationError(f"Between 1 and {MAX_LIST} held documents can be listed at once.")
    day = today(as_of)
    values: dict[str, object] = {"limit": limit}
    if status is not None:
        values["status"] = status
    if customer_id is not None:
        values["customer_id"] = customer_id
    rows = fetch(session, _list_statement(status is not None, customer_id is not None), **values)
    views = []
    for row in rows:
        held_on = row.created_at.astimezone().date()
        views.append(
            HeldDocumentView(
                id=row.id,
                customer_id=row.customer_id,
                customer_account=row.account,
                customer_name=row.name,
                kind=DocumentKind(row.document_kind),
                reference=row.reference,
                amount=row.amount,
                currency=row.currency,
                credit_action=CreditAction(row.credit_action),
                reasons=tuple(row.reasons),
                age_days=max(0, (day - held_on).days),
                needs_supervisor=row.needs_supervisor,
                status=HeldStatus(row.status),
                created_by=row.created_by,
                created_at=row.created_at,
                decided_by=row.decided_by,
                decided_at=row.decided_at,
                decision_note=row.decision_note,
                pending_approval_id=row.pending_approval_id,
            )
        )
    return views


def _lock_held(session: Session, held_document_id: int) -> HeldDocument:
    """Lock the document's customer, then the document itself; refuse one already decided."""
    customer_id = session.scalar(
        select(HeldDocument.customer_id).where(HeldDocument.id == held_document_id)
    )
    if customer_id is None:
        raise NotFound(f"There is no held document with id {held_document_id}.")
    lock_customer(session, customer_id)
    held = session.scalar(
        select(HeldDocument)
        .where(HeldDocument.id == held_document_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if held is None:
        raise NotFound(f"There is no held document with id {held_document_id}.")
    if held.status != HeldStatus.HELD:
        decider = session.get(Staff, held.decided_by_id) if held.decided_by_id else None
        by = f" by {decider.login}" if decider is not None else ""
        raise ConflictError(
            f"The held {_describe(held)} was already {held.status.value}{by}; "
            "it cannot be decided again."
        )
    return held


def _pending_request(session: Session, held: HeldDocument) -> ApprovalRequest | None:
    return session.scalar(
        select(ApprovalRequest)
        .where(
            ApprovalRequest.held_document_id == held.id,
            ApprovalRequest.kind == ApprovalKind.HELD_RELEASE,
            ApprovalRequest.status == ApprovalStatus.PENDING,
        )
        .order_by(ApprovalRequest.id)
        .limit(1)
        .with_for_update()
    )


def _close_pending_requests(
    session: Session, actor: StaffIdentity, held: HeldDocument, status: ApprovalStatus
) -> list[int]:
    """Close any release request still pending when a supervisor decides the document."""
    requests = session.scalars(
        select(ApprovalRequest)
        .where(
            ApprovalRequest.held_document_id == held.id,
            ApprovalRequest.kind == ApprovalKind.HELD_RELEASE,
            ApprovalRequest.status == ApprovalStatus.PENDING,
        )
        .with_for_update()
    ).all()
    now = datetime.now(UTC)
    for request in requests:
        request.status = status
        request.decided_by_id = actor.id
        request.decided_at = now
    return [request.id for request in requests]


def _decide(
    session: Session,
    actor: StaffIdentity,
    held: HeldDocument,
    status: HeldStatus,
    note: str | None,
    *,
    by_approval: bool,
) -> HeldDecision:
    """Mark the (locked, still held) document released or rejected, recount and audit."""
    before = {"status": held.status, "decided_by_id": None, "decision_note": None}
    closed: list[int] = []
    if not by_approval:
        closed = _close_pending_requests(
            session,
            actor,
            held,
            ApprovalStatus.APPROVED if status == HeldStatus.RELEASED else ApprovalStatus.REJECTED,
        )
    held.status = status
    held.decided_by_id = actor.id
    held.decided_at = datetime.now(UTC)
    held.decision_note = note
    session.flush()
    refresh_held_count(session, held.customer_id)
    after: dict[str, object] = {
        "status": status,
        "decided_by_id": actor.id,
        "decided_by": actor.login,
        "decision_note": note,
        "by_approval": by_approval,
    }
    if closed:
        after["closed_approval_request_ids"] = closed
    verb = "release" if status == HeldStatus.RELEASED else "reject"
    audit(
        session,
        actor,
        action=f"{verb}_held_document",
        entity="held_document",
        entity_id=held.id,
        customer_id=held.customer_id,
        before=before,
        after=after,
    )
    return HeldDecision(
        held_document_id=held.id,
        status=status,
        decided_by=actor.login,
        approval_request_id=None,
        waits_for_approval=False,
        message=f"The held {_describe(held)} is {status.value}.",
    )


def _request_release(
    session: Session, actor: StaffIdentity, held: HeldDocument, note: str | None
) -> HeldDecision:
    """Ask a supervisor to release ``held``; a request already pending is handed back."""
    message = (
        f"Releasing the held {_describe(held)} needs a supervisor; "
        "the request waits for a supervisor's approval."
    )
    existing = _pending_request(session, held)
    if existing is not None:
        return HeldDecision(held.id, HeldStatus.HELD, None, existing.id, True, message)
    request = ApprovalRequest(
        kind=ApprovalKind.HELD_RELEASE,
        customer_id=held.customer_id,
        held_document_id=held.id,
        status=ApprovalStatus.PENDING,
        requested_by_id=actor.id,
        note=note,
    )
    session.add(request)
    session.flush()
    audit(
        session,
        actor,
        action="request_held_release",
        entity="approval_request",
        entity_id=request.id,
        after={
            "kind": ApprovalKind.HELD_RELEASE,
            "status": ApprovalStatus.PENDING,
            "customer_id": held.customer_id,
            "held_document_id": held.id,
            "note": note,
        },
    )
    return HeldDecision(held.id, HeldStatus.HELD, None, request.id, True, message)


def release_held_document(
    session: Session, actor: StaffIdentity, held_document_id: int, *, note: str | None = None
) -> HeldDecision:
    """Release a held document so its transaction can go on.

    A supervisor (or admin) releases at once, closing any pending release request. A
    controller releases at once a document that does not need a supervisor; for one that
    does, an approval request is raised (or the one already pending is returned) and the
    document stays held. Agents are refused.
    """
    require_role(actor, Role.CONTROLLER, "release a held document")
    cleaned = _clean_note(note)
    held = _lock_held(session, held_document_id)
    if held.needs_supervisor and not actor.has_role(Role.SUPERVISOR):
        return _request_release(session, actor, held, cleaned)
    return _decide(session, actor, held, HeldStatus.RELEASED, cleaned, by_approval=False)


def reject_held_document(
    session: Session, actor: StaffIdentity, held_document_id: int, *, note: str
) -> HeldDecision:
    """Reject a held document for good (controllers and above); ``note`` says why."""
    require_role(actor, Role.CONTROLLER, "reject a held document")
    cleaned = _clean_note(note)
    if cleaned is None:
        raise ValidationError("Say why the held document is rejected.")
    held = _lock_held(session, held_document_id)
    return _decide(session, actor, held, HeldStatus.REJECTED, cleaned, by_approval=False)


def release_after_approval(
    session: Session, approver: StaffIdentity, held_document_id: int, note: str | None
) -> None:
    """Release the held document whose release request ``approver`` has just approved.

    Called by the approvals service, which decides the request itself.
    """
    require_role(approver, Role.SUPERVISOR, "approve the release of a held document")
    held = _lock_held(session, held_document_id)
    _decide(session, approver, held, HeldStatus.RELEASED, _clean_note(note), by_approval=True)


def reject_after_approval(
    session: Session, approver: StaffIdentity, held_document_id: int, note: str | None
) -> None:
    """Reject the held document whose release request ``approver`` has just refused.

    Called by the approvals service, which decides the request itself.
    """
    require_role(approver, Role.SUPERVISOR, "refuse the release of a held document")
    held = _lock_held(session, held_document_id)
    _decide(session, approver, held, HeldStatus.REJECTED, _clean_note(note), by_approval=True)
