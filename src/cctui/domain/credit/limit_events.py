"""Limit events at the moment of a transaction (seed 003): they can only raise the action.

A new invoice or a checked order may push a policy customer over its limit; the action the
policy sets for that event then applies at once. Lowering the action back is left to the
daily check, as the seed says: a payment does not reset it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.credit.rules import PolicyRules, limit_events, strongest_action
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import CreditAction, CreditEvent, CreditPolicy, Customer


@dataclass(frozen=True)
class ActionChange:
    """A credit action raised by a limit event."""

    before: CreditAction
    after: CreditAction
    event: CreditEvent


def raise_action_for_limit(
    session: Session,
    actor: StaffIdentity,
    customer: Customer,
    exposure: Decimal,
    limit: Decimal,
) -> ActionChange | None:
    """Raise a policy customer's action if ``exposure`` against ``limit`` sets a worse one.

    Manual customers are never touched. Returns what changed, or None. The caller holds the
    customer's row lock.
    """
    if customer.manual_settings or customer.credit_policy_id is None:
        return None
    policy = session.get(CreditPolicy, customer.credit_policy_id)
    if policy is None:
        return None
    rules = PolicyRules.of(policy)
    action, event = strongest_action(limit_events(exposure, limit, rules), rules)
    if action.severity <= customer.credit_action.severity:
        return None
    before = {"credit_action": customer.credit_action, "event": customer.credit_action_event}
    change = ActionChange(before=customer.credit_action, after=action, event=event)
    customer.credit_action = action
    customer.credit_action_event = event
    customer.credit_action_since = datetime.now(UTC)
    session.flush()
    audit(
        session,
        actor,
        action="credit_action_event",
        entity="customer",
        entity_id=customer.id,
        before=before,
        after={
            "credit_action": action,
            "event": event,
            "exposure": exposure,
            "limit": limit,
        },
    )
    return change
