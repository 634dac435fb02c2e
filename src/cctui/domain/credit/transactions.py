"""Checking a new transaction against the customer's credit (seeds 003 and 001).

An order or invoice about to be entered is checked against the customer's effective limit
and credit action. The limit events of the customer's policy apply at once (they can only
raise the action), then the action decides: *OK* passes, *Remind* passes with a warning,
*Password* passes only with a supervisor's password and is held otherwise, *Hold* is held.
A held transaction becomes a :class:`~cctui.domain.models.HeldDocument` with its reasons.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.credit.limit_events import ActionChange, raise_action_for_limit
from cctui.domain.credit.position import CreditPosition, credit_position
from cctui.domain.credit.rules import (
    EVENT_DESCRIPTIONS,
    PolicyRules,
    limit_events,
    strongest_action,
)
from cctui.domain.editing import lock_customer, today
from cctui.domain.errors import NotFound, PermissionDenied, ValidationError
from cctui.domain.figures import refresh_held_count
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import (
    CreditAction,
    CreditEvent,
    CreditPolicy,
    Customer,
    DocumentKind,
    HeldDocument,
    Role,
    Staff,
)
from cctui.domain.money import to_money
from cctui.domain.secrets import hash_secret, verify_secret

WRONG_SUPERVISOR = "The supervisor login or password is wrong."
"""The one refusal for an unknown login, a wrong password or someone who is not a supervisor."""

ACTION_WORDS = {
    CreditAction.OK: "OK",
    CreditAction.REMIND: "Remind",
    CreditAction.PASSWORD: "Password",
    CreditAction.HOLD: "Hold",
}
"""How each credit action is named in sentences."""

_LIMIT_EVENTS = (CreditEvent.LIMIT_EXCEEDED, CreditEvent.LIMIT_EXCEEDED_PERCENT)


class CheckOutcome(enum.StrEnum):
    """What became of a checked transaction."""

    PASSED = "passed"
    PASSED_WITH_WARNING = "passed_with_warning"
    HELD = "held"


@dataclass(frozen=True)
class DocumentCheck:
    """The result of checking a new transaction.

    ``credit_action`` is the customer's action the check acted on (after any limit event
    this transaction set off). ``reasons`` are sentences for the operator; ``warning`` is
    the Remind message to show before going on; ``held_document_id`` names the held
    document when the outcome is HELD; ``approved_by`` is the login of the supervisor whose
    password let a Password customer's transaction through.
    """

    outcome: CheckOutcome
    credit_action: CreditAction
    reasons: tuple[str, ...]
    warning: str | None
    held_document_id: int | None
    approved_by: str | None


@dataclass(frozen=True)
class _Supervisor:
    id: int
    login: str


def _clean_reference(reference: str) -> str:
    cleaned = reference.strip() if isinstance(reference, str) else ""
    if not cleaned or len(cleaned) > 64:
        raise ValidationError("A document reference must have 1 to 64 characters.")
    return cleaned


def _clean_kind(kind: DocumentKind | str) -> DocumentKind:
    try:
        return DocumentKind(kind)
    except ValueError:
        raise ValidationError(
            f"A document must be an order or an invoice, not {str(kind)!r}."
        ) from None


def format_amount(value: Decimal) -> str:
    """An amount as written in messages: ``12,345.00``."""
    return f"{value:,.2f}"


def _predicted_action(
    session: Session, customer: Customer, exposure_after: Decimal, limit: Decimal
) -> CreditAction:
    """The action :func:`raise_action_for_limit` would leave, without changing anything."""
    current = customer.credit_action
    if customer.manual_settings or customer.credit_policy_id is None:
        return current
    policy = session.get(CreditPolicy, customer.credit_policy_id)
    if policy is None:
        return current
    rules = PolicyRules.of(policy)
    action, _event = strongest_action(limit_events(exposure_after, limit, rules), rules)
    return action if action.severity > current.severity else current


@cache
def _decoy_hash() -> str:
    """A hash to check typed passwords against when the login is unknown (same cost)."""
    return hash_secret("no such supervisor")


def _verify_supervisor(session: Session, login: str | None, password: str | None) -> _Supervisor:
    """The active supervisor (or admin) whose approval password ``password`` is, or refuse.

    Every failure gives the same sentence and costs one slow hash, so neither the message
    nor the time tells which logins exist.
    """
    wanted = (login or "").strip().lower()
    staff = (
        session.scalar(select(Staff).where(Staff.login == wanted, Staff.active)) if wanted else None
    )
    eligible = (
        staff is not None
        and staff.role.at_least(Role.SUPERVISOR)
        and staff.approval_secret is not None
    )
    hashed = staff.approval_secret if eligible and staff is not None else None
    matches = verify_secret(password or "", hashed or _decoy_hash())
    if staff is None or hashed is None or not matches:
        raise PermissionDenied(WRONG_SUPERVISOR)
    return _Supervisor(id=staff.id, login=staff.login)


def _action_sentence(customer: Customer, subject: str) -> str:
    """``"<subject> is on Remind since 2026-11-01 (debt aged once)."``"""
    since = customer.credit_action_since.date().isoformat()
    words = ACTION_WORDS[customer.credit_action]
    if customer.credit_action_event == CreditEvent.NONE:
        return f"{subject} is on {words} since {since}."
    description = EVENT_DESCRIPTIONS[customer.credit_action_event]
    return f"{subject} is on {words} since {since} ({description})."


def _over_limit_sentence(
    customer: Customer, position: CreditPosition, exposure_after: Decimal, kind: DocumentKind
) -> str | None:
    """Why the customer is over its limit after this document, or None when it is not."""
    if exposure_after <= position.limit:
        return None
    owed = format_amount(exposure_after)
    limit = format_amount(position.limit)
    if position.group_name is not None:
        return (
            f"{customer.name}'s credit group {position.group_name} is over its shared credit "
            f"limit: {owed} owed by the group after this {kind.value} against a limit of "
            f"{limit}."
        )
    figures = f"{owed} owed after this {kind.value} against a limit of {limit}"
    if position.temporary and customer.temp_limit_expires_on is not None:
        expires = customer.temp_limit_expires_on.isoformat()
        figures += f" (a temporary limit until {expires})"
    return f"{customer.name} is over its credit limit: {figures}."


def _raised_sentence(change: ActionChange, kind: DocumentKind) -> str:
    return (
        f"This {kind.value} raised the credit action from {ACTION_WORDS[change.before]} "
        f"to {ACTION_WORDS[change.after]} ({EVENT_DESCRIPTIONS[change.event]})."
    )


def _hold(
    session: Session,
    actor: StaffIdentity,
    customer: Customer,
    *,
    kind: DocumentKind,
    reference: str,
    amount: Decimal,
    reasons: list[str],
) -> HeldDocument:
    """Create the held document, recount the customer's held documents and audit it."""
    held = HeldDocument(
        customer_id=customer.id,
        document_kind=kind,
        reference=reference,
        amount=amount,
        currency=customer.currency,
        credit_action=customer.credit_action,
        reasons=reasons,
        needs_supervisor=True,
        created_by_id=actor.id,
    )
    session.add(held)
    session.flush()
    refresh_held_count(session, customer.id)
    audit(
        session,
        actor,
        action="hold_document",
        entity="held_document",
        entity_id=held.id,
        after={
            "customer_id": customer.id,
            "document_kind": kind,
            "reference": reference,
            "amount": amount,
            "currency": customer.currency,
            "credit_action": customer.credit_action,
            "reasons": reasons,
            "needs_supervisor": True,
        },
    )
    return held


