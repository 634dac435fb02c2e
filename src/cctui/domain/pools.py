"""Collections pools (seed 001) and the staff who work them; the next debtor of a pool.

A pool holds the customers assigned to it (``customer.pool_id``) and, when it has criteria,
every customer matching them (the vocabulary is in :mod:`cctui.domain.queue.criteria`).
Supervisors and admins create, change and delete pools, say who works them and assign
customers. Agents work the pools they belong to through :func:`next_debtor` (re-exported
here from :mod:`cctui.domain.queue.leases`, with the lease functions).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.editing import lock_customer
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Customer, Pool, Role, Staff, staff_pool
from cctui.domain.queue.criteria import PoolCriteria, parse_criteria
from cctui.domain.queue.leases import (
    LeasedDebtor,
    LeaseHolder,
    ReleasedLease,
    current_lease,
    lease_holder,
    next_debtor,
    release_lease,
    renew_lease,
)

__all__ = [
    "KEEP",
    "LeaseHolder",
    "LeasedDebtor",
    "PoolInfo",
    "ReleasedLease",
    "add_pool_member",
    "assign_customer_pool",
    "create_pool",
    "current_lease",
    "delete_pool",
    "get_pool",
    "lease_holder",
    "list_pools",
    "next_debtor",
    "pools_of",
    "release_lease",
    "remove_pool_member",
    "renew_lease",
    "update_pool",
]


class Keep(enum.Enum):
    """The type of :data:`KEEP`."""

    KEEP = "keep"


KEEP = Keep.KEEP
"""Passed to :func:`update_pool` for a field that stays as it is."""


@dataclass(frozen=True)
class PoolInfo:
    """A pool, its criteria (canonical JSON, None: by assignment only) and who works it."""

    id: int
    name: str
    description: str | None
    criteria: Mapping[str, Any] | None
    member_ids: tuple[int, ...]
    member_logins: tuple[str, ...]


def list_pools(session: Session) -> list[PoolInfo]:
    """Every pool, by name."""
    pools = session.scalars(select(Pool).order_by(Pool.name)).all()
    members = _members(session, [pool.id for pool in pools])
    return [_info(pool, members.get(pool.id, [])) for pool in pools]


def get_pool(session: Session, pool_id: int) -> PoolInfo:
    """One pool; NotFound if there is none with that id."""
    pool = _pool(session, pool_id)
    return _info(pool, _members(session, [pool.id]).get(pool.id, []))


def pools_of(session: Session, staff_id: int) -> list[PoolInfo]:
    """The pools a staff member works, by name."""
    ids = select(staff_pool.c.pool_id).where(staff_pool.c.staff_id == staff_id)
    pools = session.scalars(select(Pool).where(Pool.id.in_(ids)).order_by(Pool.name)).all()
    members = _members(session, [pool.id for pool in pools])
    return [_info(pool, members.get(pool.id, [])) for pool in pools]


def create_pool(
    session: Session,
    actor: StaffIdentity,
    *,
    name: str,
    description: str | None = None,
    criteria: Mapping[str, Any] | None = None,
) -> PoolInfo:
    """Add a pool (supervisor or above); ``criteria`` None makes it by assignment only."""
    require_role(actor, Role.SUPERVISOR, "create pools")
    parsed = parse_criteria(criteria)
    pool = Pool(
        name=_name(name),
        description=_description(description),
        criteria=_stored(parsed),
    )
    _refuse_taken_name(session, pool.name, None)
    session.add(pool)
    session.flush()
    audit(
        session,
        actor,
        action="create_pool",
        entity="pool",
        entity_id=pool.id,
        after=_audited(pool),
    )
    return _info(pool, [])


def update_pool(
    session: Session,
    actor: StaffIdentity,
    pool_id: int,
    *,
    name: str | Keep = KEEP,
    description: str | Keep | None = KEEP,
    criteria: Mapping[str, Any] | Keep | None = KEEP,
) -> PoolInfo:
    """Change a pool's name, description or criteria (supervisor or above).

    Fields left at :data:`KEEP` stay as they are; ``criteria=None`` makes the pool one by
    assignment only.
    """
    require_role(actor, Role.SUPERVISOR, "change pools")
    pool = _pool(session, pool_id, lock=True)
    before = _audited(pool)
    if not isinstance(name, Keep):
        new_name = _name(name)
        _refuse_taken_name(session, new_name, pool.id)
        pool.name = new_name
    if not isinstance(description, Keep):
        pool.description = _description(description)
    if not isinstance(criteria, Keep):
        pool.criteria = _stored(parse_criteria(criteria))
    session.flush()
    audit(
        session,
        actor,
        action="update_pool",
        entity="pool",
        entity_id=pool.id,
        before=before,
        after=_audited(pool),
    )
    return get_pool(session, pool.id)


def delete_pool(session: Session, actor: StaffIdentity, pool_id: int) -> None:
    """Delete a pool (supervisor or above); refused while customers are assigned to it."""
    require_role(actor, Role.SUPERVISOR, "delete pools")
    pool = _pool(session, pool_id, lock=True)
    assigned = session.scalar(
        select(func.count()).select_from(Customer).where(Customer.pool_id == pool_id)
    )
    if assigned:
        raise ConflictError(
            f"Pool {pool.name} still has {assigned} customers assigned; move them to another "
            "pool first."
        )
    before = {**_audited(pool), "members": list(_members(session, [pool_id]).get(pool_id, []))}
    session.execute(delete(staff_pool).where(staff_pool.c.pool_id == pool_id))
    session.delete(pool)
    session.flush()
    audit(session, actor, action="delete_pool", entity="pool", entity_id=pool_id, before=before)


def add_pool_member(
    session: Session, actor: StaffIdentity, pool_id: int, staff_id: int
) -> PoolInfo:
    """Let a staff member work a pool (supervisor or above); nothing changes if they do."""
    require_role(actor, Role.SUPERVISOR, "say who works which pool")
    pool = _pool(session, pool_id, lock=True)
    login = _staff_login(session, staff_id)
    already = session.scalar(
        select(func.count())
        .select_from(staff_pool)
        .where(staff_pool.c.pool_id == pool_id, staff_pool.c.staff_id == staff_id)
    )
    if not already:
        session.execute(insert(staff_pool).values(pool_id=pool_id, staff_id=staff_id))
        audit(
            session,
            actor,
            action="add_pool_member",
            entity="pool",
            entity_id=pool.id,
            after={"staff_id": staff_id, "login": login},
        )
    return get_pool(session, pool_id)


def remove_pool_member(
    session: Session, actor: StaffIdentity, pool_id: int, staff_id: int
) -> PoolInfo:
    """Stop a staff member working a pool (supervisor or above); nothing if they did not."""
    require_role(actor, Role.SUPERVISOR, "say who works which pool")
    pool = _pool(session, pool_id, lock=True)
    removed = session.execute(
        delete(staff_pool)
        .where(staff_pool.c.pool_id == pool_id, staff_pool.c.staff_id == staff_id)
        .returning(staff_pool.c.staff_id)
    ).first()
    if removed is not None:
        audit(
            session,
            actor,
            action="remove_pool_member",
            entity="pool",
            entity_id=pool.id,
            before={"staff_id": staff_id},
        )
    return get_pool(session, pool_id)


def assign_customer_pool(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    pool_id: int | None,
    expected_version: int | None = None,
) -> int:
    """Assign a customer to a pool, or to none (supervisor or above); returns its version.

    A customer setting: ``expected_version`` is the version the screen loaded.
    """
    require_role(actor, Role.SUPERVISOR, "assign customers to pools")
    if pool_id is not None:
        _pool(session, pool_id)
    customer = lock_customer(session, customer_id, expected_version)
    before = {"pool_id": customer.pool_id}
    if customer.pool_id != pool_id:
        customer.pool_id = pool_id
        session.flush()
        audit(
            session,
            actor,
            action="assign_pool",
            entity="customer",
            entity_id=customer.id,
            before=before,
            after={"pool_id": pool_id},
        )
    return customer.version


def _pool(session: Session, pool_id: int, *, lock: bool = False) -> Pool:
    statement = select(Pool).where(Pool.id == pool_id)
    if lock:
        statement = statement.with_for_update()
    pool = session.scalar(statement)
    if pool is None:
        raise NotFound(f"There is no pool with id {pool_id}.")
    return pool


def _staff_login(session: Session, staff_id: int) -> str:
    login = session.scalar(select(Staff.login).where(Staff.id == staff_id))
    if login is None:
        raise NotFound(f"There is no staff member with id {staff_id}.")
    return login


def _members(session: Session, pool_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    if not pool_ids:
        return {}
    found: dict[int, list[tuple[int, str]]] = {}
    rows = session.execute(
        select(staff_pool.c.pool_id, Staff.id, Staff.login)
        .join(Staff, Staff.id == staff_pool.c.staff_id)
        .where(staff_pool.c.pool_id.in_(pool_ids))
        .order_by(staff_pool.c.pool_id, Staff.login)
    )
    for pool_id, staff_id, login in rows:
        found.setdefault(pool_id, []).append((staff_id, login))
    return found


def _info(pool: Pool, members: list[tuple[int, str]]) -> PoolInfo:
    return PoolInfo(
        id=pool.id,
        name=pool.name,
        description=pool.description,
        criteria=None if pool.criteria is None else dict(pool.criteria),
        member_ids=tuple(staff_id for staff_id, _login in members),
        member_logins=tuple(login for _staff_id, login in members),
    )


def _audited(pool: Pool) -> dict[str, Any]:
    return {"name": pool.name, "description": pool.description, "criteria": pool.criteria}


def _stored(criteria: PoolCriteria | None) -> dict[str, object] | None:
    return None if criteria is None else criteria.as_json()


def _name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 100:
        raise ValidationError("A pool's name must have 1 to 100 characters.")
    return cleaned


def _description(description: str | None) -> str | None:
    if description is None:
        return None
    cleaned = description.strip()
    return cleaned or None


def _refuse_taken_name(session: Session, name: str, pool_id: int | None) -> None:
    """ConflictError when another pool already has ``name`` (the unique constraint stays the
    last word when two people race)."""
    taken = session.scalar(select(Pool.id).where(Pool.name == name, Pool.id != (pool_id or 0)))
    if taken is not None:
        raise ConflictError(f"There is already a pool called {name}.")
