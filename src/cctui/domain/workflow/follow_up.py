"""Follow-up dates (seed 000): "set a date, the customer will disappear from the list".

A follow-up date with a reason hides the customer from the debtor queue until that day, when
it appears again. It is one of the customer's settings, so saving it checks the version the
user's screen loaded (optimistic lock) and bumps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.editing import lock_customer, today
from cctui.domain.errors import ConflictError, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role
from cctui.domain.workflow.texts import required_text


@dataclass(frozen=True)
class FollowUp:
    """A customer's follow-up after a change, with the version to send on the next save."""

    customer_id: int
    follow_up_on: date | None
    reason: str | None
    version: int


def set_follow_up(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    follow_up_on: date,
    reason: str,
    expected_version: int | None = None,
    as_of: date | None = None,
) -> FollowUp:
    """Hide the customer from the queue until ``follow_up_on`` (today or later), with a reason.

    Replaces any follow-up already set.
    """
    require_role(actor, Role.AGENT, "set follow-up dates")
    day = today(as_of)
    if follow_up_on < day:
        raise ValidationError(
            f"A follow-up date must be today ({day.isoformat()}) or later, "
            f"not {follow_up_on.isoformat()}."
        )
    why = required_text(reason, "A follow-up date needs a reason.")
    customer = lock_customer(session, customer_id, expected_version)
    before = {"follow_up_on": customer.follow_up_on, "follow_up_reason": customer.follow_up_reason}
    customer.follow_up_on = follow_up_on
    customer.follow_up_reason = why
    session.flush()
    audit(
        session,
        actor,
        action="set_follow_up",
        entity="customer",
        entity_id=customer.id,
        before=before,
        after={"follow_up_on": follow_up_on, "follow_up_reason": why},
    )
    return FollowUp(customer.id, customer.follow_up_on, customer.follow_up_reason, customer.version)


def clear_follow_up(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    expected_version: int | None = None,
) -> FollowUp:
    """Remove the customer's follow-up date, so it shows in the queue again when overdue."""
    require_role(actor, Role.AGENT, "clear follow-up dates")
    customer = lock_customer(session, customer_id, expected_version)
    if customer.follow_up_on is None:
        raise ConflictError(f"Customer {customer.account} has no follow-up date to clear.")
    before = {"follow_up_on": customer.follow_up_on, "follow_up_reason": customer.follow_up_reason}
    customer.follow_up_on = None
    customer.follow_up_reason = None
    session.flush()
    audit(
        session,
        actor,
        action="clear_follow_up",
        entity="customer",
        entity_id=customer.id,
        before=before,
        after={"follow_up_on": None, "follow_up_reason": None},
    )
    return FollowUp(customer.id, None, None, customer.version)
