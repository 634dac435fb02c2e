"""Every change announces itself with a NOTIFY in its own transaction (live updates)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select

from cctui.db.engine import Database
from cctui.db.listener import connect_to
from cctui.domain.audit import CHANGES_CHANNEL, MAX_PAYLOAD_BYTES, BookChange, audit
from cctui.domain.daily_check import run_daily_check
from cctui.domain.ledger import record_payment
from cctui.domain.models import AuditLog, Role
from cctui.domain.workflow.notes import add_note, close_note
from cctui.domain.workflow.promises import cancel_promise, record_promise
from tests.factories import TODAY, make_customer, make_invoice, make_policy, make_staff

Listener = psycopg.Connection[Any]


@pytest.fixture
def listener(db: Database) -> Iterator[Listener]:
    """A connection listening on the changes channel, as the app's listener does."""
    connection = connect_to(db)()
    connection.execute(f"LISTEN {CHANGES_CHANNEL}")
    yield connection
    connection.close()


def heard(connection: Listener, *, wait: float = 0.5) -> list[dict[str, Any]]:
    """The payloads received within ``wait`` seconds (all that arrive in that time)."""
    return [
        json.loads(notify.payload)
        for notify in connection.notifies(timeout=wait)
        if notify.channel == CHANGES_CHANNEL
    ]


def test_a_note_is_announced_after_commit_with_its_customer(
    db: Database, listener: Listener
) -> None:
    with db.session() as session:
        agent = make_staff(session, "agent", Role.AGENT)
        customer_id = make_customer(session).id
    with db.session() as session:
        note_id = add_note(session, agent, customer_id=customer_id, body="Called, no answer")
        session.flush()
        assert heard(listener, wait=0.2) == []  # not before commit
    assert heard(listener) == [
        {"customer_id": customer_id, "entity": "note", "action": "add_note", "id": str(note_id)}
    ]
    with db.session() as session:
        close_note(session, agent, note_id)
    assert heard(listener) == [
        {"customer_id": customer_id, "entity": "note", "action": "close_note", "id": str(note_id)}
    ]


def test_a_rolled_back_change_is_never_announced(db: Database, listener: Listener) -> None:
    with db.session() as session:
        agent = make_staff(session, "agent", Role.AGENT)
        customer_id = make_customer(session).id
    with pytest.raises(RuntimeError), db.session() as session:
        add_note(session, agent, customer_id=customer_id, body="never saved")
        raise RuntimeError("the user cancelled")
    assert heard(listener) == []
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_a_payment_is_announced_with_its_customer(db: Database, listener: Listener) -> None:
    with db.session() as session:
        controller = make_staff(session, "ctrl", Role.CONTROLLER)
        customer = make_customer(session)
        make_invoice(session, customer, "100.00", days_past_due=5)
        customer_id = customer.id
    with db.session() as session:
        posted = record_payment(
            session,
            controller,
            customer_id=customer_id,
            amount="40.00",
            received_on=TODAY,
            as_of=TODAY,
        )
    (change,) = heard(listener)
    assert change == {
        "customer_id": customer_id,
        "entity": "payment",
        "action": "record_payment",
        "id": str(posted.id),
    }


def test_a_promise_and_its_cancellation_are_announced(db: Database, listener: Listener) -> None:
    with db.session() as session:
        agent = make_staff(session, "agent", Role.AGENT)
        customer = make_customer(session)
        make_invoice(session, customer, "100.00", days_past_due=5)
        customer_id = customer.id
    with db.session() as session:
        promise_id = record_promise(
            session,
            agent,
            customer_id=customer_id,
            amount="100.00",
            promised_on=TODAY + timedelta(days=3),
            as_of=TODAY,
        )
    with db.session() as session:
        cancel_promise(session, agent, promise_id, reason="changed their mind", as_of=TODAY)
    assert [(c["customer_id"], c["entity"], c["action"]) for c in heard(listener)] == [
        (customer_id, "promise", "record_promise"),
        (customer_id, "promise", "cancel_promise"),
    ]


def test_a_whole_daily_check_is_one_announcement(db: Database, listener: Listener) -> None:
    with db.session() as session:
        admin = make_staff(session, "admin", Role.ADMIN)
        policy = make_policy(session)
        for days in (40, 70, 100, 120):
            make_invoice(
                session, make_customer(session, policy=policy), "10.00", days_past_due=days
            )
    with db.session() as session:
        run_daily_check(session, admin, run_on=TODAY)
    with db.session() as session:
        rows = session.scalar(select(func.count()).select_from(AuditLog))
    assert rows is not None and rows > 4  # the steps audited each customer they changed
    assert heard(listener, wait=1.0) == [
        {"customer_id": None, "entity": "book", "action": "daily_check", "id": TODAY.isoformat()}
    ]


def test_a_change_of_a_customer_names_it_without_being_told(
    db: Database, listener: Listener
) -> None:
    with db.session() as session:
        admin = make_staff(session, "admin", Role.ADMIN)
        customer_id = make_customer(session).id
    with db.session() as session:
        audit(session, admin, action="test", entity="customer", entity_id=customer_id)
        audit(session, admin, action="test", entity="setting", entity_id="x" * 64)
        audit(session, admin, action="quiet", entity="customer", entity_id=1, notify=False)
    first, second = heard(listener)
    assert first["customer_id"] == customer_id
    assert second["customer_id"] is None
    assert second["id"] == "x" * 64


def test_payloads_stay_under_postgres_limit_and_read_back() -> None:
    change = BookChange(7, "é" * 5000, "\x00\u202e" * 5000, "\U0001f600" * 5000)
    payload = change.payload()
    assert len(payload.encode()) < MAX_PAYLOAD_BYTES
    back = BookChange.from_payload(payload)
    assert back is not None and back.customer_id == 7 and back.entity.startswith("é")
    for junk in ("", "[]", "nonsense", '{"entity": 1}', '{"customer_id": true}'):
        assert BookChange.from_payload(junk) is None
    assert BookChange.from_payload('{"customer_id": "7", "entity": "x", "action": "y"}') == (
        BookChange(None, "x", "y")
    )
