"""The next debtor for an agent (seeds 001, 004), claimed with a lease nobody else can hold.

:func:`next_debtor` gives an agent the first debtor of their pools, in queue order (biggest
overdue balance first), that nobody else is working:

- it is in the queue (overdue, no follow-up date ahead) and in one of the agent's pools;
- nobody holds a live lease on it, and nobody has its customer row locked (``FOR NO KEY
  UPDATE … SKIP LOCKED``: two agents asking at the same moment pass each other by);
- it has no next call planned after the day, was not called yet that day, and is not the
  debtor the agent just let go.

The claim is a ``debtor_lease`` row, whose primary key is the customer: the database itself
refuses a second lease on one debtor. A lease lasts ``lease_minutes`` (a setting, default 15)
unless renewed; an expired lease is taken over by the next agent who reaches the debtor. An
agent holds one lease at a time: asking for the next debtor releases the previous one.
Lease times come from the database clock (``clock_timestamp()``), never from a client's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.book_settings import lease_minutes
from cctui.domain.editing import today
from cctui.domain.errors import ConflictError, NotFound, PermissionDenied
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Role
from cctui.domain.queue.colour import contact_cutoff
from cctui.domain.queue.criteria import pools_sql
from cctui.domain.queue.page import queue_row
from cctui.domain.queue.types import QueueRow

MAX_ATTEMPTS = 25
"""Debtors tried in one ask when others claim them between our look and our claim."""


@dataclass(frozen=True)
class LeasedDebtor:
    """A debtor claimed by a staff member until ``expires_at`` (database clock)."""

    customer_id: int
    staff_id: int
    leased_at: datetime
    expires_at: datetime
    took_over_from: int | None
    """The staff id whose expired lease this one replaced, if any."""
    row: QueueRow
    """The debtor as the queue shows it."""


@dataclass(frozen=True)
class ReleasedLease:
    """A lease that ended before it expired."""

    customer_id: int
    staff_id: int
    released_at: datetime


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds a live lease on a debtor, for "being called by …" on screens."""

    customer_id: int
    staff_id: int
    login: str
    name: str
    leased_at: datetime
    expires_at: datetime


_LOCK_SELF = text("SELECT id FROM staff WHERE id = :staff_id FOR NO KEY UPDATE")

_RELEASE_OWN = text(
    "DELETE FROM debtor_lease WHERE staff_id = :staff_id "
    "RETURNING customer_id, staff_id, clock_timestamp() AS released_at"
)

_RELEASE_ONE = text(
    "DELETE FROM debtor_lease WHERE customer_id = :customer_id "
    "RETURNING customer_id, staff_id, clock_timestamp() AS released_at"
)

_POOLS_OF = text("SELECT pool_id FROM staff_pool WHERE staff_id = :staff_id ORDER BY pool_id")

_CANDIDATE = """
SELECT c.id FROM customer AS c
WHERE c.overdue_balance > 0
  AND (c.follow_up_on IS NULL OR c.follow_up_on <= :as_of)
  AND (c.next_call_on IS NULL OR c.next_call_on <= :as_of)
  AND (c.last_call_at IS NULL OR c.last_call_at < :day_start)
  AND c.id <> ALL(:skip)
  AND {pools}
  AND NOT EXISTS (
      SELECT 1 FROM debtor_lease AS l
      WHERE l.customer_id = c.id AND l.expires_at > clock_timestamp()
  )
ORDER BY c.overdue_balance DESC, c.id DESC
LIMIT 1
FOR NO KEY UPDATE OF c SKIP LOCKED
"""
"""The first free debtor of the pools ``{pools}``, row-locked (skipping locked ones)."""

_HOLDER = text(
    "SELECT staff_id, expires_at <= clock_timestamp() AS expired FROM debtor_lease "
    "WHERE customer_id = :customer_id"
)

_LOCK_HOLDER = text(
    "SELECT staff_id FROM debtor_lease WHERE customer_id = :customer_id FOR UPDATE SKIP LOCKED"
)
"""The debtor's lease row, locked; nothing when there is none or someone else is changing it
(releasing or renewing it): then the debtor is skipped rather than waited for, so two agents
never wait for each other."""

