"""Calls to debtors (seed 004): start the timer, end the call with its outcome, the history.

An agent presses Start (the call's time starts) and later End as *contacted*, *unreachable*
or *document created*, with a note and the day to call next. The call keeps its clerk (who
started it), start, end and so its duration. An agent has at most one unfinished call at a
time; only the clerk or a supervisor ends a call. Ending one sets the customer's last call,
its outcome, next call and last successful contact, which feed the queue and its colours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.editing import lock_customer, today
from cctui.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import CallOutcome, Contact, Customer, Role, Staff
from cctui.domain.prepared import ReadRow, ReadStatement, fetch
from cctui.domain.workflow.maintained import refresh_call_figures
from cctui.domain.workflow.texts import optional_text

MAX_LIST = 1000
"""The most calls one call history lists."""


@dataclass(frozen=True)
class CallView:
    """A call as the history shows it; unfinished calls have no end, duration or outcome."""

    id: int
    customer_id: int
    clerk: str
    """Login of the staff member who started the call."""
    started_at: datetime
    ended_at: datetime | None
    duration: timedelta | None
    outcome: CallOutcome | None
    note: str | None
    next_call_on: date | None


def _clock(session: Session) -> datetime:
    """The database server's current time (not the transaction's start)."""
    moment = session.scalar(select(func.clock_timestamp()))
    if not isinstance(moment, datetime):
        raise TypeError("clock_timestamp() did not return a time")
    return moment


def _view(contact: Contact | ReadRow, clerk: str) -> CallView:
    """The view of a call, from its entity or a row of its columns."""
    outcome = contact.outcome
    return CallView(
        id=contact.id,
        customer_id=contact.customer_id,
        clerk=clerk,
        started_at=contact.started_at,
        ended_at=contact.ended_at,
        duration=None if contact.ended_at is None else contact.ended_at - contact.started_at,
        outcome=None if outcome is None else CallOutcome(outcome),
        note=contact.note,
        next_call_on=contact.next_call_on,
    )


def _unfinished_call(session: Session, staff_id: int) -> tuple[Contact, str] | None:
    row = session.execute(
        select(Contact, Customer.account)
        .join(Customer, Customer.id == Contact.customer_id)
        .where(Contact.staff_id == staff_id, Contact.ended_at.is_(None))
        .order_by(Contact.started_at.desc(), Contact.id.desc())
        .limit(1)
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def start_call(session: Session, actor: StaffIdentity, customer_id: int) -> int:
    """Start a call to the customer now; return the call's id.

    Refused while ``actor`` has a call not yet ended (with this customer or another one).
    """
    require_role(actor, Role.AGENT, "start calls")
    # One unfinished call per agent: lock the agent's own staff row so two starts by the same
    # person run one after the other (FOR NO KEY UPDATE leaves rows referring to it alone).
    session.execute(select(Staff.id).where(Staff.id == actor.id).with_for_update(key_share=True))
    running = _unfinished_call(session, actor.id)
    if running is not None:
        contact, account = running
        raise ConflictError(
            f"You are still on a call with {account} (started "
            f"{contact.started_at.astimezone():%H:%M}); end it before starting another."
        )
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"There is no customer with id {customer_id}.")
    contact = Contact(customer_id=customer.id, staff_id=actor.id, started_at=_clock(session))
    session.add(contact)
    session.flush()
    audit(
        session,
        actor,
        action="start_call",
        entity="contact",
        entity_id=contact.id,
        after={"customer_id": customer.id, "started_at": contact.started_at},
    )
    return contact.id


def end_call(
    session: Session,
    actor: StaffIdentity,
    call_id: int,
    *,
    outcome: CallOutcome,
    note: str | None = None,
    next_call_on: date | None = None,
    as_of: date | None = None,
) -> CallView:
    """End the call now with its outcome, a note and the day to call next (today or later).

    Only the clerk who started it, or a supervisor, may end it. The customer's last call,
    outcome, next call and last successful contact follow at once.
    """
    require_role(actor, Role.AGENT, "end calls")
    outcome = CallOutcome(outcome)
    text = optional_text(note)
    if next_call_on is not None and next_call_on < today(as_of):
        raise ValidationError(
            f"The next call cannot be on {next_call_on.isoformat()}, before today "
            f"({today(as_of).isoformat()})."
        )
    customer_id = session.scalar(select(Contact.customer_id).where(Contact.id == call_id))
    if customer_id is None:
        raise NotFound(f"There is no call with id {call_id}.")
    lock_customer(session, customer_id)
    contact = session.scalar(
        select(Contact)
        .where(Contact.id == call_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if contact is None:
        raise NotFound(f"There is no call with id {call_id}.")
    clerk = session.scalar(select(Staff.login).where(Staff.id == contact.staff_id)) or "?"
    if contact.staff_id != actor.id and not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied(f"Only {clerk}, who started this call, or a supervisor may end it.")
    if contact.ended_at is not None:
        raise ConflictError(f"This call already ended at {contact.ended_at.astimezone():%H:%M}.")
    contact.ended_at = max(_clock(session), contact.started_at)
    contact.outcome = outcome
    contact.note = text
    contact.next_call_on = next_call_on
    session.flush()
    refresh_call_figures(session, customer_id)
    view = _view(contact, clerk)
    audit(
        session,
        actor,
        action="end_call",
        entity="contact",
        entity_id=contact.id,
        before={"ended_at": None},
        after={
            "customer_id": customer_id,
            "clerk": clerk,
            "ended_at": contact.ended_at,
            "duration_seconds": view.duration.total_seconds() if view.duration else 0,
            "outcome": outcome,
            "note": text,
            "next_call_on": next_call_on,
        },
    )
    return view


def current_call(session: Session, staff_id: int) -> CallView | None:
    """The staff member's call not yet ended, if any (to show its running timer)."""
    running = _unfinished_call(session, staff_id)
    if running is None:
        return None
    contact, _account = running
    clerk = session.scalar(select(Staff.login).where(Staff.id == staff_id)) or "?"
    return _view(contact, clerk)


@cache
def _history_statement() -> ReadStatement:
    return (
        select(
            Contact.id,
            Contact.customer_id,
            Contact.started_at,
            Contact.ended_at,
            Contact.outcome,
            Contact.note,
            Contact.next_call_on,
            Staff.login,
        )
        .join(Staff, Staff.id == Contact.staff_id)
        .where(Contact.customer_id == bindparam("customer_id"))
        .order_by(Contact.started_at.desc(), Contact.id.desc())
        .limit(bindparam("limit"))
    )


def call_history(session: Session, customer_id: int, *, limit: int = 200) -> list[CallView]:
    """The customer's calls, the latest started first, with clerk, start, end, duration,
    outcome and note. Every staff member may read them."""
    if not 1 <= limit <= MAX_LIST:
        raise ValidationError(f"Between 1 and {MAX_LIST} calls can be listed at once.")
    rows = fetch(session, _history_statement(), customer_id=customer_id, limit=limit)
    return [_view(row, row.login) for row in rows]
