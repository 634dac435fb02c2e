"""Notes and actions on a customer (seed 000): private notes, and actions the customer sees.

A private note is for the staff only. An action is something the customer must do, chosen
from the active action types; while open it shows as a red bar on the customer, and the
customer's ``open_action_count`` counts it. Both are open until someone closes them, which
marks them done with who and when. Agents and everyone above may add and close them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.editing import lock_customer
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import ActionType, Note, NoteKind, OpenDone, Role, Staff
from cctui.domain.prepared import ReadRow, ReadStatement, fetch
from cctui.domain.workflow.action_types import active_action_type
from cctui.domain.workflow.maintained import refresh_open_actions
from cctui.domain.workflow.texts import optional_text, required_text

MAX_LIST = 1000
"""The most notes one call lists."""


@dataclass(frozen=True)
class NoteView:
    """A note or action as the customer's history shows it."""

    id: int
    customer_id: int
    kind: NoteKind
    action_type_code: str | None
    action_type_name: str | None
    body: str
    status: OpenDone
    author: str | None
    """Login of whoever wrote it."""
    created_at: datetime
    done_by: str | None
    """Login of whoever closed it."""
    done_at: datetime | None

    @property
    def is_open_action(self) -> bool:
        """True for an action the customer still has to take (the red bar)."""
        return self.kind == NoteKind.ACTION and self.status == OpenDone.OPEN


def _insert(session: Session, note: Note) -> Note:
    session.add(note)
    session.flush()
    return note


def add_note(session: Session, actor: StaffIdentity, *, customer_id: int, body: str) -> int:
    """Add a private note to the customer; return its id."""
    require_role(actor, Role.AGENT, "add notes")
    text = required_text(body, "A note needs some text.")
    customer = lock_customer(session, customer_id)
    note = _insert(
        session,
        Note(customer_id=customer.id, author_id=actor.id, kind=NoteKind.NOTE, body=text),
    )
    audit(
        session,
        actor,
        action="add_note",
        entity="note",
        entity_id=note.id,
        after={"customer_id": customer.id, "kind": NoteKind.NOTE, "body": text},
    )
    return note.id


def add_action(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    action_type_id: int,
    body: str | None = None,
) -> int:
    """Add an action the customer must take (an active action type; the text defaults to its
    name); the customer's open-action count goes up at once. Return the note's id."""
    require_role(actor, Role.AGENT, "add actions")
    action_type = active_action_type(session, action_type_id)
    text = optional_text(body) or action_type.name
    customer = lock_customer(session, customer_id)
    note = _insert(
        session,
        Note(
            customer_id=customer.id,
            author_id=actor.id,
            kind=NoteKind.ACTION,
            action_type_id=action_type.id,
            body=text,
        ),
    )
    refresh_open_actions(session, customer.id)
    audit(
        session,
        actor,
        action="add_action",
        entity="note",
        entity_id=note.id,
        after={
            "customer_id": customer.id,
            "kind": NoteKind.ACTION,
            "action_type": action_type.code,
            "body": text,
        },
    )
    return note.id


def close_note(session: Session, actor: StaffIdentity, note_id: int) -> NoteView:
    """Mark a note or action done, with who and when; refused when it is already done."""
    require_role(actor, Role.AGENT, "close notes and actions")
    customer_id = session.scalar(select(Note.customer_id).where(Note.id == note_id))
    if customer_id is None:
        raise NotFound(f"There is no note with id {note_id}.")
    lock_customer(session, customer_id)
    note = session.scalar(
        select(Note)
        .where(Note.id == note_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if note is None:
        raise NotFound(f"There is no note with id {note_id}.")
    if note.status == OpenDone.DONE:
        closer = session.get(Staff, note.done_by_id) if note.done_by_id else None
        by = f" by {closer.login}" if closer is not None else ""
        raise ConflictError(f"This {note.kind.value} was already closed{by}.")
    note.status = OpenDone.DONE
    note.done_at = datetime.now(UTC)
    note.done_by_id = actor.id
    session.flush()
    if note.kind == NoteKind.ACTION:
        refresh_open_actions(session, customer_id)
    audit(
        session,
        actor,
        action="close_note",
        entity="note",
        entity_id=note.id,
        customer_id=customer_id,
        before={"status": OpenDone.OPEN},
        after={"status": OpenDone.DONE, "done_at": note.done_at},
    )
    return _one(session, note.id)


def _query() -> ReadStatement:
    """Notes with their action type and the logins of their author and closer."""
    author = aliased(Staff)
    closer = aliased(Staff)
    return (
        select(
            Note.id,
            Note.customer_id,
            Note.kind,
            Note.body,
            Note.status,
            Note.created_at,
            Note.done_at,
            ActionType.code.label("action_type_code"),
            ActionType.name.label("action_type_name"),
            author.login.label("author"),
            closer.login.label("done_by"),
        )
        .outerjoin(ActionType, ActionType.id == Note.action_type_id)
        .outerjoin(author, author.id == Note.author_id)
        .outerjoin(closer, closer.id == Note.done_by_id)
    )


def _row_view(row: ReadRow) -> NoteView:
    return NoteView(
        id=row.id,
        customer_id=row.customer_id,
        kind=NoteKind(row.kind),
        action_type_code=row.action_type_code,
        action_type_name=row.action_type_name,
        body=row.body,
        status=OpenDone(row.status),
        author=row.author,
        created_at=row.created_at,
        done_by=row.done_by,
        done_at=row.done_at,
    )


def _one(session: Session, note_id: int) -> NoteView:
    row = session.execute(_query().where(Note.id == note_id)).one()
    return _row_view(row)


@cache
def _customer_statement(open_only: bool) -> ReadStatement:
    query = (
        _query()
        .where(Note.customer_id == bindparam("customer_id"))
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(bindparam("limit"))
    )
    if open_only:
        query = query.where(Note.status == OpenDone.OPEN)
    return query


def customer_notes(
    session: Session,
    customer_id: int,
    *,
    open_only: bool = False,
    limit: int = 200,
) -> list[NoteView]:
    """The customer's notes and actions, newest first (only the open ones if ``open_only``).

    Every staff member may read them.
    """
    if not 1 <= limit <= MAX_LIST:
        raise ValidationError(f"Between 1 and {MAX_LIST} notes can be listed at once.")
    rows = fetch(session, _customer_statement(open_only), customer_id=customer_id, limit=limit)
    return [_row_view(row) for row in rows]