_CLAIM = text(
    "INSERT INTO debtor_lease (customer_id, staff_id, leased_at, expires_at) "
    "SELECT :customer_id, :staff_id, clock.now, clock.now + make_interval(mins => :minutes) "
    "FROM (SELECT clock_timestamp() AS now) AS clock "
    "ON CONFLICT (customer_id) DO UPDATE "
    "SET staff_id = excluded.staff_id, leased_at = excluded.leased_at, "
    "expires_at = excluded.expires_at "
    "WHERE debtor_lease.expires_at <= clock_timestamp() "
    "RETURNING leased_at, expires_at"
)
"""Claim a debtor: a new lease, or the takeover of an expired one; nothing if live. The
clock is read once, so a lease lasts exactly the lease minutes."""

_RENEW = text(
    "UPDATE debtor_lease SET expires_at = clock_timestamp() + make_interval(mins => :minutes) "
    "WHERE customer_id = :customer_id AND staff_id = :staff_id "
    "RETURNING leased_at, expires_at"
)

_LEASE_OF_STAFF = text(
    "SELECT customer_id, staff_id, leased_at, expires_at FROM debtor_lease "
    "WHERE staff_id = :staff_id AND expires_at > clock_timestamp() "
    "ORDER BY leased_at DESC LIMIT 1"
)

_LIVE_LEASE = text(
    "SELECT l.customer_id, l.staff_id, s.login, s.name, l.leased_at, l.expires_at "
    "FROM debtor_lease AS l JOIN staff AS s ON s.id = l.staff_id "
    "WHERE l.customer_id = :customer_id AND l.expires_at > clock_timestamp()"
)


def next_debtor(
    session: Session,
    actor: StaffIdentity,
    *,
    pool_id: int | None = None,
    as_of: date | None = None,
) -> LeasedDebtor | None:
    """Release the actor's lease, then lease them the next free debtor of their pools.

    ``pool_id`` narrows the choice to one pool (agents only to a pool they work). None when
    no debtor is free; the previous lease is released either way. The caller commits: until
    then the debtor's row stays locked, so nobody else can claim it.
    """
    require_role(actor, Role.AGENT, "take the next debtor")
    day = today(as_of)
    minutes = lease_minutes(session)
    session.execute(_LOCK_SELF, {"staff_id": actor.id})
    released = _release_own(session, actor)
    pools = _pools_to_work(session, actor, pool_id)
    member, params = pools_sql(session, pools, day)
    candidate = text(_CANDIDATE.format(pools=member)).bindparams(
        bindparam("skip", type_=ARRAY(Integer()))
    )
    params.update(as_of=day, day_start=contact_cutoff(day, 0))
    skip = [lease.customer_id for lease in released]
    for _attempt in range(MAX_ATTEMPTS):
        customer_id = session.execute(candidate, {**params, "skip": skip}).scalar()
        if customer_id is None:
            return None
        holder = session.execute(_LOCK_HOLDER, {"customer_id": customer_id}).first()
        if holder is None and session.execute(_HOLDER, {"customer_id": customer_id}).first():
            skip.append(customer_id)  # its lease row is being changed right now
            continue
        claimed = session.execute(
            _CLAIM, {"customer_id": customer_id, "staff_id": actor.id, "minutes": minutes}
        ).first()
        if claimed is None:  # someone's lease became visible after our look: try the next
            skip.append(customer_id)
            continue
        took_over = None if holder is None else int(holder.staff_id)
        audit(
            session,
            actor,
            action="lease_debtor",
            entity="debtor_lease",
            entity_id=customer_id,
            before=None if took_over is None else {"staff_id": took_over, "expired": True},
            after={"staff_id": actor.id, "expires_at": claimed.expires_at},
        )
        return _leased(session, actor.id, customer_id, claimed, took_over, day)
    raise ConflictError(
        "Other agents kept claiming the same debtors; ask for the next debtor again."
    )


def release_lease(
    session: Session, actor: StaffIdentity, *, customer_id: int | None = None
) -> ReleasedLease | None:
    """End a lease before it expires: the actor's own (on ``customer_id`` or whichever they
    hold), or, for a supervisor, anyone's on ``customer_id``. None when there was none."""
    require_role(actor, Role.AGENT, "release a debtor")
    if customer_id is None:
        released = _release_own(session, actor)
        return released[0] if released else None
    holder = session.execute(_HOLDER, {"customer_id": customer_id}).first()
    if holder is None:
        return None
    if holder.staff_id != actor.id and not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied(
            "Only a supervisor or above may release a debtor someone else is working; "
            f"{actor.login} is {'an' if actor.role is Role.AGENT else 'a'} {actor.role.value}."
        )
    found = session.execute(_RELEASE_ONE, {"customer_id": customer_id}).first()
    if found is None:
        return None
    release = ReleasedLease(int(found.customer_id), int(found.staff_id), found.released_at)
    _audit_release(session, actor, release)
    return release


