"""The customer screen's reads: prebuilt statements, one per panel, cached once compiled.

What each panel shows is tested with its panel (test_screen_customer, test_statistics, the
workflow tests); here: the header without its open actions, the compiled-statement cache
hitting on every read, plain-row reads still seeing what the session has not flushed, and
the corners of the statements that became one (limit history, monthly payments).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine.default import CACHE_HIT
from sqlalchemy.orm import Session

from cctui.db.engine import Database
from cctui.domain.charts.customer import read_customer_charts
from cctui.domain.credit.held import list_held_documents
from cctui.domain.credit.limits import change_credit_limit, credit_limit_history
from cctui.domain.customer_detail import (
    customer_approvals,
    customer_header,
    customer_letters,
    unpaid_invoices,
)
from cctui.domain.errors import NotFound
from cctui.domain.identity import StaffIdentity
from cctui.domain.models import Note, NoteKind, Role
from cctui.domain.statistics import customer_statistics
from cctui.domain.workflow.action_types import add_action_type
from cctui.domain.workflow.calls import call_history
from cctui.domain.workflow.notes import add_action, customer_notes
from cctui.domain.workflow.promises import customer_promises, record_promise
from cctui.domain.workflow.todos import add_todo, customer_todos
from tests.factories import TODAY, make_customer, make_invoice, make_staff


@contextmanager
def _statements(db: Database) -> Iterator[list[Any]]:
    """The execution contexts of the statements sent inside the block, in order."""
    contexts: list[Any] = []

    def record(_conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, *_: Any):
        contexts.append(context)

    event.listen(db.engine, "after_cursor_execute", record)
    try:
        yield contexts
    finally:
        event.remove(db.engine, "after_cursor_execute", record)


def _with_actions(session: Session, actor: StaffIdentity, customer_id: int, count: int) -> None:
    admin = make_staff(session, "admin", Role.ADMIN)
    kind = add_action_type(session, admin, code="SEND_PO", name="Send the purchase order")
    for n in range(count):
        add_action(
            session, actor, customer_id=customer_id, action_type_id=kind.id, body=f"Action {n}"
        )


def test_the_header_without_actions_reads_the_same_facts_in_one_statement(db: Database) -> None:
    with db.session() as session:
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        customer_id = make_customer(session, contact_person="Mia Chen").id
        _with_actions(session, ctl, customer_id, 4)

    with db.session() as session, _statements(db) as sent:
        full = customer_header(session, customer_id)
        short = customer_header(session, customer_id, with_actions=False)
    assert len(sent) == 2  # one statement each, the actions joined to the customer's row
    assert [action.body for action in full.open_actions] == ["Action 3", "Action 2", "Action 1"]
    assert full.open_action_count == 4
    assert short.open_actions == () and short.open_action_count == 4 and short.has_open_action
    assert short == type(full)(**{**full.__dict__, "open_actions": ()})

    with db.session() as session:
        for with_actions in (True, False):
            with pytest.raises(NotFound, match="no customer with id 999999"):
                customer_header(session, 999_999, with_actions=with_actions)


def test_a_header_without_open_actions_has_none(db: Database) -> None:
    with db.session() as session:
        customer_id = make_customer(session).id
    with db.session() as session:
        header = customer_header(session, customer_id)
    assert header.open_actions == () and not header.has_open_action


def _read_every_panel(session: Session, actor: StaffIdentity, customer_id: int) -> None:
    """What the customer screen reads when every tab has been shown once."""
    customer_header(session, customer_id)
    customer_statistics(session, customer_id, as_of=TODAY)
    unpaid_invoices(session, customer_id, as_of=TODAY)
    customer_notes(session, customer_id)
    customer_todos(session, customer_id, as_of=TODAY)
    call_history(session, customer_id)
    customer_promises(session, customer_id)
    customer_header(session, customer_id, with_actions=False)
    credit_limit_history(session, customer_id)
    list_held_documents(session, actor, status=None, customer_id=customer_id, as_of=TODAY)
    customer_approvals(session, customer_id)
    customer_letters(session, customer_id)
    read_customer_charts(session, customer_id, as_of=TODAY)


def test_every_panel_reads_once_and_hits_the_compiled_cache(db: Database) -> None:
    with db.session() as session:
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        customers = [make_customer(session) for _ in range(2)]
        for customer in customers:
            invoice = make_invoice(session, customer, "120.00", days_past_due=20)
            session.flush()
            record_promise(
                session,
                ctl,
                customer_id=customer.id,
                amount="50.00",
                promised_on=TODAY + timedelta(days=3),
                invoice_ids=[invoice.id],
                as_of=TODAY,
            )
        ids = [customer.id for customer in customers]
        _with_actions(session, ctl, ids[0], 2)

    with db.session() as session:
        _read_every_panel(session, ctl, ids[0])  # compiles what this process has not yet
    with db.session() as session, _statements(db) as sent:
        _read_every_panel(session, ctl, ids[1])  # another customer: other values, same SQL
    reads = [context for context in sent if context.compiled is not None]
    # header, setting + statistics, invoices, notes, to-dos, calls, promises, header,
    # limits, held, approvals, letters, customer + credit + months for the charts
    assert len(reads) == 16
    assert [context.cache_hit for context in reads] == [CACHE_HIT] * len(reads)


def test_reads_see_what_the_session_has_not_flushed(db: Database) -> None:
    with db.session() as session:
        customer_id = make_customer(session).id
    with db.session() as session:
        session.add(Note(customer_id=customer_id, kind=NoteKind.NOTE, body="Not flushed yet"))
        with session.no_autoflush:
            assert customer_notes(session, customer_id) == []
        assert [note.body for note in customer_notes(session, customer_id)] == ["Not flushed yet"]
        todo = add_todo(
            session,
            make_staff(session, "ctl", Role.CONTROLLER),
            customer_id=customer_id,
            description="Check",
            due_on=TODAY,
            as_of=TODAY,
        )
        assert [view.id for view in customer_todos(session, customer_id)] == [todo]


def test_limit_history_of_a_customer_without_changes_and_of_none(db: Database) -> None:
    with db.session() as session:
        ctl = make_staff(session, "ctl", Role.CONTROLLER)
        quiet = make_customer(session).id
        changed = make_customer(session, credit_limit="1000").id
        change_credit_limit(session, ctl, changed, "2000", "Good payer", as_of=TODAY)
    with db.session() as session:
        assert credit_limit_history(session, quiet) == []
        history = credit_limit_history(session, changed)
        with pytest.raises(NotFound, match="no customer with id 999999"):
            credit_limit_history(session, 999_999)
    assert [(h.customer_id, h.new_limit, h.requested_by) for h in history] == [
        (changed, Decimal("2000.00"), "ctl")
    ]


def test_a_month_with_invoices_paid_and_no_payment_received_is_charted(session: Session) -> None:
    customer = make_customer(session)
    invoice = make_invoice(session, customer, "10.00", days_past_due=90, open_amount="0")
    invoice.paid_on = invoice.issued_on + timedelta(days=71)  # issued 2026-07-26
    session.flush()
    months = {m.month: m for m in read_customer_charts(session, customer.id, as_of=TODAY).months}
    october = months[date(2026, 10, 1)]
    assert (october.paid, october.payments, october.avg_days_to_pay) == (
        Decimal(0),
        0,
        Decimal("71.0"),
    )
