"""Credit-limit adjustments with their history, and the credit attributes (seeds 001, 002).

Every adjustment is a ``credit_limit_change`` row: old, new, who, why, when, and whether it is
a temporary limit with an expiry date. A permanent change sets ``customer.credit_limit``; a
temporary one sets ``temp_credit_limit`` and ``temp_limit_expires_on`` (the effective limit
uses it on the days before that date, see :mod:`cctui.domain.credit.position`).

Authority: lowering a limit never needs approval. Raising one to a new limit above the
actor's authority (:func:`limit_authority`) records the change as *pending* with an approval
request for a supervisor, and applies nothing until it is approved
(:mod:`cctui.domain.credit.approvals`). Agents may not change limits at all.

"Old" is the limit the change replaces: the permanent limit for a permanent change, the
customer's own effective limit that day (a valid temporary limit, else the permanent one)
for a temporary change. A pending change's old limit is taken again when it is applied, so
the history always chains from one applied limit to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.book_settings import controller_limit_authority
from cctui.domain.credit.position import own_limit
from cctui.domain.editing import clean_reason, lock_customer, show_money, today
from cctui.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    CreditLimitChange,
    Customer,
    Role,
    Staff,
)
from cctui.domain.money import to_money
from cctui.domain.prepared import ReadStatement, fetch


@dataclass(frozen=True)
class LimitChangeResult:
    """What :func:`change_credit_limit` did: applied at once, or waiting for approval."""

    change_id: int
    applied: bool
    approval_request_id: int | None
    """The approval request a supervisor must decide, when the change was not applied."""


@dataclass(frozen=True)
class LimitChangeRecord:
    """One line of a customer's credit-limit history."""

    id: int
    customer_id: int
    old_limit: Decimal | None
    new_limit: Decimal
    temporary: bool
    expires_on: date | None
    reason: str
    status: ApprovalStatus
    requested_by: str | None
    """Login of who asked for the change."""
    requested_at: datetime
    applied_at: datetime | None


@dataclass(frozen=True)
class CreditAttributes:
    """A customer's securities against its credit: insurance and guarantees (seed 001)."""

    customer_id: int
    insurance_amount: Decimal
    guarantee_amount: Decimal
    guarantee_note: str | None
    version: int


def limit_authority(session: Session, actor: StaffIdentity) -> Decimal | None:
    """The largest credit limit ``actor`` may set without approval; None means no ceiling.

    A staff member's own ``approval_limit`` wins; otherwise controllers (and agents) have the
    book's ``controller_limit_authority`` and supervisors and admins have no ceiling.
    """
    own = session.scalar(select(Staff.approval_limit).where(Staff.id == actor.id))
    if own is not None:
        return own
    if actor.has_role(Role.SUPERVISOR):
        return None
    return controller_limit_authority(session)


def _replaced_limit(customer: Customer, temporary: bool, day: date) -> Decimal:
    """The limit a change replaces (see the module docstring)."""
    return own_limit(customer, day) if temporary else customer.credit_limit


def _limits(customer: Customer) -> dict[str, Any]:
    return {
        "credit_limit": customer.credit_limit,
        "temp_credit_limit": customer.temp_credit_limit,
        "temp_limit_expires_on": customer.temp_limit_expires_on,
    }