def action_for_new_document(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    amount: Decimal | int | str,
    as_of: date | None = None,
) -> CreditAction:
    """The credit action a check of a new document of ``amount`` would act on; saves nothing.

    A screen calls this first so that it can ask for a supervisor's password before
    :func:`check_new_document` when the answer is Password.
    """
    require_role(actor, Role.AGENT, "check a new transaction")
    value = to_money(amount)
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"There is no customer with id {customer_id}.")
    position = credit_position(session, customer, today(as_of))
    return _predicted_action(session, customer, position.exposure + value, position.limit)


def check_new_document(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    kind: DocumentKind,
    reference: str,
    amount: Decimal | int | str,
    supervisor_login: str | None = None,
    supervisor_password: str | None = None,
    as_of: date | None = None,
) -> DocumentCheck:
    """Check a new order or invoice of ``amount`` for the customer and act on its credit action.

    The customer's limit events are applied first (a policy customer's action can only go
    up; manual customers are never changed). Then OK passes; Remind passes with a warning
    naming why; Password passes when ``supervisor_login`` and ``supervisor_password`` are
    those of an active supervisor or admin (audited as ``credit_password_override``), is
    refused when they are given but wrong (nothing is saved), and is held when they are not
    given; Hold is held. A held transaction becomes a held document with its reasons.
    Supervisor credentials are only looked at when the action is Password.
    """
    require_role(actor, Role.AGENT, "check a new transaction")
    day = today(as_of)
    document_kind = _clean_kind(kind)
    value = to_money(amount)
    reference = _clean_reference(reference)
    customer = lock_customer(session, customer_id)
    position = credit_position(session, customer, day)
    exposure_after = position.exposure + value

    credentials_given = bool(supervisor_login or supervisor_password)
    supervisor: _Supervisor | None = None
    if credentials_given and (
        _predicted_action(session, customer, exposure_after, position.limit)
        == CreditAction.PASSWORD
    ):
        # Checked before anything changes: a wrong password leaves the book as it was.
        supervisor = _verify_supervisor(session, supervisor_login, supervisor_password)

    change = raise_action_for_limit(session, actor, customer, exposure_after, position.limit)
    action = customer.credit_action
    if action == CreditAction.PASSWORD and credentials_given and supervisor is None:
        supervisor = _verify_supervisor(session, supervisor_login, supervisor_password)

    over_limit = _over_limit_sentence(customer, position, exposure_after, document_kind)
    reasons: list[str] = []
    if action != CreditAction.OK:
        reasons.append(_action_sentence(customer, customer.name))
        if change is not None:
            reasons.append(_raised_sentence(change, document_kind))
        if over_limit is not None:
            reasons.append(over_limit)

    if action == CreditAction.OK:
        return DocumentCheck(CheckOutcome.PASSED, action, (), None, None, None)

    if action == CreditAction.REMIND:
        explained_by_limit = customer.credit_action_event in (
            *_LIMIT_EVENTS,
            CreditEvent.NONE,
            CreditEvent.MANUAL,
        )
        warning = (
            over_limit
            if over_limit is not None and explained_by_limit
            else _action_sentence(customer, customer.name)
        )
        return DocumentCheck(
            CheckOutcome.PASSED_WITH_WARNING, action, tuple(reasons), warning, None, None
        )

    if action == CreditAction.PASSWORD and supervisor is not None:
        audit(
            session,
            actor,
            action="credit_password_override",
            entity="customer",
            entity_id=customer.id,
            after={
                "document_kind": document_kind,
                "reference": reference,
                "amount": value,
                "currency": customer.currency,
                "credit_action": action,
                "approved_by": supervisor.login,
                "approved_by_id": supervisor.id,
                "exposure_after": exposure_after,
                "limit": position.limit,
            },
        )
        return DocumentCheck(
            CheckOutcome.PASSED, action, tuple(reasons), None, None, supervisor.login
        )

    if action == CreditAction.PASSWORD:
        reasons.append(f"A supervisor's password is needed to let this {document_kind.value} pass.")
    else:
        reasons.append(f"Hold lets no {document_kind.value} pass until a supervisor releases it.")
    held = _hold(
        session,
        actor,
        customer,
        kind=document_kind,
        reference=reference,
        amount=value,
        reasons=reasons,
    )
    return DocumentCheck(CheckOutcome.HELD, action, tuple(reasons), None, held.id, None)
