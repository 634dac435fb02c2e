"""Action types (admins' list), private notes and customer-visible actions, closing them."""

from __future__ import annotations

import pytest

from cctui.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from cctui.domain.models import Customer, NoteKind, OpenDone, Role
from cctui.domain.workflow.action_types import (
    add_action_type,
    list_action_types,
    rename_action_type,
    set_action_type_active,
)
from cctui.domain.workflow.notes import add_action, add_note, close_note, customer_notes
from tests.factories import make_customer, make_staff
from tests.figures_check import assert_figures_true
from tests.workflow_support import audit_rows


def _open_actions(session, customer: Customer) -> int:
    session.refresh(customer)
    return customer.open_action_count


@pytest.mark.parametrize("role", [Role.AGENT, Role.CONTROLLER, Role.SUPERVISOR])
def test_only_admins_edit_the_action_types(session, role):
    admin = make_staff(session, "admin", Role.ADMIN)
    someone = make_staff(session, "someone", role)
    kind = add_action_type(session, admin, code="SEND_PO", name="Send the purchase order")
    with pytest.raises(PermissionDenied, match="Only an admin or above may add action types"):
        add_action_type(session, someone, code="X", name="X")
    with pytest.raises(PermissionDenied):
        rename_action_type(session, someone, kind.id, name="Other")
    with pytest.raises(PermissionDenied):
        set_action_type_active(session, someone, kind.id, active=False)


def test_admins_add_rename_and_deactivate_action_types(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    po = add_action_type(session, admin, code=" SEND_PO ", name="Send the purchase order")
    add_action_type(session, admin, code="CALL_BACK", name="Call us back")
    assert po.code == "SEND_PO" and po.active

    with pytest.raises(ConflictError, match="code 'send_po' already exists"):
        add_action_type(session, admin, code="send_po", name="Duplicate")
    with pytest.raises(ValidationError, match="needs a name"):
        add_action_type(session, admin, code="EMPTY", name="  ")
    with pytest.raises(ValidationError, match="blanks"):
        add_action_type(session, admin, code="TWO WORDS", name="Two words")

    renamed = rename_action_type(session, admin, po.id, name="Send a signed purchase order")
    assert renamed.name == "Send a signed purchase order" and renamed.code == "SEND_PO"
    set_action_type_active(session, admin, po.id, active=False)

    assert [t.code for t in list_action_types(session)] == ["CALL_BACK"]
    assert {t.code for t in list_action_types(session, include_inactive=True)} == {
        "CALL_BACK",
        "SEND_PO",
    }
    set_action_type_active(session, admin, po.id, active=True)
    assert len(list_action_types(session)) == 2

    assert [row.action for row in audit_rows(session, "add_action_type")] == ["add_action_type"] * 2
    (rename,) = audit_rows(session, "rename_action_type")
    assert rename.before == {"name": "Send the purchase order"}
    assert rename.actor == "admin" and rename.after == {"name": "Send a signed purchase order"}
    assert len(audit_rows(session, "deactivate_action_type")) == 1
    assert len(audit_rows(session, "activate_action_type")) == 1
    with pytest.raises(NotFound):
        rename_action_type(session, admin, 999_999, name="Nothing")


def test_agents_add_notes_and_actions_and_the_red_bar_counts_open_actions(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    agent = make_staff(session, "agent", Role.AGENT)
    other = make_staff(session, "other", Role.AGENT)
    kind = add_action_type(session, admin, code="SEND_PO", name="Send the purchase order")
    customer = make_customer(session)

    note_id = add_note(session, agent, customer_id=customer.id, body="  Prefers e-mail.  ")
    first = add_action(session, agent, customer_id=customer.id, action_type_id=kind.id)
    second = add_action(
        session, agent, customer_id=customer.id, action_type_id=kind.id, body="PO for INV-7"
    )
    assert _open_actions(session, customer) == 2

    notes = customer_notes(session, customer.id)
    assert [n.id for n in notes] == [second, first, note_id]  # newest first
    assert notes[2].kind == NoteKind.NOTE and notes[2].body == "Prefers e-mail."
    assert notes[2].action_type_name is None and not notes[2].is_open_action
    assert notes[1].body == "Send the purchase order"  # the type's name by default
    assert notes[0].action_type_code == "SEND_PO"
    assert notes[0].action_type_name == "Send the purchase order"
    assert notes[0].author == "agent" and notes[0].status == OpenDone.OPEN
    assert notes[0].is_open_action

    closed = close_note(session, other, first)
    assert closed.status == OpenDone.DONE
    assert closed.done_by == "other" and closed.done_at is not None
    assert _open_actions(session, customer) == 1
    close_note(session, agent, note_id)  # a private note closes too; the count stays
    assert _open_actions(session, customer) == 1
    with pytest.raises(ConflictError, match="already closed by other"):
        close_note(session, agent, first)

    assert [n.id for n in customer_notes(session, customer.id, open_only=True)] == [second]
    (added,) = audit_rows(session, "add_note")
    assert added.actor == "agent" and added.after["body"] == "Prefers e-mail."
    assert len(audit_rows(session, "add_action")) == 2
    closes = audit_rows(session, "close_note")
    assert [row.actor for row in closes] == ["other", "agent"]
    assert closes[0].before == {"status": "open"} and closes[0].after["status"] == "done"
    assert_figures_true(session)


def test_actions_need_an_active_type_and_notes_need_text(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    agent = make_staff(session, "agent", Role.AGENT)
    kind = add_action_type(session, admin, code="OLD", name="Old action")
    set_action_type_active(session, admin, kind.id, active=False)
    customer = make_customer(session)

    with pytest.raises(ConflictError, match="no longer in use"):
        add_action(session, agent, customer_id=customer.id, action_type_id=kind.id)
    with pytest.raises(NotFound, match="no action type"):
        add_action(session, agent, customer_id=customer.id, action_type_id=999_999)
    with pytest.raises(ValidationError, match="needs some text"):
        add_note(session, agent, customer_id=customer.id, body="   ")
    with pytest.raises(NotFound, match="no customer"):
        add_note(session, agent, customer_id=999_999, body="Hello")
    with pytest.raises(NotFound, match="no note"):
        close_note(session, agent, 999_999)
    assert customer_notes(session, customer.id) == []
    assert _open_actions(session, customer) == 0


def test_an_open_action_of_a_deactivated_type_stays_open_until_closed(session):
    admin = make_staff(session, "admin", Role.ADMIN)
    agent = make_staff(session, "agent", Role.AGENT)
    kind = add_action_type(session, admin, code="SIGN", name="Sign the contract")
    customer = make_customer(session)
    action = add_action(session, agent, customer_id=customer.id, action_type_id=kind.id)
    set_action_type_active(session, admin, kind.id, active=False)
    assert _open_actions(session, customer) == 1
    close_note(session, agent, action)
    assert _open_actions(session, customer) == 0
    assert_figures_true(session)
