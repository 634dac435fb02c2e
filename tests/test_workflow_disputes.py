"""Disputes: one open dispute per invoice (refused with a sentence), resolving, listing."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from cctui.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from cctui.domain.ledger import post_credit_note, record_payment
from cctui.domain.models import Dispute, DisputeStatus, Role
from cctui.domain.workflow.disputes import customer_disputes, open_dispute, resolve_dispute
from tests.factories import TODAY, make_customer, make_invoice, make_staff
from tests.figures_check import assert_figures_true
from tests.workflow_support import audit_rows


def test_open_resolve_and_list_disputes(session):
    agent = make_staff(session, "agent", Role.AGENT)
    controller = make_staff(session, "controller", Role.CONTROLLER)
    customer = make_customer(session)
    invoice = make_invoice(session, customer, "120.00", days_past_due=12)
    other = make_invoice(session, customer, "80.00", days_past_due=2)

    first = open_dispute(session, agent, invoice_id=invoice.id, reason=" Goods arrived broken ")
    with pytest.raises(ConflictError) as refused:
        open_dispute(session, controller, invoice_id=invoice.id, reason="Again")
    message = str(refused.value)
    assert message.startswith(f"Invoice {invoice.number} is already in dispute since ")
    assert message.endswith("(opened by agent); resolve that dispute before opening another.")
    # The refusal left the transaction usable: the next dispute goes through.
    second = open_dispute(session, controller, invoice_id=other.id, reason="Price differs")

    with pytest.raises(PermissionDenied, match="Only a controller or above may resolve disputes"):
        resolve_dispute(session, agent, first, resolution="Credit note sent")
    with pytest.raises(ValidationError, match="needs a resolution"):
        resolve_dispute(session, controller, first, resolution="  ")
    resolve_dispute(session, controller, first, resolution="Credit note sent")
    with pytest.raises(ConflictError, match="already resolved"):
        resolve_dispute(session, controller, first, resolution="Again")

    third = open_dispute(session, agent, invoice_id=invoice.id, reason="Still broken")
    views = customer_disputes(session, customer.id)
    assert {v.id for v in views} == {first, second, third}
    by_id = {v.id: v for v in views}
    assert by_id[first].status == DisputeStatus.RESOLVED
    assert by_id[first].reason == "Goods arrived broken"
    assert by_id[first].resolved_by == "controller" and by_id[first].resolved_at is not None
    assert by_id[first].resolution == "Credit note sent"
    assert by_id[first].invoice_number == invoice.number and by_id[first].opened_by == "agent"
    assert by_id[second].invoice_open_amount == other.open_amount
    assert [v.id for v in views] == [third, second, first]  # latest opened first
    assert {v.id for v in customer_disputes(session, customer.id, open_only=True)} == {
        second,
        third,
    }

    opened = audit_rows(session, "open_dispute")
    assert [row.actor for row in opened] == ["agent", "controller", "agent"]
    assert opened[0].after["reason"] == "Goods arrived broken"
    (resolved,) = audit_rows(session, "resolve_dispute")
    assert resolved.before == {"status": "open"}
    assert resolved.after == {"status": "resolved", "resolution": "Credit note sent"}
    assert_figures_true(session)


def test_what_cannot_be_disputed(session):
    agent = make_staff(session, "agent", Role.AGENT)
    clerk = make_staff(session, "clerk", Role.CONTROLLER)
    customer = make_customer(session)
    paid = make_invoice(session, customer, "50.00", days_past_due=3)
    open_one = make_invoice(session, customer, "70.00", days_past_due=3)
    record_payment(
        session,
        clerk,
        customer_id=customer.id,
        amount="50.00",
        received_on=TODAY,
        invoice_ids=[paid.id],
        as_of=TODAY,
    )
    credit = post_credit_note(
        session,
        clerk,
        customer_id=customer.id,
        number="CN-1",
        amount="10.00",
        issued_on=TODAY - timedelta(days=1),
        invoice_ids=[open_one.id],
        as_of=TODAY,
    )
    with pytest.raises(ConflictError, match="is paid; there is nothing to dispute"):
        open_dispute(session, agent, invoice_id=paid.id, reason="Too much")
    with pytest.raises(ConflictError, match="CN-1 is a credit note"):
        open_dispute(session, agent, invoice_id=credit.id, reason="Too little")
    with pytest.raises(ValidationError, match="needs the customer's reason"):
        open_dispute(session, agent, invoice_id=open_one.id, reason="")
    with pytest.raises(NotFound, match="no invoice"):
        open_dispute(session, agent, invoice_id=999_999, reason="Who?")
    with pytest.raises(NotFound, match="no dispute"):
        resolve_dispute(session, clerk, 999_999, resolution="Nothing")
    assert customer_disputes(session, customer.id) == []


def test_two_people_disputing_one_invoice_at_once(db):
    with db.session() as setup:
        first = make_staff(setup, "first", Role.AGENT)
        second = make_staff(setup, "second", Role.AGENT)
        customer = make_customer(setup)
        invoice_id = make_invoice(setup, customer, "99.00", days_past_due=4).id

    holder = db.sessionmaker()
    open_dispute(holder, first, invoice_id=invoice_id, reason="First")  # not committed yet
    outcome: list[BaseException | int] = []

    def contest() -> None:
        try:
            with db.session() as other:
                outcome.append(open_dispute(other, second, invoice_id=invoice_id, reason="Second"))
        except BaseException as error:  # reported below
            outcome.append(error)

    thread = threading.Thread(target=contest)
    thread.start()
    with db.session() as watcher:  # wait until the second insert waits on the first's row
        for _ in range(500):
            waiting = watcher.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            )
            if waiting:
                break
            time.sleep(0.01)
            watcher.rollback()
    holder.commit()
    holder.close()
    thread.join(timeout=30)
    assert not thread.is_alive()
    (result,) = outcome
    assert isinstance(result, ConflictError)
    assert "already in dispute" in str(result) and "(opened by first)" in str(result)
    with db.session() as check:
        assert check.scalar(select(func.count()).select_from(Dispute)) == 1