def change_credit_limit(
    session: Session,
    actor: StaffIdentity,
    customer_id: int,
    new_limit: Decimal | int | str,
    reason: str,
    *,
    temporary: bool = False,
    expires_on: date | None = None,
    expected_version: int | None = None,
    as_of: date | None = None,
) -> LimitChangeResult:
    """Adjust a customer's credit limit (controllers and above), or ask for approval.

    A temporary limit needs ``expires_on`` after ``as_of``; it applies on the days before.
    A raise above the actor's authority is recorded as pending with an approval request;
    only one such request per customer may wait at a time.
    """
    require_role(actor, Role.CONTROLLER, "change credit limits")
    value = to_money(new_limit, what="credit limit", allow_zero=True)
    why = clean_reason(reason, "credit-limit change")
    day = today(as_of)
    if temporary:
        if expires_on is None:
            raise ValidationError("A temporary credit limit needs an expiry date.")
        if expires_on <= day:
            raise ValidationError(
                f"A temporary credit limit must expire after {day.isoformat()}, "
                f"not on {expires_on.isoformat()}."
            )
    elif expires_on is not None:
        raise ValidationError("Only a temporary credit limit has an expiry date.")
    customer = lock_customer(session, customer_id, expected_version)
    old = _replaced_limit(customer, temporary, day)
    authority = limit_authority(session, actor)
    needs_approval = value > old and authority is not None and value > authority
    if needs_approval:
        _no_pending_request(session, customer)
    change = CreditLimitChange(
        customer_id=customer.id,
        old_limit=old,
        new_limit=value,
        temporary=temporary,
        expires_on=expires_on,
        reason=why,
        status=ApprovalStatus.PENDING if needs_approval else ApprovalStatus.APPROVED,
        requested_by_id=actor.id,
    )
    session.add(change)
    session.flush()
    if not needs_approval:
        _apply(session, actor, customer, change, day, action="change_credit_limit")
        return LimitChangeResult(change.id, applied=True, approval_request_id=None)
    request = ApprovalRequest(
        kind=ApprovalKind.CREDIT_LIMIT,
        customer_id=customer.id,
        credit_limit_change_id=change.id,
        status=ApprovalStatus.PENDING,
        requested_by_id=actor.id,
    )
    session.add(request)
    session.flush()
    audit(
        session,
        actor,
        action="request_credit_limit_change",
        entity="credit_limit_change",
        entity_id=change.id,
        after={
            "customer_id": customer.id,
            "old_limit": old,
            "new_limit": value,
            "temporary": temporary,
            "expires_on": expires_on,
            "reason": why,
            "authority": authority,
            "approval_request_id": request.id,
        },
    )
    return LimitChangeResult(change.id, applied=False, approval_request_id=request.id)


def _no_pending_request(session: Session, customer: Customer) -> None:
    waiting = session.scalar(
        select(ApprovalRequest.id).where(
            ApprovalRequest.customer_id == customer.id,
            ApprovalRequest.kind == ApprovalKind.CREDIT_LIMIT,
            ApprovalRequest.status == ApprovalStatus.PENDING,
        )
    )
    if waiting is not None:
        raise ConflictError(
            f"A credit-limit change for customer {customer.account} is already waiting for "
            f"a supervisor's approval (request {waiting})."
        )


def _apply(
    session: Session,
    actor: StaffIdentity,
    customer: Customer,
    change: CreditLimitChange,
    day: date,
    *,
    action: str,
) -> None:
    """Set the customer's limit from ``change`` and mark the change applied, with audit."""
    before = _limits(customer)
    if change.temporary:
        customer.temp_credit_limit = change.new_limit
        customer.temp_limit_expires_on = change.expires_on
    else:
        customer.credit_limit = change.new_limit
    customer.credit_limit_checked_on = day
    change.status = ApprovalStatus.APPROVED
    change.applied_at = datetime.now(UTC)
    session.flush()
    audit(
        session,
        actor,
        action=action,
        entity="customer",
        entity_id=customer.id,
        before=before,
        after={**_limits(customer), "change_id": change.id, "reason": change.reason},
    )


