"""Interactions and credit to-dos (seed 002): "Create Interaction … creates a Credit To-Do".

An interaction with a customer is written down as a private note; when it needs a follow-up
action it also creates a credit to-do with a due date, assigned to whoever records it unless
someone else is named. The queue shows each customer's open and overdue to-dos.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased

from cctui.domain.audit import audit
from cctui.domain.authz import require_role
from cctui.domain.editing import lock_customer, today
from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Customer, Note, NoteKind, OpenDone, Role, Staff, Todo
from cctui.domain.prepared import ReadRow, ReadStatement, fetch
from cctui.domain.workflow.texts import required_text

MAX_LIST = 1000
"""The most to-dos one call lists."""


@dataclass(frozen=True)
class Interaction:
    """What recording an interaction created: its note, and its to-do if one was asked for."""

    note_id: int
    todo_id: int | None


@dataclass(frozen=True)
class TodoCounts:
    """A customer's open to-dos, and how many of them are overdue (due before the day)."""

    open: int
    overdue: int


@dataclass(frozen=True)
class TodoView:
    """A to-do as the lists show it."""

    id: int
    customer_id: int
    customer_account: str
    customer_name: str
    description: str
    due_on: date
    status: OpenDone
    overdue: bool
    """Open and due before the day the list was asked for."""
    assigned_to: str | None
    """Login of whoever has to do it."""
    created_by: str | None
    created_at: datetime
    done_at: datetime | None
    note_id: int | None


def _assignee(session: Session, assigned_to_id: int | None, actor: StaffIdentity) -> int:
    if assigned_to_id is None:
        return actor.id
    staff = session.get(Staff, assigned_to_id)
    if staff is None or not staff.active:
        raise NotFound(f"There is no active staff member with id {assigned_to_id}.")
    return staff.id


def _due(due_on: date, day: date) -> date:
    if due_on < day:
        raise ValidationError(
            f"A to-do cannot fall due on {due_on.isoformat()}, before today ({day.isoformat()})."
        )
    return due_on


def _new_todo(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    description: str,
    due_on: date,
    assigned_to_id: int,
    note_id: int | None,
) -> Todo:
    todo = Todo(
        customer_id=customer_id,
        note_id=note_id,
        assigned_to_id=assigned_to_id,
        created_by_id=actor.id,
        description=description,
        due_on=due_on,
    )
    session.add(todo)
    session.flush()
    audit(
        session,
        actor,
        action="add_todo",
        entity="todo",
        entity_id=todo.id,
        after={
            "customer_id": customer_id,
            "description": description,
            "due_on": due_on,
            "assigned_to_id": assigned_to_id,
            "note_id": note_id,
        },
    )
    return todo


def record_interaction(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    text: str,
    todo_due_on: date | None = None,
    assigned_to_id: int | None = None,
    as_of: date | None = None,
) -> Interaction:
    """Write an interaction down as a note; with ``todo_due_on``, also create a credit to-do
    due that day (today or later) for ``assigned_to_id`` (default: whoever records it)."""
    require_role(actor, Role.AGENT, "record interactions")
    body = required_text(text, "An interaction needs some text.")
    if todo_due_on is None and assigned_to_id is not None:
        raise ValidationError("A to-do can only be assigned when it has a due date.")
    due = _due(todo_due_on, today(as_of)) if todo_due_on is not None else None
    assignee = _assignee(session, assigned_to_id, actor) if due is not None else None
    customer = lock_customer(session, customer_id)
    note = Note(customer_id=customer.id, author_id=actor.id, kind=NoteKind.NOTE, body=body)
    session.add(note)
    session.flush()
    audit(
        session,
        actor,
        action="record_interaction",
        entity="note",
        entity_id=note.id,
        after={"customer_id": customer.id, "kind": NoteKind.NOTE, "body": body},
    )
    if due is None or assignee is None:
        return Interaction(note_id=note.id, todo_id=None)
    todo = _new_todo(
        session,
        actor,
        customer_id=customer.id,
        description=body,
        due_on=due,
        assigned_to_id=assignee,
        note_id=note.id,
    )
    return Interaction(note_id=note.id, todo_id=todo.id)


def add_todo(
    session: Session,
    actor: StaffIdentity,
    *,
    customer_id: int,
    description: str,
    due_on: date,
    assigned_to_id: int | None = None,
    as_of: date | None = None,
) -> int:
    """Create a credit to-do on the customer due ``due_on`` (today or later); return its id."""
    require_role(actor, Role.AGENT, "add to-dos")
    text = required_text(description, "A to-do needs a description.")
    due = _due(due_on, today(as_of))
    assignee = _assignee(session, assigned_to_id, actor)
    customer = lock_customer(session, customer_id)
    todo = _new_todo(
        session,
        actor,
        customer_id=customer.id,
        description=text,
        due_on=due,
        assigned_to_id=assignee,
        note_id=None,
    )
    return todo.id