def renew_lease(
    session: Session, actor: StaffIdentity, *, customer_id: int, as_of: date | None = None
) -> LeasedDebtor:
    """Extend the actor's lease on ``customer_id`` by ``lease_minutes`` from now.

    A lease that expired is renewed too, unless someone took the debtor over meanwhile.
    """
    require_role(actor, Role.AGENT, "keep working a debtor")
    minutes = lease_minutes(session)
    renewed = session.execute(
        _RENEW, {"customer_id": customer_id, "staff_id": actor.id, "minutes": minutes}
    ).first()
    if renewed is None:
        raise ConflictError(
            f"{actor.login} no longer holds customer {customer_id}: the lease was released "
            "or, after it expired, taken over; ask for the next debtor."
        )
    audit(
        session,
        actor,
        action="renew_lease",
        entity="debtor_lease",
        entity_id=customer_id,
        after={"staff_id": actor.id, "expires_at": renewed.expires_at},
    )
    return _leased(session, actor.id, customer_id, renewed, None, today(as_of))


def current_lease(
    session: Session, actor: StaffIdentity, *, as_of: date | None = None
) -> LeasedDebtor | None:
    """The actor's live lease, if any (for reopening the debtor after a restart)."""
    found = session.execute(_LEASE_OF_STAFF, {"staff_id": actor.id}).first()
    if found is None:
        return None
    return _leased(session, actor.id, int(found.customer_id), found, None, today(as_of))


def lease_holder(session: Session, customer_id: int) -> LeaseHolder | None:
    """Who holds a live lease on ``customer_id``, or None."""
    found = session.execute(_LIVE_LEASE, {"customer_id": customer_id}).first()
    if found is None:
        return None
    return LeaseHolder(
        customer_id=int(found.customer_id),
        staff_id=int(found.staff_id),
        login=found.login,
        name=found.name,
        leased_at=found.leased_at,
        expires_at=found.expires_at,
    )


def _pools_to_work(session: Session, actor: StaffIdentity, pool_id: int | None) -> list[int]:
    mine = [int(pid) for pid in session.execute(_POOLS_OF, {"staff_id": actor.id}).scalars()]
    if pool_id is None:
        if not mine:
            raise ConflictError(
                f"{actor.login} works no pool yet; ask a supervisor to add you to one."
            )
        return mine
    if pool_id not in mine and not actor.has_role(Role.CONTROLLER):
        exists = session.execute(text("SELECT 1 FROM pool WHERE id = :id"), {"id": pool_id})
        if exists.first() is None:
            raise NotFound(f"There is no pool with id {pool_id}.")
        raise PermissionDenied(
            f"{actor.login} does not work pool {pool_id}; an agent takes debtors only from "
            "the pools they work."
        )
    return [pool_id]


def _release_own(session: Session, actor: StaffIdentity) -> list[ReleasedLease]:
    released = [
        ReleasedLease(int(found.customer_id), int(found.staff_id), found.released_at)
        for found in session.execute(_RELEASE_OWN, {"staff_id": actor.id})
    ]
    for lease in released:
        _audit_release(session, actor, lease)
    return released


def _audit_release(session: Session, actor: StaffIdentity, lease: ReleasedLease) -> None:
    audit(
        session,
        actor,
        action="release_lease",
        entity="debtor_lease",
        entity_id=lease.customer_id,
        before={"staff_id": lease.staff_id},
        after={"released_at": lease.released_at},
    )


def _leased(
    session: Session,
    staff_id: int,
    customer_id: int,
    times: Any,
    took_over: int | None,
    day: date,
) -> LeasedDebtor:
    row = queue_row(session, customer_id, as_of=day)
    if row is None:  # the lease's foreign key makes this impossible
        raise NotFound(f"There is no customer with id {customer_id}.")
    return LeasedDebtor(
        customer_id=customer_id,
        staff_id=staff_id,
        leased_at=times.leased_at,
        expires_at=times.expires_at,
        took_over_from=took_over,
        row=row,
    )