def _pending_change(session: Session, change_id: int) -> CreditLimitChange:
    change = session.scalar(
        select(CreditLimitChange)
        .where(CreditLimitChange.id == change_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if change is None:
        raise NotFound(f"There is no credit-limit change with id {change_id}.")
    if change.status != ApprovalStatus.PENDING:
        raise ConflictError(
            f"Credit-limit change {change_id} is no longer waiting; it was {change.status.value}."
        )
    return change


def apply_limit_change(
    session: Session,
    approver: StaffIdentity,
    change_id: int,
    *,
    as_of: date | None = None,
) -> None:
    """Apply a pending credit-limit change a supervisor approved.

    Called by :func:`cctui.domain.credit.approvals.decide_approval`. The approver's own
    ``approval_limit``, when set, must cover the new limit. A temporary limit whose expiry
    date has come is refused: there is nothing left to approve.
    """
    require_role(approver, Role.SUPERVISOR, "approve credit-limit changes")
    customer_id = session.scalar(
        select(CreditLimitChange.customer_id).where(CreditLimitChange.id == change_id)
    )
    if customer_id is None:
        raise NotFound(f"There is no credit-limit change with id {change_id}.")
    customer = lock_customer(session, customer_id)
    change = _pending_change(session, change_id)
    authority = limit_authority(session, approver)
    if authority is not None and change.new_limit > authority:
        raise PermissionDenied(
            f"{approver.login} may approve credit limits up to "
            f"{show_money(authority, customer.currency)}, not "
            f"{show_money(change.new_limit, customer.currency)}."
        )
    day = today(as_of)
    if change.temporary and change.expires_on is not None and change.expires_on <= day:
        raise ConflictError(
            f"The temporary limit asked for expired on {change.expires_on.isoformat()}; "
            "reject the request instead."
        )
    change.old_limit = _replaced_limit(customer, change.temporary, day)
    _apply(session, approver, customer, change, day, action="approve_credit_limit_change")


def reject_limit_change(session: Session, approver: StaffIdentity, change_id: int) -> None:
    """Mark a pending credit-limit change rejected; the customer's limits stay as they are."""
    require_role(approver, Role.SUPERVISOR, "reject credit-limit changes")
    change = _pending_change(session, change_id)
    change.status = ApprovalStatus.REJECTED
    session.flush()
    audit(
        session,
        approver,
        action="reject_credit_limit_change",
        entity="credit_limit_change",
        entity_id=change.id,
        before={"status": ApprovalStatus.PENDING},
        after={
            "status": ApprovalStatus.REJECTED,
            "customer_id": change.customer_id,
            "new_limit": change.new_limit,
        },
    )


def set_credit_attributes(
    session: Session,
    actor: StaffIdentity,
    customer_id: int,
    *,
    insurance_amount: Decimal | int | str,
    guarantee_amount: Decimal | int | str,
    guarantee_note: str | None,
    expected_version: int | None = None,
) -> CreditAttributes:
    """Record a customer's credit insurance and guarantees (controllers and above)."""
    require_role(actor, Role.CONTROLLER, "change credit attributes")
    insurance = to_money(insurance_amount, what="insurance amount", allow_zero=True)
    guarantee = to_money(guarantee_amount, what="guarantee amount", allow_zero=True)
    note = (guarantee_note or "").strip() or None
    customer = lock_customer(session, customer_id, expected_version)
    before = _attributes(customer)
    customer.insurance_amount = insurance
    customer.guarantee_amount = guarantee
    customer.guarantee_note = note
    session.flush()
    audit(
        session,
        actor,
        action="set_credit_attributes",
        entity="customer",
        entity_id=customer.id,
        before=before,
        after=_attributes(customer),
    )
    return CreditAttributes(customer.id, insurance, guarantee, note, customer.version)


def _attributes(customer: Customer) -> dict[str, Any]:
    return {
        "insurance_amount": customer.insurance_amount,
        "guarantee_amount": customer.guarantee_amount,
        "guarantee_note": customer.guarantee_note,
    }


@cache
def _history_statement() -> ReadStatement:
    """The customer's id with each of its limit changes: one row with NULL change columns
    when it has none, no row when there is no such customer."""
    return (
        select(
            Customer.id.label("customer_id"),
            CreditLimitChange.id,
            CreditLimitChange.old_limit,
            CreditLimitChange.new_limit,
            CreditLimitChange.temporary,
            CreditLimitChange.expires_on,
            CreditLimitChange.reason,
            CreditLimitChange.status,
            CreditLimitChange.requested_at,
            CreditLimitChange.applied_at,
            Staff.login,
        )
        .select_from(Customer)
        .outerjoin(CreditLimitChange, CreditLimitChange.customer_id == Customer.id)
        .outerjoin(Staff, Staff.id == CreditLimitChange.requested_by_id)
        .where(Customer.id == bindparam("customer_id"))
        .order_by(CreditLimitChange.requested_at.desc(), CreditLimitChange.id.desc())
    )


def credit_limit_history(session: Session, customer_id: int) -> list[LimitChangeRecord]:
    """Every credit-limit change of a customer, applied, pending or rejected, newest first."""
    rows = fetch(session, _history_statement(), customer_id=customer_id)
    if not rows:
        raise NotFound(f"There is no customer with id {customer_id}.")
    return [
        LimitChangeRecord(
            id=row.id,
            customer_id=row.customer_id,
            old_limit=row.old_limit,
            new_limit=row.new_limit,
            temporary=row.temporary,
            expires_on=row.expires_on,
            reason=row.reason,
            status=ApprovalStatus(row.status),
            requested_by=row.login,
            requested_at=row.requested_at,
            applied_at=row.applied_at,
        )
        for row in rows
        if row.id is not None
    ]
