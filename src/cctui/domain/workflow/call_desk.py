"""An agent's desk (seed 004): the debtor they hold a lease on, their running call, promises.

The call-flow screen reads the desk after every step of its loop (next debtor, start call,
end call, promise, release) in the same unit of work as the step, so what it shows is what
the step left in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from cctui.domain.identity import StaffIdentity
from cctui.domain.pools import pools_of
from cctui.domain.queue.leases import LeasedDebtor, current_lease, next_debtor
from cctui.domain.queue.types import QueueRow
from cctui.domain.workflow.calls import CallView, current_call
from cctui.domain.workflow.promises import PromiseView, customer_promises

MAX_PROMISES = 50
"""The most open promises of one debtor the desk reads."""


@dataclass(frozen=True)
class CallDesk:
    """What an agent is working on."""

    lease: LeasedDebtor | None
    """Their live lease, with the debtor as the queue shows it; None when they hold none."""
    call: CallView | None
    """Their call not yet ended, if any (normally to the leased debtor)."""
    promises: tuple[PromiseView, ...]
    """The leased debtor's open promises, earliest date first."""
    pools: tuple[str, ...]
    """The names of the pools the agent works (none: they cannot be given a debtor)."""
    none_left: bool = False
    """True when the agent just asked for the next debtor and nobody was free."""

    @property
    def debtor(self) -> QueueRow | None:
        """The leased debtor as the queue shows it, or None."""
        return None if self.lease is None else self.lease.row


def desk_with(
    session: Session,
    actor: StaffIdentity,
    lease: LeasedDebtor | None,
    *,
    none_left: bool = False,
) -> CallDesk:
    """The desk of ``actor`` around ``lease``: their running call, the debtor's open
    promises and the agent's pools."""
    promises: tuple[PromiseView, ...] = ()
    if lease is not None:
        found = customer_promises(session, lease.customer_id, open_only=True, limit=MAX_PROMISES)
        promises = tuple(sorted(found, key=lambda promise: (promise.promised_on, promise.id)))
    return CallDesk(
        lease=lease,
        call=current_call(session, actor.id),
        promises=promises,
        pools=tuple(pool.name for pool in pools_of(session, actor.id)),
        none_left=none_left,
    )


def call_desk(session: Session, actor: StaffIdentity, *, as_of: date | None = None) -> CallDesk:
    """The desk of ``actor`` as it is: their live lease (if any), call and promises."""
    return desk_with(session, actor, current_lease(session, actor, as_of=as_of))


def take_next_debtor(
    session: Session, actor: StaffIdentity, *, as_of: date | None = None
) -> CallDesk:
    """Let the actor's debtor go and lease them the next free one of their pools.

    An agent who works no pool gets a desk without pools (and no debtor) rather than an
    error; a desk with ``none_left`` says nobody was free.
    """
    if not pools_of(session, actor.id):
        return desk_with(session, actor, None)
    lease = next_debtor(session, actor, as_of=as_of)
    return desk_with(session, actor, lease, none_left=lease is None)
