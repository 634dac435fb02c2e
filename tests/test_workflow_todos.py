"""Interactions that create credit to-dos; open and overdue counts; my and a customer's list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cctui.domain.errors import ConflictError, NotFound, ValidationError
from cctui.domain.models import Note, NoteKind, OpenDone, Role, Todo
from cctui.domain.workflow.notes import customer_notes
from cctui.domain.workflow.todos import (
    TodoCounts,
    add_todo,
    complete_todo,
    customer_todos,
    my_todos,
    record_interaction,
    todo_counts,
)
from tests.factories import TODAY, make_customer, make_staff
from tests.figures_check import assert_figures_true
from tests.workflow_support import audit_rows


def test_an_interaction_is_a_note_and_may_create_a_todo(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session)

    plain = record_interaction(
        session, agent, customer_id=customer.id, text="Left a voicemail.", as_of=TODAY
    )
    assert plain.todo_id is None
    note = session.get(Note, plain.note_id)
    assert note.kind == NoteKind.NOTE and note.author_id == agent.id

    due = TODAY + timedelta(days=3)
    with_todo = record_interaction(
        session,
        agent,
        customer_id=customer.id,
        text="Customer asks for a copy of INV-9; send it.",
        todo_due_on=due,
        as_of=TODAY,
    )
    todo = session.get(Todo, with_todo.todo_id)
    assert todo.note_id == with_todo.note_id
    assert todo.assigned_to_id == agent.id and todo.created_by_id == agent.id
    assert todo.due_on == due and todo.status == OpenDone.OPEN
    assert todo.description == "Customer asks for a copy of INV-9; send it."
    assert len(customer_notes(session, customer.id)) == 2

    assert len(audit_rows(session, "record_interaction")) == 2
    (added,) = audit_rows(session, "add_todo")
    assert added.actor == "agent" and added.after["due_on"] == due.isoformat()
    assert_figures_true(session)


def test_counts_of_open_and_overdue_todos(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session)
    other = make_customer(session)
    assert todo_counts(session, customer.id, TODAY) == TodoCounts(open=0, overdue=0)

    today_id = add_todo(
        session, agent, customer_id=customer.id, description="Call", due_on=TODAY, as_of=TODAY
    )
    add_todo(
        session,
        agent,
        customer_id=customer.id,
        description="Check remittance",
        due_on=TODAY + timedelta(days=5),
        as_of=TODAY,
    )
    add_todo(session, agent, customer_id=other.id, description="Other", due_on=TODAY, as_of=TODAY)

    assert todo_counts(session, customer.id, TODAY) == TodoCounts(open=2, overdue=0)
    # Due on the day is not overdue; the day after it is.
    assert todo_counts(session, customer.id, TODAY + timedelta(days=1)) == TodoCounts(2, 1)
    assert todo_counts(session, customer.id, TODAY + timedelta(days=6)) == TodoCounts(2, 2)
    complete_todo(session, agent, today_id)
    assert todo_counts(session, customer.id, TODAY + timedelta(days=6)) == TodoCounts(1, 1)


def test_my_todos_and_a_customers_todos(session):
    agent = make_staff(session, "agent", Role.AGENT)
    controller = make_staff(session, "controller", Role.CONTROLLER)
    customer = make_customer(session)

    later = add_todo(
        session,
        controller,
        customer_id=customer.id,
        description="Later",
        due_on=TODAY + timedelta(days=9),
        assigned_to_id=agent.id,
        as_of=TODAY,
    )
    sooner = record_interaction(
        session,
        agent,
        customer_id=customer.id,
        text="Sooner",
        todo_due_on=TODAY + timedelta(days=1),
        as_of=TODAY,
    ).todo_id
    mine_by_controller = add_todo(
        session, controller, customer_id=customer.id, description="Mine", due_on=TODAY, as_of=TODAY
    )

    mine = my_todos(session, agent, as_of=TODAY + timedelta(days=2))
    assert [t.id for t in mine] == [sooner, later]
    assert mine[0].overdue and not mine[1].overdue
    assert mine[1].created_by == "controller" and mine[1].assigned_to == "agent"
    assert mine[0].customer_account == customer.account
    assert [t.id for t in my_todos(session, controller, as_of=TODAY)] == [mine_by_controller]

    complete_todo(session, controller, sooner)
    assert [t.id for t in my_todos(session, agent, as_of=TODAY)] == [later]
    assert [t.id for t in my_todos(session, agent, include_done=True, as_of=TODAY)] == [
        sooner,
        later,
    ]
    listed = customer_todos(session, customer.id, as_of=TODAY)
    assert [t.id for t in listed] == [mine_by_controller, later, sooner]  # open first
    assert listed[2].status == OpenDone.DONE and listed[2].done_at is not None
    assert [t.id for t in customer_todos(session, customer.id, include_done=False)] == [
        mine_by_controller,
        later,
    ]
    (done,) = audit_rows(session, "complete_todo")
    assert done.actor == "controller" and done.before == {"status": "open"}


def test_todo_rules(session):
    agent = make_staff(session, "agent", Role.AGENT)
    customer = make_customer(session)
    yesterday = TODAY - timedelta(days=1)
    with pytest.raises(ValidationError, match="before today"):
        add_todo(
            session, agent, customer_id=customer.id, description="x", due_on=yesterday, as_of=TODAY
        )
    with pytest.raises(ValidationError, match="before today"):
        record_interaction(
            session, agent, customer_id=customer.id, text="x", todo_due_on=yesterday, as_of=TODAY
        )
    with pytest.raises(ValidationError, match="needs a description"):
        add_todo(session, agent, customer_id=customer.id, description=" ", due_on=TODAY)
    with pytest.raises(ValidationError, match="needs some text"):
        record_interaction(session, agent, customer_id=customer.id, text="")
    with pytest.raises(ValidationError, match="only be assigned when it has a due date"):
        record_interaction(
            session, agent, customer_id=customer.id, text="x", assigned_to_id=agent.id
        )
    with pytest.raises(NotFound, match="no active staff member"):
        add_todo(
            session,
            agent,
            customer_id=customer.id,
            description="x",
            due_on=TODAY,
            assigned_to_id=999_999,
            as_of=TODAY,
        )
    with pytest.raises(NotFound, match="no customer"):
        add_todo(session, agent, customer_id=999_999, description="x", due_on=TODAY, as_of=TODAY)
    todo_id = add_todo(
        session, agent, customer_id=customer.id, description="x", due_on=TODAY, as_of=TODAY
    )
    complete_todo(session, agent, todo_id)
    with pytest.raises(ConflictError, match="already done"):
        complete_todo(session, agent, todo_id)
    with pytest.raises(NotFound, match="no to-do"):
        complete_todo(session, agent, 999_999)
    assert customer_notes(session, customer.id) == []  # refused interactions wrote nothing
