"""Credit groups: customers linked so that they share a single credit limit (seed 001).

A group has one limit in one currency. Its exposure is the sum of its members' maintained
balances; each member's credit position (:func:`cctui.domain.credit.position.credit_position`)
is the group's limit against that sum, so one member's debt uses up the others' room. A
customer belongs to at most one group, and only a customer in the group's currency may join.
Only supervisors and admins create groups, change their limits or membership.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.editing import clean_reason, lock_customer
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import CreditGroup, Customer, Role
from cctui.domain.money import to_money

_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class CreditGroupView:
    """A credit group's settings."""

    id: int
    name: str
    credit_limit: Decimal
    currency: str


@dataclass(frozen=True)
class GroupMember:
    """One member of a credit group and what it owes."""

    customer_id: int
    account: str
    name: str
    balance: Decimal


@dataclass(frozen=True)
class GroupPosition:
    """A group's shared limit against the sum of its members' balances."""

    id: int
    name: str
    currency: str
    limit: Decimal
    exposure: Decimal
    members: tuple[GroupMember, ...]

    @property
    def available(self) -> Decimal:
        """How much more the members together may owe (negative when over the limit)."""
        return self.limit - self.exposure


def _view(group: CreditGroup) -> CreditGroupView:
    return CreditGroupView(group.id, group.name, group.credit_limit, group.currency)


def _lock_group(session: Session, group_id: int) -> CreditGroup:
    group = session.scalar(
        select(CreditGroup)
        .where(CreditGroup.id == group_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if group is None:
        raise NotFound(f"There is no credit group with id {group_id}.")
    return group


def create_group(
    session: Session,
    actor: StaffIdentity,
    *,
    name: str,
    credit_limit: Decimal | int | str,
    currency: str,
) -> CreditGroupView:
    """Create a credit group with its shared limit (supervisors and admins)."""
    require_role(actor, Role.SUPERVISOR, "create credit groups")
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 100:
        raise ValidationError("A credit group's name must have 1 to 100 characters.")
    code = currency.strip().upper()
    if not _CURRENCY.match(code):
        raise ValidationError(f"The currency {currency!r} is not a three-letter code.")
    limit = to_money(credit_limit, what="group credit limit", allow_zero=True)
    taken = session.scalar(
        select(CreditGroup.id).where(func.lower(CreditGroup.name) == cleaned.lower())
    )
    if taken is not None:
        raise ConflictError(f"A credit group named {cleaned!r} already exists.")
    group = CreditGroup(name=cleaned, credit_limit=limit, currency=code)
    session.add(group)
    session.flush()
    audit(
        session,
        actor,
        action="create_credit_group",
        entity="credit_group",
        entity_id=group.id,
        after={"name": cleaned, "credit_limit": limit, "currency": code},
    )
    return _view(group)


def change_group_limit(
    session: Session,
    actor: StaffIdentity,
    group_id: int,
    new_limit: Decimal | int | str,
    reason: str,
) -> CreditGroupView:
    """Change a credit group's shared limit (supervisors and admins), with a reason."""
    require_role(actor, Role.SUPERVISOR, "change credit group limits")
    limit = to_money(new_limit, what="group credit limit", allow_zero=True)
    why = clean_reason(reason, "group credit-limit change")
    group = _lock_group(session, group_id)
    before = {"credit_limit": group.credit_limit}
    group.credit_limit = limit
    session.flush()
    audit(
        session,
        actor,
        action="change_group_limit",
        entity="credit_group",
        entity_id=group.id,
        before=before,
        after={"credit_limit": limit, "reason": why},
    )
    return _view(group)


def _membership(customer: Customer) -> dict[str, Any]:
    return {"credit_group_id": customer.credit_group_id}


def add_member(
    session: Session,
    actor: StaffIdentity,
    group_id: int,
    customer_id: int,
    expected_version: int | None = None,
) -> None:
    """Link a customer to a credit group (supervisors and admins).

    The customer's currency must be the group's, and it may not be in another group.
    """
    require_role(actor, Role.SUPERVISOR, "change credit group members")
    group = _lock_group(session, group_id)
    customer = lock_customer(session, customer_id, expected_version)
    if customer.credit_group_id == group.id:
        raise ConflictError(f"Customer {customer.account} is already in group {group.name!r}.")
    if customer.credit_group_id is not None:
        other = session.get(CreditGroup, customer.credit_group_id)
        other_name = other.name if other is not None else str(customer.credit_group_id)
        raise ConflictError(
            f"Customer {customer.account} is already in credit group {other_name!r}; "
            "remove it from that group first."
        )
    if customer.currency != group.currency:
        raise ValidationError(
            f"Customer {customer.account} is in {customer.currency} but credit group "
            f"{group.name!r} is in {group.currency}."
        )
    before = _membership(customer)
    customer.credit_group_id = group.id
    session.flush()
    audit(
        session,
        actor,
        action="add_credit_group_member",
        entity="customer",
        entity_id=customer.id,
        before=before,
        after={**_membership(customer), "group_name": group.name},
    )


def remove_member(
    session: Session,
    actor: StaffIdentity,
    group_id: int,
    customer_id: int,
    expected_version: int | None = None,
) -> None:
    """Unlink a customer from its credit group (supervisors and admins).

    From then on the customer's own limit applies to it again.
    """
    require_role(actor, Role.SUPERVISOR, "change credit group members")
    group = _lock_group(session, group_id)
    customer = lock_customer(session, customer_id, expected_version)
    if customer.credit_group_id != group.id:
        raise ConflictError(f"Customer {customer.account} is not in credit group {group.name!r}.")
    before = _membership(customer)
    customer.credit_group_id = None
    session.flush()
    audit(
        session,
        actor,
        action="remove_credit_group_member",
        entity="customer",
        entity_id=customer.id,
        before={**before, "group_name": group.name},
        after=_membership(customer),
    )


def list_groups(session: Session) -> list[CreditGroupView]:
    """Every credit group, by name."""
    return [_view(group) for group in session.scalars(select(CreditGroup).order_by("name"))]


def group_position(session: Session, group_id: int) -> GroupPosition:
    """The group's limit, its exposure (the members' balances together) and its members."""
    group = session.get(CreditGroup, group_id)
    if group is None:
        raise NotFound(f"There is no credit group with id {group_id}.")
    rows = session.execute(
        select(Customer.id, Customer.account, Customer.name, Customer.balance)
        .where(Customer.credit_group_id == group.id)
        .order_by(Customer.account)
    )
    members = tuple(GroupMember(*row) for row in rows)
    exposure = sum((member.balance for member in members), Decimal("0.00"))
    return GroupPosition(
        id=group.id,
        name=group.name,
        currency=group.currency,
        limit=group.credit_limit,
        exposure=exposure,
        members=members,
    )