def complete_todo(session: Session, actor: StaffIdentity, todo_id: int) -> None:
    """Mark a to-do done; refused when it already is."""
    require_role(actor, Role.AGENT, "complete to-dos")
    todo = session.scalar(
        select(Todo)
        .where(Todo.id == todo_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if todo is None:
        raise NotFound(f"There is no to-do with id {todo_id}.")
    if todo.status == OpenDone.DONE:
        raise ConflictError("This to-do was already done.")
    todo.status = OpenDone.DONE
    todo.done_at = datetime.now(UTC)
    session.flush()
    audit(
        session,
        actor,
        action="complete_todo",
        entity="todo",
        entity_id=todo.id,
        customer_id=todo.customer_id,
        before={"status": OpenDone.OPEN},
        after={"status": OpenDone.DONE, "done_at": todo.done_at},
    )


def todo_counts(session: Session, customer_id: int, as_of: date | None = None) -> TodoCounts:
    """The customer's open to-dos and, of those, the ones due before ``as_of`` (overdue)."""
    day = today(as_of)
    row = session.execute(
        select(
            func.count(),
            func.count().filter(Todo.due_on < day),
        ).where(Todo.customer_id == customer_id, Todo.status == OpenDone.OPEN)
    ).one()
    return TodoCounts(open=int(row[0]), overdue=int(row[1]))


def _query() -> ReadStatement:
    """To-dos with their customer and the logins of whom they are assigned to and by."""
    assignee = aliased(Staff)
    creator = aliased(Staff)
    return (
        select(
            Todo.id,
            Todo.customer_id,
            Todo.description,
            Todo.due_on,
            Todo.status,
            Todo.created_at,
            Todo.done_at,
            Todo.note_id,
            Customer.account,
            Customer.name,
            assignee.login.label("assigned_to"),
            creator.login.label("created_by"),
        )
        .join(Customer, Customer.id == Todo.customer_id)
        .outerjoin(assignee, assignee.id == Todo.assigned_to_id)
        .outerjoin(creator, creator.id == Todo.created_by_id)
    )


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIST:
        raise ValidationError(f"Between 1 and {MAX_LIST} to-dos can be listed at once.")


def _views(rows: Iterable[ReadRow], day: date) -> list[TodoView]:
    views = []
    for row in rows:
        status = OpenDone(row.status)
        views.append(
            TodoView(
                id=row.id,
                customer_id=row.customer_id,
                customer_account=row.account,
                customer_name=row.name,
                description=row.description,
                due_on=row.due_on,
                status=status,
                overdue=status == OpenDone.OPEN and row.due_on < day,
                assigned_to=row.assigned_to,
                created_by=row.created_by,
                created_at=row.created_at,
                done_at=row.done_at,
                note_id=row.note_id,
            )
        )
    return views


def my_todos(
    session: Session,
    actor: StaffIdentity,
    *,
    include_done: bool = False,
    limit: int = 200,
    as_of: date | None = None,
) -> list[TodoView]:
    """The to-dos assigned to ``actor``, the earliest due first (the open ones only unless
    ``include_done``)."""
    query = _query().where(Todo.assigned_to_id == actor.id)
    if not include_done:
        query = query.where(Todo.status == OpenDone.OPEN)
    _check_limit(limit)
    query = query.order_by(Todo.due_on, Todo.id).limit(limit)
    return _views(session.execute(query), today(as_of))


@cache
def _customer_statement(include_done: bool) -> ReadStatement:
    query = _query().where(Todo.customer_id == bindparam("customer_id"))
    if not include_done:
        query = query.where(Todo.status == OpenDone.OPEN)
    return query.order_by((Todo.status == OpenDone.DONE).asc(), Todo.due_on, Todo.id).limit(
        bindparam("limit")
    )


def customer_todos(
    session: Session,
    customer_id: int,
    *,
    include_done: bool = True,
    limit: int = 200,
    as_of: date | None = None,
) -> list[TodoView]:
    """The customer's to-dos: the open ones first, then the done ones, each by due date.

    Every staff member may read them.
    """
    _check_limit(limit)
    rows = fetch(session, _customer_statement(include_done), customer_id=customer_id, limit=limit)
    return _views(rows, today(as_of))
